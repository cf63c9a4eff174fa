"""`CorpusContext`, the Spark job's door into the library (spark/tests run the job)."""

from __future__ import annotations

import json

import pytest

import nuskha

SETTINGS = json.dumps({"format": 1, "source_boilerplate": True, "options": json.loads(
    '{"algorithm":"minhash","containment":0.8,"edited":true,"exact":false,"link_density":0.7,'
    '"max_article_size":1048576,"min_length":10,"mode":"average","num_perm":128,'
    '"rare_search":false,"representative":"first","seed":121450726647905,"shingle":"words:5",'
    '"threshold":0.5}'
)})

STORY = (
    "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني "
    "القاصدين الديار المقدسة لأداء فريضة الحج وقدم لهم دعما ماليا وتمنى لهم حجا مبرورا"
)


def test_settings_of_another_format_or_options_are_refused():
    for settings, message in [
        ("{", "not JSON"),
        (json.dumps({**json.loads(SETTINGS), "format": 2}), "format 2, this nuskha reads format 1"),
        (json.dumps({**json.loads(SETTINGS), "options": {"threshold": 0.5}}), "options"),
        (json.dumps({k: v for k, v in json.loads(SETTINGS).items() if k != "source_boilerplate"}), "source_boilerplate"),
    ]:
        with pytest.raises(ValueError, match=message):
            nuskha.CorpusContext(settings, 1, [], [])
    rare = json.loads(SETTINGS)
    rare["options"]["rare_search"] = "light"
    with pytest.raises(ValueError, match="rare-phrase search"):
        nuskha.CorpusContext(json.dumps(rare), 1, [], [])


def test_counts_and_rows_that_cannot_be_are_refused():
    with pytest.raises(ValueError, match="differ in length"):
        nuskha.CorpusContext(SETTINGS, 10, [1, 2], [9])
    with pytest.raises(ValueError, match="is in 40 articles of 10"):
        nuskha.CorpusContext(SETTINGS, 10, [1], [40])
    ctx = nuskha.CorpusContext(SETTINGS, 10, [-5, 2**31 + 3], [9, 10])
    assert ctx.learns_sources
    with pytest.raises(ValueError, match="not a 32-bit fingerprint"):
        ctx.band_keys([([2**33], [1, 2], 10, False, False, None)])
    with pytest.raises(ValueError, match="repeated"):
        ctx.band_keys([([7, 7], [1, 2], 10, False, False, None)])
    with pytest.raises(ValueError, match="edited-copy rule"):
        ctx.band_keys([([7, 8], None, 10, False, False, None)])
    with pytest.raises(ValueError, match="source \"x\" has counts"):
        ctx.with_sources([("y", 3)], [("x", 7, 2)])


def test_a_copy_is_verified_and_clustered_with_its_original():
    ctx = nuskha.CorpusContext(SETTINGS, 3, [], [])
    # The rows `dedup sketch` would write, here built from the stable hashes the
    # library reports: the same story twice, a third article of other words.
    words = STORY.split()
    shingles = list(range(len(words) - 4))
    row = (shingles, list(range(100, 100 + len(words))), len(STORY), False, False, "sabq")
    other = ([10_000 + s for s in shingles], list(range(500, 500 + len(words))), 90, False, False, None)
    keys = ctx.band_keys([row, row, other])
    assert len(keys[0]) > 1 and keys[0] == keys[1]
    assert not set(zip(range(len(keys[0])), keys[0])) & set(zip(range(len(keys[2])), keys[2]))
    assert ctx.band_keys([([], None, 8, True, False, None)]) == [[]]
    verdicts = ctx.verify([(row, row), (row, other)])
    assert verdicts[0] == (1.0, "jaccard") and verdicts[1] is None
    assert ctx.cluster([row, other, row], [(0, 2, 1.0, "jaccard")]) == [(0, 1.0, 2), (1, 1.0, 1), (0, 1.0, 2)]
    with pytest.raises(ValueError, match="edge \\(2, 0\\)"):
        ctx.cluster([row, row, row], [(2, 0, 1.0, "jaccard")])
    with pytest.raises(ValueError, match="match kind"):
        ctx.cluster([row, row], [(0, 1, 1.0, "cosine")])
