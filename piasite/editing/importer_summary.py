"""Read a 概要 (a plain summary of an assessment) out of its extracted text.

A 概要 has no national form: it follows the assessment's chapters (Ⅰ 基本情報【評価書 P3】 …), their
numbered parts (１ 特定個人情報ファイルを取り扱う事務 …) and two-column tables of items (①事務の名称 …,
（リスク１）目的外の入手 …). The text is read in the order it was extracted; where the extraction
printed a table before its heading, the table stays where it was printed, under a part without a
heading, marked 要確認 (the reader never moves a table to a heading it guesses).
"""

from __future__ import annotations

import re
import unicodedata

from .importer_form import wareki
from .importer_text import clean_cell, option_pattern

_SECTION = re.compile(r"^([ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+)\s*(.+?)\s*(?:【\s*(評価書\s*P\s*[0-9０-９]+)\s*】)?$")
_PART = re.compile(r"^([１-９][０-９]?)\s+(\S.*)$")
_ITEM = re.compile(r"^([①-⑳]\S*)(?:\s+(.*))?$")
_RISK = re.compile(r"^[（(]リスク[０-９0-9]+[)）]$")
_HEADER_WORDS = {"項目", "内容", "リスク", "内容・方法"}
_TABLE_WORDS = {"委託内容", "提供方法", "委託先名", "再委託", "用途", "提供する情報", "提供先", "移転先"}
_TEXT_START = re.compile(r"^[・【○（(※]")


def _header(line: str) -> list[str] | None:
    """Return the columns of a table's header row (項 目 内 容), or None."""
    flat = re.sub(r"\s", "", line)
    for first in ("項目", "リスク"):
        for second in ("内容・方法", "内容"):
            if flat == first + second:
                return [first, second]
    return None


def _table_header(line: str) -> bool:
    flat = re.sub(r"\s", "", line)
    return len(flat) <= 30 and sum(w in flat for w in _TABLE_WORDS) >= 3


def import_summary(text: str):
    """Read a 概要; return the draft (see importer.Draft)."""
    from .importer import Draft

    options = option_pattern({"x"})
    lines = [clean_cell(line, options).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    draft = Draft("概要", {})
    head: list[str] = []
    i = 0
    while i < len(lines) and not _SECTION.match(lines[i]):
        head.append(lines[i])
        i += 1
    title = "".join(head)
    sections: list[dict] = []
    part: dict | None = None
    item: dict | None = None
    again: tuple[str, str | None] | None = None
    in_table = False
    fresh: dict | None = None  # the part whose heading was the last line read
    orphans: dict[int, list[dict]] = {}
    lengths = sorted(len(x) for x in lines)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0  # where the PDF wrapped lines

    group = 0  # the page being read: a chapter heading (printed again on each page) starts one
    placed: list[tuple[int, dict, dict]] = []  # (page, part, table) placed under the heading just printed

    def new_part(number, heading) -> dict:
        nonlocal again
        p: dict = {"number": number, "title": heading, "_group": group}
        if again:
            p["chapter_heading"], p["page_ref"] = again
            again = None
        sections[-1].setdefault("subsections", []).append(p)
        return p

    for line in lines[i:]:
        m = _SECTION.match(line)
        if m:
            number, heading, ref = m.group(1), m.group(2).strip(), m.group(3)
            ref = re.sub(r"\s+", " ", ref) if ref else None
            group += 1
            if sections and sections[-1]["number"] == number:
                again = (f"{number} {heading}", ref)  # the chapter's heading printed again on a new page
            else:
                sections.append({"number": number, "title": heading, "page_ref": ref})
            part, item, in_table = None, None, False
            continue
        if not sections:
            continue
        m = _PART.match(line)
        if m and not _TEXT_START.match(m.group(2)):
            part, item, in_table = new_part(m.group(1), m.group(2).strip()), None, False
            fresh = part
            continue
        cols = _header(line)
        if cols:
            if part is None or part is not fresh:
                # a table printed away from its heading: kept, without a heading, at the end of the chapter
                part = {"number": None, "title": None, "_group": group}
                orphans.setdefault(len(sections) - 1, []).append(part)
            else:
                placed.append((len(sections) - 1, part, {"_group": group}))
            fresh = None
            if cols != ["項目", "内容"]:
                part["item_columns"] = cols
            item, in_table = None, False
            continue
        if _table_header(line):
            in_table = True
            if part is not None:
                part["_table"] = True
                draft.comments[("sections", len(sections) - 1)].append(
                    "要確認: 表(委託先・提供先など)は読み取っていません。原本から tables に書いてください。"
                )
            continue
        if in_table:
            continue
        if part is fresh and not part.get("items"):
            fresh = part if not part.get("text") else None
        if part is None:
            part = new_part(None, None)
        m = _ITEM.match(line)
        if m:
            item = {"label": m.group(1), "text": m.group(2) or None}
            part.setdefault("items", []).append(item)
            continue
        if _RISK.match(line) or (
            part.get("item_columns", [""])[0] == "リスク"
            and item is not None
            and item.get("text")
            and not _TEXT_START.match(line)
            and len(line) <= 12
            and len(item["text"].split("\n")[-1]) < width - 6
        ):
            item = {"label": line, "text": None, "_open": True}
            part.setdefault("items", []).append(item)
            continue
        if item is not None:
            if item.get("_open") and not _TEXT_START.match(line):
                item["label"] += line  # a label wrapped in its narrow column
                continue
            item.pop("_open", None)
            item["text"] = f"{item['text']}\n{line}" if item.get("text") else line
        else:
            part["text"] = f"{part['text']}\n{line}" if part.get("text") else line
    _unplace_ambiguous(sections, placed, orphans, draft)
    for k, extra in orphans.items():
        # not placed under a heading it might not belong to: given to the editor as comments to move
        notes = draft.comments[("sections", k, "subsections")]
        for p in extra:
            notes.append(
                "要確認: 次の表は見出しから離れて印刷されていました。原本でどの見出しの表か確かめ、その items に移してください。"
            )
            for it in p.get("items", []):
                notes.append(f"  - label: {it['label']}")
                for n, text_line in enumerate((it.get("text") or "").split("\n")):
                    notes.append(("    text: " if n == 0 else "      ") + text_line)
    for section in sections:
        for p in section.get("subsections", []):
            p.pop("_group", None)
            p.pop("_table", None)
            for it in p.get("items", []):
                it.pop("_open", None)
    form = re.search(r"(全項目|重点項目|基礎項目)評価書", unicodedata.normalize("NFKC", title))
    inner = re.search(r"「([^」]+)」", title)
    data: dict = {"form": "概要", "status": "案" if re.search(r"[(（]案[)）]", title) else "公表"}
    period = _comment_period(sections, orphans) if data["status"] == "案" else None
    if period:
        data["public_comment"] = period
    data["cover"] = {"title": title or None}
    data["summary_of"] = {
        "title": inner.group(1) if inner else None,
        "form": f"{form.group(1)}評価書" if form else None,
    }
    data["sections"] = sections
    draft.data = data
    filled = sum(1 for s in sections for p in s.get("subsections", []) for it in p.get("items", []) if it.get("text"))
    draft.counts["概要"]["filled"] = filled + len(sections)
    draft.counts["概要"]["doubt"] = sum(len(v) for v in draft.comments.values())
    return draft


def _empty(part: dict) -> bool:
    return part.get("number") is not None and not (part.get("items") or part.get("text") or part.get("_table"))


def _unplace_ambiguous(sections: list[dict], placed, orphans: dict[int, list[dict]], draft) -> None:
    """Take back tables placed under the heading printed just before them where the page is ambiguous.

    On a page where a heading was left without content, the extraction printed headings away from
    their tables: the table after a heading may then be another heading's (Ⅲ 4.(つづき) followed by
    Ⅲ 7.'s table). Such tables go to the editor as 要確認 comments with the others. Parts printed with
    the same number twice in a chapter (a heading of another chapter printed on this page) are taken
    out too; then the parts are put in the order of their printed numbers.
    """
    empty_pages = {(k, p["_group"]) for k, s in enumerate(sections) for p in s.get("subsections", []) if _empty(p)}
    for k, part, table in placed:
        if (k, table["_group"]) not in empty_pages:
            continue
        items = part.pop("items", None)
        columns = part.pop("item_columns", None)
        if items:
            moved = {"number": None, "title": None, "items": items}
            if columns:
                moved["item_columns"] = columns
            orphans.setdefault(k, []).insert(0, moved)
    for k, section in enumerate(sections):
        parts = section.get("subsections", [])
        numbers = [_number(p) for p in parts if not _continued(p)]
        twice = {n for n in numbers if n is not None and numbers.count(n) > 1}
        keep = []
        for p in parts:
            if _number(p) in twice and not _continued(p):
                draft.comments[("sections", k, "subsections")].append(
                    f"要確認: 小見出し「{p['number']} {p.get('title') or ''}」はこの章に同じ番号が二度印刷されているため、載せていません。原本でどの章の見出しか確かめてください。"
                )
                continue
            keep.append(p)
        if keep and all(_number(p) is not None for p in keep):
            keep.sort(key=_number)  # stable: a part continued on the next page stays after its first
        if parts:
            section["subsections"] = keep


def _number(part: dict) -> int | None:
    n = part.get("number")
    if not n:
        return None
    try:
        return int(unicodedata.normalize("NFKC", n))
    except ValueError:
        return None


def _continued(part: dict) -> bool:
    return bool(part.get("chapter_heading")) or "つづき" in (part.get("title") or "")


def _comment_period(sections: list[dict], orphans: dict[int, list[dict]]) -> dict | None:
    """Return the public comment period printed as 実施日・期間 (令和3年8月10日～令和3年9月9日).

    A table printed away from its heading counts too: the period is the draft's whatever its place.
    """
    parts = [p for s in sections for p in s.get("subsections", [])] + [p for v in orphans.values() for p in v]
    for p in parts:
        for it in p.get("items", []):
            if "実施日・期間" in (it.get("label") or "") and it.get("text"):
                dates = re.split(r"[～〜~]", unicodedata.normalize("NFKC", it["text"]))
                if len(dates) == 2 and wareki(dates[0]) and wareki(dates[1]):
                    return {"start": wareki(dates[0]), "end": wareki(dates[1])}
    return None
