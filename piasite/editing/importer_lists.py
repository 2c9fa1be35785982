"""Read the parts printed as lists or tables under one heading: 変更箇所, (別添) 事務の内容, 記録項目."""

from __future__ import annotations

import re

from .importer_form import wareki
from .importer_text import Cell, choice, norm, unmark
from .scaffold import _empty


def _lines(cells: list[Cell]) -> list[tuple[int, list[str]]]:
    """Group cells by source line: [(line, [cell texts])]."""
    out: list[tuple[int, list[str]]] = []
    for c in cells:
        if out and out[-1][0] == c.line and not c.first:
            out[-1][1].append(c.text)
        else:
            out.append((c.line, [c.text]))
    return out


def change_log(cells: list[Cell], schema, sub: dict, draft, cpath: tuple) -> list[dict]:
    """Read the change log: a header row of the schema's column titles, then one row per line."""
    items = schema.resolve(sub["items"])
    props = {k: schema.resolve(v) for k, v in items["properties"].items()}
    titles = {norm(v.get("title", k)): k for k, v in props.items()}
    rows: list[dict] = []
    columns: list[str] | None = None
    for _line, texts in _lines(cells):
        keys = [titles.get(norm(t)) for t in texts if t.strip()]
        if len(keys) >= 3 and all(keys):
            columns = keys  # the header row (printed again on every page)
            continue
        if not columns:
            continue
        if len(texts) >= len(columns) - 2 and wareki(texts[0]) and len(texts[0]) < 20:
            row = {k: None for k in props}
            for key, text in zip(columns, texts, strict=False):
                row[key] = _cell_text(text)
            rows.append(row)
            where = cpath + (len(rows) - 1,)
            date = wareki(row.get("date") or "")
            if date:
                row["date"] = date
            else:
                draft.comments[where + ("date",)].append("要確認: 変更日を日付として読めません。")
            if "timing" in props and row.get("timing") is not None:
                allowed = [o for o in props["timing"].get("enum", []) if isinstance(o, str)]
                value, _ = choice(f"[{row['timing']}]", allowed)
                if value is None:
                    draft.comments[where + ("timing",)].append(
                        f"要確認: 提出時期「{row['timing']}」は選択肢にありません。"
                    )
                row["timing"] = value
        elif rows:
            last = rows[-1]
            key = next((k for k in reversed(columns) if last.get(k)), columns[-1])
            extra = _cell_text("\n".join(texts))
            if extra and key not in ("date", "timing"):
                last[key] = f"{last[key]}\n{extra}" if last.get(key) else extra
    return rows


def _cell_text(text: str) -> str | None:
    text = unmark(text)
    text = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    return text or None


_FILE_HEAD = re.compile(r"^\s*[(（]([0-9０-９]+)[)）]\s*(\S.*)$")
_NUMBERED = re.compile(r"^\s*([0-9０-９]+)\s*[.．、)）]?\s+(?=\S)|^\s*([0-9０-９]+)[.．、]\s*(?=\S)")
_GROUP_HEAD = re.compile(r"^\s*[ア-ン]\s+\S")


def record_items(walk, cpath: tuple, importer, draft) -> list[dict]:
    """Read one file's (別添) 記録項目: the numbered list printed under the file's name."""
    # The heading is printed once for all files: gather what every file's part received, in order.
    cells: list[Cell] = []
    for path, got in walk.regions.items():
        if len(path) == 3 and path[0] == "files" and path[2] == "record_items":
            cells.extend(got)
    if not cells:
        importer._count(cpath, "missing", draft)
        return []
    cells.sort(key=lambda c: c.line)
    want = cpath[1] + 1
    current = 1
    groups: list[dict] = []
    lines = []
    for cell in cells:
        for line in cell.text.split("\n"):
            # a list printed on one line: 1. 宛名番号, 2. 住民票コード, … or 宛名番号, 住民票コード, …
            parts = re.split(r"[,、]\s*(?=[0-9０-９]+[.．]\s*\S)", line)
            if len(parts) == 1 and line.count(", ") >= 3:
                parts = line.split(", ")
            lines.extend(parts)
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        m = _FILE_HEAD.match(line)
        if m and not _NUMBERED.match(line):
            current = int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
            continue
        if current != want:
            continue
        if _GROUP_HEAD.match(line) and not _NUMBERED.match(line):
            groups.append({"heading": line, "numbered": False, "items": []})
            continue
        if not groups:
            groups.append({"heading": None, "numbered": False, "items": []})
        n = _NUMBERED.match(line)
        if n:
            groups[-1]["numbered"] = True
            line = line[n.end() :]
        line = re.sub(r"[、,]\s*$", "", line).strip()
        if line:
            groups[-1]["items"].append(line)
    groups = [g for g in groups if g["items"]]
    for g in groups:
        if g["heading"] is None:
            del g["heading"]
        if not g["numbered"]:
            del g["numbered"]  # the default: a list printed without numbers
    importer._count(cpath, "filled" if groups else "empty", draft)
    return groups


_NOTE_HEAD = re.compile(r"^\s*[0-9０-９]+[.．]\s*\S")
_TITLE = re.compile(r"^\s*[(（][0-9０-９]+[)）]\s*\S")


def attachment(cells: list[Cell], schema, sub: dict, width: int, draft, cpath: tuple) -> list[dict]:
    """Read (別添1) 事務の内容: per figure, its title and the numbered notes (備考) printed below it."""
    from .importer import region_text

    items = schema.resolve(sub["items"])
    out: list[dict] = []
    lines: list[Cell] = []

    def flush() -> None:
        if not out:
            return
        notes = out[-1].setdefault("notes", [])
        if notes and lines:
            notes[-1]["text"] = region_text(lines, width)
        elif lines:
            notes.append({"heading": None, "text": region_text(lines, width)})
        lines.clear()

    for cell in cells:
        for line in cell.text.split("\n"):
            text = line.strip()
            if not text or norm(text) in (norm(sub.get("title", "")), norm("(備考)")):
                continue
            if _TITLE.match(text):
                flush()
                entry = _empty(schema, items, "")
                entry.update({"title": text, "notes": []})
                out.append(entry)
                continue
            if not out:
                entry = _empty(schema, items, "")
                entry["notes"] = []
                out.append(entry)
            if _NOTE_HEAD.match(text) and not re.match(r"^\s*[0-9０-９]+[.．]\s*[0-9０-９]", text):
                flush()
                out[-1]["notes"].append({"heading": text, "text": None})
                continue
            lines.append(Cell(cell.line, text, cell.first))
    flush()
    return out


# ---------------------------------------------------------------------------------------------
# 記録項目 in a text without table cells: items separated by full-width spaces, lines wrapped anywhere

_ITEM_SEP = re.compile(r"[\u3000，]+")
_OPENING, _CLOSING = "（([［〔「", "）)]］〕」"


def _depth(word: str) -> int:
    return sum(word.count(c) for c in _OPENING) - sum(word.count(c) for c in _CLOSING)


def wrapped_break(last: str, first: str, vocab: set[str]) -> str | None:
    """Say whether a line break between `last` and `first` falls inside one item ("join") or between two ("split").

    The PDF wrapped the list at its width wherever the line was full, inside a word (「届」/「出区分コード」)
    or between two words. The break is decided only on evidence: a bracket left open or closed
    alone, a word ending or starting with 「_」, or the words printed whole elsewhere in the lists
    (`vocab`: the items printed inside a line, between two separators, or first or last in a list,
    and the words the lists cut at two different places). None when nothing decides.
    """
    if not last or not first:
        return "split"
    if _depth(last) > 0 or _depth(first) < 0 or last.endswith("_") or first.startswith("_"):
        return "join"
    joined = last + first
    whole = last in vocab and first in vocab
    if joined in vocab and not whole:
        return "join"
    if whole and joined not in vocab:
        return "split"
    return None


def wrapped_record_items(walk, cpath: tuple, importer, draft) -> list[dict]:
    """Read one file's (別添) 記録項目 from a text without table cells; stop where a break is undecided.

    Each file's list is printed under its number ((1) 住民基本台帳ファイルの記録項目), in groups under
    「・ 住民ファイル」; a group's items run over consecutive lines, separated by full-width spaces,
    and end at a blank line. Where a line break cannot be told to fall inside an item or between
    two (see `wrapped_break`), the rest of the group is not read: the items after it would be
    numbered wrongly. The editor is told where the reading stopped.
    """
    cells: list[Cell] = []
    for path, got in walk.regions.items():
        if len(path) == 3 and path[0] == "files" and path[2] == "record_items":
            cells.extend(got)
    if not cells:
        importer._count(cpath, "missing", draft)
        return []
    cells.sort(key=lambda c: c.line)
    # bodies: (file number, heading, [lines]) — a body is a run of consecutive non-blank lines
    bodies: list[tuple[int, str | None, list[str]]] = []
    current, heading, last_line = 1, None, None
    for cell in cells:
        for k, raw in enumerate(cell.text.split("\n")):
            line = raw.strip()
            number = cell.line + k
            if not line:
                last_line = None
                continue
            m = _FILE_HEAD.match(line)
            if m and not _NUMBERED.match(line):
                current = int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
                heading, last_line = None, None
                continue
            g = re.match(r"^[・･]\s*(\S.*)$", line)
            if g and "\u3000" not in g.group(1):
                heading, last_line = g.group(1).strip(), None
                continue
            if bodies and last_line is not None and number == last_line + 1 and bodies[-1][0] == current:
                bodies[-1][2].append(line)
            else:
                bodies.append((current, heading, [line]))
                heading = None
            last_line = number
    # a body of a list prints several items on each line; other text (the next part's words) is not a list
    bodies = [b for b in bodies if sum(len(_ITEM_SEP.split(ln)) for ln in b[2]) >= 3 * len(b[2])]
    vocab: set[str] = set()
    splits: dict[
        str, set[int]
    ] = {}  # a word made by joining a line's end and the next line's start -> where it was cut
    for _, _, lines in bodies:
        for ln in lines:
            vocab.update(w for w in _ITEM_SEP.split(ln)[1:-1] if w)
        head, tail = _ITEM_SEP.split(lines[0]), _ITEM_SEP.split(lines[-1])
        # a list's first item ends at a separator on its line, its last begins at one: both are whole
        vocab.update({w for w in (head[0] if len(head) > 1 else "", tail[-1] if len(tail) > 1 else "") if w})
        for a, b in zip(lines, lines[1:], strict=False):
            last, first = _ITEM_SEP.split(a)[-1], _ITEM_SEP.split(b)[0]
            if last and first:
                splits.setdefault(last + first, set()).add(len(last))
    # the same word cut at two different places (「在留カード等番号ポイン」/「タ」, 「在留」/「カード等番号ポインタ」)
    vocab.update(w for w, cuts in splits.items() if len(cuts) > 1)
    want = cpath[1] + 1
    groups: list[dict] = []
    for number, head, lines in bodies:
        if number != want:
            continue
        items = [w for w in _ITEM_SEP.split(lines[0]) if w]
        stopped = None
        for ln in lines[1:]:
            words = [w for w in _ITEM_SEP.split(ln) if w]
            how = wrapped_break(items[-1] if items else "", words[0] if words else "", vocab)
            if how is None:
                stopped = (items.pop() if items else "", words[0])
                break
            if how == "join":
                items[-1] += words.pop(0)
            items.extend(words)
        group: dict = {"heading": head} if head else {}
        group["items"] = items
        if stopped:
            where = cpath + (len(groups), "items")
            draft.comments[where].append(
                "要確認: 抽出テキストに表の区切りがなく、"
                f"行末の「{stopped[0]}」と次の行の「{stopped[1]}」が一つの項目か二つの項目か決められないため、"
                f"その前の {len(items)} 項目までを読み取りました。残りを原本から書いてください。"
            )
            importer._count(cpath, "doubt", draft)
        if items:
            groups.append(group)
    importer._count(cpath, "filled" if groups else "empty", draft)
    return groups
