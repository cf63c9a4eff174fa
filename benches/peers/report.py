"""Runs each tool on one corpus, one after another, and prints a markdown table.

report.py CORPUS_DIR TRUTH... -- NAME=COMMAND ...
Each COMMAND writes pairs to {pairs} (tab-separated ids) or clusters as dedup's JSONL to
{clusters}; {corpus} is CORPUS_DIR/corpus.jsonl. Wall time and peak memory come from the
child process itself (os.wait4), so Python start-up and imports count for Python peers.
"""
import json
import os
import shlex
import subprocess
import sys
import time


def read_pairs(path):
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            a, b = line.rstrip("\n").split("\t")[:2]
            pairs.add((min(a, b), max(a, b)))
    return pairs


def cluster_pairs(path):
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            ids = [m["id"] for m in json.loads(line)["members"]]
            for x, a in enumerate(ids):
                for b in ids[x + 1:]:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


def run(command):
    start = time.perf_counter()
    proc = subprocess.Popen(command, shell=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"failed: {command}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    corpus_dir, truths, tools = args[0], args[1:sep], args[sep + 1:]
    corpus = os.path.join(corpus_dir, "corpus.jsonl")
    n_docs, n_bytes, ids = 0, 0, set()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            n_docs += 1
            n_bytes += len(rec["text"].encode("utf-8"))
            ids.add(str(rec["id"]))
    # Truth pairs about articles outside this corpus (another file of the list) do not count.
    truth_sets = [
        (os.path.basename(t).removesuffix(".tsv").removeprefix("truth_"),
         {p for p in read_pairs(t) if p[0] in ids and p[1] in ids})
        for t in truths
    ]
    head = "| tool | seconds | articles/s | MB/s per core | peak MB |"
    rule = "|---|---|---|---|---|"
    for name, _ in truth_sets:
        head += f" precision / recall vs {name} |"
        rule += "---|"
    print(f"{n_docs} articles, {n_bytes / 1e6:.1f} MB of text\n")
    print(head)
    print(rule)
    for spec in tools:
        name, command = spec.split("=", 1)
        cores = 1
        if name.endswith("@2"):
            cores = 2
        pairs_file = os.path.join(corpus_dir, f"pairs-{name}.tsv")
        clusters_file = os.path.join(corpus_dir, f"clusters-{name}.jsonl")
        command = command.format(corpus=shlex.quote(corpus), pairs=shlex.quote(pairs_file),
                                 clusters=shlex.quote(clusters_file))
        elapsed, peak = run(command)
        got = cluster_pairs(clusters_file) if os.path.exists(clusters_file) and "{clusters}" in spec else read_pairs(pairs_file)
        row = f"| {name} | {elapsed:.2f} | {n_docs / elapsed:,.0f} | {n_bytes / 1e6 / elapsed / cores:.1f} | {peak:.0f} |"
        for _, truth in truth_sets:
            tp = len(got & truth)
            precision = tp / len(got) if got else 0.0
            recall = tp / len(truth) if truth else 0.0
            row += f" {precision:.3f} / {recall:.3f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
