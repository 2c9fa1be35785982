"""Measure how much of each source text appears in the built site.

For every seed text: remove HTML tags and printed option lists (<選択肢> 1) … 2) …), apply
NFKC, keep only Unicode letters and digits, and report the share of its character 10-grams
that occur anywhere in the text of the built site (all pages, same normalisation).

Usage: python tools/fidelity.py SITE_DIR SEED.txt [SEED.txt ...] [--min 96] [--missing N]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

N = 10

# Only ASCII-named tags are markup; <選択肢> or <情報照会の根拠> are the documents' own words.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_OPTION_MARK = re.compile(r"<選択肢>")
# "1) 実施する" after NFKC; an option's text runs to the next whitespace, bracket or "N)" (wrapped
# lists print "2) 十分に周知している1) 特に力を入れて周知している" without a space).
_OPTION = re.compile(r"(?<![0-9A-Za-z(])[0-9]{1,2}\)[ \t]*(?:(?![0-9]{1,2}\))[^\s\[\]<>])+")


@dataclass
class Fidelity:
    """Result for one seed: n-grams found, n-grams total, and examples of missing text."""

    name: str
    found: int
    total: int
    missing: list[str]

    @property
    def percent(self) -> float:
        """Return the share found, in percent."""
        return 100.0 * self.found / self.total if self.total else 0.0


def _keep_letters_digits(text: str) -> str:
    """Keep only characters of Unicode categories L and N."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def normalise_seed(raw: str) -> str:
    """Turn a seed text into the letters-and-digits string the measure compares."""
    text = _TAG.sub(" ", raw)
    text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text)
    text = _remove_option_lists(text)
    return _keep_letters_digits(text)


def _remove_option_lists(text: str) -> str:
    """Drop <選択肢> markers and the numbered option entries printed with them."""
    if not _OPTION_MARK.search(text):
        return text
    text = _OPTION_MARK.sub(" ", text)
    return _OPTION.sub(" ", text)


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML page, skipping script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    """Return the normalised letters-and-digits text of one built page."""
    parser = _TextExtractor()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return _keep_letters_digits(unicodedata.normalize("NFKC", " ".join(parser.parts)))


def site_ngrams(site: Path) -> set[str]:
    """Return every character 10-gram of every HTML page under `site`."""
    grams: set[str] = set()
    for page in sorted(site.rglob("*.html")):
        text = page_text(page)
        grams.update(text[i : i + N] for i in range(len(text) - N + 1))
    return grams


def measure(name: str, seed_text: str, grams: set[str], keep_missing: int = 0) -> Fidelity:
    """Measure one seed against the site's n-grams."""
    text = normalise_seed(seed_text)
    total = max(len(text) - N + 1, 0)
    found = 0
    missing: list[str] = []
    run_start = None
    for i in range(total):
        if text[i : i + N] in grams:
            found += 1
            if run_start is not None:
                missing.append(text[run_start : i + N - 1])
                run_start = None
        elif run_start is None:
            run_start = i
    if run_start is not None:
        missing.append(text[run_start:])
    missing.sort(key=len, reverse=True)
    return Fidelity(name, found, total, missing[:keep_missing])


def measure_all(site: Path, seeds: Iterable[Path], keep_missing: int = 0) -> list[Fidelity]:
    """Measure every seed against one built site."""
    grams = site_ngrams(site)
    return [
        measure(seed.name, seed.read_text(encoding="utf-8"), grams, keep_missing)
        for seed in seeds
    ]


def main(argv: list[str] | None = None) -> int:
    """Print one line per seed; exit 1 when any seed is below --min."""
    parser = argparse.ArgumentParser(description="原文の文字10-gramが生成サイトに含まれる割合を測る")
    parser.add_argument("site", type=Path)
    parser.add_argument("seeds", type=Path, nargs="+")
    parser.add_argument("--min", type=float, default=96.0, dest="minimum")
    parser.add_argument("--missing", type=int, default=0, help="show the N longest missing runs")
    args = parser.parse_args(argv)
    results = measure_all(args.site, args.seeds, args.missing)
    failed = False
    for r in results:
        mark = "OK " if r.percent >= args.minimum else "NG "
        failed |= r.percent < args.minimum
        print(f"{mark}{r.name}: {r.percent:.2f}% ({r.found}/{r.total})")
        for run in r.missing:
            print(f"    missing ({len(run)}): {run[:200]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
