"""`Deduplicator().cluster_file` gives the `dedup` command's clusters at the same options."""

from __future__ import annotations

import gzip
import json

import pytest

import nuskha
from conftest import SAMPLES, csv_clusters, py_clusters, run_dedup


def assert_same(python: dict, cli: dict) -> None:
    assert python.keys() == cli.keys()
    reps = {k: v[0] for k, v in python.items()}
    assert reps == {k: v[0] for k, v in cli.items()}, "representatives differ"
    scores = {k: v[1] for k, v in python.items()}
    assert scores == {k: v[1] for k, v in cli.items()}, "scores differ"


def test_samples_equal_the_command(dedup_bin):
    cli = csv_clusters(run_dedup(dedup_bin, SAMPLES, "--format", "csv"))
    python = py_clusters(nuskha.Deduplicator().cluster_file(SAMPLES))
    assert_same(python, cli)
    # The README's clusters.
    assert python["marrakech-alaan-hajj.txt"][0] == "barlamane-hajj.txt"
    assert python["belwadeh-hajj.txt"][0] == "barlamane-hajj.txt"
    assert python["open-days-diplomats.txt"][0] == "open-days-diplomats.txt"


@pytest.mark.parametrize(
    "options,flags",
    [
        ({"rare_search": True}, ["--edited"]),
        ({"rare_search": "light"}, ["--edited=light"]),
        ({"edited": False}, ["--no-edited"]),
        ({"threshold": 0.3, "containment": None}, ["--threshold", "0.3", "--containment", "off"]),
        ({"mode": "components", "representative": "longest"}, ["--mode", "components", "--representative", "longest"]),
    ],
)
def test_samples_at_other_options(dedup_bin, options, flags):
    cli = csv_clusters(run_dedup(dedup_bin, SAMPLES, "--format", "csv", *flags))
    python = py_clusters(nuskha.Deduplicator(**options).cluster_file(SAMPLES))
    assert_same(python, cli)


def test_one_text_file_is_read_as_the_command_reads_it(dedup_bin):
    path = SAMPLES / "barlamane-hajj.txt"
    cli = csv_clusters(run_dedup(dedup_bin, path, "--format", "csv"))
    python = py_clusters(nuskha.Deduplicator().cluster_file(str(path)))
    assert_same(python, cli)
    assert list(python) == [str(path)]


def test_saudinewsnet_equals_the_command(dedup_bin, saudinewsnet):
    cli = csv_clusters(run_dedup(dedup_bin, saudinewsnet, "--format", "csv"))
    clusters = nuskha.Deduplicator().cluster_file(saudinewsnet)
    python = py_clusters(clusters)
    assert len(python) == 13_259
    assert_same(python, cli)
    assert sum(len(c) > 1 for c in clusters) > 500


def test_saudinewsnet_edited_equals_the_command(dedup_bin, saudinewsnet):
    cli = csv_clusters(run_dedup(dedup_bin, saudinewsnet, "--format", "csv", "--edited"))
    python = py_clusters(nuskha.Deduplicator(rare_search=True).cluster_file(saudinewsnet))
    assert_same(python, cli)


def test_saudinewsnet_records_equal_the_file(saudinewsnet):
    """Records read in Python (dicts with id, title, text) cluster as the file does, on
    one thread as on all."""
    with gzip.open(saudinewsnet, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    dedup = nuskha.Deduplicator()
    from_file = py_clusters(dedup.cluster_file(saudinewsnet))
    assert py_clusters(dedup.cluster(records)) == from_file
    assert py_clusters(dedup.cluster(iter(records[:3000]), threads=1)) == py_clusters(
        dedup.cluster(records[:3000], threads=2)
    )


def test_earliest_representative_equals_the_command(dedup_bin, saudinewsnet, tmp_path):
    with gzip.open(saudinewsnet, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(3000)]
    part = tmp_path / "part.jsonl"
    part.write_text("".join(lines), encoding="utf-8")
    cli = csv_clusters(run_dedup(dedup_bin, part, "--format", "csv", "--representative", "earliest"))
    python = py_clusters(nuskha.Deduplicator(representative="earliest").cluster_file(part))
    assert_same(python, cli)


def test_jsonl_edge_cases_equal_the_command(dedup_bin, tmp_path):
    """Blank lines, records without an id, numeric ids, a bad line, a repeated id, an
    empty title, a byte order mark, and a folder of mixed files."""
    story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج برسم هذه السنة"
    lines = [
        json.dumps({"id": "a", "title": "عنوان", "text": story}, ensure_ascii=False),
        "",
        json.dumps({"text": story + " وقدم لهم دعما"}, ensure_ascii=False),
        json.dumps({"id": 17, "title": "", "text": story}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a", "text": "مكرر"}, ensure_ascii=False),
        json.dumps({"id": 2.5, "text": 7}),
    ]
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "feed.jsonl").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    (folder / "sub" / "copy.txt").write_text(story + " هذا العام", encoding="utf-8")
    (folder / "sub" / "empty.txt").write_text("", encoding="utf-8")
    (folder / ".hidden.txt").write_text(story, encoding="utf-8")
    (folder / "notes.csv").write_text("x,y", encoding="utf-8")
    with gzip.open(folder / "more.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "gz-1", "text": story}, ensure_ascii=False) + "\n")
    (folder / "array.json").write_text(
        json.dumps([{"id": "arr-0", "text": story}, {"text": "نص آخر قصير"}], ensure_ascii=False),
        encoding="utf-8",
    )
    cli = csv_clusters(run_dedup(dedup_bin, folder, "--format", "csv"))
    with pytest.warns(UserWarning, match="inputs skipped"):
        clusters = nuskha.Deduplicator().cluster_file(folder)
    python = py_clusters(clusters)
    assert_same(python, cli)
    assert "17" in python and f"{folder / 'feed.jsonl'}:3" in python


def test_unreadable_files_raise_oserror_naming_them(tmp_path):
    dedup = nuskha.Deduplicator()
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError) as e:
        dedup.cluster_file(missing)
    assert e.value.filename == str(missing) and str(missing) in str(e.value)
    bad_gz = tmp_path / "bad.jsonl.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip at all")
    with pytest.raises(OSError) as e:
        dedup.cluster_file(bad_gz)
    assert str(bad_gz) in str(e.value)
    with pytest.raises(TypeError):
        dedup.cluster_file(42)
