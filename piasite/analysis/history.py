"""Change history: the 変更箇所 as a 新旧対照表, item-by-item diffs between versions, declared versus actual.

- `inline_diff` marks what changed between two texts, in spans a Japanese reader can follow
  (diff-match-patch with its semantic clean-up, so no confetti of one-character fragments).
- `change_table` turns a version's change log into entries grouped by 変更日, each 項目 resolved to
  the item it names on the document page.
- `version_diff` compares two versions item by item (labels from the schema), with whole files,
  systems and other list entries added or removed shown as such.
- `declared_vs_actual` compares that diff with the change-log rows dated between the two versions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import fast_diff_match_patch
from diff_match_patch import diff_match_patch

from ..document.itemref import ItemResolver, Resolved
from ..document.sections import Documents
from ..document.tree import _META_KEYS, file_label, get_path, nearest_id
from ..model.content import Assessment, Site, Version
from ..model.errors import ContentProblem
from ..model.schema import Schema

# what a change-log cell writes for an item added or deleted as a whole (after NFKC, without spaces)
ADDED, DELETED = "追加", "削除"
_ADDED_MARKS = frozenset({"追加", "(追加)", "新規", "(新規)"})
_DELETED_MARKS = frozenset({"削除", "(削除)"})


def _mark(text: str | None) -> str:
    return unicodedata.normalize("NFKC", "".join((text or "").split()))


def says_added(cell: str | None) -> bool:
    """Return whether a 変更前 cell marks the item as added (「追加」, 「（新規）」 …)."""
    return _mark(cell) in _ADDED_MARKS


def says_deleted(cell: str | None) -> bool:
    """Return whether a 変更後 cell marks the item as deleted (「削除」, 「（削除）」)."""
    return _mark(cell) in _DELETED_MARKS
# rows whose 提出時期 is 事前 are 重要な変更 (submitted before the change); 事後 rows are not
PRIOR = "事前"

_dmp = diff_match_patch()
_dmp.Diff_Timeout = 2.0
_OPS = {"=": 0, "-": -1, "+": 1}


@dataclass(frozen=True)
class Span:
    """A piece of text in an inline diff: op is 'equal', 'delete' or 'insert'."""

    op: str
    text: str


def inline_diff(before: str | None, after: str | None) -> list[Span]:
    """Return the spans that turn `before` into `after`, cleaned up to read naturally."""
    return list(_inline_diff(before or "", after or ""))


@lru_cache(maxsize=1 << 14)
def _inline_diff(before: str, after: str) -> tuple[Span, ...]:
    # Every version's change log repeats the rows of the one before it: diff each pair of texts once.
    return tuple(_diff_spans(before, after))


def _diff_spans(before: str, after: str) -> list[Span]:
    if says_added(before):
        return [Span("insert", after)] if after else []
    if says_deleted(after):
        return [Span("delete", before)] if before else []
    diffs = _token_diff(before, after)
    _dmp.diff_cleanupSemantic(diffs)
    _merge_short_equalities(diffs)
    ops = {0: "equal", -1: "delete", 1: "insert"}
    return [Span(ops[op], text) for op, text in diffs if text]


# Numbers and Latin words change as a whole (「28」→「17」, not 「2[8→1]…」); every other character is its own token.
_TOKENS = re.compile(r"[0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ]+|.", re.S)


def _token_diff(before: str, after: str) -> list:
    """Diff two texts token by token (diff-match-patch's word mode), returning character diffs."""
    table: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for tok in _TOKENS.findall(text):
            if tok not in table:
                # skip the surrogate range, which a Python str can hold but other code may not
                code = len(tokens) + 0x100
                table[tok] = chr(code if code < 0xD800 else code + 0x800)
                tokens.append(tok)
            out.append(table[tok])
        return "".join(out)

    a, b = encode(before), encode(after)
    decode = {v: k for k, v in table.items()}
    # the C++ port of the same algorithm (diff_main without clean-up: the same diffs, several times faster)
    diffs = fast_diff_match_patch.diff(
        a, b, timelimit=_dmp.Diff_Timeout, checklines=False, cleanup="No", counts_only=False
    )
    return [(_OPS[op], "".join(decode[c] for c in text)) for op, text in diffs]


def _merge_short_equalities(diffs: list, shortest: int = 3) -> None:
    """Fold equalities of one or two characters between changes into the changes (「令和5年」→「令和6年」 stays whole)."""
    i = 1
    while i < len(diffs) - 1:
        op, text = diffs[i]
        if op == 0 and len(text) < shortest and diffs[i - 1][0] != 0 and diffs[i + 1][0] != 0:
            dels = "".join(t for o, t in diffs[i - 1 : i + 2] if o in (-1, 0))
            ins = "".join(t for o, t in diffs[i - 1 : i + 2] if o in (1, 0))
            # diffs[i-1] and diffs[i+1] may each be a delete+insert pair; collect neighbours greedily
            diffs[i - 1 : i + 2] = [(-1, dels), (1, ins)]
            _dmp.diff_cleanupMerge(diffs)
            i = 1
            continue
        i += 1


def row_kind(before: str | None, after: str | None) -> str:
    """Return 追加, 削除 or 変更 for a change-log row."""
    if says_added(before) or not (before or "").strip():
        return ADDED
    if says_deleted(after):
        return DELETED
    return "変更"


@dataclass
class ChangeEntry:
    """One row of a change log, with its item resolved and its texts diffed."""

    number: int  # 1-based position in the change log
    row: dict[str, Any]
    kind: str
    resolved: Resolved | None
    spans: list[Span]

    @property
    def prior(self) -> bool:
        return self.row.get("timing") == PRIOR


@dataclass
class ChangeDate:
    """The rows of one 変更日."""

    date: str
    entries: list[ChangeEntry]


def change_entries(resolver: ItemResolver, rows: list[dict[str, Any]]) -> list[ChangeEntry]:
    """Resolve and diff every row of a change log, in the log's order."""
    out = []
    for i, row in enumerate(rows):
        before, after = _text(row.get("before")), _text(row.get("after"))
        out.append(
            ChangeEntry(
                i + 1, row, row_kind(before, after), resolver.resolve(row.get("item")), inline_diff(before, after)
            )
        )
    return out


def version_entries(docs: Documents, assessment: Assessment, version: Version) -> list[ChangeEntry]:
    """Return a version's change log resolved against its own document."""
    resolver = ItemResolver(docs.of(version, assessment.org.name).sections)
    return change_entries(resolver, version.data.get("change_log") or [])


def group_by_date(entries: list[ChangeEntry]) -> list[ChangeDate]:
    """Group entries by 変更日, newest first; rows keep their order within a date."""
    dates: dict[str, list[ChangeEntry]] = {}
    for e in entries:
        dates.setdefault(str(e.row.get("date")), []).append(e)
    return [ChangeDate(d, dates[d]) for d in sorted(dates, reverse=True)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------------------------
# Item-by-item comparison of two versions


@dataclass
class Leaf:
    """One item of a version, flattened: where it is, how it is labelled, and its value as text."""

    key: tuple  # identity across versions (list entries by name/number, not position)
    path: tuple  # data path in its own version
    labels: list[str]
    value: str
    section: str = ""  # the part of the document it is in (Ⅰ 基本情報, Ⅱ 特定個人情報ファイルの概要 …)


@dataclass
class ItemChange:
    """An item that differs between two versions."""

    kind: str  # 追加 | 削除 | 変更
    labels: list[str]
    before: str
    after: str
    spans: list[Span]
    anchor_new: str | None
    new_path: tuple | None
    old_path: tuple | None
    declared: bool = False


@dataclass
class EntryChange:
    """A whole list entry (a file, a system, a 委託事項, a 提供先 …) added or removed."""

    kind: str  # 追加 | 削除
    labels: list[str]
    title: str
    anchor: str | None
    path: tuple
    items: int
    declared: bool = False


@dataclass
class SectionDiff:
    """The changes under one top-level section, and how many of its items did not change."""

    title: str
    entries: list[EntryChange] = field(default_factory=list)
    changes: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class VersionDiff:
    """Everything that differs between an older and a newer version."""

    old: Version
    new: Version
    sections: list[SectionDiff]
    rows: list[ChangeEntry]  # change-log rows of the newer version dated after the older version
    undeclared: list[ItemChange | EntryChange]
    unmatched_rows: list[ChangeEntry]  # resolved rows whose item did not change
    unresolved_rows: list[ChangeEntry]

    @property
    def changed(self) -> int:
        return sum(len(s.changes) + len(s.entries) for s in self.sections)


def flatten(schema: Schema, data: dict[str, Any]) -> dict[tuple, Leaf]:
    """Flatten a version into its leaf items keyed by identity (the change log itself excluded)."""
    root = schema.root_for(data)
    out: dict[tuple, Leaf] = {}

    def walk(value: Any, path: tuple, key: tuple) -> None:
        sch = schema.at(root, path) or {}
        if isinstance(value, dict) and "x-options" not in sch and sch.get("x-render") != "table":
            for k, v in value.items():
                if not path and (k in _META_KEYS or k == "change_log"):
                    continue
                walk(v, path + (k,), key + (k,))
            return
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
            and sch.get("items", {}).get("x-render") is None
            and "x-render" not in sch
        ):
            for i, item in enumerate(value):
                walk(item, path + (i,), key + (_identity(item, i),))
            return
        out[key] = Leaf(
            key,
            path,
            _labels(schema, root, data, path),
            _as_text(value),
            _section_title(schema, root, path),
        )

    walk(data, (), ())
    return out


def _section_title(schema: Schema, root: dict[str, Any], path: tuple) -> str:
    """Return the title of the document part a path belongs to; a file's parts are Ⅱ, (別添2) and Ⅲ."""
    if len(path) >= 3 and path[0] == "files":
        part = "overview" if path[2] == "name" else path[2]
        return schema.labels(root, ("files", 0, part))[-1]
    return schema.labels(root, path[:1])[0] if path else ""


def _labels(schema: Schema, root: dict[str, Any], data: dict[str, Any], path: tuple) -> list[str]:
    """Return the labels along a path the way the document shows them: Ⅱ …, (1) ファイル名, 委託事項1, ①…"""
    labels = schema.labels(root, path)
    out: list[str] = []
    for i, part in enumerate(path):
        if i >= len(labels):
            break
        if isinstance(part, int):
            item = get_path(data, path[: i + 1])
            title = labels[i - 1] if i else ""
            if path[0] == "files" and i == 1:
                continue  # shown after the part's title, as on the page
            number = item.get("number") if isinstance(item, dict) else None
            name = item.get("name") if isinstance(item, dict) else None
            out[-1] = f"{title}{number if number is not None else part + 1}" + (f": {name}" if name else "")
        else:
            out.append(labels[i])
    if path and path[0] == "files" and len(out) >= 2 and isinstance(path[1], int):
        f = get_path(data, path[:2]) or {}
        # 「特定個人情報ファイル」「Ⅱ …」 → 「Ⅱ …」「(1) 名前」
        out = [out[1], file_label(path[1], f), *out[2:]]
    return out


def _identity(item: dict[str, Any], index: int) -> str:
    """Identify a list entry across versions by its name or number, not its position."""
    for k in ("number", "name", "title", "heading", "label"):
        if item.get(k) not in (None, ""):
            return f"{k}={item[k]}"
    return f"#{index}"


def _as_text(value: Any) -> str:
    """Render a leaf value as comparable, readable text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "☑" if value else "☐"
    if isinstance(value, dict):
        if "selected" in value or "other" in value:
            parts = list(value.get("selected") or [])
            if value.get("other"):
                parts.append(f"その他({value['other']})")
            return "、".join(parts)
        return "\n".join(f"{k}: {_as_text(v)}" for k, v in value.items() if v not in (None, "", []))
    if isinstance(value, list):
        return "\n".join(_as_text(v) for v in value)
    return str(value)


def version_diff(
    docs: Documents, assessment: Assessment, old: Version, new: Version, logged: list[ChangeEntry] | None = None
) -> VersionDiff:
    """Compare two versions of an assessment item by item and check the newer change log against it.

    `logged` is the newer version's change log resolved (version_entries), when the caller has it.
    """
    schema = docs.schemas.assessment
    a, b = flatten(schema, old.data), flatten(schema, new.data)
    sections: dict[str, SectionDiff] = {}
    order = _section_order(schema, new.data)

    def section_for(title: str) -> SectionDiff:
        return sections.setdefault(title, SectionDiff(title))

    ids = docs.of(new, assessment.org.name).ids

    def new_anchor(path: tuple) -> str | None:
        return nearest_id(path, new.data, ids) or None

    entries: list[EntryChange] = []
    # whole list entries present on one side only (a file, a system …): report once, not item by item
    for side, here, there, kind in (("new", b, a, "追加"), ("old", a, b, "削除")):
        prefixes = _entry_prefixes(here) - _entry_prefixes(there)
        for prefix in sorted(_outermost(prefixes), key=lambda p: _first_path(here, p)):
            leaves = [leaf for k, leaf in here.items() if k[: len(prefix)] == prefix]
            first = leaves[0]
            depth = len(prefix)
            version = new if side == "new" else old
            path = first.path[:depth]
            root = schema.root_for(version.data)
            if len(path) == 2 and path[0] == "files":
                # a whole 特定個人情報ファイル: its own group, named as the document numbers it
                labels = [schema.labels(root, path)[0], _labels(schema, root, version.data, path + ("name",))[1]]
            else:
                labels = _labels(schema, root, version.data, path)
            ec = EntryChange(
                kind,
                labels,
                _entry_title(version.data, path),
                new_anchor(path) if side == "new" else None,
                path,
                len(leaves),
            )
            entries.append(ec)
            section_for(labels[0] if len(path) == 2 and path[0] == "files" else first.section).entries.append(ec)
    changes: list[ItemChange] = []
    for key in list(a) + [k for k in b if k not in a]:
        old_leaf, new_leaf = a.get(key), b.get(key)
        if _in_whole_entry(key, entries, a, b):
            continue
        if old_leaf and new_leaf:
            if old_leaf.value == new_leaf.value:
                section_for(new_leaf.section).unchanged += 1
                continue
            kind = "変更"
        elif new_leaf:
            if not new_leaf.value:
                continue
            kind = "追加"
        else:
            if not old_leaf or not old_leaf.value:
                continue
            kind = "削除"
        leaf = new_leaf or old_leaf
        assert leaf is not None
        change = ItemChange(
            kind,
            leaf.labels,
            old_leaf.value if old_leaf else "",
            new_leaf.value if new_leaf else "",
            inline_diff(old_leaf.value if old_leaf else "", new_leaf.value if new_leaf else ""),
            new_anchor(new_leaf.path) if new_leaf else None,
            new_leaf.path if new_leaf else None,
            old_leaf.path if old_leaf else None,
        )
        changes.append(change)
        section_for(leaf.section).changes.append(change)
    # the change-log rows the newer version dates after the older one
    logged = version_entries(docs, assessment, new) if logged is None else logged
    rows = [e for e in logged if old.iso < str(e.row.get("date")) <= new.iso]
    undeclared, unmatched, unresolved = declared_vs_actual(changes, entries, rows)
    ordered = [sections[t] for t in order if t in sections] + [s for t, s in sections.items() if t not in order]
    return VersionDiff(old, new, ordered, rows, undeclared, unmatched, unresolved)


def _section_order(schema: Schema, data: dict[str, Any]) -> list[str]:
    """Return the document's parts in form order, a file's parts (Ⅱ, 別添2, Ⅲ) in place of 「files」."""
    root = schema.resolve(schema.root_for(data))
    out = []
    for key, prop in root.get("properties", {}).items():
        out.append(schema.resolve(prop).get("title", key))
        if key == "files":
            out += [
                schema.labels(root, ("files", 0, part))[-1] for part in ("overview", "record_items", "risk_measures")
            ]
    return out


def _entry_prefixes(leaves: dict[tuple, Leaf]) -> set[tuple]:
    """Return the identity prefixes of every list entry (those ending in a name=/number= segment)."""
    out = set()
    for key in leaves:
        for i, part in enumerate(key):
            if isinstance(part, str) and re.match(r"^(name|number|title|heading|label)=|^#\d+$", part):
                out.add(key[: i + 1])
    return out


def _outermost(prefixes: set[tuple]) -> list[tuple]:
    return [p for p in prefixes if not any(q != p and p[: len(q)] == q for q in prefixes)]


def _first_path(leaves: dict[tuple, Leaf], prefix: tuple) -> tuple:
    return min(
        (tuple(str(x) for x in leaf.path) for k, leaf in leaves.items() if k[: len(prefix)] == prefix), default=()
    )


def _entry_title(data: dict[str, Any], path: tuple) -> str:
    item = get_path(data, path) or {}
    name = item.get("name") if isinstance(item, dict) else None
    return str(name) if name not in (None, "") else ""


def _in_whole_entry(key: tuple, entries: list[EntryChange], a: dict[tuple, Leaf], b: dict[tuple, Leaf]) -> bool:
    """Whether an item belongs to a list entry reported as added or removed as a whole."""
    for e in entries:
        leaves = b if e.kind == "追加" else a
        leaf = leaves.get(key)
        if leaf is not None and leaf.path[: len(e.path)] == e.path and (key not in (a if e.kind == "追加" else b)):
            return True
    return False


def declared_vs_actual(
    changes: list[ItemChange], entries: list[EntryChange], rows: list[ChangeEntry]
) -> tuple[list, list[ChangeEntry], list[ChangeEntry]]:
    """Match actual changes with change-log rows by item path.

    A change is declared when a row's item contains it or lies inside it (a row about a section covers
    the items of that section; a row about one item of an added file covers that file). Return the
    undeclared changes, the resolved rows that match no change, and the rows that could not be resolved.
    """
    resolved = [r for r in rows if r.resolved is not None and r.resolved.path]
    unresolved = [r for r in rows if r.resolved is None or not r.resolved.path]
    used: set[int] = set()
    for change in [*entries, *changes]:
        paths = (
            [change.path] if isinstance(change, EntryChange) else [p for p in (change.new_path, change.old_path) if p]
        )
        for r in resolved:
            rp = r.resolved.path  # type: ignore[union-attr]
            if any(_related(rp, p) for p in paths):
                change.declared = True
                used.add(r.number)
    undeclared = [c for c in [*entries, *changes] if not c.declared]
    unmatched = [r for r in resolved if r.number not in used]
    return undeclared, unmatched, unresolved


def _related(a: tuple, b: tuple) -> bool:
    """Whether one data path contains the other."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


# ---------------------------------------------------------------------------------------------
# The whole site's history, computed once for validation and rendering


@dataclass
class AssessmentHistory:
    """An assessment's change table (latest version) and the diff between each pair of versions."""

    assessment: Assessment
    dates: list[ChangeDate]
    diffs: dict[str, VersionDiff]  # keyed by the newer version's ISO date


def analyse(site: Site, docs: Documents | None = None) -> tuple[dict[tuple[str, str], AssessmentHistory], list[ContentProblem]]:
    """Compute every assessment's history and the warnings editors should see.

    `docs` holds the versions' documents for the caller to reuse (the pages render them too).
    """
    docs = docs or Documents(site.schemas)
    histories: dict[tuple[str, str], AssessmentHistory] = {}
    warnings: list[ContentProblem] = []
    for assessment in site.assessments:
        latest = assessment.latest
        entries = version_entries(docs, assessment, latest)
        for e in entries:
            if e.resolved is None:
                line, col = latest.loaded.position(("change_log", e.number - 1, "item"))
                item = _one_line(e.row.get("item"))
                what = f"の項目「{item}」が、評価書のどの項目か特定できません" if item else "の項目が空欄です"
                warnings.append(
                    ContentProblem(
                        latest.source,
                        line,
                        col,
                        f"変更箇所 {e.number}行目(変更日 {e.row.get('date')}){what}。新旧対照表では項目へのリンクなしで表示します。",
                        severity="warning",
                    )
                )
        diffs: dict[str, VersionDiff] = {}
        for old, new in zip(assessment.versions, assessment.versions[1:], strict=False):
            diff = version_diff(docs, assessment, old, new, entries if new is latest else None)
            diffs[new.iso] = diff
            warnings.extend(_diff_warnings(diff))
        histories[(assessment.org.slug, assessment.slug)] = AssessmentHistory(assessment, group_by_date(entries), diffs)
    return histories, warnings


def _diff_warnings(diff: VersionDiff) -> list[ContentProblem]:
    """Warn about changes the change log does not declare, and rows whose item did not change."""
    out = []
    new = diff.new
    for change in diff.undeclared:
        label = " ".join(change.labels)
        path = change.path if isinstance(change, EntryChange) else (change.new_path or change.old_path or ())
        line, col = new.loaded.position(path) if path and change.kind != "削除" else (0, 0)
        what = (
            f"「{label} {change.title}」の{change.kind}"
            if isinstance(change, EntryChange)
            else f"「{label}」の{change.kind}"
        )
        out.append(
            ContentProblem(
                new.source,
                line,
                col,
                f"{diff.old.iso} の版からの{what}が、変更箇所({diff.old.iso}より後の変更日)に記載されていません。",
                severity="warning",
            )
        )
    for e in diff.unmatched_rows:
        line, col = new.loaded.position(("change_log", e.number - 1, "item"))
        out.append(
            ContentProblem(
                new.source,
                line,
                col,
                f"変更箇所 {e.number}行目の項目「{_one_line(e.row.get('item'))}」は、{diff.old.iso} の版と比べて変わっていません。",
                severity="warning",
            )
        )
    return out


def _one_line(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()
