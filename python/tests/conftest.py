"""Shared fixtures: the repository, the `dedup` command, the sample corpora."""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "examples" / "articles"
SAUDINEWSNET = (
    REPO.parent / "shared" / "data" / "arabic_news" / "saudinewsnet_2015-08-03_to_11.jsonl.gz"
)


@pytest.fixture(scope="session")
def dedup_bin() -> Path:
    """The `dedup` command built in release (`cargo build --release -p nuskha-cli`), or
    the one `NUSKHA_DEDUP` names. Missing, the tests that need it are skipped, unless
    `NUSKHA_REQUIRE_CLI=1` (as `python/run-tests.sh` sets): then they fail."""
    path = Path(os.environ.get("NUSKHA_DEDUP", REPO / "target" / "release" / "dedup"))
    if not path.is_file():
        message = f"{path} not built (cargo build --release -p nuskha-cli)"
        if os.environ.get("NUSKHA_REQUIRE_CLI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def saudinewsnet() -> Path:
    """SaudiNewsNet (13,259 articles) from the shared data folder, when it is there."""
    if not SAUDINEWSNET.is_file():
        pytest.skip(f"{SAUDINEWSNET} is not here")
    return SAUDINEWSNET


def run_dedup(dedup_bin: Path, *args: str | os.PathLike[str]) -> str:
    """Runs `dedup` and returns its standard output (exit 0 or 3, inputs skipped)."""
    out = subprocess.run(
        [str(dedup_bin), *map(str, args)], capture_output=True, text=True, check=False
    )
    assert out.returncode in (0, 3), out.stderr
    return out.stdout


def csv_clusters(text: str) -> dict[str, tuple[str, str]]:
    """`dedup --format csv` as id → (representative, similarity as printed)."""
    rows = csv.DictReader(io.StringIO(text))
    return {r["id"]: (r["cluster"], r["similarity"]) for r in rows}


def py_clusters(clusters) -> dict[str, tuple[str, str]]:
    """Clusters from Python in the same shape as `csv_clusters`."""
    out = {}
    for c in clusters:
        for m in c.members:
            out[m.id] = (c.representative, f"{m.score:.3f}")
    return out


WORDS = [
    "الحكومة", "وزارة", "الصحة", "اليوم", "أعلنت", "مجلس", "الوزراء", "الرياض", "جدة",
    "المملكة", "العربية", "السعودية", "الأمير", "الملك", "اجتماع", "مشروع", "تطوير", "التعليم",
    "المدارس", "الطلاب", "الجامعة", "النفط", "الأسواق", "العالمية", "أسعار", "ارتفاع", "انخفاض",
    "الاقتصاد", "الشركة", "البنك", "المركزي", "المنطقة", "الشرقية", "الغربية", "الشمالية",
    "الجنوبية", "المواطنين", "المقيمين", "الحج", "العمرة", "الأمن", "الوطني", "المدير", "العام",
    "رئيس", "نائب", "خادم", "الحرمين", "الشريفين", "البلدية", "الطرق", "المرور", "الحوادث",
    "الرياضة", "النادي", "الهلال", "النصر", "الاتحاد", "الأهلي", "المباراة", "الدوري", "الكأس",
]


def synthetic_corpus(n: int, seed: int = 7, words: int = 220) -> list[tuple[str, str]]:
    """`n` articles of `words` random words, every fifth a light edit of an earlier one
    (a new first word, the last ten words cut): copies to find, at a realistic size."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for i in range(n):
        if i % 5 == 4 and out:
            _, base = out[rng.randrange(len(out))]
            text = rng.choice(WORDS) + " " + " ".join(base.split()[:-10])
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(words))
        out.append((f"doc-{i}", text))
    return out
