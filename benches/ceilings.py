#!/usr/bin/env python3
"""How far each stage caps the dev set's recall: the clusters, the clusters with every
verified pair counted, and the verifier alone on every labelled pair.

    python3 benches/ceilings.py [--dedup BIN] [-- DEDUP OPTIONS...]

Clusters both dev corpora (../shared/data/arabic_news) with `--format csv` and with
`--emit pairs`, then scores on the `tune` and `report` splits of tests/data/devset,
weighted by each bin's population as `dedup eval` weighs them:

- clusters: a labelled pair is predicted a copy when both ids share a cluster (what
  `dedup eval` reports; checked against it);
- clusters + verified pairs: also when the pair was verified directly but the
  clustering kept it apart (a round-up, a template bulletin): the recall a clustering
  of these candidates and verdicts could reach at best, and the precision it would pay;
- compare on every pair: `dedup compare`'s verdict on each labelled pair, as if every
  pair were a candidate and no clustering stood between. No corpus is behind it, so
  the template guard and boilerplate removal do not apply: the rules' scores alone,
  looser than the verifier in a run (its precision is the guard's share of the work);
- clusters, or compare: the two together, about the recall with every pair a
  candidate and every pair the rules' scores pass kept (a cluster also joins pairs
  through others).

Needs the corpora; under a minute on two cores, most of it the compare runs.
"""

import argparse
import collections
import concurrent.futures
import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "arabic_news")
CORPORA = {
    "snn": "saudinewsnet_2015-08-03_to_11.jsonl.gz",
    "ant": "ant_multisource_2018-04.jsonl.gz",
}
DEVSET = os.path.join(ROOT, "tests", "data", "devset")


def weighted(pairs, population, split, predicted):
    """Weighted precision and recall of `predicted(pair)` on `split`: each pair counts
    population(bin) / (pairs of the bin scored), as `dedup eval` counts it."""
    scored = [p for p in pairs if p["split"] == split]
    per_bin = collections.Counter(p["bin"] for p in scored)
    cells = collections.Counter()
    for p in scored:
        w = population[p["bin"]] / per_bin[p["bin"]]
        copy = p["label"] == "copy"
        cells[(copy, predicted(p))] += w
    tp, fp, fn = cells[(True, True)], cells[(False, True)], cells[(True, False)]
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / (tp + fn)


# Options of the main job that `dedup compare` does not take (how clusters form, how
# the run goes), each with whether a value follows it.
CLUSTERING_ONLY = {"--mode": True, "--link-density": True, "--threads": True,
                   "--representative": True, "--singletons": False, "--verbose": False}


def matching_options(options):
    """`options` without those `dedup compare` refuses."""
    kept, skip = [], False
    for o in options:
        if skip:
            skip = False
            continue
        name = o.split("=", 1)[0]
        if name in CLUSTERING_ONLY:
            skip = CLUSTERING_ONLY[name] and "=" not in o
            continue
        kept.append(o)
    return kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dedup", default=os.path.join(ROOT, "target", "release", "examples", "dedup"))
    ap.add_argument("options", nargs="*", help="options for dedup (after --)")
    args = ap.parse_args()
    if not os.path.isdir(DATA):
        sys.exit(f"ceilings.py: {DATA} not found")
    pairs = [json.loads(line) for line in open(os.path.join(DEVSET, "pairs.jsonl"))]
    population = json.load(open(os.path.join(DEVSET, "population.json")))["population"]
    work = tempfile.mkdtemp(prefix="nuskha-ceilings-")
    try:
        cluster_of, verified, plain = {}, set(), {}
        all_csv = os.path.join(work, "all.csv")
        with open(all_csv, "w") as out:
            out.write("id,cluster\n")
            for name, file in CORPORA.items():
                plain[name] = os.path.join(work, f"{name}.jsonl")
                with gzip.open(os.path.join(DATA, file)) as src, open(plain[name], "wb") as dst:
                    shutil.copyfileobj(src, dst)
                base = [args.dedup, plain[name], "--quiet", *args.options]
                clusters = os.path.join(work, f"{name}.csv")
                verified_csv = os.path.join(work, f"{name}.pairs.csv")
                subprocess.run([*base, "--format", "csv", "-o", clusters], check=True)
                subprocess.run([*base, "--emit", "pairs", "-o", verified_csv], check=True)
                for row in csv.DictReader(open(clusters, newline="")):
                    cluster_of[row["id"]] = (name, row["cluster"])
                    out.write(f"{row['id']},{name}:{row['cluster']}\n")
                for row in csv.DictReader(open(verified_csv, newline="")):
                    verified.add((row["a"], row["b"]))
                    verified.add((row["b"], row["a"]))

        def together(p):
            return cluster_of[p["a"]] == cluster_of[p["b"]]

        def compared(p):
            corpus = plain["snn" if p["a"].startswith("snn-") else "ant"]
            cmd = [args.dedup, "compare", corpus, "--id", p["a"], "--id", p["b"],
                   "--passages", "0", "--format", "json", *matching_options(args.options)]
            out = subprocess.run(cmd, check=True, capture_output=True).stdout
            return json.loads(out)["verdict"]

        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            verdicts = dict(zip(((p["a"], p["b"]) for p in pairs), pool.map(compared, pairs)))
        rows = [
            ("clusters", together),
            ("clusters + verified pairs", lambda p: together(p) or (p["a"], p["b"]) in verified),
            ("compare on every pair", lambda p: verdicts[(p["a"], p["b"])]["copy"]),
            ("clusters, or compare", lambda p: together(p) or verdicts[(p["a"], p["b"])]["copy"]),
        ]
        print(f"dedup {' '.join(args.options) or '(defaults)'}")
        print("| predicted a copy when | tune weighted P / R | report weighted P / R |")
        print("|---|---|---|")
        for label, predicted in rows:
            cells = [weighted(pairs, population, s, predicted) for s in ("tune", "report")]
            print(f"| {label} | " + " | ".join(f"{p:.3f} / {r:.3f}" for p, r in cells) + " |")
        # The copies no row finds, against the pairs that are not copies: how many of
        # those score at least as high on both of the edited-copy rule's measures (the
        # mean of word and word-pair containment, and the distinctive share).
        def scores(p):
            v = verdicts[(p["a"], p["b"])]
            overlap = ((v.get("word_containment") or 0) + (v.get("bigram_containment") or 0)) / 2
            return overlap, v.get("distinctive_containment") or 0

        lost = [p for p in pairs if p["label"] == "copy" and not any(f(p) for _, f in rows)]
        others = [scores(p) for p in pairs if p["label"] != "copy"]
        print()
        print("| copy no row finds | split, bin | words+pairs / distinctive | non-copies at least as high on both |")
        print("|---|---|---|---|")
        for p in lost:
            o, d = scores(p)
            above = sum(1 for x, y in others if x >= o and y >= d)
            print(f"| `{p['a']}`/`{p['b']}` | {p['split']}, {p['bin']} | {o:.2f} / {d:.2f} | {above} |")
        # The first row is what `dedup eval` computes; the two must agree.
        for split in ("tune", "report"):
            eval_cmd = [args.dedup, "eval", "--pairs", os.path.join(DEVSET, "pairs.jsonl"),
                        "--population", os.path.join(DEVSET, "population.json"),
                        "--split", split, "--format", "json", all_csv]
            got = json.loads(subprocess.run(eval_cmd, check=True, capture_output=True).stdout)
            mine = weighted(pairs, population, split, together)
            theirs = (got["weighted"]["precision"], got["weighted"]["recall"])
            assert all(abs(x - y) < 1e-9 for x, y in zip(mine, theirs)), (split, mine, theirs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
