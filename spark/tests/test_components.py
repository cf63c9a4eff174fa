"""`components.connected_components` against a plain union-find, on graphs that take the
large star and the small star through their cases: long paths, stars centred on either
end of the ids, chains hanging off a centre, cliques, self-loops and repeats, a random
sparse graph, ids at the ends of the 64-bit range."""

import logging
import random
import re

import pytest
from pyspark.sql.types import LongType

from components import connected_components


def union_find(pairs, nodes=()):
    """{(node, smallest node of its component)} of the undirected graph `pairs` (plus
    `nodes` standing alone), by union-find; the smallest member is looked up afterwards,
    so the union order cannot matter."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x in nodes:
        find(x)
    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    smallest = {}
    for x in parent:
        r = find(x)
        smallest[r] = min(smallest.get(r, x), x)
    return {(x, smallest[find(x)]) for x in parent}


def components_of(spark, pairs, schema="a long, b long", **kwargs):
    out = connected_components(spark.createDataFrame(pairs, schema), **kwargs)
    assert [(f.name, f.dataType) for f in out.schema.fields] == [("node", LongType()), ("component", LongType())]
    rows = [(r.node, r.component) for r in out.collect()]
    assert len(rows) == len(set(rows)), "a node twice"
    return set(rows)


def check(spark, pairs, **kwargs):
    got = components_of(spark, pairs, **kwargs)
    want = union_find(pairs)
    assert got == want, f"{len(got ^ want)} rows differ, e.g. {sorted(got ^ want)[:5]}"
    return got


def shuffled_ids(n, seed):
    ids = list(range(n))
    random.Random(seed).shuffle(ids)
    return ids


def test_a_long_path_with_shuffled_ids_converges_in_few_rounds(spark, caplog):
    n = 2000
    ids = shuffled_ids(n, 1)
    assert ids[0] != 0 and ids[-1] != 0
    pairs = [(ids[i], ids[i + 1]) for i in range(n - 1)]
    with caplog.at_level(logging.INFO, logger="components"):
        got = check(spark, pairs)
    assert got == {(i, 0) for i in range(n)}
    rounds = [int(m) for m in re.findall(r"converged after (\d+) rounds", caplog.text)]
    assert len(rounds) == 1
    # O(log n) rounds, not O(n): a path is the slow case for either step alone.
    assert rounds[0] <= 16, rounds
    print(f"path of {n} nodes: {rounds[0]} rounds")


def test_stars_centred_on_the_largest_the_smallest_and_a_middle_id(spark):
    rng = random.Random(2)
    pairs = []
    for centre, leaves in [(1500, range(1000, 1500)), (2000, range(2001, 2500)), (3250, range(3000, 3500))]:
        for leaf in leaves:
            if leaf != centre:
                pairs.append((centre, leaf) if rng.random() < 0.5 else (leaf, centre))
    rng.shuffle(pairs)
    got = check(spark, pairs)
    assert {c for _, c in got} == {1000, 2000, 3000}


def test_chains_hanging_off_a_centre(spark):
    chains, length = 20, 50
    ids = shuffled_ids(chains * length + 1, 3)
    centre = ids[0]
    pairs = []
    for c in range(chains):
        chain = [centre] + ids[1 + c * length : 1 + (c + 1) * length]
        pairs += list(zip(chain, chain[1:]))
    got = check(spark, pairs)
    assert len(got) == chains * length + 1 and {c for _, c in got} == {0}


def test_cliques_with_every_edge_in_both_directions(spark):
    pairs = [(a, b) for a in range(100, 112) for b in range(100, 112) if a != b]
    pairs += [(a, b) for a in range(7, 2, -1) for b in range(3, 8) if a != b]
    got = check(spark, pairs)
    assert {c for _, c in got} == {3, 100} and len(got) == 17


def test_self_loops_and_repeated_edges(spark):
    pairs = [
        (5, 5),  # alone but for its loop
        (9, 9),
        (9, 9),
        (1, 2),
        (2, 1),
        (1, 2),
        (2, 2),  # a loop on a node with edges
        (3, 2),
        (3, 2),
        (30, 40),
        (40, 30),
        (40, 40),
        (30, 30),
        (40, 20),
    ]
    got = check(spark, pairs)
    assert got == {(5, 5), (9, 9), (1, 1), (2, 1), (3, 1), (20, 20), (30, 20), (40, 20)}


def test_a_random_sparse_graph_with_many_components(spark):
    rng = random.Random(4)
    nodes = rng.sample(range(10**9), 5000)
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(3000)]
    pairs += [(x, x) for x in rng.sample(nodes, 50)]
    got = check(spark, pairs)
    sizes = {}
    for _, c in got:
        sizes[c] = sizes.get(c, 0) + 1
    # Many components, one of them large (the graph's average degree is 1.2).
    assert len(sizes) > 400 and max(sizes.values()) > 1000, (len(sizes), max(sizes.values()))


def test_ids_near_2_to_the_62_negative_and_at_the_ends_of_64_bits(spark):
    big, low, top = 2**62, -(2**63), 2**63 - 1
    pairs = [(big + i, big + i + 1) for i in range(0, 40)]  # a path up from 2**62
    pairs += [(big - 1, big + 20), (-big - 5, -big + 5), (-big + 5, 17), (17, -1)]
    pairs += [(top, top - 1), (top - 1, low), (low + 1, low + 1), (top - 2, top - 2)]
    got = check(spark, pairs)
    component = dict(got)
    assert component[big + 40] == big - 1 and component[17] == -big - 5
    assert component[top] == low and component[low + 1] == low + 1 and component[top - 2] == top - 2


def test_an_empty_frame_gives_an_empty_frame(spark):
    assert components_of(spark, []) == set()


def test_int_columns_other_names_and_null_ends(spark):
    rows = [(1, 2), (2, None), (None, 3), (7, None), (None, None), (3, 4), (-2, 4)]
    got = components_of(spark, rows, schema="x int, y int", src="x", dst="y")
    assert got == {(1, 1), (2, 1), (3, -2), (4, -2), (-2, -2), (7, 7)}


def test_too_few_rounds_is_an_error_and_one_is_enough_for_a_star(spark):
    path = [(i, i + 1) for i in range(200)]
    with pytest.raises(RuntimeError, match="not converged after 2 rounds"):
        components_of(spark, path, max_rounds=2)
    # A star centred on its smallest node is already the answer: the first round moves nothing.
    assert components_of(spark, [(0, 1), (2, 0), (0, 3)], max_rounds=1) == {(0, 0), (1, 0), (2, 0), (3, 0)}
    with pytest.raises(ValueError):
        components_of(spark, path, max_rounds=0)


def test_ids_that_are_not_integers_are_refused(spark):
    df = spark.createDataFrame([("a", "b")], "a string, b string")
    with pytest.raises(TypeError, match="'a' is string"):
        connected_components(df)
