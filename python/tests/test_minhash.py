"""`MinHash` and `MinHashLSH` behave as documented (datasketch's calls)."""

from __future__ import annotations

import math
import pickle
import random

import pytest

import nuskha


def sketch(elements, num_perm=128, seed=1):
    m = nuskha.MinHash(num_perm=num_perm, seed=seed)
    m.update_batch(elements)
    return m


@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_estimates_are_within_what_k_allows(num_perm):
    """Over sets of exact Jaccard 0.05 to 0.95, every estimate is within four standard
    deviations, sqrt(J(1-J)/K), and their mean error is near zero (unbiased)."""
    rng = random.Random(num_perm)
    errors = []
    for trial in range(60):
        j = 0.05 + 0.9 * rng.random()
        n = rng.randrange(200, 3000)
        # |A ∩ B| = s, |A ∪ B| = n: J = s / n.
        shared = round(j * n)
        rest = n - shared
        a_only = rest // 2
        base = trial * 1_000_000
        a = [f"{base + i}".encode() for i in range(shared + a_only)]
        b = [f"{base + i}".encode() for i in range(shared)] + [
            f"{base + shared + a_only + i}".encode() for i in range(rest - a_only)
        ]
        exact = shared / n
        estimate = sketch(a, num_perm).jaccard(sketch(b, num_perm))
        sd = math.sqrt(exact * (1 - exact) / num_perm)
        assert abs(estimate - exact) <= 4 * sd + 1 / num_perm, (exact, estimate, n)
        errors.append(estimate - exact)
    assert abs(sum(errors) / len(errors)) < 0.02


def test_update_forms_and_exact_count():
    m = nuskha.MinHash()
    m.update(b"a")
    m.update(bytearray(b"b"))
    m.update("c")
    m.update("a")
    assert m.count() == 3 and not m.is_empty() and len(m) == 128
    assert (m.num_perm, m.seed) == (128, 1)
    s = nuskha.MinHash()
    s.update_batch([b"a", b"b", b"c"])
    assert m == s and m.jaccard(s) == 1.0
    assert m.slots() == s.slots() and len(m.slots()) == 128
    m.update(b"d")
    assert m != s and m.jaccard(m) == 1.0
    assert "MinHash(num_perm=128, seed=1, count=4)" == repr(m)
    for bad in (1, None, 2.5, [b"x"]):
        with pytest.raises(TypeError):
            m.update(bad)
    with pytest.raises(TypeError):
        m.update_batch(b"abc")
    with pytest.raises(TypeError):
        m.update_batch([b"a", 3])


def test_empty_sets_are_similar_to_nothing():
    a, b = nuskha.MinHash(), nuskha.MinHash()
    assert a.is_empty() and a.count() == 0
    assert a.jaccard(b) == 0.0
    b.update(b"x")
    assert a.jaccard(b) == 0.0


def test_merge_copy_clear_and_pickle():
    a, b = sketch([b"1", b"2"]), sketch([b"2", b"3"])
    union = a.copy()
    union.merge(b)
    assert union == sketch([b"1", b"2", b"3"]) and a.count() == 2
    union.merge(union)
    assert union.count() == 3
    back = pickle.loads(pickle.dumps(union))
    assert back == union and back.count() == 3 and isinstance(back, nuskha.MinHash)
    back.update(b"4")
    assert back != union
    union.clear()
    assert union.is_empty() and union == nuskha.MinHash()


def test_other_parameters_are_refused():
    a = sketch([b"x"])
    for other in (sketch([b"x"], num_perm=64), sketch([b"x"], seed=2)):
        with pytest.raises(ValueError):
            a.jaccard(other)
        with pytest.raises(ValueError):
            a.merge(other)
    with pytest.raises(TypeError):
        a.jaccard("not a MinHash")
    for bad in ({"num_perm": 0}, {"num_perm": 70000}, {"num_perm": -1}, {"seed": -1}):
        with pytest.raises(ValueError):
            nuskha.MinHash(**bad)
    with pytest.raises(TypeError):
        nuskha.MinHash(num_perm="128")


def test_digest_is_a_numpy_array_of_the_slots():
    np = pytest.importorskip("numpy")
    m = sketch([str(i).encode() for i in range(100)])
    d = m.digest()
    assert isinstance(d, np.ndarray) and d.dtype == np.uint32 and d.shape == (128,)
    assert d.tolist() == m.slots()
    assert m.hashvalues.tolist() == m.slots()
    d[0] = 0  # a copy: the sketch is untouched
    assert m.digest().tolist() == m.slots()


def test_lsh_insert_query_remove():
    lsh = nuskha.MinHashLSH(threshold=0.5, num_perm=128)
    assert (lsh.b, lsh.r) == (25, 5) and lsh.threshold == 0.5 and lsh.num_perm == 128
    assert lsh.is_empty() and len(lsh) == 0
    base = [f"w{i}".encode() for i in range(400)]
    near = base[:360] + [f"x{i}".encode() for i in range(40)]  # J = 360/440 = 0.82
    far = [f"y{i}".encode() for i in range(400)]
    lsh.insert("base", sketch(base))
    lsh.insert("far", sketch(far))
    assert "base" in lsh and "far" in lsh and "near" not in lsh and 3 not in lsh
    assert lsh.query(sketch(near)) == ["base"]
    assert lsh.query(sketch(far)) == ["far"]
    assert sorted(lsh.keys()) == ["base", "far"] and len(lsh) == 2
    with pytest.raises(ValueError):
        lsh.insert("base", sketch(far))
    lsh.insert("base", sketch(far), check_duplication=False)
    assert sorted(lsh.query(sketch(far))) == ["base", "far"]
    lsh.remove("base")
    assert "base" not in lsh and lsh.query(sketch(far)) == ["far"] and lsh.query(sketch(base)) == []
    with pytest.raises(ValueError):
        lsh.remove("base")
    # A freed slot is used again; keys stay apart.
    lsh.insert("again", sketch(base))
    assert lsh.query(sketch(near)) == ["again"]
    assert "MinHashLSH(threshold=0.5" in repr(lsh)


def test_lsh_recall_follows_the_threshold():
    """Pairs well above the threshold are found, pairs well below mostly not."""
    lsh = nuskha.MinHashLSH(threshold=0.7, num_perm=128)
    rng = random.Random(3)
    found_high = found_low = 0
    for k in range(40):
        words = [f"{k}-{i}".encode() for i in range(300)]
        lsh.insert(f"doc{k}", sketch(words))
        high = words[:280] + [f"h{k}-{i}".encode() for i in range(10)]  # J ~ 0.90
        low = words[:100] + [f"l{k}-{i}".encode() for i in range(rng.randrange(250, 300))]  # J < 0.3
        found_high += f"doc{k}" in lsh.query(sketch(high))
        found_low += f"doc{k}" in lsh.query(sketch(low))
    assert found_high == 40 and found_low <= 4


def test_lsh_errors():
    lsh = nuskha.MinHashLSH()
    with pytest.raises(TypeError):
        lsh.insert(1, sketch([b"a"]))
    with pytest.raises(TypeError):
        lsh.insert(b"key", sketch([b"a"]))
    with pytest.raises(TypeError):
        lsh.insert("k", [1, 2, 3])
    with pytest.raises(ValueError, match="num_perm"):
        lsh.insert("k", sketch([b"a"], num_perm=64))
    with pytest.raises(ValueError, match="num_perm"):
        lsh.query(sketch([b"a"], num_perm=256))
    lsh.insert("k", sketch([b"a"]))
    with pytest.raises(ValueError):
        lsh.insert("j", sketch([b"a"], seed=2))
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError):
            nuskha.MinHashLSH(threshold=bad)
    with pytest.raises(ValueError):
        nuskha.MinHashLSH(params=(20, 10), num_perm=128)
    with pytest.raises(TypeError):
        nuskha.MinHashLSH(threshold="high")
    assert (nuskha.MinHashLSH(params=(16, 8)).b, nuskha.MinHashLSH(params=(16, 8)).r) == (16, 8)
