"""A Python peer as its users run it: python_peer.py TOOL CORPUS.jsonl THRESHOLD OUT.tsv

TOOL is datasketch, rensa or gaoya. Word 5-shingles of lowercased text split on
whitespace and ASCII punctuation, 128 permutations, the library's LSH at THRESHOLD,
every document queried, candidates kept when their estimated Jaccard reaches THRESHOLD.
Writes the pairs reported as near-duplicates, one per line.
"""
import json
import re
import sys

SPLIT = re.compile(r"[\s!-/:-@\[-`{-~]+")


def shingles(text, n=5):
    tokens = [t for t in SPLIT.split(text.lower()) if t]
    if len(tokens) < n:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def lsh_pairs(texts, sketch, lsh, threshold):
    """Sketch and insert every text, query each, keep candidates at the threshold."""
    sigs = []
    for i, t in enumerate(texts):
        m = sketch(t)
        sigs.append(m)
        lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j > i and m.jaccard(sigs[j]) >= threshold:
                pairs.add((i, j))
    return pairs


def main():
    tool, path, threshold, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            ids.append(str(rec["id"]))
            texts.append(rec["text"])
    pairs = set()
    if tool == "datasketch":
        from datasketch import MinHash, MinHashLSH

        def sketch(t):
            m = MinHash(num_perm=128)
            m.update_batch([s.encode("utf-8") for s in shingles(t)])
            return m

        pairs = lsh_pairs(texts, sketch, MinHashLSH(threshold=threshold, num_perm=128), threshold)
    elif tool == "rensa":
        from rensa import RMinHash, RMinHashLSH

        def sketch(t):
            m = RMinHash(num_perm=128, seed=42)
            m.update(shingles(t))
            return m

        lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)
        pairs = lsh_pairs(texts, sketch, lsh, threshold)
    elif tool == "gaoya":
        from gaoya.minhash import MinHashStringIndex
        index = MinHashStringIndex(hash_size=32, jaccard_threshold=threshold, num_hashes=128,
                                   analyzer="word", lowercase=True, ngram_range=(5, 5))
        for i, t in enumerate(texts):
            index.insert_document(i, t)
        for i, t in enumerate(texts):
            for j in index.query(t):
                if j > i:
                    pairs.add((i, j))
    else:
        raise SystemExit(f"unknown tool {tool}")
    with open(out, "w", encoding="utf-8") as f:
        for i, j in sorted(pairs):
            f.write(f"{ids[i]}\t{ids[j]}\n")


if __name__ == "__main__":
    main()
