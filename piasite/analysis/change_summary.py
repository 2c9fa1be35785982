"""A plain summary of a change, computed from the structural diff (history.VersionDiff), never written by hand.

For a version diff, and for each 変更日 of a 新旧対照表, it says: which files, systems, 委託事項, 提供先 and 移転先
were added or removed (named); whether the 評価書名 or the 事務の名称 changed, and the names of entries that
changed; how many items changed in each part; and how many change-log rows there are, 事前 ones among them.

A 変更日 is summarised from the diff of the two versions it lies between. When that diff also holds other
変更日, only the changes that the rows of this date point to are counted. When no earlier version is on
the site, there is no diff: the summary then only counts the rows (by part and by 追加 / 変更 / 削除).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document.tree import file_label, get_path
from ..model.schema import Schema
from .history import (
    ADDED,
    DELETED,
    ChangeDate,
    ChangeEntry,
    EntryChange,
    ItemChange,
    VersionDiff,
    _related,
    _section_order,
)

# the lists whose entries a reader knows by name: files, systems, 委託事項, 提供先, 移転先 (keys in the data)
NAMED_LISTS = frozenset({"files", "systems", "entries", "recipients", "transferees"})
# the part under which a rows-only summary counts the rows it cannot place
UNRESOLVED = "項目を特定できない行"


@dataclass
class NamedEntry:
    """A file, system, 委託事項, 提供先 or 移転先 added or removed as a whole."""

    kind: str  # 追加 | 削除
    what: str  # the schema's title of the entry: 特定個人情報ファイル, システム, 委託事項 …
    name: str  # the first line of its name, "" when it has none
    where: str  # the file it belongs to (「(1) 住民基本台帳ファイル」), "" for entries outside the files
    anchor: str | None  # where it is on the newer version's page (added entries only)
    list_key: str = ""  # the data key of its list (files, systems …)


@dataclass
class Rename:
    """A name that changed: the 評価書名, the 事務の名称, or the name of a file, system, 委託事項 …"""

    what: str
    where: str
    before: str
    after: str
    anchor: str | None


@dataclass
class PartCount:
    """How much changed in one part of the document."""

    title: str
    items: int  # items changed, added or removed one by one
    entries: int  # whole entries (files, systems …) added or removed


@dataclass
class ChangeSummary:
    """What a reader should know first about a change."""

    basis: str  # "diff": computed from a version diff; "rows": from the change-log rows only
    added: list[NamedEntry] = field(default_factory=list)
    removed: list[NamedEntry] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    parts: list[PartCount] = field(default_factory=list)
    rows: int = 0  # change-log rows
    prior_rows: int = 0  # of which 提出時期 事前
    row_kinds: dict[str, int] = field(default_factory=dict)  # 追加 / 変更 / 削除 → rows
    diff_old: str | None = None  # the versions compared (basis "diff")
    diff_new: str | None = None
    partial: bool = False  # the diff also holds other 変更日: only changes these rows point to are counted

    @property
    def changed_items(self) -> int:
        return sum(p.items for p in self.parts)

    @property
    def changed_entries(self) -> int:
        return sum(p.entries for p in self.parts)


def summarize_diff(schema: Schema, diff: VersionDiff, rows: list[ChangeEntry] | None = None) -> ChangeSummary:
    """Summarise a version diff (all its changes; `rows` are the change-log rows counted, the diff's by default)."""
    return _summarize(schema, diff, None, diff.rows if rows is None else rows)


def summarize_date(
    schema: Schema, date: ChangeDate, diffs: dict[str, VersionDiff], data: dict[str, Any]
) -> ChangeSummary:
    """Summarise one 変更日 of a 新旧対照表 from the diff of the versions it lies between, or from its rows.

    `data` is the version whose change log the table shows (its rows are resolved against it).
    """
    diff = next((d for d in diffs.values() if d.old.iso < date.date <= d.new.iso), None)
    if diff is None:
        return _rows_only(schema, date, data)
    if {str(r.row.get("date")) for r in diff.rows} <= {date.date}:
        return _summarize(schema, diff, None, date.entries)
    paths = [e.resolved.path for e in date.entries if e.resolved is not None and e.resolved.path]
    summary = _summarize(schema, diff, paths, date.entries)
    summary.partial = True
    return summary


def _summarize(
    schema: Schema, diff: VersionDiff, only: list[tuple] | None, rows: list[ChangeEntry]
) -> ChangeSummary:
    """Summarise a diff; with `only`, count just the changes related to those item paths."""

    def wanted(paths: list[tuple]) -> bool:
        return only is None or any(_related(p, q) for p in paths for q in only)

    out = ChangeSummary("diff", diff_old=diff.old.iso, diff_new=diff.new.iso)
    _count_rows(out, rows)
    for section in diff.sections:
        entries = [e for e in section.entries if wanted([e.path])]
        changes = [c for c in section.changes if wanted([p for p in (c.new_path, c.old_path) if p])]
        if entries or changes:
            out.parts.append(PartCount(section.title, len(changes), len(entries)))
        for e in entries:
            named = _named(schema, diff, e)
            if named is not None:
                (out.added if e.kind == ADDED else out.removed).append(named)
        for c in changes:
            rename = _rename(schema, diff, c)
            if rename is not None:
                out.renamed.append(rename)
    # files first, then systems, 委託事項, 提供先, 移転先 (a new file is the larger change); stable within a kind
    rank = {"files": 0, "systems": 1, "entries": 2, "recipients": 3, "transferees": 4}
    out.added.sort(key=lambda e: rank.get(e.list_key, 9))
    out.removed.sort(key=lambda e: rank.get(e.list_key, 9))
    return out


def _rows_only(schema: Schema, date: ChangeDate, data: dict[str, Any]) -> ChangeSummary:
    """Count a 変更日's rows by part, when no earlier version is there to compare with."""
    out = ChangeSummary("rows")
    _count_rows(out, date.entries)
    counts: dict[str, int] = {}
    for e in date.entries:
        path = e.resolved.path if e.resolved is not None else ()
        title = _part_title(schema, schema.root_for(data), path) if path else UNRESOLVED
        counts[title] = counts.get(title, 0) + 1
    order = {t: i for i, t in enumerate(_section_order(schema, data))}
    out.parts = [PartCount(t, counts[t], 0) for t in sorted(counts, key=lambda t: order.get(t, len(order)))]
    return out


def _count_rows(out: ChangeSummary, rows: list[ChangeEntry]) -> None:
    out.rows = len(rows)
    out.prior_rows = sum(1 for r in rows if r.prior)
    for kind in (ADDED, "変更", DELETED):
        n = sum(1 for r in rows if r.kind == kind)
        if n:
            out.row_kinds[kind] = n


def _part_title(schema: Schema, root: dict[str, Any], path: tuple) -> str:
    """Return the title of the part a resolved path lies in (a file's parts are Ⅱ, (別添2) and Ⅲ)."""
    if len(path) >= 3 and path[0] == "files":
        part = "overview" if path[2] == "name" else path[2]
        return schema.labels(root, ("files", 0, part))[-1]
    return schema.labels(root, path[:1])[0]


def _named(schema: Schema, diff: VersionDiff, e: EntryChange) -> NamedEntry | None:
    """Return a whole entry a reader knows by name (file, system, 委託事項, 提供先, 移転先), or None."""
    if len(e.path) < 2 or not isinstance(e.path[-1], int) or e.path[-2] not in NAMED_LISTS:
        return None
    version = diff.new if e.kind == ADDED else diff.old
    root = schema.root_for(version.data)
    what = (schema.at(root, e.path) or {}).get("title") or (schema.at(root, e.path[:-1]) or {}).get("title", "")
    return NamedEntry(e.kind, what, _first_line(e.title), _where(version.data, e.path), e.anchor, e.path[-2])


def _rename(schema: Schema, diff: VersionDiff, c: ItemChange) -> Rename | None:
    """Return the change as a rename when it is the 評価書名, the 事務の名称 or a named entry's name."""
    path = c.new_path
    if c.kind != "変更" or not path or path[-1] not in ("title", "name"):
        return None
    root = schema.root_for(diff.new.data)
    if path == ("cover", "title") or (len(path) == 3 and path[1:] == ("business", "name")):
        what = c.labels[-1]
    elif len(path) >= 3 and isinstance(path[-2], int) and path[-3] in NAMED_LISTS and path[-1] == "name":
        entry = get_path(diff.new.data, path[:-1]) or {}
        title = (schema.at(root, path[:-1]) or {}).get("title", "")
        number = entry.get("number") if isinstance(entry, dict) else None
        what = f"{title}{number if number is not None else path[-2] + 1}"
    else:
        return None
    where = _where(diff.new.data, path[:-1]) if path[0] == "files" else ""
    return Rename(what, where, _first_line(c.before), _first_line(c.after), c.anchor_new)


def _where(data: dict[str, Any], path: tuple) -> str:
    """Return the label of the file an entry inside a file belongs to ("" for the file itself or outside files)."""
    if len(path) > 2 and path[0] == "files" and isinstance(path[1], int):
        return file_label(path[1], get_path(data, path[:2]) or {})
    return ""


def _first_line(text: str) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
