"""Type stubs of the Rust extension `nuskha._nuskha` (re-exported by `nuskha`)."""

import datetime
import os
import pathlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Optional, Tuple, Union

from typing_extensions import Self, TypeAlias, final

__all__ = [
    "Added",
    "Cluster",
    "CorpusContext",
    "DEFAULT_CONTAINMENT",
    "DEFAULT_NUM_PERM",
    "DEFAULT_SEED",
    "DEFAULT_THRESHOLD",
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

__version__: str
DEFAULT_THRESHOLD: float
DEFAULT_CONTAINMENT: float
DEFAULT_NUM_PERM: int
DEFAULT_SEED: int

_Id: TypeAlias = Union[str, int]
"""A record's id: a str, or an int (a plain text's id is its position)."""
_DateLike: TypeAlias = Union[datetime.datetime, datetime.date, int, float, str]
"""A datetime (naive ones are UTC), a date, Unix seconds, or an ISO 8601 / RFC 2822 str."""
_Record: TypeAlias = Union[str, Tuple[_Id, str], Mapping[str, Any]]
"""A text, an ``(id, text)`` pair, or a dict with ``text`` and optionally ``id``,
``title``, ``date`` and ``source``."""
_IndexRecord: TypeAlias = Union[Tuple[str, str], Mapping[str, Any]]
"""An ``(id, text)`` pair or a dict with ``id``, ``text`` and optionally ``title``,
``date`` and ``source``."""
_StrPath: TypeAlias = Union[str, "os.PathLike[str]"]
_Kind: TypeAlias = Literal["jaccard", "containment", "edited", "aligned", "simhash"]

def normalize(text: str) -> str:
    """The text as nuskha normalises it before shingling (profile "dedup-default v1")."""

def words(text: str, *, normalize: bool = True) -> list[str]:
    """The words of ``text`` (normalised first unless ``normalize=False``)."""

@final
class Member:
    """One article of a cluster."""

    @property
    def id(self) -> Any:
        """The record's id."""
    @property
    def score(self) -> float:
        """Its similarity to ``matched`` (1.0 for the representative)."""
    @property
    def kind(self) -> _Kind:
        """What made it a copy."""
    @property
    def matched(self) -> Any:
        """The id of the member it matched."""
    @property
    def too_short(self) -> bool:
        """Fewer words than ``min_length``: never matched."""

@final
class Cluster:
    """A group of copies of one story (or one article alone)."""

    @property
    def representative(self) -> Any:
        """The id of the article that stands for the cluster."""
    @property
    def members(self) -> list[Member]:
        """Every member, the representative included, in input order."""
    @property
    def ids(self) -> list[Any]:
        """The members' ids, in input order."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Member]: ...

@final
class Deduplicator:
    """Finds near-duplicate articles and groups them into clusters."""

    def __new__(
        cls,
        threshold: Optional[float] = None,
        *,
        containment: Union[float, None, Literal[False, "off"]] = ...,
        shingle: str = ...,
        algorithm: str = ...,
        min_length: int = ...,
        max_article_size: int = ...,
        num_perm: int = ...,
        seed: int = ...,
        exact: bool = ...,
        edited: bool = ...,
        rare_search: Union[bool, Literal["light", "thorough"]] = ...,
        align: bool = ...,
        min_aligned: Optional[float] = ...,
        align_run: Optional[int] = ...,
        mode: Optional[Literal["star", "average", "components"]] = ...,
        link_density: float = ...,
        representative: Literal["first", "longest", "earliest"] = ...,
    ) -> Self: ...
    @property
    def options(self) -> dict[str, Any]:
        """Every option, by name."""
    @property
    def bands(self) -> Tuple[int, int]:
        """The LSH banding: (bands, rows)."""
    def cluster(
        self,
        records: Iterable[_Record],
        *,
        threads: Optional[int] = None,
        singletons: bool = True,
    ) -> list[Cluster]:
        """Clusters the records."""
    def cluster_with_pairs(
        self,
        records: Iterable[_Record],
        *,
        threads: Optional[int] = None,
        singletons: bool = True,
    ) -> tuple[list[Cluster], list[tuple[Any, Any, float, str]]]:
        """Clusters the records, and every verified pair the clusters were formed from."""
    def cluster_file(
        self,
        path: _StrPath,
        *,
        threads: Optional[int] = None,
        singletons: bool = True,
        id_field: str = "id",
        text_field: str = "text",
        title_field: str = "title",
        date_field: str = "date",
        no_title: bool = False,
        max_file_size: int = 1073741824,
    ) -> list[Cluster]:
        """Clusters the articles of a folder or file, as ``dedup`` reads them."""
    def compare(self, a: str, b: str, *, passages: int = 5) -> dict[str, Any]:
        """Every score of two texts, their shared passages and the verdict."""

@final
class Match:
    """An earlier article that a new one matched."""

    @property
    def id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def kind(self) -> _Kind: ...

@final
class Found:
    """An article of the index that a queried text matches."""

    @property
    def id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def kind(self) -> _Kind: ...
    @property
    def cluster(self) -> str: ...

@final
class Added:
    """What adding one article did."""

    @property
    def id(self) -> str: ...
    @property
    def added(self) -> bool: ...
    @property
    def representative(self) -> str: ...
    @property
    def matches(self) -> list[Match]: ...
    @property
    def new_cluster(self) -> bool: ...

@final
class Index:
    """The persistent index file of ``dedup index``."""

    def __new__(
        cls,
        path: _StrPath,
        *,
        readonly: bool = False,
        learn: Union[_StrPath, Iterable[_Record], None] = None,
        threshold: float = ...,
        containment: Union[float, None, Literal[False, "off"]] = ...,
        shingle: str = ...,
        algorithm: str = ...,
        min_length: int = ...,
        max_article_size: int = ...,
        num_perm: int = ...,
        seed: int = ...,
        exact: bool = ...,
        edited: bool = ...,
        rare_search: Union[bool, Literal["light", "thorough"]] = ...,
        align: bool = ...,
        min_aligned: Optional[float] = ...,
        align_run: Optional[int] = ...,
        mode: Optional[Literal["star", "average", "components"]] = ...,
        link_density: float = ...,
        representative: Literal["first", "longest"] = ...,
    ) -> Self: ...
    @property
    def path(self) -> pathlib.Path: ...
    @property
    def readonly(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def options(self) -> dict[str, Any]: ...
    def add(
        self,
        id: str,
        text: str,
        *,
        title: Optional[str] = None,
        date: Optional[_DateLike] = None,
        source: Optional[str] = None,
    ) -> Added: ...
    def add_many(self, records: Iterable[_IndexRecord], *, batch_size: int = 1000) -> list[Added]: ...
    def query(self, text: str, *, title: Optional[str] = None) -> list[Found]: ...
    def remove(self, id: str) -> bool: ...
    def remove_many(self, ids: Iterable[str]) -> list[str]: ...
    def expire(self, before: Optional[_DateLike] = None, *, keep_days: Optional[int] = None) -> list[str]: ...
    def clusters(self, *, singletons: bool = True) -> list[Cluster]: ...
    def ids(self) -> list[str]: ...
    def check(self) -> list[str]: ...
    def close(self) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, id: object, /) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *args: object) -> bool: ...

@final
class MinHash:
    """A MinHash sketch of a set, with datasketch's calls."""

    def __new__(cls, num_perm: int = 128, seed: int = 1) -> Self: ...
    @property
    def num_perm(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def hashvalues(self) -> Any:
        """The slots, as a numpy array of uint32."""
    def update(self, b: Union[bytes, bytearray, str]) -> None: ...
    def update_batch(self, b: Iterable[Union[bytes, bytearray, str]]) -> None: ...
    def jaccard(self, other: "MinHash") -> float: ...
    def digest(self) -> Any:
        """The slots, as a numpy array of uint32."""
    def slots(self) -> list[int]: ...
    def count(self) -> int: ...
    def is_empty(self) -> bool: ...
    def merge(self, other: "MinHash") -> None: ...
    def clear(self) -> None: ...
    def copy(self) -> "MinHash": ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class MinHashLSH:
    """A MinHash LSH index with datasketch's calls; keys are str."""

    def __new__(
        cls,
        threshold: float = 0.5,
        num_perm: int = 128,
        params: Optional[Tuple[int, int]] = None,
    ) -> Self: ...
    @property
    def threshold(self) -> float: ...
    @property
    def num_perm(self) -> int: ...
    @property
    def b(self) -> int: ...
    @property
    def r(self) -> int: ...
    def insert(self, key: str, minhash: MinHash, check_duplication: bool = True) -> None: ...
    def query(self, minhash: MinHash) -> list[str]: ...
    def remove(self, key: str) -> None: ...
    def is_empty(self) -> bool: ...
    def keys(self) -> list[str]: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __len__(self) -> int: ...

_Row = tuple[Sequence[int], Optional[Sequence[int]], int, bool, bool, Optional[str]]

@final
class CorpusContext:
    """A corpus sketched by `dedup sketch`: statistics, boilerplate and settings, for a
    job that clusters it on many machines (spark/nuskha_spark.py). An article is
    `(shingles, words, length, short, truncated, source)` as the sketch writes them."""

    def __new__(
        cls, settings: str, docs: int, fingerprints: Sequence[int], counts: Sequence[int]
    ) -> Self: ...
    @property
    def learns_sources(self) -> bool: ...
    def source_shingles(self, rows: Sequence[_Row]) -> list[list[int]]: ...
    def with_sources(
        self,
        articles: Sequence[tuple[str, int]],
        counts: Sequence[tuple[str, int, int]],
    ) -> CorpusContext: ...
    def band_keys(self, rows: Sequence[_Row]) -> list[list[int]]: ...
    def verify(
        self, pairs: Sequence[tuple[_Row, _Row]]
    ) -> list[Optional[tuple[float, str]]]: ...
    def cluster(
        self, rows: Sequence[_Row], edges: Sequence[tuple[int, int, float, str]]
    ) -> list[tuple[int, float, int]]: ...
