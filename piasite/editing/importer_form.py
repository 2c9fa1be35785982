"""Read the items of a 様式 (全項目・重点項目・基礎項目評価書) out of its extracted text, by printed label.

The schema knows every item's printed label (`title`) and the form's order (property order). The
reader walks the text's cells once, with a cursor in that order: a cell that starts with a label
opens that item, and the cells after it, up to the next label, are its value. When a label is
printed more than once (その妥当性, リスクへの対策は十分か …) the nearest item after the cursor wins,
so the order of the form decides, never a pattern written for one document. Repeated parts
(システム1…, 委託事項1…, 提供先1…, each 特定個人情報ファイル) become entries; the change log and the
(別添) lists are read as tables and lists under their headings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .importer_text import Cell, norm

# Items of the data that are not printed labels of the form: filled from elsewhere, or not at all.
_NOT_PRINTED = {
    "form",
    "form_version",
    "status",
    "public_comment",
    "date_note",
    "ended_on",
    "reconstructed",
    "unavailable",
    "allowed_numbers",
    "source",  # editorial (added on main): where the version came from, and notes on its transcription
    "transcription_notes",
}
# Parts read as lists or tables under their heading, not item by item.
REGIONS = {"change_log", "business_attachment", "record_items"}
# Printed labels of the national forms that the assessment file does not store (the organisation is
# in organization.yaml, the date is the file's name): they end the value before them.
STOP_LABELS = [
    "評価実施機関名",
    "公表日",
    "項目一覧",
    "提供・移転の有無",
    "再委託",
    "(備考)",
    "個人情報保護委員会承認日",
]
_META = {"評価実施機関名", "公表日"}  # stop labels whose text the draft uses (organization.yaml, the file's date)
_SECTION = re.compile(r"^(?:[IVX]+(?![A-Za-z])|\(別添)")


@dataclass
class Node:
    """One printed item (or heading) of the form, in the form's order."""

    order: int
    path: tuple  # data path with "*" for each list position
    key: str
    title: str
    label: str  # the title as compared (see importer_text.norm)
    kind: str  # group | array | entry | text | choice | checks | bool | int | list | region
    schema: dict
    parent: tuple
    name_key: str | None = None  # entry: the item holding the text printed after the entry's number
    selector: bool = False  # a file's name: picks which file the following part belongs to


@dataclass
class Walk:
    """What the walk found: the cells of each item (by concrete data path) and the entries."""

    regions: dict[tuple, list[Cell]] = field(default_factory=dict)
    matched: dict[tuple, int] = field(default_factory=dict)  # concrete path -> line of its label
    entries: dict[tuple, dict[int, int | None]] = field(default_factory=dict)  # list path -> {index: number}
    meta: dict[str, list[Cell]] = field(default_factory=dict)  # stop labels' cells (公表日 …)


def catalogue(schema, root: dict) -> list[Node]:
    """Return the printed items and headings of a form, in the form's order."""
    nodes: list[Node] = []

    def add(path: tuple, key: str, sub: dict, kind: str, parent: tuple, **kw) -> Node:
        title = sub.get("title", key)
        node = Node(len(nodes), path, key, title, norm(title), kind, sub, parent, **kw)
        nodes.append(node)
        return node

    def walk(node: dict, path: tuple) -> None:
        for key, raw in node.get("properties", {}).items():
            sub = schema.resolve(raw)
            here = path + (key,)
            if not path and key in _NOT_PRINTED:
                continue
            types = sub.get("type") if isinstance(sub.get("type"), list) else [sub.get("type")]
            if key in REGIONS:
                add(here, key, sub, "region", path)
            elif "x-options" in sub:
                add(here, key, sub, "checks", path)
            elif "enum" in sub:
                add(here, key, sub, "choice", path)
            elif "object" in types and "properties" in sub:
                add(here, key, sub, "group", path)
                walk(sub, here)
            elif "array" in types:
                items = schema.resolve(sub.get("items", {}))
                if "properties" in items:
                    add(here, key, sub, "array", path)
                    props = items["properties"]
                    name_key = next(
                        (k for k, v in props.items() if schema.resolve(v).get("title") == items.get("title")), None
                    )
                    if "number" in props:
                        add(here + ("*",), key, items, "entry", here, name_key=name_key)
                    walk_entry(items, here + ("*",), skip={name_key, "number"}, numbered="number" in props)
                else:
                    add(here, key, sub, "list", path)
            elif "boolean" in types:
                add(here, key, sub, "bool", path)
            elif "integer" in types:
                add(here, key, sub, "int", path)
            else:
                add(here, key, sub, "text", path)

    def walk_entry(items: dict, path: tuple, skip: set, numbered: bool) -> None:
        props = {k: v for k, v in items["properties"].items() if k not in skip}
        first = next(iter(props), None)
        before = len(nodes)
        walk({"properties": props}, path)
        if not numbered and first == "name":
            for n in nodes[before:]:
                if n.path == path + ("name",):
                    n.selector = True

    walk(schema.resolve(root), ())
    return nodes


def _label_end(text: str, label: str, numbered: bool = False) -> int | None:
    """Return where `label` ends in `text` when `text` starts with it (compared as in `norm`).

    The label must end at a boundary (a space, ※, a bracket, the end), or at the entry's number
    when `numbered` (システム5, 委託事項1 …).
    """
    got = ""
    for i, c in enumerate(text):
        got += norm(c)
        if len(got) >= len(label):
            if got != label:
                return None
            rest = text[i + 1 :]
            if (
                not rest
                or rest[0] in " \t\u3000※[(（\ue001\ue002\ue003\ue004"
                or label.endswith((")", "。"))
                or (numbered and rest[0] in "0123456789０１２３４５６７８９")
            ):
                return i + 1
            return None
        if not label.startswith(got):
            return None
    return None


class Reader:
    """Walk the cells of one text against a form's catalogue."""

    def __init__(self, nodes: list[Node]):
        self.nodes = nodes
        self.by_path = {n.path: n for n in nodes}
        self.labelled = [n for n in nodes if n.kind not in ("bool", "int") and n.label]
        self.stops = [norm(s) for s in STOP_LABELS]
        self.numbered = {n.path[:-1] for n in nodes if n.kind == "entry"}
        self.cursor = -1
        self.index: dict[tuple, int] = {}  # list path (with "*") -> current position
        self.out = Walk()
        self.current: tuple | None = None  # concrete path receiving cells
        self.current_node: Node | None = None
        self.pending = False  # a file's name was just printed: the next cell says which file

    # -- paths --------------------------------------------------------------------------------

    def concrete(self, path: tuple) -> tuple | None:
        out: list = []
        for i, part in enumerate(path):
            if part == "*":
                pos = self.index.get(path[:i], -1)
                if pos < 0:
                    pos = self._open(path[:i], None, new=False)
                out.append(pos)
            else:
                out.append(part)
        return tuple(out)

    def _list_key(self, list_template: tuple) -> tuple:
        return tuple(self.concrete(list_template))

    def _open(self, list_template: tuple, number: int | None, new: bool = True) -> int:
        """Open an entry of a list (the next one, or the one printed with `number`)."""
        key = self._list_key(list_template)
        known = self.out.entries.setdefault(key, {})
        if number is not None and list_template in self.numbered:
            pos = next((i for i, n in known.items() if n == number), None)
            if pos is None:
                pos = len(known)
                known[pos] = number
        elif number is not None:
            pos = number - 1
            for i in range(pos + 1):
                known.setdefault(i, None)
        else:
            pos = (max(known) + 1) if (known and new) else (max(known) if known else 0)
            known.setdefault(pos, None)
        self.index[list_template] = pos
        for other in list(self.index):
            if len(other) > len(list_template) and other[: len(list_template)] == list_template:
                del self.index[other]
        return pos

    def _filled_under(self, node: Node) -> bool:
        """Whether the current entry already has values at or under `node` (a heading printed again)."""
        prefix = self.concrete(node.path)
        return any(p[: len(prefix)] == prefix for p in self.out.matched if self.out.regions.get(p))

    def _innermost_list(self, path: tuple) -> tuple | None:
        for i in range(len(path) - 1, -1, -1):
            if path[i] == "*":
                return path[:i]
        return None

    # -- matching -----------------------------------------------------------------------------

    def _candidates(self, text: str) -> list[tuple[Node, int, str]]:
        key = norm(text[:200])
        found = []
        for n in self.labelled:
            if not key.startswith(n.label):
                continue
            end = _label_end(text, n.label, n.kind == "entry")
            if end is None:
                continue
            rest = text[end:]
            if n.kind != "entry":
                rest = re.sub(r"^[\s※]+", "", rest)  # ※: the form's mark of an item every body must fill
            if n.kind == "entry":
                m = re.match(r"\s*([0-9０-９]+)", rest)
                if m and re.match(r"\s*[～〜~]", rest[m.end() :]):
                    continue  # システム2～5: the heading of a block of entries, not an entry
                if m:
                    rest = rest[m.end() :]
                    found.append((n, int(unicodedata.normalize("NFKC", m.group(1))), rest))
                elif not rest.strip():
                    found.append((n, 0, rest))
                continue
            if len(n.label) <= 4 and rest.strip() and self.plain:
                continue  # a short label (期間 …) only when alone in its cell
            found.append((n, -1, rest))
        return found

    def _choose(self, found: list[tuple[Node, int, str]], region_mode: bool) -> tuple[Node, int, str] | None:
        if region_mode:
            found = [f for f in found if f[0].kind in ("group", "region", "array") and _SECTION.match(f[0].label)]
        if not found:
            return None
        cur = self.nodes[self.cursor] if self.cursor >= 0 else None
        entries = [f for f in found if f[0].kind == "entry"]
        if entries:
            return entries[0]
        selectors = [f for f in found if f[0].selector]
        if (
            selectors
            and cur is not None
            and self._innermost_list(cur.path) == self._innermost_list(selectors[0][0].path)
        ):
            return selectors[0]
        forward = sorted((f for f in found if f[0].order > self.cursor), key=lambda f: f[0].order)
        parent = cur.parent if cur else ()
        same = [f for f in forward if f[0].parent == parent or (cur and f[0].parent == cur.path)]
        if same:
            return same[0]
        backward = sorted((f for f in found if f[0].order <= self.cursor), key=lambda f: -f[0].order)
        for f in backward:
            if f[0].kind in ("group", "region", "array"):
                continue
            if f[0].parent == parent and not self.out.regions.get(self.concrete(f[0].path)):
                return f
        if forward:
            return forward[0]
        for f in backward:
            if f[0].kind in ("group", "region", "array"):
                return f
        for f in backward:
            n = f[0]
            if cur and n.path[:1] == cur.path[:1] and not self.out.regions.get(self.concrete(n.path)):
                return f
        return None

    def _enter(self, node: Node, number: int, line: int) -> None:
        """Move the cursor to a matched item and make it receive the following cells."""
        if node.kind == "entry":
            self._open(node.path[:-1], number if number > 0 else None)
            self.cursor = node.order
            target = node.path + (node.name_key,) if node.name_key else node.path
            self._receive(target, line)
            return
        lst = self._innermost_list(node.path)
        if node.kind in ("group", "region", "array") and lst is not None and node.order <= self.cursor:
            if self._filled_under(node):
                self._open(lst, None)  # the heading printed again: the next entry (the next file …)
        self.cursor = node.order
        self._receive(node.path, line)
        self.pending = node.selector

    def _receive(self, path: tuple, line: int) -> None:
        concrete = self.concrete(path)
        self.current = concrete
        self.current_node = self.by_path.get(path)
        self.out.matched.setdefault(concrete, line)
        self.out.regions.setdefault(concrete, [])

    def _add(self, cell: Cell) -> None:
        if self.current is None or not cell.text.strip():
            return
        node = self.current_node
        if node is not None and node.selector and self.pending:
            self.pending = False
            m = re.match(r"\s*[(（]([0-9０-９]+)[)）]", cell.text)
            if m:
                lst = self._innermost_list(node.path)
                old = self.current
                self._open(lst, int(unicodedata.normalize("NFKC", m.group(1))))
                self.current = self.concrete(node.path)
                if old != self.current and not self.out.regions.get(old):
                    self.out.regions.pop(old, None)
                    self.out.matched.pop(old, None)
                self.out.matched.setdefault(self.current, cell.line)
                existing = self.out.regions.setdefault(self.current, [])
                if existing:
                    self.current = ("_discard",)  # the name was read in Ⅱ already
                    self.out.regions.setdefault(self.current, [])
                    return
        self.out.regions.setdefault(self.current, []).append(cell)

    def _stop(self, text: str) -> tuple[str, str] | None:
        key = norm(text[:40])
        for label in self.stops:
            if key.startswith(label):
                end = _label_end(text, label)
                if end is not None:
                    return label, text[end:]
        return None

    def read(self, cells: list[Cell]) -> Walk:
        """Walk all cells; return what each item received."""
        self.plain = any(not c.first for c in cells)  # a text with table cells (tabs)
        rows: list[list[Cell]] = []
        for cell in cells:
            if rows and rows[-1][0].line == cell.line:
                rows[-1].append(cell)
            else:
                rows.append([cell])
        header: list[Node] | None = None
        for row in rows:
            filled = [c for c in row if c.text.strip()]
            if header is not None and filled:
                texts = [c.text.strip() for c in filled]
                if len(texts) == 1 and len(header) > 1:
                    texts = texts[0].split(None, len(header) - 1)
                if len(texts) == len(header):
                    for node, text in zip(header, texts, strict=True):
                        self._enter(node, -1, row[0].line)
                        self._add(Cell(row[0].line, text, False))
                    header = None
                    continue
            header = self._header(filled)
            if header is None:
                for cell in row:
                    self._cell(cell)
        return self.out

    def _header(self, cells: list[Cell]) -> list[Node] | None:
        """Return the items of a header row (評価書番号 評価書名): labels alone, values on the next line."""
        if not cells or self.current_node is not None and self.current_node.kind == "region":
            return None
        texts = [c.text.strip() for c in cells]
        if len(texts) == 1:
            texts = texts[0].split()
        if len(texts) < 2:
            return None
        out = []
        for text in texts:
            found = [f for f in self._candidates(text) if not f[2].strip() and f[0].kind == "text"]
            if len(found) != 1:
                return None
            out.append(found[0][0])
        if len({n.parent for n in out}) != 1:
            return None
        return out

    def _cell(self, cell: Cell) -> None:
        if self.current_node is not None and self.current_node.kind == "region":
            head = next((t.strip() for t in cell.text.split("\n") if t.strip()), "")
            found = self._candidates(head) if head and cell.first else []
            # a heading in 項目一覧 opens nothing: until the part has text, any label ends it
            started = any(c.text.strip() for c in self.out.regions.get(self.current, []))
            if not found or self._choose(found, started) is None:
                if not started and found:
                    self.cursor = -1  # 項目一覧 ended: the form's items start again from the top
                else:
                    self.out.regions.setdefault(self.current, []).append(cell)  # a table's cells, as printed
                    return
        lines = cell.text.split("\n")
        for i, line in enumerate(lines):
            text = line.strip()
            if not text:
                continue
            region_mode = (
                self.current_node is not None
                and self.current_node.kind == "region"
                and any(c.text.strip() for c in self.out.regions.get(self.current, []))
            )
            stop = None if region_mode else self._stop(text)
            if stop:
                label, rest = stop
                self.current_node = None
                if label in _META:
                    self.current = ("_meta", label)
                    self.out.meta.setdefault(label, [])
                else:  # a row label of the form (提供・移転の有無): its cells belong to the part it is in
                    cur = self.nodes[self.cursor] if self.cursor >= 0 else None
                    group = cur.path if cur is not None and cur.kind == "group" else (cur.parent if cur else ())
                    self.current = self.concrete(group) if group else ("_meta", label)
                self.out.regions.setdefault(self.current, [])
                if rest.strip():
                    self._add(Cell(cell.line, rest.strip(), False))
                continue
            if not region_mode and self._range_heading(text):
                continue  # システム2～5: the form's heading over a block of entries, no one's text
            found = self._candidates(text)
            choice = self._choose(found, region_mode) if found else None
            if choice is None:
                self._add(Cell(cell.line, text, cell.first and i == 0))
                continue
            node, number, rest = choice
            self._enter(node, number, cell.line)
            rest = rest.strip()
            while rest:  # several labels in one cell (③委託先における取扱者数 対象となる本人の数 …)
                again = self._candidates(rest)
                nxt = self._choose(again, False) if again else None
                if nxt is None or nxt[0].kind == "entry":
                    break
                self._enter(nxt[0], nxt[1], cell.line)
                rest = nxt[2].strip()
            if rest and not (node.kind in ("group", "array", "region") and re.fullmatch(r"[(（].*[)）]", rest)):
                self._add(Cell(cell.line, rest, False))  # (a heading's printed note, ※(7. ②を除く。), is dropped)

    def _range_heading(self, text: str) -> bool:
        key = unicodedata.normalize("NFKC", norm(text))
        return any(
            n.kind == "entry" and key.startswith(n.label) and re.fullmatch(r"[0-9]+[～〜~][0-9]+", key[len(n.label) :])
            for n in self.labelled
        )

    def meta(self) -> dict[str, str]:
        """Return the text printed after each stop label (公表日 …)."""
        return {label: "\n".join(c.text for c in self.out.regions.get(("_meta", label), [])) for label in self.out.meta}


def entry_numbers(walk: Walk) -> dict[tuple, list[int | None]]:
    """Return, for each list, the printed number of each entry found, in order."""
    return {k: [v[i] for i in sorted(v)] for k, v in walk.entries.items()}


def wareki(text: str) -> str | None:
    """Return the ISO date of the first Japanese-era date (令和5年11月27日) in `text`."""
    t = unicodedata.normalize("NFKC", text or "")
    m = re.search(r"(令和|平成|昭和)\s*(元|\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*日", t)
    if not m:
        m2 = re.search(r"(\d{4})\s*年\s*(\d+)\s*月\s*(\d+)\s*日", t)
        if not m2:
            return None
        y, mo, d = (int(x) for x in m2.groups())
    else:
        base = {"令和": 2018, "平成": 1988, "昭和": 1925}[m.group(1)]
        y = base + (1 if m.group(2) == "元" else int(m.group(2)))
        mo, d = int(m.group(3)), int(m.group(4))
    import datetime as dt

    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def set_path(data: Any, path: tuple, value: Any) -> None:
    """Set a value inside nested dicts and lists (which must exist)."""
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value
