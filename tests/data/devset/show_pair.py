#!/usr/bin/env python3
"""Shows the two articles of a dev-set pair for labelling by reading.

    python3 tests/data/devset/show_pair.py [--chars N] ID_A ID_B

Prints each article's outlet, date, title and the first N characters of its text
(default 1500), then the longest runs of words the two share. Reads the corpora from
../shared/data/arabic_news (or $NUSKHA_CORPUS); the texts are never copied into the
repository.
"""
import difflib
import gzip
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get(
    "NUSKHA_CORPUS", os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "arabic_news")
)
FILES = ["saudinewsnet_2015-08-03_to_11.jsonl.gz", "ant_multisource_2018-04.jsonl.gz"]
MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def load(ids):
    found = {}
    for name in FILES:
        with gzip.open(os.path.join(CORPUS, name), "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec["id"] in ids:
                    found[rec["id"]] = rec
    return found


def words(text):
    text = MARKS.sub("", text)
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ة", "ه")):
        text = text.replace(a, b)
    return re.findall(r"\w+", text)


def main():
    args = sys.argv[1:]
    chars = 1500
    if args and args[0] == "--chars":
        chars, args = int(args[1]), args[2:]
    a, b = args
    recs = load({a, b})
    for key in (a, b):
        r = recs.get(key)
        if r is None:
            print(f"== {key}: not found")
            continue
        text = r["text"]
        print(f"== {key} | {r.get('source')} | {r.get('date')} | {len(text)} chars, {len(text.split())} words")
        print(f"TITLE: {r.get('title')}")
        print(text[:chars] + (" […]" if len(text) > chars else ""))
        print()
    if a in recs and b in recs:
        wa = words(recs[a]["title"] + " " + recs[a]["text"])
        wb = words(recs[b]["title"] + " " + recs[b]["text"])
        sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
        blocks = sorted(sm.get_matching_blocks(), key=lambda m: -m.size)[:4]
        shared = sum(m.size for m in sm.get_matching_blocks())
        print(f"== shared: {shared} words in order (A {len(wa)}, B {len(wb)} words); longest runs:")
        for m in blocks:
            if m.size >= 4:
                print(f"  {m.size} words (A@{m.a}, B@{m.b}): {' '.join(wa[m.a:m.a + min(m.size, 40)])}")


if __name__ == "__main__":
    main()
