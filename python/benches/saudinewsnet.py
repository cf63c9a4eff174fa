"""nuskha from Python against datasketch and rensa on SaudiNewsNet, end to end from JSONL.

    target/pyvenv/bin/pip install datasketch rensa      # once (run-tests.sh made the venv)
    target/pyvenv/bin/python python/benches/saudinewsnet.py [--repeat 3]

Each tool runs in a process of its own (its peak memory is that process's), reads the
gzipped JSON Lines, and clusters the 13,259 articles:

- nuskha: ``Deduplicator().cluster_file(path)`` (the defaults: normalisation, word
  5-shingles, K = 128, LSH, verification with the edited-copy rule, average linkage);
  with ``edited=False`` (the rule off, star clusters); and with ``rare_search=True``
  (``dedup --edited``).
- datasketch 2.x and rensa, at their usual settings: the title and text lowercased and
  split on whitespace, word 5-shingles, ``num_perm=128``, an LSH index at threshold 0.5
  (rensa: 16 bands, its README's); each article queried then inserted, candidates kept
  when their estimated Jaccard is at least 0.5, clusters the connected components.

Seconds are the best of ``--repeat`` runs (importing the tool, reading, parsing and
clustering; the interpreter's start-up left out), MB/s the uncompressed JSONL over them;
peak memory is the process's maximum resident set.
Precision and recall are `dedup eval`'s on the dev set's SaudiNewsNet pairs (report split,
population-weighted), so the `dedup` command must be built (`cargo build --release -p
nuskha-cli`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "arabic_news" / "saudinewsnet_2015-08-03_to_11.jsonl.gz"
DEVSET = REPO / "tests" / "data" / "devset"
DEDUP = REPO / "target" / "release" / "dedup"

# One tool's run, in a child process: prints seconds, then writes `id,cluster` rows.
CHILD = r'''
import gzip, json, sys, time
tool, path, out = sys.argv[1], sys.argv[2], sys.argv[3]

def shingles(text, n=5):
    w = text.lower().split()
    return {" ".join(w[i:i + n]) for i in range(max(1, len(w) - n + 1))}

def read():
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            title = r.get("title") or ""
            yield r["id"], (title + "\n" + r["text"]) if title else r["text"]

def components(n, pairs):
    parent = list(range(n))
    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]

start = time.perf_counter()
if tool.startswith("nuskha"):
    import nuskha
    options = {"nuskha-no-edited": {"edited": False}, "nuskha-rare": {"rare_search": True}}
    dedup = nuskha.Deduplicator(**options.get(tool, {}))
    rows = [(m.id, c.representative) for c in dedup.cluster_file(path) for m in c.members]
elif tool == "datasketch":
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    ids, sketches, pairs = [], [], []
    for i, (id_, text) in enumerate(read()):
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in shingles(text)])
        for j in lsh.query(m):
            if sketches[j].jaccard(m) >= 0.5:
                pairs.append((j, i))
        lsh.insert(i, m)
        ids.append(id_)
        sketches.append(m)
    roots = components(len(ids), pairs)
    rows = [(ids[i], ids[r]) for i, r in enumerate(roots)]
else:
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16)
    ids, sketches, pairs = [], [], []
    for i, (id_, text) in enumerate(read()):
        m = RMinHash(num_perm=128, seed=42)
        m.update(list(shingles(text)))
        for j in lsh.query(m):
            if sketches[j].jaccard(m) >= 0.5:
                pairs.append((j, i))
        lsh.insert(i, m)
        ids.append(id_)
        sketches.append(m)
    roots = components(len(ids), pairs)
    rows = [(ids[i], ids[r]) for i, r in enumerate(roots)]
seconds = time.perf_counter() - start
with open(out, "w", encoding="utf-8") as f:
    f.write("id,cluster,similarity,note\n")
    for id_, rep in rows:
        f.write(f"{id_},{rep},1.000,\n")
print(seconds)
'''


def evaluate(csv: Path, pairs: Path) -> tuple[str, str]:
    """Weighted precision and recall of `dedup eval` (report split)."""
    out = subprocess.run(
        [
            str(DEDUP), "eval", "--pairs", str(pairs), "--population", str(DEVSET / "population.json"),
            "--split", "report", "--bootstrap", "0", str(csv),
        ],
        capture_output=True, text=True, check=True,
    ).stdout
    weighted = re.search(r"weighted.*?precision\s+([0-9.]+).*?recall\s+([0-9.]+)", out, re.S | re.I)
    if weighted:
        return weighted.group(1), weighted.group(2)
    return "?", "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tools", default="nuskha,nuskha-no-edited,nuskha-rare,rensa,datasketch")
    args = parser.parse_args()
    if not DATA.is_file():
        sys.exit(f"{DATA} is not here")
    if not DEDUP.is_file():
        sys.exit(f"{DEDUP} is not built: cargo build --release -p nuskha-cli")
    with gzip.open(DATA, "rb") as f:
        megabytes = len(f.read()) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pairs = tmp / "snn-pairs.jsonl"
        with open(DEVSET / "pairs.jsonl", encoding="utf-8") as f:
            pairs.write_text("".join(l for l in f if json.loads(l)["bin"].startswith("snn/")), encoding="utf-8")
        print(f"SaudiNewsNet: 13,259 articles, {megabytes:.1f} MB of JSONL; {os.cpu_count()} cores; best of {args.repeat}")
        print()
        print("| tool | seconds | MB/s | peak memory (MB) | weighted precision | weighted recall |")
        print("|---|---|---|---|---|---|")
        results = {}
        for tool in args.tools.split(","):
            best, peak = float("inf"), 0.0
            csv = tmp / f"{tool}.csv"
            for _ in range(args.repeat):
                # A process of its own for the memory figure: ru_maxrss of the children
                # is the largest child so far, so each tool gets a fresh parent too.
                p = subprocess.run(
                    [sys.executable, "-c", "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
                     sys.executable, "-c", CHILD, tool, str(DATA), str(csv)],
                    capture_output=True, text=True, check=True,
                )
                lines = p.stdout.strip().splitlines()
                best = min(best, float(lines[-2]))
                peak = max(peak, int(lines[-1]) / 1024)
            precision, recall = evaluate(csv, pairs)
            results[tool] = best
            print(f"| {tool} | {best:.2f} | {megabytes / best:.1f} | {peak:.0f} | {precision} | {recall} |", flush=True)
        if "nuskha" in results:
            print()
            for tool, seconds in results.items():
                if not tool.startswith("nuskha"):
                    print(f"nuskha is {seconds / results['nuskha']:.1f}x {tool} end to end")


if __name__ == "__main__":
    main()
