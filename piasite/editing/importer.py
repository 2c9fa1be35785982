"""Draft an assessment's version file from the text extracted from its published PDF.

`build.py import SOURCE --form full …` reads the text (importer_text cleans it, importer_form or
importer_summary finds the items by their printed labels), writes a YAML draft whose uncertain
items carry a `# 要確認: …` comment, validates it, and prints what was filled, left empty, marked
要確認 or not found, per part. Nothing is guessed: a choice is filled only when the text shows the
selected option, and the text is the organisation's own (only extraction noise is removed).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..model.errors import BuildError
from ..model.schema import SCHEMA_DIR, Schemas
from .importer_form import _NOT_PRINTED, REGIONS, Reader, catalogue, wareki
from .importer_text import (
    Checks,
    checkbox_group,
    choice,
    count_after,
    join_wrapped,
    mark_before,
    nfkc_key,
    norm,
    option_pattern,
    suspects,
    unmark,
)
from .importer_text import cells as split_cells
from .scaffold import (
    CORRECTIONS,
    FORMS,
    _empty,
    corrections_template,
    modeline,
    organization_scaffold,
    parse_date,
    parse_target,
)

log = logging.getLogger(__name__)

FORM_TITLES = {"全項目評価書": "full", "重点項目評価書": "key", "基礎項目評価書": "basic"}


@dataclass
class Draft:
    """An imported draft: the data, comments per data path, and the figures of the report."""

    form: str
    data: dict[str, Any]
    comments: dict[tuple, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    published: str | None = None  # ISO date of the printed 公表日
    organization: str | None = None  # the printed 評価実施機関名
    suspects: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading the source


def read_source(path: Path) -> str:
    """Return the text of SOURCE, or raise a BuildError saying in Japanese what is wrong with it."""
    if not path.is_file():
        raise BuildError(f"{path} が見つかりません。PDF から抽出したテキストのファイルを指定してください。")
    raw = path.read_bytes()
    if raw.startswith(b"%PDF"):
        raise BuildError(
            f"{path} は PDF のファイルです。先にテキストを取り出してから指定してください"
            f"(例: pdftotext -enc UTF-8 {path.name} hyokasho.txt。README の「はじめての評価書を登録する」の 0. を参照)。"
        )
    if not raw.strip():
        raise BuildError(f"{path} は空です。PDF から抽出したテキストを保存したファイルを指定してください。")
    if b"\x00" in raw[:4096] or sum(b < 9 for b in raw[:4096]) > 8:
        raise BuildError(
            f"{path} はテキストのファイルではありません(バイナリのデータです)。PDF から抽出したテキストを指定してください。"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        for enc, name in (("cp932", "Shift_JIS"), ("euc_jp", "EUC-JP")):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                continue
            raise BuildError(
                f"{path} は UTF-8 ではなく {name} で保存されているようです({line} 行目)。UTF-8 に変換してから指定してください"
                f"(例: iconv -f {'SHIFT_JIS' if name == 'Shift_JIS' else 'EUC-JP'} -t UTF-8 {path.name} > utf8.txt)。"
            ) from None
        raise BuildError(
            f"{path} の {line} 行目が UTF-8 として読めません。UTF-8 のテキストとして保存し直してください。"
        ) from None
    if sum(unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t\n\r\f" for c in text[:5000]) > 20:
        raise BuildError(f"{path} はテキストのファイルではないようです(制御文字が多く含まれています)。")
    return text


def detect_form(text: str) -> str | None:
    """Return the form the text's cover names (概要 for a summary), or None when it names none."""
    head = unicodedata.normalize("NFKC", "\n".join(text.splitlines()[:40]))
    head = re.sub(r"\s", "", head)
    if (
        re.search(r"特定個人情報保護評価書\((全項目|重点項目|基礎項目)評価書\)(\(案\))?」?の概要", head)
        or "」の概要" in head
    ):
        return "概要"
    m = re.search(r"特定個人情報保護評価書\((全項目|重点項目|基礎項目)評価書\)", head)
    if m:
        return m.group(1) + "評価書"
    return None


# ---------------------------------------------------------------------------------------------
# Values


def _width(text: str) -> int:
    """Return the width the PDF wrapped lines at, or 0 when it did not wrap (long table cells)."""
    lengths = sorted(len(line.strip()) for line in text.splitlines() if len(line.strip()) > 5)
    if len(lengths) < 50:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    return width if width <= 80 else 0


def region_text(cells, width: int) -> str | None:
    """Return the text of an item from its cells: lines kept, wrapped lines joined, noise dropped."""
    lines: list[str] = []
    last = None
    for cell in cells:
        for i, line in enumerate(cell.text.split("\n")):
            line = line.replace("\t", " ").strip()
            if re.fullmatch(r"[\ue001-\ue004\s]*", line) or (line == "※" and not lines):
                continue  # (※ alone before the value: the form's mark of the label, printed below it)
            if last == cell.line and i == 0 and lines:
                lines[-1] += " " + line
            else:
                lines.append(line)
        last = cell.line
    lines = join_wrapped(lines, width) if width else lines
    text = unmark("\n".join(lines).strip())
    return text or None


def _walk_leaves(schema, node: dict, path: tuple = ()):
    yield path, node


class Importer:
    """Import one source text as a draft of one form."""

    def __init__(self, form_key: str, schemas: Schemas | None = None):
        self.form = FORMS[form_key]
        self.schemas = schemas or Schemas()
        self.schema = self.schemas.assessment
        self.root = self.schema.resolve(self.schema.root_for({"form": self.form}))
        self.nodes = catalogue(self.schema, self.root)
        options: set[str] = set()
        for n in self.nodes:
            options.update(o for o in n.schema.get("enum", []) if isinstance(o, str))
            options.update(n.schema.get("x-options", []))
        self.options = option_pattern(options)
        self.option_keys = {norm(o) for o in options if o}
        self.label_keys = {n.label for n in self.nodes if len(n.label) >= 3}
        self.untabbed = False
        self.content_lines: set[int] = set()
        self.stamp: str | None = None
        self.plain_log = None

    def run(self, text: str, source: str = "") -> Draft:
        """Read `text`; return the draft."""
        stamp = re.search(r"\[\s*(?:平成|令和)[^\[\]\n]{1,12}様式\s*[0-9０-９]\s*\]", text)
        self.stamp = stamp.group(0) if stamp else None
        cells = split_cells(text, self.options)
        self.plain_log = None
        if not any(not c.first for c in cells):
            # no table cells: the change log is read by the shape of its rows, and its lines (item
            # paths such as 「②事務の内容」) are kept out of the walk over the form's labels
            found = self._plain_change_log(text)
            if found is not None:
                start, self.plain_log = found
                kept = text.splitlines()[:start]
                cells = split_cells("\n".join(kept) + "\n", self.options)
            cells = self._join_wrapped_labels(cells)
        reader = Reader(self.nodes)
        walk = reader.read(cells)
        width = _width(text)
        # Without table cells (no tabs) labels and values may be printed out of order: a value is
        # then kept only when nothing in the text says it may be mixed with another item's text.
        self.untabbed = not reader.plain
        self.content_lines = {c.line for c in cells if c.text.strip()}
        draft = Draft(self.form, {})
        meta = reader.meta()
        draft.published = wareki(meta.get("公表日", ""))
        org = (meta.get("評価実施機関名") or "").strip().split("\n")[0].strip()
        draft.organization = org or None
        data = self._build(self.root, (), (), walk, width, draft)
        head: dict[str, Any] = {"form": self.form}
        version = re.search(r"\[\s*((?:平成|令和)[^\[\]\n]{1,12}様式\s*[0-9０-９])\s*\]", text)
        if self.untabbed:
            self._check_entries(data, draft)
        if version:
            head["form_version"] = re.sub(r"\s+", " ", version.group(1).replace("\u3000", " "))
        head["status"] = "案" if re.search(r"[(（]\s*案\s*[)）]", "\n".join(text.splitlines()[:15])) else "公表"
        unavailable = self._unavailable(walk, data, draft)
        if unavailable:
            head["unavailable"] = unavailable
        draft.data = {**head, **data}
        return draft

    def _join_wrapped_labels(self, cells: list) -> list:
        """Join the lines of a label the PDF wrapped in its narrow column (no tabs, ~14 characters a line).

        「必要な情報以外を入手するこ」「とを防止するための措置の内」「容」 is one printed label: lines that
        follow each other without a blank and together make exactly a title of the form, while no
        shorter run of them does, become one line.
        """
        labels = {n.label for n in self.nodes if len(n.label) >= 6}
        prefixes = {label[:k] for label in labels for k in range(1, len(label) + 1)}
        out: list = []
        i = 0
        while i < len(cells):
            acc, end = "", None
            for j in range(i, min(i + 6, len(cells))):
                if j > i and cells[j].line != cells[j - 1].line + 1:
                    break
                acc += norm(cells[j].text)
                if acc not in prefixes:
                    break
                if acc in labels:
                    end = j if j > i else None
                    break
            if end is None:
                out.append(cells[i])
                i += 1
                continue
            text = "".join(c.text.strip() for c in cells[i : end + 1])
            out.append(type(cells[i])(cells[i].line, text, True))
            i = end + 1
        return out

    # -- building the data --------------------------------------------------------------------

    def _build(self, node: dict, tpath: tuple, cpath: tuple, walk, width: int, draft: Draft) -> dict:
        out: dict[str, Any] = {}
        for key, raw in node.get("properties", {}).items():
            if not tpath and key in _NOT_PRINTED:
                continue
            sub = self.schema.resolve(raw)
            t, c = tpath + (key,), cpath + (key,)
            n = self._node(t)
            types = sub.get("type") if isinstance(sub.get("type"), list) else [sub.get("type")]
            if key in REGIONS:
                out[key] = self._region(key, sub, t, c, walk, width, draft)
            elif n is not None and n.kind in ("text", "choice", "checks", "bool", "int", "list"):
                out[key] = self._leaf(n, sub, c, walk, width, draft)
            elif "object" in types and "properties" in sub:
                out[key] = self._build(sub, t, c, walk, width, draft)
            elif "array" in types and "properties" in self.schema.resolve(sub.get("items", {})):
                items = self.schema.resolve(sub["items"])
                found = walk.entries.get(c, {})
                entries = []
                for pos in sorted(found):
                    if found[pos] is None and not any(
                        p[: len(c) + 1] == c + (pos,) and walk.regions.get(p) for p in walk.matched
                    ):
                        continue  # opened by a heading printed again, then never used
                    entry = self._build(items, t + ("*",), c + (pos,), walk, width, draft)
                    if "number" in items.get("properties", {}):
                        entry = {"number": found[pos] or pos + 1, **entry}
                    entries.append(entry)
                if not entries and sub.get("minItems"):
                    entries = [self._build(items, t + ("*",), c + (0,), walk, width, draft)]
                out[key] = entries
            elif n is None and key != "number":
                # an entry's name (委託事項1 の後の文字): read at the entry's label
                out[key] = self._text(c, walk, width, draft, sub)
            if key == "number" and tpath and tpath[-1] == "*":
                continue
        return out

    def _node(self, tpath: tuple):
        if not hasattr(self, "_by_path"):
            self._by_path = {n.path: n for n in self.nodes}
        return self._by_path.get(tpath)

    def _part(self, cpath: tuple) -> str:
        top = self.schema.resolve(self.root["properties"][cpath[0]]).get("title", cpath[0])
        if cpath[0] == "files" and len(cpath) > 2:
            sub = self.schema.at(self.root, ("files", 0, cpath[2])) or {}
            return f"{sub.get('title', cpath[2])} ({cpath[1] + 1})"
        return top

    def _count(self, cpath: tuple, what: str, draft: Draft) -> None:
        draft.counts[self._part(cpath)][what] += 1

    def _text(self, cpath: tuple, walk, width: int, draft: Draft, sub: dict) -> str | None:
        cells = walk.regions.get(cpath)
        if cpath not in walk.matched:
            return None
        value = region_text(cells or [], width)
        if value and self._unsure(cells or [], value, cpath, walk, draft):
            return None
        self._note_suspects(value, cpath, draft)
        self._count(cpath, "filled" if value else "empty", draft)
        return value

    def _note_suspects(self, value, cpath: tuple, draft: Draft) -> None:
        for bad, good in suspects(value or ""):
            draft.comments[cpath].append(
                f"要確認: 「{bad}」は「{good}」の読み取り誤りかもしれません。原本で確かめてください。"
            )
            draft.suspects.append(f"{'.'.join(map(str, cpath))}: {bad}→{good}?")
            self._count(cpath, "doubt", draft)

    def _leaf(self, n, sub: dict, cpath: tuple, walk, width: int, draft: Draft) -> Any:
        if n.kind == "bool":
            parent = walk.regions.get(cpath[:-1], [])
            shown = mark_before(" ".join(c.text for c in parent), n.title)
            self._count(cpath, "filled" if shown is not None else "missing", draft)
            if shown is None and cpath[:-1] in walk.matched:
                draft.comments[cpath].append(f"要確認: 「{n.title}」のチェック欄が抽出テキストに見つかりません。")
            return shown
        if n.kind == "int":
            return self._int(n, cpath, walk, draft)
        matched = cpath in walk.matched
        cells = walk.regions.get(cpath, [])
        if not matched:
            self._count(cpath, "missing", draft)
            if cpath[:-1] in walk.matched or any(p[: len(cpath) - 1] == cpath[:-1] for p in walk.matched):
                draft.comments[cpath].append(
                    f"要確認: 「{n.title}」の欄が抽出テキストに見つかりません。原本で確かめてください。"
                )
            return _empty(self.schema, sub, n.key)
        text = " \n".join(c.text for c in cells)
        if n.kind == "choice":
            allowed = [o for o in sub.get("enum", []) if isinstance(o, str)]
            value, doubt = choice(text, allowed)
            if doubt:
                draft.comments[cpath].append(f"要確認: {doubt}。原本で選択を確かめてください。")
                self._count(cpath, "doubt", draft)
            else:
                self._count(cpath, "filled" if value else "empty", draft)
            return value
        if n.kind == "checks":
            options = sub["x-options"]
            got = checkbox_group(text, options)
            value = _empty(self.schema, sub, n.key)
            if self.untabbed and _split_brackets(text):
                got = Checks(
                    [],
                    None,
                    {},
                    "チェック欄の括弧と印が別々の行に分かれて抽出されていて、どの選択肢の印か決められません",
                )
            if got.doubt:
                draft.comments[cpath].append(f"要確認: {got.doubt}。原本でチェックを確かめてください。")
                self._count(cpath, "doubt", draft)
                return value
            value["selected"] = got.selected
            if got.other and "other" in value:
                value["other"] = got.other
            if got.details and "details" in sub.get("properties", {}):
                value["details"] = got.details
            self._count(cpath, "filled" if got.selected else "empty", draft)
            return value
        if n.kind == "list":
            items = []
            text = re.sub(r"\s+(?=[(（][0-9０-９]+[)）])", "\n", region_text(cells, 0) or "")
            for line in text.split("\n"):
                line = re.sub(r"^\s*[(（][0-9０-９]+[)）]\s*", "", line).strip()
                if line:
                    items.append(line)
            self._count(cpath, "filled" if items else "empty", draft)
            return items
        value = region_text(cells, width)
        if value and self.stamp and nfkc_key(value) == nfkc_key(self.stamp):
            value = None  # the form's version ([平成30年5月 様式4]) printed in this item's place: form_version
        if value and self._unsure(cells, value, cpath, walk, draft, n.title, n):
            return None
        if value and n.selector:
            value = re.sub(r"^\s*[(（][0-9０-９]+[)）]\s*", "", value)  # the file's number, printed before its name
        if value and any(r.endswith("/date_or_text") for r in sub.get("x-refs", [])):
            iso = wareki(value)
            if iso and re.fullmatch(
                r"\s*(令和|平成|昭和)\s*(元|[0-9０-９]+)\s*年\s*[0-9０-９]+\s*月\s*[0-9０-９]+\s*日\s*(?:[(（][月火水木金土日][)）])?\s*",
                value,
            ):
                value = iso  # a date alone is written YYYY-MM-DD (the schema's rule; pages show it in 和暦)
        self._note_suspects(value, cpath, draft)
        self._count(cpath, "filled" if value else "empty", draft)
        return value

    def _log_schema(self) -> tuple[dict, dict[str, str], list[str]] | None:
        """Return the change log's schema, its column keys by printed title, and the 提出時期 options."""
        raw = self.root.get("properties", {}).get("change_log")
        if raw is None:
            return None
        sub = self.schema.resolve(raw)
        items = self.schema.resolve(sub["items"])
        props = {k: self.schema.resolve(v) for k, v in items["properties"].items()}
        titles = {norm(v.get("title", k)): k for k, v in props.items()}
        options = [o for o in props.get("timing", {}).get("enum", []) if isinstance(o, str)]
        return sub, titles, options

    def _plain_change_log(self, text: str):
        from .importer_plain import find_extent, read_rows

        spec = self._log_schema()
        if spec is None:
            return None
        sub, titles, options = spec
        lines = text.splitlines()
        found = find_extent(lines, titles, options)
        if found is None:
            return None
        start, columns = found
        return start, read_rows(lines, start, columns, titles, options, norm(sub.get("title", "")))

    def _plain_rows(self, cpath: tuple, draft: Draft) -> list[dict] | None:
        rows = []
        for i, row in enumerate(self.plain_log or []):
            rows.append(dict(row.cells))
            for key, why in row.doubts.items():
                draft.comments[cpath + (i, key)].append(f"要確認: {why}。原本で確かめてください。")
                self._count(cpath, "doubt", draft)
        self._count(cpath, "filled" if rows else "empty", draft)
        return rows or None

    def _skipped(self, node, cpath: tuple, walk) -> str:
        """Say whether the item printed next in the form comes later in the text than the label ending this value.

        (①方法 / （…） / ③期間を短縮する特段の理由 … ②実施日・期間 printed further down: the text after
        ①'s label may be ②'s value.) "" when the labels around the value are in the form's order.
        """
        here = walk.matched.get(cpath)
        siblings = [m for m in self.nodes if m.parent == node.parent and m.order > node.order and m.label]
        nxt = next((m for m in siblings if m.kind not in ("bool", "int")), None)
        if here is None or nxt is None:
            return ""
        where = walk.matched.get(cpath[:-1] + (nxt.key,))
        after = [line for line in walk.matched.values() if line > here]
        if where is None or not after or where <= min(after):
            return ""
        return f"次の項目「{nxt.title}」の項目名がこの欄の後の別の項目名より後に印刷されている(記載の順が様式と異なる)"

    def _shared(self, node) -> bool:
        """Whether another item of the node's group is printed with the same label."""
        return any(m is not node and m.parent == node.parent and m.label == node.label for m in self.nodes)

    def _unsure(self, cells, value: str, cpath: tuple, walk, draft: Draft, title: str = "", node=None) -> bool:
        """In a text without table cells, mark a value 要確認 when its extent cannot be trusted."""
        if not self.untabbed:
            return False
        why = _mixed(cells, walk.matched.get(cpath), title, self.content_lines, self.label_keys, self.option_keys)
        if not why and node is not None:
            why = self._skipped(node, cpath, walk)
        if not why and node is not None and self._shared(node):
            # labels and values out of order: a label printed for several items of one group
            # (具体的な管理方法 …) does not say which one's value follows it
            why = f"同じ項目名(「{node.title}」)の欄がこのまとまりにほかにもあり、記載が印刷された順からどの欄のものか決められない"
        if not why:
            return False
        first = value.strip().split("\n")[0][:30]
        draft.comments[cpath].append(
            f"要確認: 抽出テキストに表の区切りがなく、{why}ため、この欄の記載の範囲を決められません"
            f"(テキストでは「{first}」から始まります)。原本で確かめてください。"
        )
        self._count(cpath, "doubt", draft)
        return True

    def _check_entries(self, data: dict, draft: Draft) -> None:
        """Without table cells, take back entries whose identity the text does not establish.

        A numbered list (システム1…, 委託事項1…) is kept only when its numbers run 1, 2, … as printed;
        a file's parts are kept only when the file's name was read (a heading printed again opens no
        file of its own).
        """

        def visit(node: Any, path: tuple, sub: dict) -> None:
            sub = self.schema.resolve(sub)
            if isinstance(node, dict):
                for k, v in node.items():
                    child = sub.get("properties", {}).get(k)
                    if child is not None:
                        visit(v, path + (k,), child)
            elif isinstance(node, list) and node and all(isinstance(e, dict) for e in node):
                items = sub.get("items", {})
                numbers = [e.get("number") for e in node]
                if "number" in node[0] and numbers != list(range(1, len(node) + 1)):
                    shown = "、".join(str(n) for n in numbers)
                    draft.comments[path].append(
                        f"要確認: 抽出テキストに表の区切りがなく、番号が順に並ばない({shown})ため、"
                        "どの記載がどの番号のものか決められません。原本から書いてください。"
                    )
                    self._count(path, "doubt", draft)
                    node.clear()
                    return
                for i, e in enumerate(node):
                    visit(e, path + (i,), items)

        for key, raw in self.root.get("properties", {}).items():
            if key in data and key != "change_log":
                visit(data[key], (key,), raw)
        files = data.get("files") or []
        items = self.schema.resolve(self.schema.resolve(self.root["properties"]["files"]).get("items", {}))
        for i, f in enumerate(files):
            if i == 0 or f.get("name"):
                continue
            for key in list(f):
                if key in ("name", "record_items"):
                    continue
                sub = self.schema.resolve(items["properties"][key])
                f[key] = _no_entries(_empty(self.schema, sub, key))
                draft.comments[("files", i, key)].append(
                    "要確認: このファイルの名前がテキストに見つからず、"
                    "見出しが繰り返し印刷されたものか決められないため、読み取っていません。原本で確かめてください。"
                )
                self._count(("files", i, key), "doubt", draft)

    def _int(self, n, cpath: tuple, walk, draft: Draft) -> int | None:
        siblings = [m for m in self.nodes if m.parent == n.parent and m.order < n.order]
        prev = siblings[-1] if siblings else None
        if prev is None:
            return None
        if prev.kind == "bool":
            text = " ".join(c.text for c in walk.regions.get(cpath[:-1], []))
            value = count_after(text, prev.title)
        else:
            text = " ".join(c.text for c in walk.regions.get(cpath[:-1] + (prev.key,), []))
            value = count_after(text, "")
        if value is not None:
            self._count(cpath, "filled", draft)
        return value

    # -- lists and tables under a heading ---------------------------------------------------------

    def _region(self, key: str, sub: dict, tpath: tuple, cpath: tuple, walk, width: int, draft: Draft) -> Any:
        from .importer_lists import attachment, change_log, record_items, wrapped_record_items

        if self.untabbed and key == "record_items":
            return wrapped_record_items(walk, cpath, self, draft)  # the heading is printed once for all files
        if self.untabbed and key in ("record_items", "business_attachment"):
            if walk.regions.get(cpath) is None and not (key == "record_items" and cpath in walk.matched):
                self._count(cpath, "missing", draft)
                return []
            draft.comments[cpath].append(
                "要確認: 抽出テキストに表の区切りがなく、一覧の区切り(行末で切れた語など)を決められないため、"
                "読み取っていません。原本から書いてください。"
            )
            self._count(cpath, "doubt", draft)
            return []
        if key == "record_items":
            return record_items(walk, cpath, self, draft)
        if key == "change_log" and self.plain_log is not None:
            return self._plain_rows(cpath, draft)
        cells = walk.regions.get(cpath)
        if cells is None:
            self._count(cpath, "missing", draft)
            return [] if key != "change_log" else None
        if key == "change_log":
            rows = change_log(cells, self.schema, sub, draft, cpath)
            self._count(cpath, "filled" if rows else "empty", draft)
            return rows or None
        return attachment(cells, self.schema, sub, width, draft, cpath)

    def _unavailable(self, walk, data: dict, draft: Draft) -> list[dict]:
        """List the parts of the form the text does not contain, for the editor and the reader."""
        out = []
        for key in self.root.get("properties", {}):
            if key in _NOT_PRINTED or key in (
                "files",
                "cover",
                "change_log",
            ):
                continue
            if not any(p[:1] == (key,) for p in walk.matched):
                title = self.schema.resolve(self.root["properties"][key]).get("title", key)
                out.append(
                    {
                        "item": key,
                        "note": f"「{title}」は原本の抽出テキストに見つかりませんでした。原本で確かめてください。",
                    }
                )
        for i, entry in enumerate(data.get("business_attachment") or []):
            if isinstance(entry, dict) and "figure" in entry:
                out.append(
                    {
                        "item": f"business_attachment[{i}].figure",
                        "note": "事務の流れの図は原本の抽出テキストに含まれていないため、掲載していません。",
                    }
                )
        for lst, found in walk.entries.items():
            numbers = [v for v in found.values() if isinstance(v, int)]
            node = self.schema.at(self.root, lst) or {}
            title = self.schema.resolve(node.get("items", {})).get("title", "")
            if numbers and min(numbers) > 1:
                gap = f"{title}1" + (f"〜{min(numbers) - 1}" if min(numbers) > 2 else "")
                out.append(
                    {
                        "item": _item_path(lst),
                        "note": f"{gap}は原本の抽出テキストに含まれていないため、掲載していません。",
                    }
                )
        return out


_FRAGMENT = re.compile(r"^\s*[\]］〕)）]|[\[［〔(（]\s*[○◯●]?\s*$")


def _split_brackets(text: str) -> bool:
    """Whether check-box brackets were split from their marks or options across lines ("[ ○" / "] 紙")."""
    flat = text.replace("［", "[").replace("］", "]")
    return any(line.count("[") != line.count("]") for line in flat.split("\n"))


def _no_entries(node: Any) -> Any:
    """Return a scaffold without its one-entry lists (an entry's number is not the text's)."""
    if isinstance(node, dict):
        return {k: _no_entries(v) for k, v in node.items()}
    if isinstance(node, list) and node and all(isinstance(e, dict) for e in node):
        return []
    return node


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _mixed(
    cells, label_line: int | None, title: str, content_lines: set[int], labels: set[str], options: set[str]
) -> str:
    """Say why a value read from a text without table cells may hold another item's text ("" if none).

    The signs: the value's lines are not one run of the text (it was entered again from elsewhere);
    a value printed on its label's line goes on after a blank line (the next lines may be another
    item's); a line is a fragment of a check box ("]", "[ ○") or carries a check mark; a line is the
    printed label of an item of the form (whole or wrapped), a label with its value (「②所属長 課長」),
    the next item's number (②… under ①…), or one of the form's options.
    """
    lines = sorted({c.line for c in cells if c.text.strip()})
    for a, b in zip(lines, lines[1:], strict=False):
        if any(n in content_lines for n in range(a + 1, b)):
            return "記載が離れた位置に分かれて印刷されている"
    if label_line in lines and len(lines) > 1 and lines[1] > label_line + 1:
        return "項目名の行の記載の後に、空行をはさんで別の記載が続いている"
    own = title.strip()[:1]
    after = _CIRCLED[_CIRCLED.index(own) + 1] if own and own in _CIRCLED[:-1] else None
    texts = [t for c in cells for t in c.text.split("\n")]
    for line in texts:
        text = line.strip()
        if not text:
            continue
        if after and text.startswith(after):
            return f"次の項目の番号(「{text[:20]}」)が混じっている"
        if re.match(r"^[①-⑳][^\s]{1,14} \S", text) and not text.startswith(own or "\0"):
            return f"ほかの項目の項目名と記載(「{text[:20]}」)が混じっている"
        if _FRAGMENT.search(text) or _split_brackets(text) or "[○]" in text or "[ ]" in text:
            return f"チェック欄の一部(「{text[:20]}」)が混じっている"
        key = norm(text)
        if key in options and len([t for t in texts if t.strip()]) > 1:  # an option among other lines
            return f"選択肢(「{text[:20]}」)が混じっている"
        if any(key.startswith(label) for label in labels) or (
            len(key) >= 5 and any(label.startswith(key) and len(label) > len(key) for label in labels)
        ):
            return f"ほかの項目の項目名(「{text[:20]}」)が混じっている"
        if key in ("※",):
            return "項目名の印(※)が混じっている"
    return ""


def _item_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# ---------------------------------------------------------------------------------------------
# YAML with comments


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, (int, float)):
        return f" {value}"
    text = yaml.safe_dump(value, allow_unicode=True, width=10**9).rstrip("\n")
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return " " + text


def _block(value: str, pad: str) -> list[str]:
    lines = [line.rstrip().lstrip(" ") for line in value.replace("\t", " ").split("\n")]
    return [f"{pad}{line}" if line else "" for line in lines]


def dump(data: Any, comments: dict[tuple, list[str]]) -> list[str]:
    """Return the YAML lines of `data`, with the comments given per data path."""
    lines: list[str] = []
    _dump_map(data, (), 0, comments, lines)
    return lines


def _dump_map(data: dict, path: tuple, depth: int, comments, lines: list[str]) -> None:
    pad = "  " * depth
    for key, value in data.items():
        here = path + (key,)
        for c in comments.get(here, []):
            lines.append(f"{pad}# {c}")
        _dump_value(key, value, here, depth, comments, lines)


def _dump_value(key: str, value: Any, here: tuple, depth: int, comments, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(value, dict):
        if not value:
            lines.append(f"{pad}{key}: {{}}")
            return
        lines.append(f"{pad}{key}:")
        _dump_map(value, here, depth + 1, comments, lines)
    elif isinstance(value, list):
        if not value:
            lines.append(f"{pad}{key}: []")
            return
        lines.append(f"{pad}{key}:")
        for i, item in enumerate(value):
            inner: list[str] = []
            if isinstance(item, dict):
                _dump_map(item, here + (i,), depth + 2, comments, inner)
                first = next(j for j, line in enumerate(inner) if not line.lstrip().startswith("#"))
                inner[first] = f"{pad}  - " + inner[first][len(pad) + 4 :]
                lines.extend(inner)
            elif isinstance(item, str) and "\n" in item:
                lines.append(f"{pad}  - |-")
                lines.extend(_block(item, pad + "    "))
            else:
                lines.append(f"{pad}  -{_scalar(item)}")
    elif isinstance(value, str) and "\n" in value:
        lines.append(f"{pad}{key}: |-")
        lines.extend(_block(value, pad + "  "))
    else:
        lines.append(f"{pad}{key}:{_scalar(value)}")


def draft_text(draft: Draft, target: Path, source: str) -> str:
    """Return the whole YAML text of a draft."""
    head = [
        modeline(SCHEMA_DIR / "assessment.schema.json", target),
        f"# {source} から build.py import で作った下書きです。原本(PDF)と照らし合わせて確かめてください。",
        "# 「# 要確認:」の付いた項目は、抽出テキストからは決められなかった項目です。原本を見て値を書き、コメントを消してください。",
    ]
    return "\n".join(head + dump(draft.data, draft.comments)) + "\n"


# ---------------------------------------------------------------------------------------------
# Command


def report_lines(draft: Draft) -> list[str]:
    """Return the lines of the report: per part, items filled, empty, 要確認 and not found."""
    out = ["部分ごとの結果(記入 / 空欄 / 要確認 / 見つからない):"]
    total: Counter = Counter()
    for part, c in draft.counts.items():
        total.update(c)
        out.append(
            f"  {part}: 記入 {c['filled']} / 空欄 {c['empty']} / 要確認 {c['doubt']} / 見つからない {c['missing']}"
        )
    out.append(
        f"  合計: 記入 {total['filled']} / 空欄 {total['empty']} / 要確認 {total['doubt']} / 見つからない {total['missing']}"
    )
    if draft.suspects:
        out.append(
            f"読み取り誤りの可能性がある文字 {len(draft.suspects)} か所(変更していません。原本で確かめてください):"
        )
        out.extend(f"  {s}" for s in draft.suspects[:20])
    return out


def import_source(args) -> int:
    """Run `build.py import`: write the draft, validate it, print the report; return the exit status."""
    import sys

    source = Path(args.source)
    text = read_source(source)
    form = FORMS[args.form]
    shown = detect_form(text)
    if shown is not None and shown != form:
        key = {v: k for k, v in FORMS.items()}.get(shown, "?")
        raise BuildError(
            f"{source} は「{shown}」のテキストのようです(表紙の表題)。--form {args.form}({form})ではなく --form {key} を指定してください。"
        )
    if shown is None and form != "概要":
        raise BuildError(
            f"{source} の先頭に「特定個人情報保護評価書({form})」の表題が見つかりません。"
            "評価書の PDF から抽出したテキストか、--form が正しいかを確かめてください。"
        )
    if form == "概要":
        from .importer_summary import import_summary

        draft = import_summary(text)
    else:
        draft = Importer(args.form).run(text, str(source))
    if sum(c["filled"] for c in draft.counts.values()) < 5:
        raise BuildError(
            f"{source} から様式の項目をほとんど読み取れませんでした。{form}の PDF から抽出したテキストかを確かめてください。"
        )
    written = []
    if args.out:
        target = Path(args.out)
        if target.exists():
            raise BuildError(f"{target} はすでにあります。上書きしません。別のファイル名を指定してください。")
    else:
        org, slug = parse_target(f"{args.org}/{args.assessment}")
        date = args.date or draft.published
        if not date:
            raise BuildError(
                f"{source} に公表日が印刷されていないため、版の日付が決まりません。--date YYYY-MM-DD で公表日を指定してください。"
            )
        date = parse_date(date).isoformat()
        folder = Path(args.content) / org / slug
        target = folder / f"{date}.yaml"
        if target.exists():
            raise BuildError(f"{target} はすでにあります。上書きしません。")
        org_file = Path(args.content) / org / "organization.yaml"
        if not org_file.exists():
            org_file.parent.mkdir(parents=True, exist_ok=True)
            body = organization_scaffold(Schemas().organization)
            if draft.organization:
                body = body.replace("\nname:\n", f"\nname:{_scalar(draft.organization)}\n", 1)
            org_file.write_text(
                modeline(SCHEMA_DIR / "organization.schema.json", org_file) + "\n" + body, encoding="utf-8"
            )
            written.append(org_file)
            corrections = org_file.parent / CORRECTIONS
            if not corrections.exists():  # the record of what the editor corrects in the extracted text
                corrections.write_text(corrections_template(org, target.relative_to(org_file.parent)), encoding="utf-8")
                written.append(corrections)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(draft_text(draft, target, source.name), encoding="utf-8")
    written.append(target)
    for line in report_lines(draft):
        print(line)
    problems = _validate(target)
    for p in problems:
        print(p.format(), file=sys.stderr)
    for path in written:
        print(f"書き出しました: {path}")
    if problems:
        print(f"下書きの検証: エラー {len(problems)} 件。原本を見て埋めてから build.py validate で確かめてください。")
    else:
        print("下書きの検証: エラー 0 件。「要確認」の項目を原本で確かめてから build.py validate を実行してください。")
    return 0


def _validate(path: Path):
    from ..model.content import guard_my_numbers
    from ..model.loader import load_yaml
    from ..model.schema import validate_file

    loaded, problems = load_yaml(path, str(path))
    if loaded is None:
        return problems
    problems = list(problems) + validate_file(Schemas().assessment, loaded)
    problems += guard_my_numbers(loaded, {})
    return problems


def today() -> str:
    return dt.date.today().isoformat()
