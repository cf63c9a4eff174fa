"""`Index`: the index file of `dedup index`, written and read from Python and the command."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import sqlite3
import subprocess
import threading

import pytest

import nuskha
from conftest import SAMPLES, csv_clusters, py_clusters, run_dedup
from test_api import COPY, OTHER, ROUNDUP, STORY


def test_add_query_remove_and_clusters(tmp_path):
    path = tmp_path / "feed.db"
    with nuskha.Index(path) as index:
        assert len(index) == 0 and not index.closed and index.path == path
        first = index.add("spa-1", STORY, date="2015-08-03 10:00:00", source="spa")
        assert (first.id, first.added, first.representative, first.matches) == ("spa-1", True, "spa-1", [])
        assert first.new_cluster
        other = index.add("oil", OTHER, date=datetime.datetime(2015, 8, 4, tzinfo=datetime.timezone.utc))
        assert other.new_cluster
        copy = index.add("okaz-7", COPY, title="", date=1438700000)
        assert copy.representative == "spa-1" and not copy.new_cluster
        assert [(m.id, m.kind) for m in copy.matches] == [("spa-1", "jaccard")]
        assert 0.5 <= copy.matches[0].score <= 1
        again = index.add("spa-1", OTHER)
        assert (again.added, again.representative, again.matches) == (False, "spa-1", [])
        assert len(index) == 3 and "okaz-7" in index and "nope" not in index and 3 not in index
        assert index.ids() == ["spa-1", "oil", "okaz-7"]
        found = index.query(STORY + " اليوم")
        assert [(f.id, f.cluster, f.kind) for f in found] == [("spa-1", "spa-1", "jaccard"), ("okaz-7", "spa-1", "jaccard")]
        assert index.query("لا شيء يشبه هذا النص في الفهرس على الإطلاق ولا كلمة واحدة منه") == []
        assert len(index) == 3, "a query adds nothing"
        assert [c.ids for c in index.clusters()] == [["spa-1", "okaz-7"], ["oil"]]
        assert [c.ids for c in index.clusters(singletons=False)] == [["spa-1", "okaz-7"]]
        assert index.check() == []
        assert index.remove("spa-1") is True
        assert index.remove("spa-1") is False
        assert [c.ids for c in index.clusters()] == [["oil"], ["okaz-7"]]
        assert "Index(" in repr(index) and "2 articles" in repr(index)
    assert index.closed
    with pytest.raises(ValueError, match="closed"):
        len(index)
    index.close()
    with nuskha.Index(path) as again:
        assert again.ids() == ["oil", "okaz-7"]


def test_add_many_and_expire(tmp_path):
    records = [
        {"id": "a", "text": STORY, "date": "2015-08-03"},
        ("b", OTHER),
        {"id": "c", "text": COPY, "date": datetime.date(2015, 8, 10), "title": "عنوان", "source": "okaz"},
        {"id": "d", "text": ROUNDUP, "date": 1438560000 + 5 * 86400},
    ]
    with nuskha.Index(tmp_path / "i.db") as index:
        added = index.add_many(iter(records), batch_size=2)
        assert [a.id for a in added] == ["a", "b", "c", "d"]
        assert added[2].representative == "a"
        assert index.expire(before="2015-08-05") == ["a"]
        assert index.expire(before=datetime.datetime(2015, 8, 9)) == ["d"]
        assert index.ids() == ["b", "c"], "undated articles stay"
        assert index.expire(keep_days=36500) == []
        assert index.remove_many(["b", "zzz"]) == ["b"]
        with pytest.raises(TypeError):
            index.expire()
        with pytest.raises(TypeError):
            index.expire("2015-01-01", keep_days=3)
        with pytest.raises(ValueError, match="not a date"):
            index.expire(before="last week")
        with pytest.raises(ValueError, match="batch_size"):
            index.add_many([("x", STORY)], batch_size=0)


def test_the_command_reads_an_index_made_in_python(dedup_bin, tmp_path):
    path = tmp_path / "py.db"
    records = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.txt"))]
    with nuskha.Index(path) as index:
        index.add_many(records)
        python = py_clusters(index.clusters())
    cli = csv_clusters(run_dedup(dedup_bin, "index", "clusters", path, "--format", "csv"))
    assert python == cli
    assert python == py_clusters(nuskha.Deduplicator().cluster_file(SAMPLES))
    out = subprocess.run([str(dedup_bin), "index", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    # And the command adds to it.
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "again", "text": records[0][1]}, ensure_ascii=False) + "\n", encoding="utf-8")
    run_dedup(dedup_bin, "index", "add", path, extra, "--quiet")
    with nuskha.Index(path, readonly=True) as index:
        assert index.ids()[-1] == "again"
        assert py_clusters(index.clusters())["again"][0] == py_clusters(index.clusters())[records[0][0]][0]


def test_python_reads_an_index_made_by_the_command(dedup_bin, tmp_path, saudinewsnet):
    path = tmp_path / "cli.db"
    with gzip.open(saudinewsnet, "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(1500)]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(lines), encoding="utf-8")
    run_dedup(dedup_bin, "index", "add", path, feed, "--quiet", "--format", "jsonl")
    cli = csv_clusters(run_dedup(dedup_bin, "index", "clusters", path, "--format", "csv"))
    with nuskha.Index(path) as index:
        assert len(index) == 1500
        assert py_clusters(index.clusters()) == cli
        assert index.options["threshold"] == 0.5
        # Articles added from Python match those the command added, as the command would.
        record = json.loads(lines[10])
        found = index.query(record["text"], title=record["title"])
        assert found and found[0].id == record["id"] and found[0].score == 1.0
        added = index.add("py-copy", record["text"], title=record["title"], date=record["date"])
        assert added.matches[0].id == record["id"]
    query = tmp_path / "q.jsonl"
    query.write_text(json.dumps({"id": "q", "title": record["title"], "text": record["text"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = json.loads(run_dedup(dedup_bin, "index", "query", path, query, "--format", "jsonl"))
    assert {m["id"] for m in out["matches"]} >= {record["id"], "py-copy"}


def test_a_learned_sample_and_options_are_kept(tmp_path):
    path = tmp_path / "learned.db"
    with nuskha.Index(path, learn=SAMPLES, threshold=0.6, rare_search=True) as index:
        assert index.options["threshold"] == 0.6 and index.options["mode"] == "average"
        index.add("a", STORY)
    # Reopened without options: the index's own.
    with nuskha.Index(path) as index:
        assert index.options["threshold"] == 0.6 and index.options["rare_search"] is True
    # The same value given is fine; another is refused, naming it.
    with nuskha.Index(path, threshold=0.6):
        pass
    with pytest.raises(ValueError, match="threshold is 0.6 in the index, 0.5 given"):
        nuskha.Index(path, threshold=0.5)
    with nuskha.Index(tmp_path / "records.db", learn=[STORY, OTHER]) as index:
        assert len(index) == 0
    with pytest.raises(ValueError, match="earliest"):
        nuskha.Index(tmp_path / "x.db", representative="earliest")
    with pytest.raises(TypeError):
        nuskha.Index(tmp_path / "x.db", thresold=0.5)
    assert not (tmp_path / "x.db").exists()


def test_an_aligned_index_keeps_its_alignment(tmp_path):
    path = tmp_path / "aligned.db"
    with nuskha.Index(path, learn=SAMPLES, rare_search=True, align=True, min_aligned=0.7) as index:
        index.add("a", STORY)
        index.add("b", STORY + " هذا العام")
    with nuskha.Index(path) as index:
        assert (index.options["align"], index.options["min_aligned"]) == (True, 0.7)
        assert len(index) == 2
    with nuskha.Index(path, rare_search=True, align=True, min_aligned=0.7):
        pass
    with pytest.raises(ValueError, match="align"):
        nuskha.Index(path, rare_search=True, align=True)


def test_readonly_and_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        nuskha.Index(tmp_path / "missing.db", readonly=True)
    assert "missing.db" in str(e.value)
    path = tmp_path / "ro.db"
    with nuskha.Index(path) as index:
        index.add("a", STORY)
    with nuskha.Index(path, readonly=True) as index:
        assert index.readonly and len(index) == 1
        assert index.query(STORY)[0].id == "a"
        for write in (lambda: index.add("b", STORY), lambda: index.remove("a"), lambda: index.expire(keep_days=1)):
            with pytest.raises(io.UnsupportedOperation):
                write()
        assert len(index) == 1
    text = tmp_path / "notes.txt"
    text.write_text("not an index", encoding="utf-8")
    with pytest.raises(OSError, match="not a nuskha index") as e:
        nuskha.Index(text)
    assert str(e.value).startswith(f"{text}: ")
    with pytest.raises(IsADirectoryError):
        nuskha.Index(tmp_path)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(OSError, match="without nuskha's tables"):
        nuskha.Index(other)
    damaged = tmp_path / "damaged.db"
    with nuskha.Index(damaged) as index:
        index.add("a", STORY)
    con = sqlite3.connect(damaged)
    con.execute("UPDATE articles SET checksum = checksum + 1")
    con.commit()
    con.close()
    with pytest.raises(OSError, match="damaged"):
        nuskha.Index(damaged)


def test_bad_arguments_raise(tmp_path):
    with nuskha.Index(tmp_path / "i.db") as index:
        with pytest.raises(TypeError, match="`id` must be a str"):
            index.add(3, STORY)
        with pytest.raises(TypeError, match="`text` must be a str"):
            index.add("a", None)
        with pytest.raises(ValueError, match="not a date"):
            index.add("a", STORY, date="soon")
        with pytest.raises(TypeError):
            index.add("a", STORY, title=5)
        with pytest.raises(TypeError, match="is a str"):
            index.add_many([STORY])
        with pytest.raises(TypeError, match="the id must be a str"):
            index.add_many([(1, STORY)])
        with pytest.raises(ValueError, match="no 'id'"):
            index.add_many([{"text": STORY}])
        with pytest.raises(TypeError):
            index.remove_many("abc")
        assert len(index) == 0


def test_another_writer_is_seen_before_a_write(dedup_bin, tmp_path):
    path = tmp_path / "shared.db"
    with nuskha.Index(path) as index:
        index.add("a", STORY)
        feed = tmp_path / "b.jsonl"
        feed.write_text(json.dumps({"id": "b", "text": OTHER}, ensure_ascii=False) + "\n", encoding="utf-8")
        run_dedup(dedup_bin, "index", "add", path, feed, "--quiet")
        # The command wrote meanwhile: this write reads the file again, then adds.
        added = index.add("c", COPY)
        assert added.representative == "a"
        assert index.ids() == ["a", "b", "c"]
    out = subprocess.run([str(dedup_bin), "index", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_threads_share_an_index(tmp_path):
    with nuskha.Index(tmp_path / "t.db") as index:
        errors = []

        def add(k):
            try:
                index.add_many([(f"{k}-{i}", f"{STORY} {k} {i}") for i in range(20)])
                index.query(STORY)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(index) == 80 and index.check() == []
