"""Cluster a corpus sketched by `dedup sketch` on Spark: the clusters `dedup` forms on
one machine, for corpora that one machine does not hold.

    spark-submit spark/nuskha_spark.py --input SKETCHES --output OUT
    python spark/nuskha_spark.py --input SKETCHES --output OUT      (local mode)

SKETCHES is the folder every shard's `dedup sketch ... --output SKETCHES --shard I/N`
wrote into. The job

1. adds up the shards' shingle counts into the corpus statistics (the shingles in more
   than 8 articles, collected on the driver and broadcast);
2. counts each source's shingles for per-source boilerplate (only the shingles that
   can be a source's: in more than 10 articles of the corpus);
3. makes each article's band keys with the library (`nuskha.CorpusContext`: the
   signature depends on the boilerplate, so it is made here, not by the sketch);
4. pairs the articles sharing a key at a band (a self-join per band key, each pair
   once). Buckets are not capped, as the library's batch caps none: a bucket of m
   articles gives m(m - 1)/2 pairs, and the job reports its largest;
5. verifies each pair with the library's verifier (`mapInArrow`), so Spark and one
   machine cannot disagree on a pair;
6. finds the connected components of the verified pairs (large-star/small-star,
   `components.py`) and clusters each component with the library (clusters never
   cross components);
7. writes `OUT/clusters.parquet` (id, position, cluster, similarity, note, size) and
   `OUT/clusters.csv` (`id,cluster,similarity,note`, in input order: the columns and
   values of `dedup --format csv`).

Every Python worker runs the same nuskha wheel as the driver (`pip install ./python`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from components import connected_components  # noqa: E402

#: The sketch layout this job reads (`dedup sketch` writes it in every settings file).
SKETCH_FORMAT = 1

#: The article columns the library reads, in the order of `nuskha.CorpusContext`'s rows.
ROW_COLUMNS = ["shingles", "words", "length", "short", "truncated", "source"]


def read_settings(spark: SparkSession, input_dir: str) -> Tuple[str, int]:
    """The settings every shard wrote, checked to agree and to cover the corpus: the
    text of one of them (what the library is built from) and the number of articles."""
    files = spark.read.text(os.path.join(input_dir, "settings-*.json"), wholetext=True)
    settings = [json.loads(r.value) for r in files.collect()]
    if not settings:
        raise SystemExit(f"nuskha_spark: no settings-*.json in {input_dir}: not a `dedup sketch` output")
    first = settings[0]
    if first.get("format") != SKETCH_FORMAT:
        raise SystemExit(f"nuskha_spark: sketch format {first.get('format')}, this job reads {SKETCH_FORMAT}")
    same = ("format", "options", "source_boilerplate", "shards", "articles")
    for s in settings:
        for key in same:
            if s.get(key) != first.get(key):
                raise SystemExit(
                    f"nuskha_spark: shards disagree on `{key}`: {s.get(key)!r} and {first.get(key)!r}"
                    " (every shard must read the same inputs with the same options)"
                )
    shards = sorted(s["shard"] for s in settings)
    if shards != list(range(1, first["shards"] + 1)):
        raise SystemExit(f"nuskha_spark: shards {shards} of {first['shards']}: some are missing or repeated")
    written = sum(s["written"] for s in settings)
    if written != first["articles"]:
        raise SystemExit(f"nuskha_spark: the shards wrote {written} articles of {first['articles']}")
    text = json.dumps({k: first[k] for k in ("format", "options", "source_boilerplate")})
    return text, first["articles"]


# The context each Python worker builds once per broadcast (workers are reused).
_CONTEXTS: Dict[str, Any] = {}


def context(spec: Any) -> Any:
    """The `nuskha.CorpusContext` of a broadcast `spec`, built once per worker."""
    import nuskha

    value = spec.value
    key = value["token"]
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = nuskha.CorpusContext(value["settings"], value["docs"], value["fingerprints"], value["counts"])
        if value.get("source_articles"):
            ctx = ctx.with_sources(value["source_articles"], value["source_counts"])
        _CONTEXTS.clear()
        _CONTEXTS[key] = ctx
    return ctx


def rows_of(batch: pa.RecordBatch, prefix: str = "") -> List[tuple]:
    """The library's article rows of an Arrow batch (columns `prefix` + name)."""
    columns = [batch.column(batch.schema.get_field_index(prefix + c)).to_pylist() for c in ROW_COLUMNS]
    return list(zip(*columns))


def corpus_statistics(spark: SparkSession, input_dir: str) -> Tuple[Any, Any]:
    """Every shingle in more than 8 articles and its count, over all shards, as two
    numpy arrays (8 bytes an entry in the broadcast, not a Python int's 28 and more)."""
    import numpy as np

    counts = spark.read.parquet(os.path.join(input_dir, "counts"))
    common = (
        counts.groupBy("fingerprint")
        .agg(F.sum("articles").alias("articles"))
        .where(F.col("articles") > 8)
        .orderBy("fingerprint")
        .toLocalIterator()
    )
    fingerprints, numbers = [], []
    for r in common:
        fingerprints.append(r.fingerprint)
        numbers.append(r.articles)
    return np.array(fingerprints, dtype=np.int64), np.array(numbers, dtype=np.int64)


def source_counts(articles: DataFrame, spec: Any) -> Tuple[List[tuple], List[tuple]]:
    """(source, its articles) and (source, shingle, its articles holding it) for the
    shingles per-source boilerplate is counted on."""

    def shingles(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ctx = context(spec)
        for batch in batches:
            rows = rows_of(batch)
            found = ctx.source_shingles(rows)
            sources = batch.column(batch.schema.get_field_index("source")).to_pylist()
            yield pa.RecordBatch.from_pydict(
                {"source": sources, "shingles": found},
                schema=pa.schema([("source", pa.string()), ("shingles", pa.list_(pa.int32()))]),
            )

    sourced = articles.where(F.col("source").isNotNull())
    per_source = [(r.source, r["count"]) for r in sourced.groupBy("source").count().orderBy("source").collect()]
    schema = "source string, shingles array<int>"
    exploded = sourced.select(*ROW_COLUMNS).mapInArrow(shingles, schema).select(
        "source", F.explode("shingles").alias("fingerprint")
    )
    counted = exploded.groupBy("source", "fingerprint").count().orderBy("source", "fingerprint").collect()
    return per_source, [(r.source, r.fingerprint, r["count"]) for r in counted]


def band_keys(articles: DataFrame, spec: Any) -> DataFrame:
    """(position, band, key) for every band key of every article that can match."""

    def keys(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ctx = context(spec)
        for batch in batches:
            positions = batch.column(batch.schema.get_field_index("position")).to_pylist()
            found = ctx.band_keys(rows_of(batch))
            out_p, out_b, out_k = [], [], []
            for p, ks in zip(positions, found):
                out_p.extend([p] * len(ks))
                out_b.extend(range(len(ks)))
                out_k.extend(ks)
            yield pa.RecordBatch.from_pydict(
                {"position": out_p, "band": out_b, "key": out_k},
                schema=pa.schema([("position", pa.int64()), ("band", pa.int32()), ("key", pa.int64())]),
            )

    return articles.select("position", *ROW_COLUMNS).mapInArrow(keys, "position long, band int, key long")


def candidate_pairs(keys: DataFrame) -> DataFrame:
    """(a, b), a < b, for every two articles sharing a key at a band, each pair once."""
    left = keys.select("band", "key", F.col("position").alias("a"))
    right = keys.select("band", "key", F.col("position").alias("b"))
    return left.join(right, ["band", "key"]).where(F.col("a") < F.col("b")).select("a", "b").distinct()


def verified_pairs(articles: DataFrame, pairs: DataFrame, spec: Any) -> DataFrame:
    """(a, b, score, kind) for every candidate pair the library's verifier accepts."""
    cols = ["position", *ROW_COLUMNS]
    left = articles.select(*[F.col(c).alias("a_" + c) for c in cols])
    right = articles.select(*[F.col(c).alias("b_" + c) for c in cols])
    joined = pairs.join(left, pairs.a == left.a_position).join(right, pairs.b == right.b_position)

    def verify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ctx = context(spec)
        for batch in batches:
            a = batch.column(batch.schema.get_field_index("a")).to_pylist()
            b = batch.column(batch.schema.get_field_index("b")).to_pylist()
            verdicts = ctx.verify(list(zip(rows_of(batch, "a_"), rows_of(batch, "b_"))))
            kept = [(x, y, v) for x, y, v in zip(a, b, verdicts) if v is not None]
            yield pa.RecordBatch.from_pydict(
                {
                    "a": [k[0] for k in kept],
                    "b": [k[1] for k in kept],
                    "score": [k[2][0] for k in kept],
                    "kind": [k[2][1] for k in kept],
                },
                schema=pa.schema([("a", pa.int64()), ("b", pa.int64()), ("score", pa.float64()), ("kind", pa.string())]),
            )

    return joined.select("a", "b", *[c for c in joined.columns if c.startswith(("a_", "b_"))]).mapInArrow(
        verify, "a long, b long, score double, kind string"
    )


def component_clusters(articles: DataFrame, edges: DataFrame, components: DataFrame, spec: Any) -> DataFrame:
    """(position, representative, similarity, shown, size) of every article in a component,
    each component clustered by the library alone."""
    members = (
        articles.join(components.withColumnRenamed("node", "position"), "position")
        .groupBy("component")
        .agg(F.sort_array(F.collect_list(F.struct("position", *ROW_COLUMNS))).alias("members"))
    )
    links = (
        edges.join(components.withColumnRenamed("node", "a"), "a")
        .groupBy("component")
        .agg(F.collect_list(F.struct("a", "b", "score", "kind")).alias("edges"))
    )
    grouped = members.join(links, "component")

    def cluster(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ctx = context(spec)
        for batch in batches:
            out_p, out_r, out_s, out_t, out_n = [], [], [], [], []
            groups = batch.column(batch.schema.get_field_index("members")).to_pylist()
            links_ = batch.column(batch.schema.get_field_index("edges")).to_pylist()
            for group, links__ in zip(groups, links_):
                positions = [m["position"] for m in group]
                local = {p: i for i, p in enumerate(positions)}
                rows = [tuple(m[c] for c in ROW_COLUMNS) for m in group]
                local_edges = [(local[e["a"]], local[e["b"]], e["score"], e["kind"]) for e in links__]
                for p, (rep, score, size) in zip(positions, ctx.cluster(rows, local_edges)):
                    out_p.append(p)
                    out_r.append(positions[rep])
                    out_s.append(score)
                    # As dedup writes it: Python's rounding is Rust's (to nearest, ties
                    # to even), Java's format_string rounds ties up.
                    out_t.append("%.3f" % score)
                    out_n.append(size)
            yield pa.RecordBatch.from_pydict(
                {"position": out_p, "representative": out_r, "similarity": out_s, "shown": out_t, "size": out_n},
                schema=pa.schema(
                    [
                        ("position", pa.int64()),
                        ("representative", pa.int64()),
                        ("similarity", pa.float64()),
                        ("shown", pa.string()),
                        ("size", pa.int64()),
                    ]
                ),
            )

    schema = "position long, representative long, similarity double, shown string, size long"
    return grouped.mapInArrow(cluster, schema)


def run(spark: SparkSession, input_dir: str, output_dir: str, log: bool = True) -> Dict[str, Any]:
    """Clusters the sketch in `input_dir` into `output_dir`; returns what it counted."""
    started = time.time()
    if __name__ != "__main__":
        # Imported (by a test, or another job): the workers import this module too.
        here = os.path.dirname(os.path.abspath(__file__))
        for module in ("components.py", "nuskha_spark.py"):
            spark.sparkContext.addPyFile(os.path.join(here, module))
    say = (lambda *a: print("nuskha_spark:", *a, file=sys.stderr, flush=True)) if log else (lambda *a: None)
    settings, docs = read_settings(spark, input_dir)
    articles = spark.read.parquet(os.path.join(input_dir, "articles")).cache()
    n = articles.count()
    if n != docs:
        raise SystemExit(f"nuskha_spark: {n} article rows, the settings say {docs}")
    fingerprints, counts = corpus_statistics(spark, input_dir)
    spec: Dict[str, Any] = {"settings": settings, "docs": docs, "fingerprints": fingerprints, "counts": counts}
    # What a worker's cached context is known by: one token per broadcast.
    spec["token"] = uuid.uuid4().hex
    say(f"{docs} articles, {len(fingerprints)} shingles in more than 8")
    import nuskha

    probe = nuskha.CorpusContext(settings, docs, fingerprints, counts)
    if probe.learns_sources:
        per_source, shingle_counts = source_counts(articles, spark.sparkContext.broadcast(spec))
        spec["source_articles"], spec["source_counts"] = per_source, shingle_counts
        spec["token"] = uuid.uuid4().hex
        say(f"{len(per_source)} sources, {len(shingle_counts)} (source, shingle) counts")
    broadcast = spark.sparkContext.broadcast(spec)
    keys = band_keys(articles, broadcast).cache()
    largest = keys.groupBy("band", "key").count().agg(F.max("count")).collect()[0][0] or 0
    pairs = candidate_pairs(keys).cache()
    n_pairs = pairs.count()
    say(f"{n_pairs} candidate pairs (largest bucket {largest} articles; not capped, as in the library)")
    edges = verified_pairs(articles, pairs, broadcast).cache()
    n_edges = edges.count()
    say(f"{n_edges} verified pairs")
    components = connected_components(edges, "a", "b").cache()
    clustered = component_clusters(articles, edges, components, broadcast)
    every = articles.select("position", "id", "short").join(clustered, "position", "left")
    every = every.select(
        "position",
        "id",
        "short",
        F.coalesce("representative", "position").alias("representative"),
        F.coalesce("similarity", F.lit(1.0)).alias("similarity"),
        F.coalesce("shown", F.lit("1.000")).alias("shown"),
        F.coalesce("size", F.lit(1)).alias("size"),
    )
    ids = articles.select(F.col("position").alias("representative"), F.col("id").alias("cluster"))
    result = every.join(ids, "representative").select(
        "id",
        "position",
        "cluster",
        "similarity",
        "shown",
        F.when(F.col("size") > 1, F.when(F.col("representative") == F.col("position"), "representative").otherwise("copy"))
        .when(F.col("short"), "too short")
        .otherwise("")
        .alias("note"),
        "size",
    )
    result = result.repartition(1).sortWithinPartitions("position").cache()
    result.drop("shown").write.mode("overwrite").parquet(os.path.join(output_dir, "clusters.parquet"))
    csv = result.select("id", "cluster", F.col("shown").alias("similarity"), "note")
    # Quoted as dedup quotes (a quote doubled), nothing trimmed, an empty note empty.
    csv.write.mode("overwrite").options(
        header=True, escape='"', emptyValue="", ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False
    ).csv(os.path.join(output_dir, "clusters.csv"))
    clusters = result.where(F.col("size") > 1).select("cluster").distinct().count()
    seconds = time.time() - started
    say(f"{clusters} clusters of copies written to {output_dir} in {seconds:.1f} s")
    for df in (articles, keys, pairs, edges, components, result):
        df.unpersist()
    return {
        "articles": docs,
        "candidates": n_pairs,
        "largest_bucket": largest,
        "verified": n_edges,
        "clusters": clusters,
        "seconds": seconds,
    }


def session(master: Optional[str], partitions: Optional[int]) -> SparkSession:
    """The job's session: spark-submit's, or a local one (`--master`, default local[*])."""
    builder = SparkSession.builder.appName("nuskha")
    if master:
        builder = builder.master(master)
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    # Workers must import the same nuskha as the driver: this interpreter's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.getOrCreate()


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", required=True, help="the folder `dedup sketch` wrote (every shard)")
    p.add_argument("--output", required=True, help="where clusters.parquet and clusters.csv go")
    p.add_argument("--master", help="Spark master outside spark-submit (default local[*])")
    p.add_argument("--partitions", type=int, help="spark.sql.shuffle.partitions")
    args = p.parse_args(argv)
    spark = session(args.master, args.partitions)
    spark.sparkContext.setLogLevel("WARN")
    try:
        run(spark, args.input, args.output)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    # Run through the module's own name, so that the functions Spark ships to the
    # workers are found there (with its worker-side cache), not pickled one by one.
    import nuskha_spark

    sys.exit(nuskha_spark.main())
