"""nuskha (نسخة, "a copy"): near-duplicate detection of news articles, Arabic first.

The same story republished, lightly edited, by several outlets is found and grouped:
Arabic spelling variants are normalised away, 5-word shingles are sketched with
MinHash, candidates come from banded LSH, every candidate pair is verified (Jaccard,
containment, optionally the edited-copy rule), and clusters form without chaining.

>>> import nuskha
>>> dedup = nuskha.Deduplicator(threshold=0.5)
>>> story = "استقبل المدير العام للأمن الوطني اليوم الثلاثاء منتسبي أسرة الأمن الوطني القاصدين الديار المقدسة لأداء فريضة الحج"
>>> clusters = dedup.cluster([("spa-1", story), ("okaz-7", story + " هذا العام"), ("oil", "ارتفعت أسعار النفط في الأسواق العالمية اليوم بعد قرار منظمة أوبك خفض الإنتاج")])
>>> [(c.representative, c.ids) for c in clusters]
[('spa-1', ['spa-1', 'okaz-7']), ('oil', ['oil'])]

The names:

- :func:`normalize` and :func:`words`: the text as the matcher sees it.
- :class:`Deduplicator`: clusters of copies among records (``cluster``) or files
  (``cluster_file``, as the ``dedup`` command reads them), and ``compare`` for two texts;
  each :class:`Cluster` has a ``representative`` and :class:`Member` s.
- :class:`Index`: the persistent index file of ``dedup index`` (``add``, ``add_many``,
  ``query``, ``remove``, ``expire``, ``clusters``), with :class:`Added`,
  :class:`Match` and :class:`Found` results.
- :class:`MinHash` and :class:`MinHashLSH`: datasketch's calls on nuskha's sketches.

Batch calls release the GIL and run on the library's thread pool.
"""

from ._nuskha import (
    DEFAULT_CONTAINMENT,
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    DEFAULT_THRESHOLD,
    Added,
    Cluster,
    CorpusContext,
    Deduplicator,
    Found,
    Index,
    Match,
    Member,
    MinHash,
    MinHashLSH,
    __version__,
    normalize,
    words,
)

__all__ = [
    "DEFAULT_CONTAINMENT",
    "DEFAULT_NUM_PERM",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
    "Added",
    "Cluster",
    "CorpusContext",
    "Deduplicator",
    "Found",
    "Index",
    "Match",
    "Member",
    "MinHash",
    "MinHashLSH",
    "__version__",
    "normalize",
    "words",
]
