"""Build a document tree of sections and items from a version's data, driven by the schema.

The schema decides order and labels; templates only decide markup. Every property the schema
has for the form becomes a node, so nothing the organisation wrote can be left out of a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model.schema import Schema, parse_item_path

_META_KEYS = {
    "form", "form_version", "status", "public_comment", "ended_on", "reconstructed", "unavailable", "date_note",
    "source", "transcription_notes",
    "allowed_numbers",
}


@dataclass
class Node:
    """A section (with children) or an item (with a value) of the rendered document."""

    kind: str  # section | item | table | rows
    id: str
    label: str
    level: int = 2
    children: list[Node] = field(default_factory=list)
    value_kind: str = "text"  # text | date | choice | checks | bool | int | strings | record-items | change-log
    value: Any = None
    options: list[str] = field(default_factory=list)
    other: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None
    transcription_note: str | None = None  # the editor's reading of it that could not be confirmed (書き起こしの注記)
    columns: list[str] = field(default_factory=list)
    # where it comes from: its key and data path (None for what the form prints but the data does not hold)
    key: str | int | None = None
    path: tuple | None = None
    # what the schema says of it, for templates and lookups
    choice_set: str | None = None  # id of the option list a choice item uses (its ●○○ scale links to it)
    option_groups: list[dict[str, Any]] | None = None  # check boxes, grouped as the form prints them
    title_note: str | None = None  # a note printed beside a section's heading
    form_text: list[str] | None = None  # the form's own text printed under a heading
    check_group_title: str | None = None  # the label over a run of single check boxes
    group_label: str | None = None  # a form row label (再委託) that starts a new list of items
    note: str | None = None  # a table's note
    # a count the form prints beside a box or choice (提供を行っている (3) 件): taken from another item
    count_key: str | None = None
    count: Any = None
    count_id: str | None = None
    # how it sits in the page
    flat: bool = False  # a list whose entries are headed by the list's own name (委託事項1 …)
    in_own_section: bool = False  # a top-level item wrapped in a section of its own (変更箇所)

    @property
    def is_empty(self) -> bool:
        """Return whether the item holds no value (the page says 記載なし)."""
        if self.value_kind == "checks":
            return not self.value and not self.other
        return self.value in (None, "", [])

    @property
    def is_blank(self) -> bool:
        """Return whether nothing below this node holds a value (a part missing from the source)."""
        return all(n.is_empty for n in self.walk() if n.kind in ("item", "rows", "table"))

    def blocks(self) -> list[tuple[str, Any]]:
        """Group consecutive items into one list, so each run renders as one <dl>."""
        out: list[tuple[str, Any]] = []
        for child in self.children:
            if child.kind == "item" and child.value_kind == "bool":
                # check boxes print as one line of boxes in the form: keep a run of them together
                if out and out[-1][0] == "checks":
                    out[-1][1].append(child)
                else:
                    out.append(("checks", [child]))
            elif child.kind == "item":
                # a form row label such as 「再委託」 (over ⑦⑧⑨) starts a new list under that label
                if out and out[-1][0] == "items" and not child.group_label:
                    out[-1][1].append(child)
                else:
                    out.append(("items", [child]))
            else:
                out.append(("node", child))
        return out

    def walk(self):
        """Yield this node and all nodes below it."""
        yield self
        for child in self.children:
            yield from child.walk()


class TreeBuilder:
    """Turns one version's data into nodes using one assessment schema."""

    def __init__(self, schema: Schema, data: dict[str, Any]):
        self.schema = schema
        self.data = data
        self.root = schema.root_for(data)
        self.unavailable = unavailable_notes(data)
        self.transcription = transcription_notes(data)

    def prop_schema(self, path: tuple) -> dict[str, Any]:
        """Return the resolved schema at a data path (empty if the form has none)."""
        return self.schema.at(self.root, path) or {}

    def section(self, path: tuple, level: int, label: str | None = None, node_id: str | None = None) -> Node:
        """Build the section for the object or array at `path`."""
        sch = self.prop_schema(path)
        value = get_path(self.data, path)
        return self._node(path, sch, value, level, label, node_id)

    def _node(self, path, sch, value, level, label=None, node_id=None) -> Node:
        node = self._make(path, sch, value, level, label, node_id)
        node.transcription_note = self.transcription.get(path)
        node.key = path[-1] if path else None
        node.path = path
        return node

    def _note(self, path: tuple, value: Any) -> str | None:
        """Return the 'not available' note for a path; empty items inherit it from their section."""
        if path in self.unavailable:
            return self.unavailable[path]
        if value in (None, "", [], {}) and any(path[:i] in self.unavailable for i in range(1, len(path))):
            return ""
        return None

    def _make(self, path, sch, value, level, label, node_id) -> Node:
        label = label or sch.get("title", path[-1] if path else "")
        node_id = node_id or make_id(path, self.data)
        note = self._note(path, value)
        render = sch.get("x-render")
        if render in ("change-log", "record-items"):
            return Node("item", node_id, label, level, value_kind=render, value=value or [], unavailable=note)
        if render == "table":
            table = value or {}
            return Node("table", node_id, table.get("caption") or label, level, columns=table.get("columns", []),
                        value=table.get("rows", []), note=table.get("note"))
        if sch.get("type") == "object" and "x-options" in sch:
            v = value or {}
            groups = sch.get("x-option-groups") or [{"label": None, "options": sch["x-options"]}]
            return Node("item", node_id, label, level, value_kind="checks", value=v.get("selected") or [],
                        options=sch["x-options"], other=v.get("other"), details=v.get("details") or {},
                        unavailable=note, option_groups=groups)
        if sch.get("type") == "object":
            node = Node("section", node_id, label, level, unavailable=note)
            for extra in ("x-form-text", "x-title-note", "x-check-group-title"):
                if sch.get(extra):
                    setattr(node, extra[2:].replace("-", "_"), sch[extra])
            for key, sub in sch.get("properties", {}).items():
                if not path and key in _META_KEYS:
                    continue
                sub = self.schema.resolve(sub)
                child = self._node(path + (key,), sub, (value or {}).get(key), level + 1)
                if sub.get("x-count"):
                    child.count_key = sub["x-count"]
                if sub.get("x-group-start"):
                    child.group_label = sub["x-group-start"]
                node.children.append(child)
            _attach_counts(node)
            return node
        if sch.get("type") == "array":
            items = self.schema.resolve(sch.get("items", {}))
            if items.get("x-render") == "row":
                rows = [(r.get("label") or "", r.get("text")) for r in value or []]
                columns = get_path(self.data, path[:-1] + ("item_columns",)) or []
                return Node("rows", node_id, label, level, value=rows, columns=columns, unavailable=note)
            if items.get("type") == "object" and "x-render" not in items:
                node = Node("section", node_id, label, level, unavailable=note)
                # 委託事項1, 提供先1 … are headed by the list's own name: no extra heading level for the list
                flat = bool(value) and items.get("title") == label
                node.flat = flat
                for i in range(len(value or [])):
                    node.children.append(self.entry(path + (i,), level if flat else level + 1))
                return node
            if items.get("x-render") == "table":
                node = Node("section", node_id, label, level, unavailable=note)
                for i, item in enumerate(value or []):
                    node.children.append(self._node(path + (i,), items, item, level + 1))
                return node
            return Node("item", node_id, label, level, value_kind="strings", value=value or [], unavailable=note)
        # a leaf item
        kind = "text"
        options = [o for o in sch.get("enum", []) if o is not None]
        if options:
            kind = "choice"
        elif sch.get("type") == "boolean" or sch.get("type") == ["boolean", "null"]:
            kind = "bool"
        elif "integer" in (sch.get("type") or []):
            kind = "int"
        elif sch.get("format") == "date" or "#/$defs/date_or_text" in sch.get("x-refs", []):
            kind = "date"
        node = Node("item", node_id, label, level, value_kind=kind, value=value, options=options, unavailable=note)
        if options:
            ref = (sch.get("x-refs") or [""])[-1]
            node.choice_set = ref.rsplit("/", 1)[-1].replace("_", "-") or node_id
        return node

    def entry(self, path: tuple, level: int, node_id: str | None = None) -> Node:
        """Build one array entry, titled the way the form titles it (システム5, 委託事項1: 名称)."""
        sch = self.prop_schema(path)
        item = get_path(self.data, path)
        item = item if isinstance(item, dict) else {}
        props = sch.get("properties", {})
        base = sch.get("title", "")
        used = {"number", "name", "title", "heading", "page_ref", "item_columns"} & set(props)
        name = item.get("name")
        if "name" in props and props["name"].get("title", "").startswith(tuple("①②③④⑤⑥⑦⑧⑨⑩")):
            used.discard("name")  # a numbered form item (①システムの名称) stays an item of its own
            name = None
        if "page_ref" in props:
            title = " ".join(str(item[k]) for k in ("number", "title") if item.get(k))
            if item.get("page_ref"):
                title += f"【{item['page_ref']}】"
        elif item.get("number") is not None:
            title = f"{base}{item['number']}"
            if name:
                title += f": {name}"
        elif item.get("title") or item.get("heading"):
            title = str(item.get("title") or item.get("heading"))
        else:
            title = f"{base}{path[-1] + 1}"
            used.discard("title")
            used.discard("heading")
        node = self._node(path, sch, item, level, label=title or base, node_id=node_id)
        node.children = [c for c in node.children if c.key not in used]
        return node


def _attach_counts(node: Node) -> None:
    """Print a count beside the box or choice it belongs to (提供を行っている (3) 件), as the form does."""
    by_key = {c.key: c for c in node.children}
    counted = set()
    for child in node.children:
        count = by_key.get(child.count_key)
        if count is not None:
            child.count = count.value
            child.count_id = count.id
            counted.add(count.key)
    node.children = [c for c in node.children if c.key not in counted]


def file_label(index: int, file: dict[str, Any]) -> str:
    """Return how the form heads the part of one 特定個人情報ファイル: 「(1) 住民基本台帳ファイル」."""
    return f"({index + 1}) {file.get('name') or ''}".strip()


def unavailable_notes(data: dict[str, Any]) -> dict[tuple, str]:
    """Return the version's 「この版では掲載できません」 notes by data path."""
    return _notes_by_path(data.get("unavailable"), "note")


def transcription_notes(data: dict[str, Any]) -> dict[tuple, str]:
    """Return the version's 書き起こしの注記 (readings the editor could not confirm) by data path."""
    return _notes_by_path(data.get("transcription_notes"), "reason")


def _notes_by_path(entries: list[dict[str, Any]] | None, text_key: str) -> dict[tuple, str]:
    """Return {data path: text} of a list of {item: 項目の位置, text_key: text}, skipping unreadable positions."""
    notes: dict[tuple, str] = {}
    for entry in entries or []:
        path = parse_item_path(entry.get("item", ""))
        if path:
            notes[path] = entry.get(text_key) or ""
    return notes


def text_leaves(data: Any, skip: frozenset[str] | set[str] = _META_KEYS, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Yield (data path, text) for every string in a version's data, leaving out the top-level keys in `skip`."""
    if isinstance(data, dict):
        for k, v in data.items():
            if not path and k in skip:
                continue
            yield from text_leaves(v, skip, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from text_leaves(v, skip, path + (i,))
    elif isinstance(data, str):
        yield path, data


def get_path(data: Any, path: tuple) -> Any:
    """Return the value at a data path, or None where any step is missing."""
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
    return data


def make_id(path: tuple, data: dict[str, Any]) -> str:
    """Derive a stable, readable id from a data path: files[0].risk_measures.use.risk2 → f1-risk-measures-use-risk2."""
    parts: list[str] = []
    cursor: Any = data
    for i, part in enumerate(path):
        if isinstance(part, int):
            item = cursor[part] if isinstance(cursor, list) and part < len(cursor) else None
            number = item.get("number") if isinstance(item, dict) else None
            number = number if isinstance(number, int) and not isinstance(number, bool) else None
            key = path[i - 1] if i else ""
            n = number if number is not None else part + 1
            if key == "files":
                parts[-1] = f"f{n}"
            else:
                parts[-1] = f"{parts[-1]}{n}"
            cursor = item
        else:
            parts.append(str(part).replace("_", "-"))
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return "-".join(parts) or "document"


def nearest_id(path: tuple, data: dict[str, Any], ids: set[str] | None = None) -> str:
    """Return the id on a version's page nearest to a data path ("" when none), given the page's ids.

    A file is shown by its Ⅱ part, and its name as that part's 「1. 特定個人情報ファイル名」 item; an
    entry titled by its name (提供先1: 岩手県) has no item of its own, so its heading is the nearest id.
    Without `ids`, the id the path would have is returned.
    """
    if len(path) in (2, 3) and path[0] == "files" and isinstance(path[1], int):
        preferred = "overview" if len(path) == 2 else ("overview-file-name" if path[2] == "name" else "")
        if preferred and (ids is None or f"f{path[1] + 1}-{preferred}" in ids):
            return f"f{path[1] + 1}-{preferred}"
    for k in range(len(path), 0, -1):
        anchor = make_id(path[:k], data)
        if ids is None or anchor in ids:
            return anchor
    return ""

