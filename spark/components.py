"""Connected components of an edge DataFrame by large-star / small-star (Kiveris,
Lattanzi, Mirrokni, Rastogi, Vassilvitskii, "Connected Components in MapReduce and
Beyond", SoCC 2014), in plain DataFrame operations.

Why not GraphFrames: it ships as a jar from a Maven repository that these machines
cannot reach. Large-star / small-star needs nothing but DataFrames, never brings the
graph to the driver, and converges in O(log n) rounds in practice, each round two
shuffles of the edges and one Spark job.

The state is a set of edges (hi, lo), hi >= lo; a self-loop (x, x) keeps a node that has
no other edge. Each step maps every edge to itself or to edges that are smaller in (hi, lo)
order, never leaving its component, so rounds cannot cycle, and one that moves nothing
leaves each component a star centred on its smallest node: the answer.
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, Observation, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ByteType, IntegerType, LongType, ShortType

_log = logging.getLogger(__name__)

_HI, _LO, _CHANGED = "hi", "lo", "changed"

_INTEGRAL = (ByteType, ShortType, IntegerType, LongType)


def connected_components(edges: DataFrame, src: str = "a", dst: str = "b", max_rounds: int = 64) -> DataFrame:
    """Rows (node, component) for every node that appears in `edges`: `component` is the smallest node id of its component. Node ids are 64-bit integers (LongType). Self-loops and repeated edges are allowed.

    A row with one endpoint null counts as a self-loop on the other; a row with both null
    is ignored. Runs the rounds (each a large star then a small star) before returning;
    the result is one aggregation over the last round's edges, so cache it if it is used
    more than once. Raises RuntimeError if `max_rounds` rounds leave edges still moving.
    """
    if max_rounds < 1:
        raise ValueError(f"connected_components: max_rounds is {max_rounds}, not at least 1")
    for name in (src, dst):
        kind = edges.schema[name].dataType
        if not isinstance(kind, _INTEGRAL):
            raise TypeError(f"connected_components: column {name!r} is {kind.simpleString()}, not an integer")
    a, b = F.col(src).cast(LongType()), F.col(dst).cast(LongType())
    a, b = F.coalesce(a, b), F.coalesce(b, a)
    cur = edges.select(F.greatest(a, b).alias(_HI), F.least(a, b).alias(_LO)).where(F.col(_HI).isNotNull())
    for rounds in range(1, max_rounds + 1):
        moved = Observation()
        nxt = _small_star(_large_star(cur)).observe(
            moved, F.count(F.lit(1)).alias("edges"), F.sum(F.col(_CHANGED).cast(LongType())).alias("moved")
        )
        # The checkpoint is the round's only job: it cuts the plan (and the lineage) to this
        # round's, so the 30th round plans as fast as the first, and the observation counts
        # the moved edges along the way (an empty frame is observed too). Earlier rounds'
        # checkpoints are freed when the JVM collects them; a cache per round instead was
        # slower with every round, its plans growing.
        cur = nxt.select(_HI, _LO).localCheckpoint(eager=True)
        n_edges, n_moved = moved.get["edges"], moved.get["moved"] or 0
        _log.debug("round %d: %d edges, %d moved", rounds, n_edges, n_moved)
        if n_moved == 0:
            break
    else:
        raise RuntimeError(
            f"connected_components: not converged after {max_rounds} rounds ({n_edges} edges, {n_moved} still moving)"
        )
    _log.info("connected components: converged after %d rounds, %d edges", rounds, n_edges)
    # Every edge now joins a node to its component's smallest node, which is never on an
    # edge's high end (but for its own self-loop, if it has one).
    return (
        cur.select(F.col(_HI).alias("node"), F.col(_LO).alias("component"))
        .union(cur.select(F.col(_LO).alias("node"), F.col(_LO).alias("component")))
        .groupBy("node")
        .agg(F.min("component").alias("component"))
    )


def _large_star(e: DataFrame) -> DataFrame:
    """Each node u finds m(u), the least of u and its neighbours, and every edge whose low
    end is u moves there: (v, u) becomes (v, m(u)), a self-loop (u, u) becomes (u, m(u)).
    `changed` marks the edges that moved. Repeated edges (the small star leaves some) go.

    Both orientations of each edge are partitioned by their first end once: the dedup and
    the window that finds m(u) both use that partitioning, and `e` is read once, so the
    plan grows by a few nodes per step rather than doubling."""
    both = e.select(
        F.explode(
            F.array(
                F.struct(F.lit(True).alias("up"), F.col(_LO).alias("u"), F.col(_HI).alias("v")),
                F.struct(F.lit(False).alias("up"), F.col(_HI).alias("u"), F.col(_LO).alias("v")),
            )
        ).alias("r")
    ).select("r.*")
    m = F.least(F.col("u"), F.min("v").over(Window.partitionBy("u")))
    return (
        both.repartition("u")
        .distinct()
        .withColumn("m", m)
        .where(F.col("up"))
        .select(F.col("v").alias(_HI), F.col("m").alias(_LO), (F.col("m") != F.col("u")).alias(_CHANGED))
    )


def _small_star(e: DataFrame) -> DataFrame:
    """Each node v finds m, the least of v and its smaller neighbours, and links v and each
    of those to m: (v, u) becomes (v, m) and (u, m), the latter dropped when u is m.
    `changed` is kept from the large star and set where u is not m."""
    s = e.withColumn("m", F.min(_LO).over(Window.partitionBy(_HI)))
    changed = F.col(_CHANGED) | (F.col(_LO) != F.col("m"))
    to_m = F.struct(F.col(_HI).alias(_HI), F.col("m").alias(_LO), changed.alias(_CHANGED))
    low_to_m = F.struct(F.col(_LO).alias(_HI), F.col("m").alias(_LO), changed.alias(_CHANGED))
    links = F.when(F.col(_LO) != F.col("m"), F.array(to_m, low_to_m)).otherwise(F.array(to_m))
    return s.select(F.explode(links).alias("r")).select("r.*")
