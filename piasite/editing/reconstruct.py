#!/usr/bin/env python3
"""Reconstruct the version of an assessment in force before a 変更日, from its 変更箇所 (change log).

Each change-log row names an item (項目) and gives the text before (変更前の記載) and after (変更後の
記載) the change. Undoing the rows of one 変更日 gives the version in force after the previous 変更日;
it is written as a new version file named by that previous date, marked `reconstructed`.

Rules, because a reconstructed page is read as if it were the document:
- Never invent text. Every value written is the row's 変更前 text (or a part of it, put where the
  matching part of the 変更後 text stood), or the existing value with the row's 変更後 part removed.
- The 変更後 text is found in the data after normalisation (NFKC, no whitespace, dash and wave-dash
  variants unified). Where the data differs slightly from the log (the two were typed separately),
  the 変更後 text is located approximately (≥ 90 % similar) and only the changed parts are replaced,
  and only where the data agrees with the log around them.
- A row that cannot be applied exactly is left as it is and reported.

Usage: python build.py reconstruct content/<org>/<assessment>/<YYYY-MM-DD>.yaml [--date YYYY-MM-DD]
       [--dry-run] [--force] [--content DIR]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

from ..analysis.history import says_added, says_deleted
from ..build.pipeline import validate
from ..document.itemref import ItemResolver
from ..document.itemref import normalize as _nfkc
from ..document.sections import document_sections
from ..document.tree import get_path
from ..model.content import load_site
from ..model.errors import ContentErrors
from ..model.schema import Schemas, parse_item_path
from ..model.text import wareki
from .yamlout import to_yaml

IDENT_KEYS = ("name", "title", "heading")
CHECK_MARKS = "○〇◯●"
# the log and the data were typed separately: unify characters that differ only in form
_VARIANTS = str.maketrans({"—": "-", "―": "-", "‐": "-", "−": "-", "–": "-", "〜": "~", "～": "~"})
_NUMBERING = re.compile(r"^\s*(?:\(\s*\d{1,2}\s*\)|\d{1,2}\s*\.(?!\d))\s*")
_INSTRUCTION_HEAD = re.compile(r"^以下(?:の項番)?を(?:追記|追加)(?:する)?[。:]?\s*\n")
_INSTRUCTION = re.compile(r"(?:を(?:追加|追記|削除)|の(?:追加|削除))$")  # 「「※」…を追加」, 「項番21の削除…の追加」
_BRACKET_LINE = re.compile(r"^\[([^\]]*)\]\s*(.*)$")
_WAREKI = re.compile(r"^(令和|平成|昭和)(元|\d{1,2})年(\d{1,2})月(\d{1,2})日(?:\([月火水木金土日]\))?$")
_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926}
MIN_APPROX = 20  # shorter texts must match exactly
SIMILAR = 0.9
SHORT = 8  # texts shorter than this (normalised) must equal a whole value, never a part of one
HEADER = "# yaml-language-server: $schema=../../../schema/assessment.schema.json"


class _Failed(Exception):
    """A row cannot be applied exactly; the message (Japanese) says why."""


# --- text normalisation ---------------------------------------------------------------------------


@cache
def _normalize(text: str) -> tuple[str, tuple[int, ...]]:
    """Normalise for comparison; return the text and, for each of its characters, the index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in _nfkc(ch).translate(_VARIANTS):
            if not c.isspace():
                out.append(c)
                index.append(i)
    return "".join(out), tuple(index)


def _n(text: str | None) -> str:
    return _normalize(text or "")[0]


def _strip_numbering(line: str) -> str:
    return _NUMBERING.sub("", line)


def _to_iso(text: str) -> str | None:
    """Read a Japanese-era date (令和5年5月24日, weekday allowed) as ISO, or None."""
    m = _WAREKI.match(_n(text))
    if not m:
        return None
    year = _ERA_START[m.group(1)] + (1 if m.group(2) == "元" else int(m.group(2))) - 1
    try:
        return dt.date(year, int(m.group(3)), int(m.group(4))).isoformat()
    except ValueError:
        return None


@dataclass
class Cell:
    """A 変更前/変更後 cell split into chosen options ([十分である]), checked boxes ([○]専用線) and text."""

    choices: list[str] = field(default_factory=list)
    checks: list[tuple[str, str | None]] = field(default_factory=list)
    text: str = ""
    instruction: bool = False  # the text says what was done (「…を追加」), it is not the text itself

    @property
    def empty(self) -> bool:
        return not (self.choices or self.checks or self.text)


def parse_cell(text: str | None) -> Cell:
    """Split a change-log cell into choices, checks and free text."""
    cell = Cell()
    text = (text or "").strip()
    if says_added(text) or says_deleted(text):
        return cell
    head = _INSTRUCTION_HEAD.match(_nfkc(text))
    if head:  # 「以下を追記\n…」: the text that follows is the addition
        text = text[len(text.split("\n", 1)[0]) + 1:]
    lines: list[str] = []
    for line in text.split("\n"):
        m = _BRACKET_LINE.match(_nfkc(line).strip().replace("［", "[").replace("］", "]"))
        if not m:
            lines.append(line)
            continue
        mark, rest = m.group(1).strip(), m.group(2).strip()
        if mark and mark in CHECK_MARKS:
            other = re.fullmatch(r"その他\s*\((.*)\)", rest)
            cell.checks.append(("その他", other.group(1).strip()) if other else (rest, None))
        elif mark:
            cell.choices.append(mark)
            if rest:
                lines.append(rest)
        # an empty box 「[ ]」 marks an option not chosen: nothing to record
    cell.text = "\n".join(lines).strip()
    cell.instruction = bool(cell.text) and bool(_INSTRUCTION.search(_n(cell.text))) and len(_n(cell.text)) < 120
    return cell


def is_added(before: str | None) -> bool:
    """Return whether a 変更前 cell says the item was added (「追加」, 「(追加)」 or empty)."""
    return not (before or "").strip() or says_added(before)


# --- the string values under a path, read as one text ------------------------------------------


@dataclass
class _Leaf:
    path: tuple
    text: str
    norm: str
    index: tuple[int, ...]
    start: int  # offset of `norm` in the scope's text


class _Scope:
    """The string values under a data path in document order, concatenated after normalisation."""

    def __init__(self, data: Any, path: tuple):
        self.path = path
        self.leaves: list[_Leaf] = []
        parts: list[str] = []
        pos = 0
        for p, text in _string_leaves(get_path(data, path), path):
            norm, index = _normalize(text)
            self.leaves.append(_Leaf(p, text, norm, index, pos))
            parts.append(norm)
            pos += len(norm)
        self.text = "".join(parts)

    def leaf_at(self, pos: int) -> _Leaf:
        for leaf in self.leaves:
            if leaf.start <= pos < leaf.start + len(leaf.norm):
                return leaf
        raise _Failed("内部エラー: 位置に対応する値がありません")

    def orig(self, pos: int) -> tuple[_Leaf, int]:
        """Return the leaf and the index in its original text of the normalised character at `pos`."""
        leaf = self.leaf_at(pos)
        return leaf, leaf.index[pos - leaf.start]


def _string_leaves(value: Any, path: tuple):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key != "selected":  # checked boxes are options, not text
                yield from _string_leaves(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _string_leaves(sub, path + (i,))


def _scopes(path: tuple) -> list[tuple]:
    """The resolved path, then its ancestors up to its part of the form (never the whole document)."""
    floor = 3 if path[:1] == ("files",) else 1
    return [path[:k] for k in range(len(path), min(floor, len(path)) - 1, -1)]


def _locate(needle: str, hay: str, approximate: bool) -> list[tuple[int, int]]:
    """Return the spans of `hay` holding `needle`: exact occurrences, or approximate ones (≥ 90 % similar)."""
    if not approximate:
        spans, start = [], hay.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = hay.find(needle, start + 1)
        return spans
    if len(needle) < MIN_APPROX:
        return []
    h, length = 8, len(needle)
    starts = _anchors(hay, [(o, needle[o:o + h]) for o in range(0, min(length // 4, 60))], left=True)
    ends = _anchors(hay, [(o, needle[length - o - h:length - o]) for o in range(0, min(length // 4, 60))], left=False)
    found: set[tuple[int, int]] = set()
    for s in starts:
        for e in ends:
            if not 0.8 * length <= e - s <= 1.2 * length:
                continue
            ratio = SequenceMatcher(None, needle, hay[s:e], autojunk=False).ratio()
            if ratio >= SIMILAR:
                found.add(_trim(needle, hay, s, e))
    return sorted(found)


def _anchors(hay: str, anchors: list[tuple[int, str]], left: bool) -> list[int]:
    """Estimate where the needle starts (or ends) from the first of its anchors found in `hay`."""
    for offset, anchor in anchors:
        hits, pos = [], hay.find(anchor)
        while pos >= 0:
            hits.append(pos - offset if left else pos + len(anchor) + offset)
            pos = hay.find(anchor, pos + 1)
        if hits:
            return [max(0, min(len(hay), x)) for x in hits[:5]]
    return []


def _trim(needle: str, hay: str, s: int, e: int) -> tuple[int, int]:
    """Move an approximate span's ends to where the needle's first and last matching characters are."""
    blocks = [b for b in SequenceMatcher(None, needle, hay[s:e], autojunk=False).get_matching_blocks() if b.size]
    first, last = blocks[0], blocks[-1]
    start = s + first.b - (first.a if first.a <= first.b else 0)
    end = s + last.b + last.size + (len(needle) - last.a - last.size)
    return max(0, start), min(len(hay), max(end, start + 1))


def _find(data: dict, path: tuple, needle: str) -> tuple[_Scope, tuple[int, int], bool] | None:
    """Find one occurrence of a normalised text under `path`, widening to ancestors; exact before approximate.

    Return the scope, the span and whether the match is exact; None when nowhere; raise when ambiguous.
    """
    for approximate in (False, True):
        for scope_path in _scopes(path):
            scope = _Scope(data, scope_path)
            spans = _locate(needle, scope.text, approximate)
            if len(needle) < SHORT:
                spans = [(s, e) for s, e in spans if _whole_leaf(scope, s, e)]
            if len(spans) > 1:
                raise _Failed(f"変更後の記載がデータの {len(spans)} か所にあり、どれか特定できません")
            if spans:
                return scope, spans[0], not approximate
    return None


def _whole_leaf(scope: _Scope, s: int, e: int) -> bool:
    leaf = scope.leaf_at(s)
    return leaf.start == s and leaf.start + len(leaf.norm) == e


# --- edits ----------------------------------------------------------------------------------------


@dataclass
class _Edit:
    path: tuple
    start: int  # in the leaf's original text
    end: int
    text: str = ""  # replacement; "" removes the range and the white space around it


def _cut(text: str, start: int, end: int) -> str:
    """Remove text[start:end] with the white space that separated it from its neighbours."""
    left, right = text[:start], text[end:]
    if not left.strip():
        return right.lstrip()
    if not right.strip():
        return left.rstrip()
    gap_left = left[len(left.rstrip()):]
    gap_right = right[: len(right) - len(right.lstrip())]
    return left.rstrip() + (gap_left or gap_right) + right.lstrip()


def _apply_edits(data: dict, edits: list[_Edit]) -> None:
    """Apply edits from the end of each value backwards; a value left empty is removed."""
    for edit in sorted(edits, key=lambda e: (repr(e.path), e.start), reverse=True):
        text = get_path(data, edit.path)
        if edit.text:
            text = text[: edit.start] + edit.text + text[edit.end:]
        else:
            text = _cut(text, edit.start, edit.end)
        _set(data, edit.path, text if text.strip() else None)


def _set(data: dict, path: tuple, value: Any) -> None:
    """Set a value; None removes it (a key from its mapping, an element from its list)."""
    parent = get_path(data, path[:-1])
    if value is None:
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent.pop(path[-1])
    else:
        parent[path[-1]] = value


def _removal(scope: _Scope, s: int, e: int) -> list[_Edit]:
    """Edits that remove the normalised span [s, e) of a scope, across values if need be."""
    edits = []
    for leaf in scope.leaves:
        lo, hi = max(s, leaf.start), min(e, leaf.start + len(leaf.norm))
        if lo >= hi:
            continue
        edits.append(_Edit(leaf.path, leaf.index[lo - leaf.start], leaf.index[hi - 1 - leaf.start] + 1))
    return edits


def _hunks(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Return the changed ranges (a1, a2, b1, b2) turning `a` into `b`, joining ranges only 1–2 characters apart."""
    out: list[list[int]] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if out and a1 - out[-1][1] <= 2 and b1 - out[-1][3] <= 2:
            out[-1][1], out[-1][3] = a2, b2
        else:
            out.append([a1, a2, b1, b2])
    return [tuple(h) for h in out]  # type: ignore[misc]


def _replacement(scope: _Scope, s: int, e: int, after: str, before: str) -> list[_Edit]:
    """Edits that turn the span holding the 変更後 text back into the 変更前 text, change by change.

    Only the parts that differ between the two texts are replaced, and only where the data agrees
    with the 変更後 text at both ends of the part; the rest of the data stays as it is.
    """
    a_n, b_n = _n(after), _n(before)
    b_orig = before
    b_idx = _normalize(before)[1]
    span = scope.text[s:e]
    if span == a_n:
        amap = {i: i for i in range(len(a_n))}
    else:
        amap = {}
        for tag, a1, a2, s1, _s2 in SequenceMatcher(None, a_n, span, autojunk=False).get_opcodes():
            if tag == "equal":
                amap.update({a1 + k: s1 + k for k in range(a2 - a1)})
    edits = []
    for a1, a2, b1, b2 in _hunks(a_n, b_n):
        if _already_before(amap, span, a1, a2, len(a_n), b_n[b1:b2]):
            continue  # the data already has the 変更前 text in this place
        if a2 > a1:
            if a1 not in amap or a2 - 1 not in amap:
                raise _Failed("変更のあった部分の前後がデータと変更後の記載とで一致しません")
            leaf, o1 = scope.orig(s + amap[a1])
            leaf2, o2 = scope.orig(s + amap[a2 - 1])
            if leaf2 is not leaf:
                raise _Failed("変更のあった部分がデータの複数の項目にまたがっています")
            text = b_orig[b_idx[b1]: b_idx[b2 - 1] + 1] if b2 > b1 else ""
            edits.append(_Edit(leaf.path, o1, o2 + 1, text))
        else:  # the 変更前 text had something here that the 変更後 text dropped: put it back
            if a1 > 0:
                if a1 - 1 not in amap:
                    raise _Failed("変更のあった部分の前がデータと変更後の記載とで一致しません")
                leaf, o = scope.orig(s + amap[a1 - 1])
                o += 1
                start = b_idx[b1 - 1] + 1 if b1 > 0 else b_idx[b1]
                text = b_orig[start: b_idx[b2 - 1] + 1]
            else:
                if 0 not in amap:
                    raise _Failed("変更のあった部分の後がデータと変更後の記載とで一致しません")
                leaf, o = scope.orig(s + amap[0])
                end = b_idx[b2] if b2 < len(b_idx) else len(b_orig)
                text = b_orig[b_idx[b1]:end]
            edits.append(_Edit(leaf.path, o, o, text))
    return edits


def _already_before(amap: dict[int, int], span: str, a1: int, a2: int, a_len: int, before: str) -> bool:
    """Return whether the data, between the characters that frame a changed part, holds the 変更前 part."""
    if (a1 > 0 and a1 - 1 not in amap) or (a2 < a_len and a2 not in amap):
        return False
    left = amap[a1 - 1] + 1 if a1 > 0 else 0
    right = amap[a2] if a2 < a_len else len(span)
    return span[left:right] == before


def _whole_replacement(scope: _Scope, s: int, e: int, before: str) -> list[_Edit]:
    """Edit that replaces the whole span with the 変更前 text (the texts have little in common)."""
    leaf, o1 = scope.orig(s)
    leaf2, o2 = scope.orig(e - 1)
    if leaf2 is not leaf:
        raise _Failed("変更後の記載がデータの複数の項目にまたがっていて、変更前の記載に置き換えられません")
    return [_Edit(leaf.path, o1, o2 + 1, before.strip())]


# --- one row --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one change-log row: applied, unchanged (data already as before) or failed."""

    index: int
    item: str
    status: str
    detail: str
    path: tuple | None = None


def undo_row(data: dict, path: tuple, before: str | None, after: str | None) -> tuple[str, str]:
    """Undo one change-log row at `path` in place; return (status, Japanese detail).

    On failure `data` is left unchanged and the status is 'failed'.
    """
    work = copy.deepcopy(data)
    try:
        status, detail = _undo(work, path, before, after)
    except _Failed as exc:
        return "failed", str(exc)
    data.clear()
    data.update(work)
    return status, detail


def _undo(data: dict, path: tuple, before: str | None, after: str | None) -> tuple[str, str]:
    if not path:
        raise _Failed("項目が評価書全体を指していて、どの記載か特定できません")
    added = is_added(before)
    b, a = parse_cell(None if added else before), parse_cell(after)
    if a.instruction:
        raise _Failed("変更後の記載が記載そのものではなく、変更の説明(「…を追加」など)です")
    if b.instruction:
        raise _Failed("変更前の記載が記載そのものではなく、変更の説明です")
    if a.empty and (says_deleted(after) or not (after or "").strip()):
        return _undo_deletion(data, path, b)
    if not added and b.text and _n(b.text) != _n(a.text) and [_n(_strip_numbering(x)) for x in b.text.split("\n")] == [
        _n(_strip_numbering(x)) for x in a.text.split("\n")
    ] and b.choices == a.choices and b.checks == a.checks:
        return "unchanged", "番号((1) など)を付けただけの変更で、データは番号を含まないため変更不要"
    value = get_path(data, path)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and not (a.choices or a.checks):
        return _undo_list(data, path, value, b, a)
    done: list[str] = []
    for i, choice in enumerate(a.choices):
        old = b.choices[i] if i < len(b.choices) else None
        if old == choice:
            continue
        if old is None and not added:
            raise _Failed(f"選択肢「{choice}」の変更前の値が変更前の記載にありません")
        _replace_whole_value(data, path, lambda v, c=choice: _n(v) == _n(c), old)
        done.append(f"選択肢「{choice}」→「{old}」" if old else f"選択肢「{choice}」を削除")
    for label, other in a.checks:
        if (label, other) not in b.checks:
            _uncheck(data, path, label, other)
            done.append(f"チェック「{label if other is None else f'{label}({other})'}」を外した")
    for label, other in b.checks:
        if (label, other) not in a.checks:
            raise _Failed(f"変更前にあったチェック「{label}」を付け直す位置を特定できません")
    if a.text:
        done.append(_undo_text(data, path, b.text, a.text, added))
    elif b.text:
        raise _Failed("変更前の記載の本文を戻す位置を特定できません(変更後の記載に本文がありません)")
    done = [d for d in done if d]
    if not done:
        return "unchanged", "データはすでに変更前の記載です"
    return "applied", "、".join(done)


def _undo_text(data: dict, path: tuple, before: str, after: str, added: bool) -> str:
    iso = _to_iso(after)
    if iso:  # dates are kept as ISO dates in the data
        old = (_to_iso(before) or before.strip()) if before else None
        try:
            _replace_whole_value(data, path, lambda v: v == iso or _n(v) == _n(after), old)
        except _Failed:
            if before and _find(data, path, _n(before)):
                return ""
            raise
        return f"日付 {iso} → {old}"
    a_n = _n(after)
    found = _find(data, path, a_n)
    if found is None:
        if before and _n(before) and _find(data, path, _n(before)):
            return ""  # the data already holds the 変更前 text
        raise _Failed("変更後の記載がデータに見つかりません")
    scope, (s, e), exact = found
    how = "完全一致" if exact else "近似一致"
    b_n = _n(before)
    if not added and b_n and (scope.text[max(0, s - len(b_n)):s] == b_n or scope.text[e:e + len(b_n)] == b_n):
        # the data keeps the 変更前 text next to the 変更後 text: the change added the latter
        _apply_edits(data, _removal(scope, s, e))
        return f"変更後の記載を削除(変更前の記載はデータに残っていた、{how})"
    if added or not b_n:
        _apply_edits(data, _removal(scope, s, e))
        return f"追加された記載を削除({how})"
    if SequenceMatcher(None, a_n, b_n, autojunk=False).ratio() >= 0.6:
        try:
            edits = _replacement(scope, s, e, after, before)
        except _Failed:
            if not exact and any(leaf.norm == b_n for leaf in scope.leaves):
                return ""  # a value of the item is exactly the 変更前 text: only the log's copy differs
            raise
        mode = "差分を置換"
        if not edits:
            return ""
    else:
        edits = _whole_replacement(scope, s, e, before)
        mode = "全体を置換"
    _apply_edits(data, edits)
    if exact and len({ed.path for ed in edits}) == 1:
        result = get_path(data, edits[0].path)
        if b_n not in _n(result):  # a safety net: an exact match must give back the 変更前 text exactly
            raise _Failed("置換後の値が変更前の記載と一致しません(内部の確認に失敗)")
    return f"{mode}({how})"


def _undo_deletion(data: dict, path: tuple, b: Cell) -> tuple[str, str]:
    """Undo a row whose 変更後 is 「削除」 or empty: put the 変更前 text back into the (empty) item."""
    if b.text and _find(data, path, _n(b.text)):
        return "unchanged", "変更後の記載が空(削除)で、データには変更前の記載が残っているため変更不要"
    value = get_path(data, path)
    if b.text and not b.choices and not b.checks and value in (None, "") and not isinstance(path[-1], int):
        if isinstance(get_path(data, path[:-1]), dict):
            _set(data, path, b.text)
            return "applied", "削除された記載を戻した"
    raise _Failed("変更後の記載が空(削除)で、変更前の記載を戻す位置を特定できません")


def _undo_list(data: dict, path: tuple, value: list[str], b: Cell, a: Cell) -> tuple[str, str]:
    """Undo a row on a list of names (3. 特定個人情報ファイル名): one line of the cell per name."""
    lines_a = [_strip_numbering(x).strip() for x in a.text.split("\n") if x.strip()]
    if [_n(x) for x in lines_a] != [_n(v) for v in value]:
        raise _Failed("変更後の記載の各行がデータの一覧と一致しません")
    lines_b = [_strip_numbering(x).strip() for x in b.text.split("\n") if x.strip()]
    _set(data, path, lines_b or None)
    return "applied", "一覧を変更前の記載に戻した"


def _replace_whole_value(data: dict, path: tuple, match, value: str | None) -> None:
    """Replace the one value under `path` (widening to ancestors) for which `match` holds."""
    for scope_path in _scopes(path):
        hits = [p for p, v in _string_leaves(get_path(data, scope_path), scope_path) if match(v)]
        if len(hits) > 1:
            raise _Failed(f"該当する値がデータの {len(hits)} か所にあり、どれか特定できません")
        if hits:
            _set(data, hits[0], value)
            return
    raise _Failed("変更後の値がデータに見つかりません")


def _uncheck(data: dict, path: tuple, label: str, other: str | None) -> None:
    """Remove a checked box (and its その他 text) from the one check group under `path` that has it."""
    for scope_path in _scopes(path):
        groups = [p for p in _check_groups(get_path(data, scope_path), scope_path)
                  if _n(label) in {_n(x) for x in get_path(data, p)["selected"]}
                  and (other is None or _n(get_path(data, p).get("other")) == _n(other))]
        if len(groups) > 1:
            raise _Failed(f"チェック「{label}」のある欄がデータの {len(groups)} か所にあり、どれか特定できません")
        if groups:
            group = get_path(data, groups[0])
            group["selected"] = [x for x in group["selected"] if _n(x) != _n(label)]
            if other is not None:
                group.pop("other", None)
            if not group["selected"]:
                group.pop("selected")
            return
    raise _Failed(f"チェック「{label}」がデータに見つかりません")


def _check_groups(value: Any, path: tuple):
    if isinstance(value, dict):
        if isinstance(value.get("selected"), list):
            yield path
        for key, sub in value.items():
            yield from _check_groups(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _check_groups(sub, path + (i,))


# --- whole entries added on the date ----------------------------------------------------------------


def _ident(entry: Any) -> str | None:
    if isinstance(entry, dict):
        for key in IDENT_KEYS:
            if isinstance(entry.get(key), str):
                return key
    return None


def _same_name(a: str, b: str) -> bool:
    return bool(_n(a)) and _n(_strip_numbering(a)) == _n(_strip_numbering(b))


def _inside(path: tuple | None, prefix: tuple) -> bool:
    return path is not None and path[: len(prefix)] == prefix


@dataclass
class _Row:
    index: int
    row: dict
    path: tuple | None
    label: str = ""


def _added_entries(data: dict, rows: list[_Row]) -> tuple[dict[tuple, int], dict[int, list[tuple]]]:
    """Find the list entries (a file, a system, a 委託事項…) that rows of the date show were added whole.

    An entry was added when an added row names it, its name or, for a list, one line per entry, with the
    entry's name as 変更後 text; and no row of the date changes something the entry already had. Return
    the entries (→ the row that showed it) and, per list row, the names to cut from entries that stay.
    """
    changed = [r.path for r in rows if not is_added(r.row.get("before"))]
    entries: dict[tuple, int] = {}
    cuts: dict[int, list[tuple]] = {}
    for r in rows:
        if not is_added(r.row.get("before")) or not r.path:
            continue
        text = parse_cell(r.row.get("after")).text
        value = get_path(data, r.path)
        if isinstance(r.path[-1], int) and _ident(value):
            candidates = [(r.path, text)]
        elif r.path[-1] in IDENT_KEYS and len(r.path) > 1 and isinstance(r.path[-2], int):
            candidates = [(r.path[:-1], text)]
        elif isinstance(value, list) and value and all(_ident(v) for v in value):
            lines = [x for x in text.split("\n") if x.strip()]
            matched = [next((r.path + (i,) for i, v in enumerate(value) if _same_name(v[_ident(v)], x)), None)
                       for x in lines]
            if None in matched:
                continue
            candidates = [(p, x) for p, x in zip(matched, lines, strict=True)]
        else:
            continue
        for entry, name in candidates:
            value = get_path(data, entry)
            if not _same_name(value[_ident(value)], name):
                continue
            if any(_inside(p, entry) for p in changed):
                cuts.setdefault(r.index, []).append(entry + (_ident(value),))
            else:
                entries.setdefault(entry, r.index)
    outer = {e: i for e, i in entries.items() if not any(o != e and _inside(e, o) for o in entries)}
    return outer, cuts


def _shift(path: tuple, removed: list[tuple]) -> tuple:
    """Adjust list indexes in a path for entries removed before them."""
    out = list(path)
    for entry in removed:
        k = len(entry) - 1
        if len(out) > k and tuple(out[:k]) == entry[:k] and isinstance(out[k], int) and out[k] > entry[k]:
            out[k] -= 1
    return tuple(out)


def undo_rows(data: dict, rows: list[_Row]) -> tuple[list[Outcome], list[tuple]]:
    """Undo the rows of one date in place: whole added entries first, then row by row in the log's order.

    Return the outcomes and the paths (in the original data) of the entries removed.
    """
    entries, cuts = _added_entries(data, rows)
    outcomes: dict[int, Outcome] = {}
    by_index = {r.index: r for r in rows}
    for r_index, paths in cuts.items():
        for p in paths:
            _set(data, p, None)
        r = by_index[r_index]
        outcomes[r_index] = Outcome(r.index, r.row.get("item") or "", "applied", "追加された見出しを削除", r.path)
    removed = sorted(entries, key=lambda p: (p[:-1], p[-1]), reverse=True)
    titles = {}
    for entry in removed:
        value = get_path(data, entry)
        titles[entry] = _n(value.get(_ident(value)))[:40]
        parent = get_path(data, entry[:-1])
        parent.pop(entry[-1])
        # the form numbers entries 1…n: keep the numbering of the entries after the one removed
        for i, item in enumerate(parent[entry[-1]:], start=entry[-1]):
            if isinstance(item, dict) and item.get("number") == i + 2:
                item["number"] = i + 1
    for r in rows:
        if r.index in outcomes:
            continue
        entry = next((e for e in entries if _inside(r.path, e)), None)
        if entry is not None:
            outcomes[r.index] = Outcome(r.index, r.row.get("item") or "", "applied",
                                        f"追加された「{titles[entry]}」ごと削除", r.path)
            continue
        if r.path is None:
            outcomes[r.index] = Outcome(r.index, r.row.get("item") or "", "failed",
                                        "項目が評価書のどの項目か特定できません", None)
            continue
        status, detail = undo_row(data, _shift(r.path, removed), r.row.get("before"), r.row.get("after"))
        outcomes[r.index] = Outcome(r.index, r.row.get("item") or "", status, detail, r.path)
    return [outcomes[r.index] for r in rows], removed


# --- a whole version ------------------------------------------------------------------------------


@dataclass
class Result:
    """A reconstructed version: its data, date, where it goes, and what happened to each row."""

    data: dict
    date: str
    undone: str
    source: Path
    target: Path
    outcomes: list[Outcome]
    warnings: list[str]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def reconstruct(site, org, version, date: str | None = None, source: Path | None = None) -> Result:
    """Undo the rows of `date` (default: the newest 変更日) of a version's change log."""
    data = copy.deepcopy(version.data)
    log = data.get("change_log") or []
    dates = sorted({str(r.get("date")) for r in log})
    date = date or (dates[-1] if dates else None)
    if date not in dates:
        raise SystemExit(f"エラー: 変更箇所に変更日 {date} の行がありません。")
    remaining = [r for r in log if str(r.get("date")) < date]
    if not remaining:
        raise SystemExit(f"エラー: 変更日 {date} より前の変更箇所の行がないため、版の日付を決められません。")
    resolver = ItemResolver(document_sections(site, version, org.name))
    rows = []
    for i, row in enumerate(log):
        if str(row.get("date")) == date:
            res = resolver.resolve(row.get("item"))
            rows.append(_Row(i, row, res.path if res else None, res.label if res else ""))
    outcomes, removed = undo_rows(data, rows)
    warnings = _consistency(resolver, log, rows)
    new_date = max(str(r.get("date")) for r in remaining)
    kept = [i for i, r in enumerate(log) if str(r.get("date")) < date]
    data["change_log"] = remaining
    data["unavailable"] = _unavailable(data.get("unavailable") or [], removed, kept)
    result = Result(data, new_date, date, Path(source or version.source),
                    Path(source or version.source).with_name(f"{new_date}.yaml"), outcomes, warnings)
    _metadata(result, version)
    return result


def _consistency(resolver: ItemResolver, log: list[dict], rows: list[_Row]) -> list[str]:
    """Compare each undone row's 変更前 text with the 変更後 text of the last earlier row on the same item."""
    notes = []
    for r in rows:
        before = r.row.get("before")
        if is_added(before) or r.path is None:
            continue
        earlier = [
            (i, x) for i, x in enumerate(log)
            if str(x.get("date")) < str(r.row.get("date")) and not is_added(x.get("after"))
            and (res := resolver.resolve(x.get("item"))) is not None and res.path == r.path
        ]
        if not earlier:
            continue
        i, x = max(earlier, key=lambda t: (str(t[1].get("date")), t[0]))
        prev, now = parse_cell(x.get("after")), parse_cell(before)
        prev_n, now_n = _n(" ".join(prev.choices) + prev.text), _n(" ".join(now.choices) + now.text)
        # both may quote different parts of one long item: compare only texts about the same passage
        related = max(len(prev_n), len(now_n)) < 40 or SequenceMatcher(None, prev_n, now_n).ratio() >= 0.5
        if related and prev_n not in now_n and now_n not in prev_n:
            notes.append(
                f"行 {r.index + 1}: 変更前の記載が、同じ項目の前回の変更({x.get('date')}、行 {i + 1})の変更後の記載と"
                f"一致しません(前回の変更後「{_around(prev_n, now_n)}」、今回の変更前「{_around(now_n, prev_n)}」)"
            )
    return notes


def _around(text: str, other: str, size: int = 14) -> str:
    """Show `text` around the first place where it differs from `other`."""
    first = next((i for i, (a, b) in enumerate(zip(text, other, strict=False)) if a != b), min(len(text), len(other)))
    start = max(0, first - size)
    return ("…" if start else "") + text[start:first + size] + ("…" if first + size < len(text) else "")


def _short(text: str | None, size: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _format_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _unavailable(entries: list[dict], removed: list[tuple], kept: list[int]) -> list[dict]:
    """Keep the 'not available' notes that still apply, with paths adjusted to the reconstructed data."""
    new_index = {old: new for new, old in enumerate(kept)}
    out = []
    for entry in entries:
        path = parse_item_path(entry.get("item", ""))
        if any(_inside(path, e) for e in removed):
            continue
        if path[:1] == ("change_log",) and len(path) > 1:
            if path[1] not in new_index:
                continue
            path = ("change_log", new_index[path[1]]) + path[2:]
        out.append({**entry, "item": _format_path(_shift(path, removed))})
    return out


def _metadata(result: Result, version) -> None:
    """Mark the data as reconstructed, explain its date, and put the metadata keys in the schema's order."""
    undone, new = wareki(result.undone), wareki(result.date)
    failed = [o for o in result.outcomes if o.status == "failed"]
    note = (
        f"{undone}の変更箇所の行 {len(result.outcomes)} 件を元に戻しました(変更前の記載を当てはめた行 "
        f"{result.count('applied')} 件、データがすでに変更前の記載だった行 {result.count('unchanged')} 件、"
        f"当てはめられなかった行 {len(failed)} 件)。"
    )
    if failed:
        note += (
            "当てはめられなかった行の項目は、復元元の版の記載のままです: "
            + "、".join(f"{o.index + 1}行目({_short(o.item, 30)})" for o in failed)
            + "(行番号は復元元の版の変更箇所の行)。"
        )
    if version.data.get("reconstructed"):
        origin = version.data["reconstructed"].get("from_version")
        note += f"復元元の版自体も、{wareki(origin)}の版から復元した版です。" if origin else ""
    date_note = (
        f"この版は原本ではなく変更箇所から復元した版のため、公表日の記載はありません。ファイル名の日付は、"
        f"復元元の版の変更箇所のうち{undone}より前の最も新しい変更日({new})です。この版は、その日の変更の後、"
        f"{undone}の変更の前の内容を示します。"
    )
    data = result.data
    # what it was made from is the log, not the original: the source version's PDF or page is not this version's
    made_from = f"{wareki(version.iso)}の版の(別添)変更箇所の「変更前の記載」からの復元(原本ではありません)"
    meta = {
        "source": {"made_from": made_from},
        "reconstructed": {"from_version": version.iso, "note": note},
        "date_note": date_note,
    }
    order = ["form", "form_version", "status", "public_comment", "source", "date_note", "ended_on", "reconstructed",
             "unavailable"]
    merged = {**data, **meta}
    if not merged.get("unavailable"):
        merged.pop("unavailable", None)
    head = {k: merged[k] for k in order if k in merged}
    data.clear()
    data.update({**head, **{k: v for k, v in merged.items() if k not in head}})


# --- output ---------------------------------------------------------------------------------------




def dump(data: dict, header: str = HEADER) -> str:
    """Return the YAML text of a version file, starting with the schema comment line."""
    body = to_yaml(data)
    return f"{header}\n{body}"


def _header(path: Path) -> str:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return first if first.startswith("# yaml-language-server:") else HEADER


def report(result: Result) -> str:
    """Return the report of a reconstruction, in Japanese."""
    lines = [
        f"{result.source}: 変更日 {result.undone} の行 {len(result.outcomes)} 件を元に戻した版 → {result.target}",
        f"  適用: {result.count('applied')} 件 / 変更不要: {result.count('unchanged')} 件 / "
        f"適用できなかった: {result.count('failed')} 件(行番号は復元元の変更箇所の1から数えた行)",
    ]
    for status, title in (("failed", "適用できなかった行"), ("unchanged", "変更不要の行"), ("applied", "適用した行")):
        rows = [o for o in result.outcomes if o.status == status]
        if rows:
            lines.append(f"  {title}:")
            lines += [f"    {o.index + 1}行目 {_short(o.item, 50)} → {o.detail}" for o in rows]
    if result.warnings:
        lines.append("  変更箇所の行の食い違い(参考):")
        lines += [f"    {w}" for w in result.warnings]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run `build.py reconstruct` (args: version, date, content, dry_run, force); return the exit status."""
    site, problems = load_site(args.content, Schemas())
    wanted = args.version.resolve()
    found = [(org, v) for org in site.organizations for a in org.assessments for v in a.versions
             if Path(v.source).resolve() == wanted]
    if not found:
        errors = [p.format() for p in problems if str(args.version) in p.file]
        print(f"エラー: 版のファイル {args.version} を読み込めませんでした。" + "".join(f"\n{e}" for e in errors),
              file=sys.stderr)
        return 1
    org, version = found[0]
    result = reconstruct(site, org, version, args.date, args.version)
    print(report(result))
    if args.dry_run:
        return 0
    if result.target.exists() and not args.force:
        print(f"エラー: {result.target} はすでにあります。上書きするには --force を付けてください。", file=sys.stderr)
        return 1
    existed = result.target.read_bytes() if result.target.exists() else None
    result.target.write_text(dump(result.data, _header(args.version)), encoding="utf-8")
    try:
        validate(args.content)
    except ContentErrors as exc:
        mine = [p.format() for p in exc.problems]
        if existed is None:
            result.target.unlink()
        else:
            result.target.write_bytes(existed)
        print("エラー: 復元した版が検証に通らないため、書き込みを取り消しました。\n" + "\n".join(mine), file=sys.stderr)
        return 1
    print(f"書き込み、検証しました: {result.target}")
    return 0

