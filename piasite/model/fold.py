"""NFKC applied character by character, with the position each output character came from.

The guard for My Numbers and the law-citation parser match patterns on folded text (full-width
digits and brackets as ASCII) but report positions in the text as written, so each character is
folded on its own. Most characters fold to themselves or to one character; only then is the
mapping of positions the identity, and the work is one str.translate.
"""

from __future__ import annotations

import unicodedata

_FOLDED: dict[int, str] = {}  # code point → its NFKC, for every character seen so far
_SEEN: set[str] = set()  # the characters in _FOLDED
_UNEVEN: set[str] = set()  # those whose NFKC is not exactly one character


def fold(text: str) -> tuple[str, list[int] | None]:
    """Return NFKC of each character of `text`, joined, and the origin of each output character.

    The origin list is None when every character folded to exactly one (output i is input i).
    """
    table = _FOLDED
    chars = set(text)
    for ch in chars - _SEEN:
        table[ord(ch)] = folded_ch = unicodedata.normalize("NFKC", ch)
        _SEEN.add(ch)
        if len(folded_ch) != 1:
            _UNEVEN.add(ch)
    folded = text.translate(table)
    if _UNEVEN.isdisjoint(chars):
        return folded, None
    origin: list[int] = []
    for i, ch in enumerate(text):
        origin.extend([i] * len(table[ord(ch)]))
    return folded, origin
