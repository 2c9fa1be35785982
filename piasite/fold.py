"""NFKC applied character by character, with the position each output character came from.

The guard for My Numbers and the law-citation parser match patterns on folded text (full-width
digits and brackets as ASCII) but report positions in the text as written, so each character is
folded on its own. Most characters fold to themselves or to one character; only then is the
mapping of positions the identity, and the work is one str.translate.
"""

from __future__ import annotations

import unicodedata

_FOLDED: dict[int, str] = {}  # code point → its NFKC, for every character seen so far


def fold(text: str) -> tuple[str, list[int] | None]:
    """Return NFKC of each character of `text`, joined, and the origin of each output character.

    The origin list is None when every character folded to exactly one (output i is input i).
    """
    table = _FOLDED
    for ch in set(text):
        code = ord(ch)
        if code not in table:
            table[code] = unicodedata.normalize("NFKC", ch)
    folded = text.translate(table)
    if len(folded) == len(text) and all(len(table[ord(ch)]) == 1 for ch in set(text)):
        return folded, None
    origin: list[int] = []
    for i, ch in enumerate(text):
        origin.extend([i] * len(table[ord(ch)]))
    return folded, origin
