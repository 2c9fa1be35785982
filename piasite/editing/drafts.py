"""Draft the 変更箇所 rows of a version from its difference to the previous version.

Each changed item gets a row whose 項目 is written in the form's own notation (「Ⅰ-6-②所属長の役職名」,
「Ⅱ(2)-3-⑥使用目的」), checked with the item resolver so the 新旧対照表 links it to the item that
changed. A whole entry added or removed (a file, a system, a 提供先 …) is one row naming the entry.
The 提出時期 and its 説明 are the editor's judgement and are left for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..analysis.history import ADDED, DELETED, EntryChange, ItemChange, VersionDiff, version_diff
from ..document.itemref import ItemResolver, marker, normalize
from ..document.sections import Documents
from ..document.tree import Node
from ..model.content import Assessment, Site, Version
from .yamlout import to_yaml


@dataclass
class DraftRow:
    """One drafted change-log row, with whether the resolver finds the changed item from its 項目."""

    date: str
    item: str
    before: str
    after: str
    exact: bool
    note: str = ""

    def as_row(self) -> dict[str, Any]:
        return {"date": self.date, "item": self.item, "before": self.before, "after": self.after}


def diff_to_previous(site: Site, assessment: Assessment) -> VersionDiff | None:
    """Return the diff between the two newest versions, or None when there is only one version."""
    if len(assessment.versions) < 2:
        return None
    old, new = assessment.versions[-2], assessment.versions[-1]
    return version_diff(Documents(site.schemas), assessment, old, new)


def draft_rows(site: Site, assessment: Assessment, diff: VersionDiff) -> list[DraftRow]:
    """Draft a row for every change the newer version's change log does not declare yet, in form order."""
    locator = _Locator(site, assessment)
    rows = []
    for section in diff.sections:
        for change in [*section.entries, *section.changes]:
            if change.declared:
                continue
            rows.append(_row(locator, diff, change))
    return rows


def _row(locator: _Locator, diff: VersionDiff, change: ItemChange | EntryChange) -> DraftRow:
    date = diff.new.iso
    if isinstance(change, EntryChange):
        version = diff.new if change.kind == ADDED else diff.old
        path = change.path + ("overview",) if len(change.path) == 2 and change.path[0] == "files" else change.path
        item, exact, node = locator.item(version, path)
        title = node.label if node is not None else " ".join(change.labels)
        if change.title and change.title not in title:
            title += f": {change.title}"  # システム2: コンビニ交付システム
        note = f"{title} 全体の{change.kind}({change.items} 項目)"
        if change.kind == ADDED:
            return DraftRow(date, item, ADDED, title, exact, note)
        return DraftRow(date, item, title, DELETED, exact, note)
    path = change.new_path or change.old_path or ()
    version = diff.new if change.new_path else diff.old
    item, exact, _ = locator.item(version, path)
    return DraftRow(date, item, change.before or ADDED, change.after or DELETED, exact)


class _Locator:
    """Writes the 項目 of a data path in the form's notation, checked against each version's resolver."""

    def __init__(self, site: Site, assessment: Assessment):
        self.docs = Documents(site.schemas)
        self.org_name = assessment.org.name
        self.resolvers: dict[str, ItemResolver] = {}

    def item(self, version: Version, path: tuple) -> tuple[str, bool, Node | None]:
        """Return the 項目 text for a path, whether it resolves back to the path's item, and that item."""
        sections = self.docs.of(version, self.org_name).sections
        chain = _chain(sections, path)
        if not chain:
            return " ".join(map(str, path)), False, None
        target = chain[-1]
        resolver = self.resolvers.get(version.iso)
        if resolver is None:
            resolver = self.resolvers[version.iso] = ItemResolver(sections)
        files = len(version.data.get("files") or [])
        candidates = [_compact(chain, files > 1), _compact(chain, True), " ".join(n.label for n in chain)]
        for text in candidates:
            found = resolver.resolve(text)
            if found is not None and found.path == target.path:
                return text, True, target
        return candidates[0], False, target


def _chain(sections: list[Node], path: tuple) -> list[Node]:
    """Return the nodes from a top section down to the deepest node whose path leads to `path`."""
    best: list[Node] = []

    def walk(node: Node, above: list[Node]) -> None:
        nonlocal best
        here = above + [node]
        own = node.path
        if own is not None and tuple(path[: len(own)]) == tuple(own):
            if not best or len(own) > len(best[-1].path):
                best = here
        for child in node.children:
            walk(child, here)

    for section in sections:
        walk(section, [])
    return best


def _marker_text(label: str) -> str:
    """Return the marker a label opens with as the form prints it: Ⅱ, (1), 3, ⑥, システム2, 別添1."""
    found = marker(label)
    if found is None:
        return ""
    kind, value = found
    if kind == "roman":
        return label.split()[0]
    if kind == "file":
        return f"({value})"
    if kind == "entry":
        return f"{value[0]}{value[1]}"  # type: ignore[index]
    if kind == "annex":
        return f"(別添{value})"
    if kind == "circ":
        return label[0]
    return str(value)


def _compact(chain: list[Node], with_file: bool) -> str:
    """Write a chain as markers joined by 「-」, the last item with its words: Ⅱ(2)-3-⑥使用目的."""
    parts: list[str] = []
    for node in chain[:-1]:
        text = _marker_text(node.label)
        if not text or (text.startswith("(") and text[1:-1].isdigit() and not with_file):
            continue
        if text.startswith("(") and parts:
            parts[-1] += text  # 「Ⅱ(2)」, as the form heads a file's part
        else:
            parts.append(text)
    last = chain[-1]
    head = _marker_text(last.label)
    rest = _rest_of_label(last.label, head)
    if head.startswith("(") and head[1:-1].isdigit() and parts:
        parts[-1] += head  # a file's part itself: 「Ⅱ(2) 本人確認情報ファイル」
        return f"{'-'.join(parts)} {rest}".strip()
    if head and marker(last.label)[0] == "entry":  # type: ignore[index]
        parts.append(head)  # 「提供先1」: the entry's name is not part of the form's notation
        return "-".join(parts)
    if head and head[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        parts.append(head + rest)
        return "-".join(parts)
    if head:
        parts.append(head)
        return f"{'-'.join(parts)}-{rest}" if rest else "-".join(parts)
    if not parts:
        return " ".join(n.label for n in chain)  # no marker on the way: 「表紙 評価書名」
    return f"{'-'.join(parts)} {last.label}"


def _rest_of_label(label: str, head: str) -> str:
    """Return a label without the marker it opens with (「6. 担当部署」 → 「担当部署」)."""
    text = label.strip()
    if not head:
        return text
    if text.startswith(head):
        text = text[len(head) :]
    else:
        text = re.sub(r"^[(（]?\s*[^\s.．)）]+[)）.．]?", "", normalize(text), count=1)
    return text.lstrip(" .．:：").strip()


# ---------------------------------------------------------------------------------------------
# YAML for pasting




def format_rows(rows: list[DraftRow], diff: VersionDiff) -> str:
    """Return the drafted rows as YAML ready to paste under `change_log:`, with notes as comments."""
    out = [f"# {diff.new.iso} の版の変更箇所の下書き({diff.old.iso} の版との比較)。"]
    if diff.new.data.get("change_log"):
        out.append(
            "# 内容を確かめてから、版のファイルの change_log: の既存の行の後に、"
            "「- 」の位置を既存の行にそろえて貼り付けてください。"
        )
    else:
        # a file made by `new` has its change_log written commented out, with one empty row
        out += [
            "# この版のファイルには、まだ change_log: がありません。ファイルの「# change_log:」の行の「# 」を外し、"
            "その下の空の枠(「#   - date:」から「#     timing_note:」まで)は削除して、",
            "# 「change_log:」の次の行から貼り付けてください(「- 」は行頭のままでかまいません)。"
            "「# change_log:」の行がなければ、ファイルの最後に「change_log:」の行を書きます。",
        ]
    out.append("# timing(提出時期: 事前 または 事後)と timing_note(提出時期に係る説明)は編集者が記入してください。")
    declared = sum(1 for s in diff.sections for c in [*s.entries, *s.changes] if c.declared)
    if declared:
        out.append(f"# 変更箇所に記載済みの変更 {declared} 件は除いています。")
    for row in rows:
        if row.note:
            out.append(f"# {row.note}")
        if not row.exact:
            out.append(
                "# 注意: 次の行の項目は、評価書の項目として自動では特定できませんでした。原本の書き方に直してください。"
            )
        text = to_yaml([row.as_row()], width=10_000)
        out.append(text.rstrip("\n"))
        out.append("  timing:  # 記入してください: 事前 または 事後")
        out.append("  timing_note:  # 記入してください(例: 重要な変更に当たらない)")
    return "\n".join(out) + "\n"
