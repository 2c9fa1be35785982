"""The My Number guard: no text may hold a 12-digit number that passes the 個人番号 check digit.

A real number pasted by mistake must never reach the site. Digits may be written with spaces or
hyphens between them, or in full width. Since about one in eleven arbitrary 12-digit numbers passes
the check, an editor can allow a specific number that is not a My Number in the version file itself
(`allowed_numbers`, each with its reason, which validation prints).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .fold import fold

WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# twelve digits, each pair optionally separated by one space or hyphen (after NFKC: full width is ASCII)
_DIGIT = re.compile(r"[0-9]")
_CANDIDATE = re.compile(r"(?<![0-9])[0-9](?:[ \-‐‑–−]?[0-9]){11}(?![0-9])")


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
    # Per-character NFKC adds the same digits as NFKC of the whole string (digits never come from
    # composing), so a text with fewer than twelve digits after NFKC holds no candidate.
    if len(_DIGIT.findall(unicodedata.normalize("NFKC", text))) < 12:
        return []
    normalized, origin = _normalize(text)
    out = []
    for m in _CANDIDATE.finditer(normalized):
        digits = re.sub(r"[^0-9]", "", m.group())
        if is_my_number(digits):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            out.append(Found(digits, text[start:end], start))
    return out


def _normalize(text: str) -> tuple[str, list[int]]:
    """NFKC each character, remembering which original character every output character came from."""
    folded, origin = fold(text)
    return folded, list(range(len(text))) if origin is None else origin


def strings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (path, text) for every string in a data tree, keys included."""
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str):
                yield path + (k,), k
            yield from strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, path + (i,))
    elif isinstance(data, str):
        yield path, data
    elif isinstance(data, int) and not isinstance(data, bool):
        yield path, str(data)


def locate(raw: str, written: str, near_line: int) -> tuple[int, int]:
    """Return the 1-based line and column of `written` in the file's text, nearest after `near_line`."""
    lines = raw.splitlines()
    order = list(range(max(near_line - 1, 0), len(lines))) + list(range(0, max(near_line - 1, 0)))
    for i in order:
        col = lines[i].find(written)
        if col >= 0:
            return i + 1, col + 1
    return near_line, 1
