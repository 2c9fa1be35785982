"""Fidelity of the published content to its source texts, and item counts taken from reading them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from fidelity import measure, normalise_seed, site_ngrams  # noqa: E402

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
THRESHOLD = 96.0

SEED_FILES = {
    "000_bdf0587c4fd2d15e.txt": "miyagi-pref/07-juki-net",
    "001_8198ed8bac5210ca.txt": "kochi-city/01-juminhyo",
    "002_1a98b85e452b08dd.txt": "yamaguchi-pref/01-juki-net",
    "003_07b836e33f284081.txt": "kitami-city/01-juki",
    "004_f6c7e0d12f012419.txt": "morioka-city/01-juki",
}


@pytest.fixture(scope="module")
def grams(built_site):
    return site_ngrams(built_site)


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_site_contains_at_least_96_percent_of_each_source_text(grams, seed):
    result = measure(seed, (SEEDS / seed).read_text(encoding="utf-8"), grams, keep_missing=5)
    assert result.percent >= THRESHOLD, (result.percent, result.missing)


def test_measure_removes_markup_and_option_lists_but_keeps_bracketed_words():
    raw = "<p>①実施の有無</p>\t[ 実施する ]\t&lt;選択肢&gt; 1) 実施する 2) 実施しない 3) 未定 <情報照会の根拠> なし"
    assert normalise_seed(raw) == "1実施の有無実施する情報照会の根拠なし"


def test_measure_reports_text_absent_from_the_site():
    grams = {"あいうえおかきくけこ"}
    result = measure("x", "あいうえおかきくけこさしすせそ", grams, keep_missing=1)
    assert result.found == 1 and result.total == 6
    assert result.missing == ["いうえおかきくけこさしすせそ"]
