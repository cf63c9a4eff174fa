"""The functions and `Deduplicator`: what they return, and the errors they raise."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

import pytest

import nuskha

STORY = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج برسم هذه السنة"
COPY = STORY + " وقدم لهم دعما ماليا"
OTHER = "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج خلال الشهر المقبل"
ROUNDUP = "في نشرة اليوم نبدأ بالشأن الاقتصادي حيث تراجعت البورصات الاوروبية صباح اليوم ثم " + STORY + " وفي الرياضة فاز الهلال على النصر في المباراة التي جرت مساء امس في الرياض امام جمهور كبير"


def test_normalize_and_words():
    assert nuskha.normalize("كَتَبَ") == "كتب"
    assert nuskha.normalize("مسئولو الشئون الخارجية") == nuskha.normalize("مسؤولو الشؤون الخارجيّة")
    assert nuskha.normalize("هيئة الأمم المتحدة BBC") == "هيءه الامم المتحده bbc"
    assert nuskha.normalize("") == ""
    assert nuskha.words("قال trump إن 12.5% من 1,000 covid-19") == [
        "قال", "trump", "ان", "12.5", "من", "1,000", "covid", "19",
    ]
    assert nuskha.words("الأمم", normalize=False) == ["الأمم"]
    with pytest.raises(TypeError):
        nuskha.normalize(b"bytes")
    with pytest.raises(TypeError):
        nuskha.words(None)


def test_cluster_takes_strings_tuples_and_dicts():
    dedup = nuskha.Deduplicator()
    clusters = dedup.cluster([STORY, OTHER, COPY])
    assert [(c.representative, c.ids) for c in clusters] == [(0, [0, 2]), (1, [1])]
    member = clusters[0].members[1]
    assert (member.id, member.matched, member.kind, member.too_short) == (2, 0, "jaccard", False)
    assert 0.5 <= member.score < 1
    # Average linkage gives the representative its best match in the cluster too.
    assert clusters[0].members[0].score == member.score
    star = nuskha.Deduplicator(mode="star").cluster([STORY, OTHER, COPY])
    assert star[0].members[0].score == 1.0
    assert len(clusters[0]) == 2 and [m.id for m in clusters[0]] == [0, 2]
    tuples = dedup.cluster([("spa-1", STORY), ("oil", OTHER), ("okaz-7", COPY)])
    assert [c.ids for c in tuples] == [["spa-1", "okaz-7"], ["oil"]]
    dicts = dedup.cluster(
        [{"id": "a", "text": STORY, "source": "spa"}, {"id": 9, "title": "", "text": COPY}, {"text": OTHER}]
    )
    assert [c.ids for c in dicts] == [["a", 9], [2]]
    assert [c.ids for c in dedup.cluster(iter([STORY, COPY]), singletons=False)] == [[0, 1]]
    assert dedup.cluster([]) == []
    assert "Cluster(representative='spa-1'" in repr(tuples[0])
    assert "Member(id='okaz-7'" in repr(tuples[0].members[1])


def test_the_title_is_compared_with_the_text():
    dedup = nuskha.Deduplicator(min_length=3)
    # Words the story does not hold (its own first words would be contained in it).
    words = "ومن جهة أخرى أعلنت البلدية اليوم"
    # A short text whose title holds the rest of the story: a copy only with the title.
    record = {"id": "t", "title": " ".join(STORY.split()[6:]), "text": words}
    with_title = dedup.cluster([("s", STORY), record])
    assert with_title[0].ids == ["s", "t"]
    without = dedup.cluster([("s", STORY), {"id": "t", "text": words}])
    assert len(without) == 2


def test_containment_and_options():
    dedup = nuskha.Deduplicator()
    # The round-up holding the wire story joins its cluster. In star clusters (the rule
    # off) not the other way round; average linkage (the default) joins them either way.
    clusters = dedup.cluster([("wire", STORY), ("roundup", ROUNDUP)])
    assert clusters[0].ids == ["wire", "roundup"]
    assert clusters[0].members[1].kind == "containment"
    later = dedup.cluster([("roundup", ROUNDUP), ("wire", STORY)])
    assert [c.ids for c in later] == [["roundup", "wire"]]
    assert later[0].members[1].kind == "containment"
    plain = nuskha.Deduplicator(edited=False).cluster([("roundup", ROUNDUP), ("wire", STORY)])
    assert len(plain) == 2
    off = nuskha.Deduplicator(containment=None).cluster([("wire", STORY), ("roundup", ROUNDUP)])
    assert len(off) == 2
    assert nuskha.Deduplicator(containment=False).options["containment"] is None
    assert nuskha.Deduplicator(containment="off").options["containment"] is None
    options = nuskha.Deduplicator(0.6, edited=False).options
    assert options["threshold"] == 0.6 and options["mode"] == "star"
    assert nuskha.Deduplicator(algorithm="simhash:3").options["edited"] is False
    assert nuskha.Deduplicator().options == {
        "threshold": nuskha.DEFAULT_THRESHOLD,
        "containment": nuskha.DEFAULT_CONTAINMENT,
        "shingle": "words:5",
        "algorithm": "minhash",
        "min_length": 10,
        "max_article_size": 1 << 20,
        "num_perm": nuskha.DEFAULT_NUM_PERM,
        "seed": nuskha.DEFAULT_SEED,
        "exact": False,
        "edited": True,
        "rare_search": False,
        "align": False,
        "min_aligned": None,
        "align_run": None,
        "mode": "average",
        "link_density": 0.7,
        "representative": "first",
    }
    # Without containment the bands are datasketch's for the threshold; with it the
    # search goes lower (containment pairs have low Jaccard).
    assert nuskha.Deduplicator(containment=None).bands == (25, 5)
    # LSH searches wide for the edited-copy rule (25 bands of 2 rows), narrower without.
    assert nuskha.Deduplicator().bands == (25, 2)
    bands, rows = nuskha.Deduplicator(edited=False).bands
    assert bands * rows <= 128 and bands > 25
    assert repr(nuskha.Deduplicator()) == "Deduplicator()"
    aligned = nuskha.Deduplicator(rare_search=True, align=True, align_run=3)
    assert repr(aligned) == "Deduplicator(rare_search=True, align=True, align_run=3)"
    assert repr(nuskha.Deduplicator(edited=False)) == "Deduplicator(edited=False)"
    # The light rare-phrase search is named; True is the thorough one, as "thorough".
    light = nuskha.Deduplicator(rare_search="light")
    assert repr(light) == "Deduplicator(rare_search='light')"
    assert light.options["rare_search"] == "light"
    assert nuskha.Deduplicator(**light.options).options == light.options
    assert nuskha.Deduplicator(rare_search="thorough").options["rare_search"] is True
    # LSH searches wide with a rare-phrase search too.
    assert light.bands == nuskha.Deduplicator(rare_search=True).bands == (25, 2)
    options = aligned.options
    assert (options["align"], options["min_aligned"], options["align_run"]) == (True, 0.6, 3)
    # The options as given back build the same deduplicator.
    assert nuskha.Deduplicator(**options).options == options
    assert nuskha.Deduplicator(**nuskha.Deduplicator().options).options == nuskha.Deduplicator().options
    assert repr(nuskha.Deduplicator(threshold=0.7, exact=True)) == "Deduplicator(threshold=0.7, exact=True)"
    for kwargs in [
        {"shingle": "chars:7"},
        {"exact": True},
        {"mode": "components"},
        {"representative": "longest"},
        {"num_perm": 64, "seed": 3},
    ]:
        assert len(nuskha.Deduplicator(**kwargs).cluster([STORY, COPY, OTHER])) == 2, kwargs
    simhash = nuskha.Deduplicator(algorithm="simhash:4").cluster([STORY, STORY, OTHER])
    assert [c.ids for c in simhash] == [[0, 1], [2]] and simhash[0].members[1].kind == "simhash"
    assert nuskha.Deduplicator(representative="longest").cluster([STORY, COPY])[0].representative == 1


def test_short_articles_are_never_matched():
    clusters = nuskha.Deduplicator().cluster(["خبر قصير", "خبر قصير"])
    assert len(clusters) == 2
    assert all(c.members[0].too_short for c in clusters)


def test_earliest_representative_reads_the_dates():
    dedup = nuskha.Deduplicator(representative="earliest")
    records = [
        {"id": "late", "text": STORY, "date": "2015-08-04 10:00:00"},
        {"id": "early", "text": COPY, "date": datetime.datetime(2015, 8, 3, 9, 0)},
        {"id": "undated", "text": STORY + " اليوم"},
    ]
    assert dedup.cluster(records)[0].representative == "early"
    assert dedup.options["representative"] == "earliest"
    with pytest.raises(ValueError, match="not a date"):
        dedup.cluster([{"id": "x", "text": STORY, "date": "yesterday"}])
    with pytest.raises(TypeError, match="date"):
        dedup.cluster([{"id": "x", "text": STORY, "date": [2015]}])


def test_compare_gives_every_score():
    dedup = nuskha.Deduplicator()
    c = dedup.compare(STORY, COPY)
    assert set(c) >= {
        "exact_jaccard", "estimated_jaccard", "exact_containment_a_in_b", "exact_containment_b_in_a",
        "estimated_containment_a_in_b", "estimated_containment_b_in_a", "simhash_hamming", "words",
        "distinct_shingles", "shared_passages", "verdict", "num_perm", "shingles",
    }
    assert c["verdict"]["copy"] and c["verdict"]["kind"] == "jaccard"
    assert c["exact_containment_a_in_b"] == 1.0 and 0.5 < c["exact_jaccard"] < 1
    passage = c["shared_passages"][0]
    assert passage["words"] == len(nuskha.words(STORY)) and passage["start_a"] == 0
    assert passage["text"] == " ".join(nuskha.words(STORY))
    assert c["words"] == [len(nuskha.words(STORY)), len(nuskha.words(COPY))]
    far = dedup.compare(STORY, OTHER, passages=0)
    assert not far["verdict"]["copy"] and far["shared_passages"] == [] and far["verdict"]["kind"] is None
    contained = dedup.compare(STORY, ROUNDUP)
    assert contained["verdict"]["kind"] == "containment"
    edited = nuskha.Deduplicator().compare(STORY, COPY)["verdict"]
    assert edited["word_containment"] == 1.0 and edited["aligned_coverage"] is None
    aligned = nuskha.Deduplicator(align=True).compare(STORY, COPY)["verdict"]
    assert aligned["aligned_coverage"] == 1.0
    with pytest.raises(TypeError):
        dedup.compare(STORY, None)


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"threshold": 1.5}, ValueError),
        ({"threshold": 0}, ValueError),
        ({"threshold": "0.5"}, TypeError),
        ({"threshold": True}, TypeError),
        ({"containment": 2.0}, ValueError),
        ({"containment": True}, TypeError),
        ({"shingle": "words"}, ValueError),
        ({"shingle": "lines:3"}, ValueError),
        ({"shingle": 5}, TypeError),
        ({"num_perm": 0}, ValueError),
        ({"num_perm": -1}, ValueError),
        ({"num_perm": 1.5}, TypeError),
        ({"seed": -3}, ValueError),
        ({"mode": "chains"}, ValueError),
        ({"algorithm": "simhash:9"}, ValueError),
        ({"representative": "middle"}, ValueError),
        ({"exact": 1}, TypeError),
        ({"link_density": 0.0}, ValueError),
        ({"thresold": 0.5}, TypeError),
        ({"edited": True, "min_aligned": 0.5}, ValueError),
        ({"edited": True, "align": True, "min_aligned": 1.5}, ValueError),
        ({"edited": True, "align": True, "align_run": 1}, ValueError),
        ({"edited": True, "align": 1}, TypeError),
        ({"edited": False, "rare_search": True}, ValueError),
        ({"edited": False, "align": True}, ValueError),
        ({"rare_search": 1}, TypeError),
        ({"rare_search": "heavy"}, ValueError),
        ({"edited": False, "rare_search": "light"}, ValueError),
    ],
)
def test_bad_options_raise(kwargs, error):
    with pytest.raises(error):
        nuskha.Deduplicator(**kwargs)


@pytest.mark.parametrize(
    "records,error,match",
    [
        ("a text", TypeError, "not a str"),
        (42, TypeError, "not iterable"),
        ([42], TypeError, "record 0 is int"),
        ([("a", "b", "c")], TypeError, "3 items"),
        ([(1.5, STORY)], TypeError, "the id must be a str or an int"),
        ([("a", b"bytes")], TypeError, "'text' must be a str"),
        ([{"id": "a"}], ValueError, "no 'text'"),
        ([{"id": "a", "text": STORY, "title": 3}], TypeError, "'title' must be a str"),
        ([("a", STORY), ("a", COPY)], ValueError, "repeated"),
        ([STORY, {"id": 0, "text": COPY}], ValueError, "repeated"),
    ],
)
def test_bad_records_raise(records, error, match):
    with pytest.raises(error, match=match):
        nuskha.Deduplicator().cluster(records)


def test_bad_call_arguments_raise():
    dedup = nuskha.Deduplicator()
    with pytest.raises(ValueError, match="threads"):
        dedup.cluster([STORY], threads=0)
    with pytest.raises((TypeError, OverflowError)):
        dedup.cluster([STORY], threads=-1)
    with pytest.raises(TypeError):
        dedup.cluster([STORY], workers=2)


def test_an_error_raised_by_the_iterable_passes_through():
    def records():
        yield STORY
        raise KeyError("from the generator")

    with pytest.raises(KeyError, match="from the generator"):
        nuskha.Deduplicator().cluster(records())


def test_results_are_plain_objects():
    clusters = nuskha.Deduplicator().cluster([("a", STORY), ("b", COPY)])
    assert isinstance(clusters, list) and isinstance(clusters[0], nuskha.Cluster)
    assert isinstance(clusters[0].members[0], nuskha.Member)
    assert type(clusters[0]).__module__ == "nuskha"
    with pytest.raises(AttributeError):
        clusters[0].representative = "c"
    with pytest.raises((TypeError, pickle.PicklingError)):
        pickle.dumps(nuskha.Deduplicator())


def test_the_docstring_examples_run():
    import doctest

    globs = {"nuskha": nuskha}
    for obj in (nuskha, nuskha.normalize, nuskha.words):
        runner = doctest.DocTestRunner()
        for test in doctest.DocTestFinder().find(obj, obj.__name__, globs=dict(globs)):
            runner.run(test)
        assert runner.failures == 0 and runner.tries > 0, obj


def test_boilerplate_is_learned_per_source():
    # 15 unrelated short pages of one site in its long chrome, among 200 articles: too
    # few for the corpus-wide rule; the records' ``source`` tells the site's chrome.
    import random

    rng = random.Random(7)
    letters = "ابتثجحخدذرسشصضطظعغفقكلمنهوي"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 7))) for _ in range(20000)]
    chrome = " ".join(rng.choice(vocabulary) for _ in range(60))
    bodies = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(60, 150))) for _ in range(200)]
    records = [
        {"id": i, "text": f"{chrome} {' '.join(b.split()[:20])}" if i < 15 else b,
         "source": "site-a" if i < 15 else "other"}
        for i, b in enumerate(bodies)
    ]
    site_clusters = lambda clusters: {c.representative for c in clusters for i in c.ids if i < 15}
    sourced = nuskha.Deduplicator().cluster(records, threads=1)
    assert len(site_clusters(sourced)) == 15
    unsourced = nuskha.Deduplicator().cluster([(r["id"], r["text"]) for r in records], threads=1)
    assert len(site_clusters(unsourced)) < 15, "the test needs chrome that merges the pages"


def test_cluster_with_pairs_gives_the_verified_pairs():
    samples = sorted((Path(__file__).resolve().parents[2] / "examples" / "articles").glob("*.txt"))
    records = [(p.stem, p.read_text(encoding="utf-8")) for p in samples]
    dedup = nuskha.Deduplicator()
    clusters, pairs = dedup.cluster_with_pairs(records, threads=1)
    assert [c.ids for c in clusters] == [c.ids for c in dedup.cluster(records, threads=1)]
    two_threads = dedup.cluster_with_pairs(records, threads=2)
    assert [c.ids for c in two_threads[0]] == [c.ids for c in clusters]
    assert two_threads[1] == pairs
    # The three hajj reports match one another; the diplomats article matches none.
    order = [name for name, _ in records]
    assert len(pairs) >= 2
    for a, b, score, kind in pairs:
        assert a.endswith("-hajj") and b.endswith("-hajj") and order.index(a) < order.index(b)
        assert 0 < score <= 1 and kind in {"jaccard", "containment", "simhash", "edited", "aligned"}
    (hajj,) = [c for c in clusters if len(c) > 1]
    assert {x for a, b, _, _ in pairs for x in (a, b)} == set(hajj.ids)
    # Ids as given: ints stay ints.
    _, numbered = dedup.cluster_with_pairs([text for _, text in records])
    assert [(a, b) for a, b, _, _ in numbered] == [(order.index(a), order.index(b)) for a, b, _, _ in pairs]
