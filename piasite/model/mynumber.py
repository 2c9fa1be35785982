"""The My Number guard: no text may hold a 12-digit number that passes the 個人番号 check digit.

A real number pasted by mistake must never reach the site. Digits may be written with spaces or
hyphens between them, or in full width. Since about one in eleven arbitrary 12-digit numbers passes
the check, an editor can allow a specific number that is not a My Number in the version file itself
(`allowed_numbers`, each with its reason, which validation prints).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .fold import fold

WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DIGIT = re.compile(r"[0-9]")
# What may stand between two digits (after NFKC, so full-width digits, hyphens and spaces are ASCII):
# a hyphen or dash (or the long-vowel mark typed for one) with optional spaces around it, or up to
# three spaces, tabs or line breaks (a number wrapped over two lines of a block).
_SEPARATOR = r"(?:[ \t]*[\-‐‑‒–—―−ー][ \t]*|[ \t\r\n]{1,3})?"
_CANDIDATE = re.compile(rf"(?<![0-9])[0-9](?:{_SEPARATOR}[0-9]){{11}}(?![0-9])")


def check_digit(first11: str) -> int:
    """Return the check digit of a 個人番号 for its first 11 digits."""
    r = sum(int(d) * w for d, w in zip(first11, WEIGHTS, strict=True)) % 11
    return 0 if r <= 1 else 11 - r


def is_my_number(digits: str) -> bool:
    """Whether 12 digits pass the 個人番号 check digit."""
    return len(digits) == 12 and digits.isdigit() and check_digit(digits[:11]) == int(digits[11])


@dataclass(frozen=True)
class Found:
    """A number that looks like a My Number: its digits, its text as written, and where it starts."""

    digits: str
    written: str
    start: int


def find_numbers(text: str) -> list[Found]:
    """Return every 12-digit number in a text that passes the check digit, as written."""
    return list(_find_numbers(text))


@lru_cache(maxsize=1 << 16)
def _find_numbers(text: str) -> tuple[Found, ...]:
    # (cached: every version of an assessment repeats most of the texts of the one before it)
    # Per-character NFKC adds the same digits as NFKC of the whole string (digits never come from
    # composing), so a text with fewer than twelve digits after NFKC holds no candidate.
    if len(_DIGIT.findall(unicodedata.normalize("NFKC", text))) < 12:
        return ()
    normalized, origin = _normalize(text)
    out: list[Found] = []
    for m in _CANDIDATE.finditer(normalized):
        digits = re.sub(r"[^0-9]", "", m.group())
        if is_my_number(digits):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            out.append(Found(digits, text[start:end], start))
    return tuple(out)


def _normalize(text: str) -> tuple[str, list[int]]:
    """NFKC each character, remembering which original character every output character came from."""
    folded, origin = fold(text)
    return folded, list(range(len(text))) if origin is None else origin


def strings(data: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Return (path, text) for every string in a data tree, keys included, in document order."""
    out: list[tuple[tuple, str]] = []
    _strings(data, path, out)
    return out


def _strings(data: Any, path: tuple, out: list[tuple[tuple, str]]) -> None:
    # appending, not nested generators: each value would pass through one generator per level above it
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str):
                out.append((path + (k,), k))
            _strings(v, path + (k,), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _strings(v, path + (i,), out)
    elif isinstance(data, str):
        out.append((path, data))
    elif isinstance(data, int) and not isinstance(data, bool):
        out.append((path, str(data)))


def locate(raw: str, written: str, near_line: int, near_column: int = 1) -> tuple[int, int]:
    """Return the 1-based line and column of `written` in the file's text, nearest after `near_line`.

    Runs of white space match any white space, so a value wrapped over indented lines of a block
    scalar is still found. Text that is not in the file as written (an escape in a quoted value)
    is placed at (`near_line`, `near_column`), the value's own position.
    """
    pattern = re.compile(r"\s+".join(re.escape(piece) for piece in written.split()) or re.escape(written))
    lines = raw.split("\n")
    offset = sum(len(line) + 1 for line in lines[: max(near_line - 1, 0)])
    m = pattern.search(raw, min(offset, len(raw))) or pattern.search(raw)
    if m is None:
        return near_line, near_column
    line = raw.count("\n", 0, m.start()) + 1
    return line, m.start() - (raw.rfind("\n", 0, m.start()) + 1) + 1


def numbers_outside_values(raw: str, in_values: set[str]) -> list[tuple[int, int, Found]]:
    """Return (line, column, number) for numbers in the file's text but in none of its values: comments.

    A comment is never shown on the site, but the file itself is published in the repository.
    `in_values` holds the digits already found (or allowed) in the values, reported there.
    """
    out = []
    for n, line in enumerate(raw.split("\n"), 1):
        at = line.find("#")  # a comment starts with "#"; what comes before it is a value, checked as such
        if at < 0:
            continue
        for found in find_numbers(line[at:]):
            if found.digits not in in_values:
                out.append((n, at + found.start + 1, found))
    return out
