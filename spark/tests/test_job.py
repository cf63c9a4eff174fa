"""The Spark job against `dedup --format csv` at the same settings: the seed articles,
synthetic articles in shards with other settings, and SaudiNewsNet in three shards
(when ../shared is present)."""

import csv
import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nuskha_spark

ROOT = Path(__file__).resolve().parents[2]
DEDUP = os.environ.get("NUSKHA_DEDUP", str(ROOT / "target" / "release" / "dedup"))
SNN = ROOT.parent / "shared" / "data" / "arabic_news" / "saudinewsnet_2015-08-03_to_11.jsonl.gz"


def dedup(*args: str) -> str:
    return subprocess.run([DEDUP, *args], check=True, capture_output=True, text=True).stdout


def sketch(inputs, out: Path, shards: int = 1, options=()) -> None:
    for i in range(1, shards + 1):
        dedup("sketch", *map(str, inputs), "--output", str(out), "--shard", f"{i}/{shards}", "-q", *options)


def rows_of_csv(text: str):
    return sorted(tuple(r) for r in csv.reader(text.splitlines()))


def job_csv(out: Path) -> str:
    parts = sorted(glob.glob(str(out / "clusters.csv" / "part-*.csv")))
    assert len(parts) == 1, parts
    return Path(parts[0]).read_text(encoding="utf-8")


def check_same(spark, inputs, tmp: Path, shards: int, options=()):
    sketch(inputs, tmp / "sketch", shards, options)
    summary = nuskha_spark.run(spark, str(tmp / "sketch"), str(tmp / "out"), log=False)
    want = dedup(*map(str, inputs), "--format", "csv", "-q", *options)
    got = job_csv(tmp / "out")
    # Row for row after sorting; the job writes them in input order, as dedup does.
    assert rows_of_csv(got) == rows_of_csv(want)
    assert got.splitlines() == want.splitlines()
    # Joined back onto the articles: the deduplicated corpus of `dedup --emit unique`.
    unique = dedup(*map(str, inputs), "--emit", "unique", "-q", *options)
    assert dedup("assign", "--clusters", str(tmp / "out" / "clusters.csv"), *map(str, inputs)) == unique
    return summary


def test_the_seed_articles_cluster_as_dedup_clusters_them(spark, tmp_path):
    # Two shards of four text files: each keeps the shingles of its own two.
    summary = check_same(spark, [ROOT / "examples" / "articles"], tmp_path, 2)
    assert summary["articles"] == 4 and summary["clusters"] == 1
    got = rows_of_csv(job_csv(tmp_path / "out"))
    assert [r[1:] for r in got if r[0].endswith("hajj.txt")] == [
        ("barlamane-hajj.txt", "0.781", "representative"),
        ("barlamane-hajj.txt", "0.930", "copy"),
        ("barlamane-hajj.txt", "0.930", "copy"),
    ]
    assert ("open-days-diplomats.txt", "open-days-diplomats.txt", "1.000", "") in got
    # The Parquet output holds the same clusters.
    table = spark.read.parquet(str(tmp_path / "out" / "clusters.parquet")).orderBy("position").collect()
    assert [r.cluster for r in table][:3] == ["barlamane-hajj.txt"] * 3


#: Ids that CSV must quote (a comma, a quote, a line break) or must not trim.
ODD_IDS = ['s0, "the first"', "s1\nsecond line", " s2 lead", "s3 trail "]


def synthetic_jsonl(path: Path) -> None:
    """Stories with copies and edited copies from three sources, 16 of source a's
    articles with a footer of its own (boilerplate of source a, more than 10 of its
    articles, but not of the corpus, in 20 or fewer), short articles, and ids a CSV
    writer must quote."""
    import random

    rng = random.Random(7)
    letters = [chr(c) for c in range(0x0628, 0x064B) if chr(c).isalpha()]
    word = lambda: "".join(rng.choice(letters) for _ in range(rng.randint(3, 7)))
    footer = " ".join(word() for _ in range(18))
    lines = []
    footers = 0
    for s in range(60):
        story = [word() for _ in range(rng.randint(120, 300))]
        for c in range(rng.randint(1, 4)):
            words = [w if rng.random() > 0.08 * c else word() for w in story]
            source = ["a", "b", "c"][(s + c) % 3]
            text = " ".join(words)
            if source == "a" and footers < 16:
                text += " " + footer
                footers += 1
            id_ = ODD_IDS[s] if s < len(ODD_IDS) and c == 0 else f"s{s}-{c}"
            lines.append({"id": id_, "source": source, "date": "2015-08-0%d" % (1 + c), "text": text})
        if s % 10 == 0:
            lines.append({"id": f"short-{s}", "source": "b", "text": "خبر قصير"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")


@pytest.mark.parametrize(
    "options",
    [
        (),
        ("--mode", "star"),
        ("--representative", "longest", "--mode", "components"),
        ("--no-edited", "--exact"),
        ("--align", "--no-source-boilerplate"),
    ],
)
def test_synthetic_articles_in_shards_cluster_as_dedup_clusters_them(spark, tmp_path, options):
    synthetic_jsonl(tmp_path / "news.jsonl")
    summary = check_same(spark, [tmp_path / "news.jsonl"], tmp_path, 3, options)
    assert summary["clusters"] >= 15, summary


def test_the_synthetic_articles_exercise_per_source_boilerplate_and_quoting(tmp_path):
    synthetic_jsonl(tmp_path / "news.jsonl")
    news = str(tmp_path / "news.jsonl")
    with_sources = dedup(news, "--format", "csv", "-q")
    assert with_sources != dedup(news, "--format", "csv", "-q", "--no-source-boilerplate")
    assert '"s0, ""the first"""' in with_sources and '"s1\nsecond line"' in with_sources
    assert "\n s2 lead," in with_sources


def test_shards_that_disagree_or_are_missing_are_refused(spark, tmp_path):
    synthetic_jsonl(tmp_path / "news.jsonl")
    sk = tmp_path / "sketch"
    dedup("sketch", str(tmp_path / "news.jsonl"), "-o", str(sk), "--shard", "1/2", "-q")
    with pytest.raises(SystemExit, match="missing"):
        nuskha_spark.run(spark, str(sk), str(tmp_path / "out"), log=False)
    dedup("sketch", str(tmp_path / "news.jsonl"), "-o", str(sk), "--shard", "2/2", "-q", "--threshold", "0.6")
    with pytest.raises(SystemExit, match="disagree on `options`"):
        nuskha_spark.run(spark, str(sk), str(tmp_path / "out"), log=False)


def test_saudinewsnet_in_three_shards_clusters_as_dedup_clusters_it(spark, tmp_path):
    if not SNN.exists():
        # CI has the corpus and sets NUSKHA_REQUIRE_CORPUS: there a skip would hide it.
        assert not os.environ.get("NUSKHA_REQUIRE_CORPUS"), f"{SNN} is missing"
        pytest.skip("../shared/data/arabic_news is not present")
    summary = check_same(spark, [SNN], tmp_path, 3)
    assert summary["articles"] > 13000 and summary["clusters"] > 1000, summary
    print(f"SaudiNewsNet: {summary}", file=sys.stderr)
