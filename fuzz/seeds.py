"""Writes the fuzz targets' seed inputs into a folder per target (default
target/fuzz-seeds/): the shipped articles, the normalisation vectors, the articles as
JSON Lines, a JSON array and gzipped JSON Lines, and a slice of the dev set's pairs for
`dedup eval`. Run by fuzz/run.sh; the seeds are built, not committed."""

import gzip
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "target" / "fuzz-seeds"

articles = sorted((root / "examples" / "articles").glob("*.txt"))
texts = [a.read_text(encoding="utf-8") for a in articles]
vectors = []
for line in (root / "tests" / "data" / "normalise_vectors.tsv").read_text(encoding="utf-8").splitlines():
    if line and not line.startswith("#"):
        vectors.append(line.split("\t")[0])


def write(target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


# Text targets: each article, and the vectors (one file each, a few joined).
for target in ("normalize", "tokenize", "sketch"):
    for a, t in zip(articles, texts):
        write(target, a.stem, t)
    for i, v in enumerate(vectors):
        write(target, f"vector-{i:03}", v)

# The reader: the first byte chooses the file's kind (txt, jsonl, json, jsonl.gz).
records = [{"id": a.name, "title": t.split("\n")[0], "source": "seed", "date": "2025-05-20", "text": t}
           for a, t in zip(articles, texts)]
jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
write("read_input", "text", b"\x00" + texts[0].encode("utf-8"))
write("read_input", "jsonl", b"\x01" + jsonl)
write("read_input", "json-array", b"\x02" + json.dumps(records, ensure_ascii=False).encode("utf-8"))
write("read_input", "jsonl-gz", b"\x03" + gzip.compress(jsonl, mtime=0))
write("read_input", "utf16", b"\x00" + "\ufeff".encode("utf-16-le") + texts[3][:300].encode("utf-16-le"))

# `dedup eval`: pairs, clusters and population, split by NUL bytes.
devset = root / "tests" / "data" / "devset"
pairs = (devset / "pairs.jsonl").read_text(encoding="utf-8").splitlines()[:12]
ids = sorted({json.loads(p)[k] for p in pairs for k in ("a", "b")})
clusters = "id,cluster,similarity,note\n" + "".join(f"{i},{ids[0] if n % 3 == 0 else i},1.000,\n" for n, i in enumerate(ids))
population = (devset / "population.json").read_text(encoding="utf-8")
write("eval_input", "devset", "\n".join(pairs) + "\n\x00" + clusters + "\x00" + population)
print(f"seeds written to {out}")

# The index file: a valid index with no edit, with edits spread over its pages, and
# bytes that are not an index (an empty file, SQLite's header alone, text).
import struct
write("open_index", "reference", b"\x01")
for n, step in ((1, 4096), (4, 1024), (16, 509)):
    edits = b"".join(struct.pack("<IB", 100 + k * step, 0xFF) for k in range(n))
    write("open_index", f"edits-{n}", b"\x01" + edits)
write("open_index", "empty", b"\x00")
write("open_index", "header", b"\x00SQLite format 3\x00" + bytes(84))
write("open_index", "text", b"\x00" + texts[0].encode("utf-8"))
