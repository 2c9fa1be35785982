"""Read the change log (変更箇所) of a text extracted without table cells (no tabs).

Such a text prints each cell of a row as its own block of lines, wrapped at the column's width
(about 20 characters), blocks apart by blank lines; cells that fit on one line share it, separated by
one space: `平成27年10月1日 平成27年10月5日 事後`. A row starts with its 変更日 (alone on its line,
or followed by the row's other cells), then prints 項目, the columns before 提出時期, 提出時期 (an
option of the schema) and 提出時期に係る説明. Rows are read only when they show exactly that shape;
otherwise the cells that cannot be placed stay empty with a 要確認 comment. The extraction may print
a page of rows before the part's heading: the rows are found around the header row of column titles.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .importer_form import wareki
from .importer_text import norm

_DATE = re.compile(
    r"^\s*((?:令和|平成|昭和)\s*(?:元|[0-9０-９]+)\s*年\s*[0-9０-９]+\s*月\s*[0-9０-９]+\s*日)(?:\s+(.*))?$"
)
_SENTENCE_END = re.compile(r"[。」』）)]$")
_STARTS_ITEM = re.compile(
    r"^(?:[・●○◯■□◆◇※＊*\-―─〔\[]|[①-⑳]|[0-9０-９]+[.．、)）]|[(（][0-9０-９一-十ア-ンア-ン]+[)）]|[ⅠⅡⅢⅣⅤⅥＩI]|第[0-9０-９]|【|＜|<|システム[0-9０-９])"
)


@dataclass
class Row:
    """One row of the change log: its cells by column key, and what the reader could not place."""

    line: int
    cells: dict[str, str | None]
    doubts: dict[str, str] = field(default_factory=dict)


def header_columns(line: str, titles: dict[str, str]) -> list[str] | None:
    """Return the column keys of a header row printed as titles separated by spaces, or None."""
    parts = line.split()
    keys = [titles.get(norm(p)) for p in parts]
    if len(keys) >= 3 and all(keys):
        return keys  # type: ignore[return-value]
    return None


def _is_date_row(line: str, options: list[str], cells: int = 4) -> bool:
    """Whether a row starts at `line`: its date alone, or its date followed by all its cells.

    (A date followed by other cells, 「平成27年10月1日 平成27年10月5日 事後」, is a row's 変更前・変更後.)
    """
    m = _DATE.match(line)
    if not m or wareki(m.group(1)) is None:
        return False
    rest = (m.group(2) or "").strip()
    if not rest:
        return True
    got = _timing_at(rest, options)
    if got:
        return len(got[0]) == cells - 1
    return _DATE.match(rest) is None  # the date and the row's 項目: 「令和3年12月24日 （別紙１）」


def _timing_at(line: str, options: list[str]) -> tuple[list[str], str] | None:
    """Return (cells before it, option) when `line` ends with an option of 提出時期 as its own cell."""
    parts = line.split(" ")
    last = unicodedata.normalize("NFKC", parts[-1]).strip()
    if last in options:
        return [p for p in parts[:-1] if p.strip()], last
    return None


def find_extent(lines: list[str], titles: dict[str, str], options: list[str]) -> tuple[int, list[str]] | None:
    """Return (first line of the change log, column keys), or None when the text has no such header.

    The first row is the earliest row before the first header row such that every row from it up to
    the header is complete (it shows a 提出時期), so a page of rows printed before the heading counts.
    """
    header = None
    for i, line in enumerate(lines):
        cols = header_columns(line, titles)
        if cols:
            header = (i, cols)
            break
    if header is None:
        return None
    first, cols = header
    starts = [i for i in range(first) if _is_date_row(lines[i], options, len(cols) - 2)]
    end = first
    for start in reversed(starts):
        body = [ln for ln in lines[start:end] if ln.strip()]
        if not any(_timing_at(ln, options) for ln in body) or any(header_columns(ln, titles) for ln in body):
            break
        first, end = start, start
    return first, cols


def _blocks(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    cur: list[str] = []
    for ln in lines:
        if ln.strip():
            cur.append(ln.rstrip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def _unwrap(block: list[str], width: int) -> str:
    """Join the lines of a cell the PDF wrapped at the column's width; keep the breaks it printed."""
    out: list[str] = []
    last_len = 0
    for ln in block:
        text = ln.rstrip()
        if (
            out
            and width
            and last_len >= width - 1
            and not _SENTENCE_END.search(out[-1])
            and not _STARTS_ITEM.match(text.strip())
        ):
            out[-1] += text.lstrip(" ")
        else:
            out.append(text.strip(" "))
        last_len = len(text.strip())
    return "\n".join(out).strip("\n")


def read_rows(
    lines: list[str], start: int, columns: list[str], titles: dict[str, str], options: list[str], heading: str = ""
) -> list[Row]:
    """Read the rows of the change log from lines[start:], by the shape described in the module."""
    anchor = next((k for k in columns if k == "timing"), None)
    if anchor is None or columns[0] != "date":
        return []
    middle = columns[2 : columns.index(anchor)]  # before, after
    trailing = columns[columns.index(anchor) + 1 :]  # timing_note
    segments: list[tuple[int, list[str]]] = []
    orphan_before: set[int] = set()
    pending: list[str] = []
    for i in range(start, len(lines)):
        line = lines[i]
        if header_columns(line, titles) or (heading and norm(line) == heading):
            continue
        if _is_date_row(line, options, len(columns) - 2):
            if segments and any(p.strip() for p in pending):
                orphan_before.add(len(segments))
            segments.append((i + 1, [line]))
            pending = []
            continue
        if segments:
            segments[-1][1].append(line)
        else:
            pending.append(line)
    raw = [_split_row(seg, middle, trailing, options) for _, seg in segments]
    # a block printed between a row's note and the next row's date belongs to one of them: both doubtful
    for k, (_cells, extra) in enumerate(raw):
        if extra:
            orphan_before.add(k + 1)
    widths = _widths(raw, columns)
    rows: list[Row] = []
    for k, ((line, _), (cells, _extra)) in enumerate(zip(segments, raw, strict=True)):
        row = Row(line, {c: None for c in columns})
        for key, value in cells.items():
            if key.startswith("_"):
                continue
            if isinstance(value, list):
                row.cells[key] = _unwrap(value, widths.get(key, 0)) or None
            elif value is not None:
                row.cells[key] = value
        for key in columns:
            if cells.get(key) is None and key in middle + [anchor] + trailing and "_doubt" in cells:
                row.doubts[key] = cells["_doubt"]
        if k in orphan_before or k + 1 in orphan_before:
            for key in middle:
                row.cells[key] = None
                row.doubts[key] = "この行の前後に、どの行のものか決められない記載が印刷されています"
        rows.append(row)
    return rows


def _split_row(seg: list[str], middle: list[str], trailing: list[str], options: list[str]):
    """Split one row's lines into its cells: {key: lines or text}, and whether text was left over."""
    cells: dict = {}
    m = _DATE.match(seg[0])
    cells["date"] = wareki(m.group(1)) if m else None
    rest_on_line = (m.group(2) or "").strip() if m else ""
    body = seg[1:]
    if rest_on_line:
        got = _timing_at(rest_on_line, options)
        if got and len(got[0]) == 1 + len(middle):
            cells["item"] = [got[0][0]]
            for key, text in zip(middle, got[0][1:], strict=True):
                cells[key] = [text]
            cells["timing"] = got[1]
            return _note(cells, body, trailing)
        if got or len(rest_on_line.split(" ")) > 1:
            cells["_doubt"] = "変更日と同じ行の記載を列に分けられません"
            return cells, False
        if body and body[0].strip():
            # the 項目 on the date's line, text right below it: a wrapped 項目 or the next column
            cells["_doubt"] = "項目が変更日と同じ行にあり、続く行がどの欄の記載か決められません"
            return cells, False
        body = [rest_on_line] + body  # the row's 項目, printed on the date's line
    blocks = _blocks(body)
    if not blocks:
        cells["_doubt"] = "変更日のほかに記載が見つかりません"
        return cells, False
    cells["item"] = blocks[0]
    found = None
    for b, block in enumerate(blocks[1:], 1):
        for j, ln in enumerate(block):
            got = _timing_at(ln, options)
            if got:
                found = (b, j, got)
                break
        if found:
            break
    if found is None:
        cells["_doubt"] = "提出時期が見つかりません"
        return cells, False
    b, j, (before_cells, timing) = found
    pieces: list[list[str]] = list(blocks[1:b])
    if j > 0:
        pieces.append(blocks[b][:j])
    pieces.extend([[c] for c in before_cells])
    cells["timing"] = timing
    if len(pieces) == len(middle):
        for key, lines_ in zip(middle, pieces, strict=True):
            cells[key] = lines_
    else:
        cells["_doubt"] = f"{'・'.join(middle)}の欄に当たる記載が {len(pieces)} か所あり、どの欄の記載か決められません"
        for key in middle:
            cells[key] = None
    note_lines = blocks[b][j + 1 :]
    after = [ln for blk in blocks[b + 1 :] for ln in blk]
    cells, _ = _note(cells, note_lines, trailing)
    return cells, bool(after)


def _note(cells: dict, lines: list[str], trailing: list[str]):
    block = _blocks(lines)
    if trailing:
        cells[trailing[0]] = block[0] if block else None
    return cells, len(block) > 1


def _widths(raw, columns: list[str]) -> dict[str, int]:
    """Return each column's wrap width: the longest line printed in it (lines of several cells aside)."""
    widths: dict[str, int] = {}
    for cells, _ in raw:
        for key in columns:
            value = cells.get(key)
            if isinstance(value, list) and len(value) > 1:
                widths[key] = max([widths.get(key, 0)] + [len(ln.strip()) for ln in value])
    if "before" in widths or "after" in widths:
        w = max(widths.get("before", 0), widths.get("after", 0))
        widths["before"] = widths["after"] = w  # the two columns are printed the same width
    return widths
