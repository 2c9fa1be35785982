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
from .importer_place import Part, best_part, complete_labels, form_parts, heading_parts
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


def _columns(line: str) -> list[str]:
    """Return a table's column titles; one-character runs are one title spaced out (用 途)."""
    out: list[str] = []
    short = False
    for word in line.split():
        if len(word) == 1 and short:
            out[-1] += word
        else:
            out.append(word)
        short = len(word) == 1
    return out


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
    shown = re.search(r"(全項目|重点項目|基礎項目)評価書", unicodedata.normalize("NFKC", title))
    parts = form_parts(shown.group(1) + "評価書") if shown else []
    entry_titles = sorted({e for p in parts for e in p.entries}, key=len, reverse=True)
    # 委託事項１：… printed above the tables of entries: the captions, in the tables' order
    caption = (
        re.compile(r"^(?:" + "|".join(map(re.escape, entry_titles)) + r")\s*[0-9０-９]+\s*[：:]")
        if entry_titles
        else None
    )
    tables: list[dict] = []  # tables of entries (委託先, 提供先 …), read as captions and columns
    runs: list[dict] = []  # captions printed together, and the tables printed after them
    run: dict | None = None
    seq = 0  # the order tables are printed in
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
            part, item, in_table, run = None, None, False, None
            continue
        if not sections:
            continue
        m = _PART.match(line)
        if m and not _TEXT_START.match(m.group(2)):
            part, item, in_table, run = new_part(m.group(1), m.group(2).strip()), None, False, None
            fresh = part
            continue
        cols = _header(line)
        if cols:
            seq += 1
            run = None
            if part is None or part is not fresh:
                # a table printed away from its heading: kept, without a heading, at the end of the chapter
                part = {"number": None, "title": None, "_group": group, "_seq": seq}
                orphans.setdefault(len(sections) - 1, []).append(part)
            else:
                placed.append((len(sections) - 1, part, {"_group": group, "_seq": seq}))
            fresh = None
            if cols != ["項目", "内容"]:
                part["item_columns"] = cols
            item, in_table = None, False
            continue
        if _table_header(line):
            in_table = True
            seq += 1
            table = {"columns": _columns(line), "_section": len(sections) - 1, "_seq": seq}
            tables.append(table)
            if run is not None and (not run["tables"] or run["tables"][0]["columns"] == table["columns"]):
                run["tables"].append(table)  # the tables of one list's entries share their columns
            else:
                run = None
            if part is not None:
                part["_table"] = True
            continue
        if caption and caption.match(line):
            if run is None or run["tables"]:
                run = {"captions": [], "tables": []}
                runs.append(run)
            run["captions"].append(line)
            item, in_table = None, False
            continue
        if in_table or (run is not None and not run["tables"]):
            continue  # a table's cells, or notes printed between the captions and their tables
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
        if item is None and part.get("item_columns", [""])[0] == "リスク" and not _TEXT_START.match(line):
            item = {"label": line, "text": None, "_open": True}  # the first row of a table of risks
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
    for r in runs:
        if len(r["captions"]) == len(r["tables"]):
            for text, table in zip(r["captions"], r["tables"], strict=True):
                table["caption"] = text
    _move_headings(sections, parts, draft)
    _unplace_ambiguous(sections, placed, orphans, draft)
    _place_orphans(sections, orphans, parts)
    _place_tables(sections, tables, parts, draft)
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
    for k, section in enumerate(sections):
        for p in section.get("subsections", []):
            p.pop("_group", None)
            p.pop("_table", None)
            p.pop("_seq", None)
            for it in p.get("items", []):
                it.pop("_open", None)
        if "subsections" not in section and draft.comments.get(("sections", k, "subsections")):
            # a chapter without headings: its notes are written above its title
            draft.comments[("sections", k, "title")].extend(draft.comments.pop(("sections", k, "subsections")))
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
            moved = {"number": None, "title": None, "items": items, "_seq": table.get("_seq")}
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
                    f"要確認: 小見出し「{p['number']} {p.get('title') or ''}」はこの章に同じ番号が二度印刷されているため、"
                    "載せていません。原本でどの章の見出しか確かめてください。"
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


def _own_part(section: dict, sub: dict, parts: list[Part]) -> Part | None:
    """Return the part of the form a printed heading is, in its chapter, when exactly one."""
    found = heading_parts(section["number"], sub.get("number"), sub.get("title"), parts)
    return found[0] if len(found) == 1 else None


def _move_headings(sections: list[dict], parts: list[Part], draft) -> None:
    """Give a heading printed among another chapter's back to the chapter whose part it is.

    (Ⅴ「２ 特定個人情報ファイルの取扱いに関する問合せ」printed on Ⅵ's page.) Only when its number and
    title are not its chapter's part and are exactly one other chapter's, printed in this 概要.
    """
    if not parts:
        return
    for k, section in enumerate(sections):
        for sub in list(section.get("subsections", [])):
            if sub.get("number") is None or _continued(sub) or _own_part(section, sub, parts) is not None:
                continue
            found = heading_parts(None, sub["number"], sub.get("title"), parts)
            if len(found) != 1:
                continue
            targets = [j for j, other in enumerate(sections) if j != k and _same(other["number"], found[0].chapter)]
            if len(targets) == 1:
                section["subsections"].remove(sub)
                sections[targets[0]].setdefault("subsections", []).append(sub)


def _place_orphans(sections: list[dict], orphans: dict[int, list[dict]], parts: list[Part]) -> None:
    """Put tables printed away from their headings under the heading of the part their labels name.

    The part is the one whose items' titles the table's labels match best (see importer_place); the
    tables go to that part's headings without a table yet, in the order printed, when there are as
    many of them as tables (４ … and ４ …（つづき）: two tables); a chapter printed without headings (Ⅳ)
    takes one table as a part without a heading.
    """
    if not parts:
        return
    headed = [
        (section, sub, _own_part(section, sub, parts)) for section in sections for sub in section.get("subsections", [])
    ]
    bare = {
        p.chapter
        for p in parts
        if p.number is None and any(_same(s["number"], p.chapter) and not s.get("subsections") for s in sections)
    }
    candidates = [p for p in parts if p.number is not None or p.chapter in bare]
    found: dict[int, list[tuple[int, dict]]] = {}
    for k, tables in orphans.items():
        for table in tables:
            labels = [it["label"] for it in table.get("items", []) if it.get("label")]
            part = best_part(labels, candidates)
            if part is not None:
                found.setdefault(id(part), []).append((k, table))
    by_id = {id(p): p for p in parts}
    for key, got in found.items():
        part = by_id[key]
        got.sort(key=lambda kt: kt[1].get("_seq") or 0)
        if part.number is None:
            homes = [s for s in sections if _same(s["number"], part.chapter) and not s.get("subsections")]
            if len(homes) != 1 or len(got) != 1:
                continue
            k, table = got[0]
            complete_labels(table["items"], part)
            homes[0]["subsections"] = [table]
            orphans[k].remove(table)
            continue
        heads = [sub for _section, sub, p in headed if p is part and not sub.get("items")]
        if not heads or len(heads) != len(got):
            continue
        for sub, (k, table) in zip(heads, got, strict=True):
            complete_labels(table["items"], part)
            sub["items"] = table["items"]
            if table.get("item_columns"):
                sub["item_columns"] = table["item_columns"]
            orphans[k].remove(table)
    for k in [k for k, v in orphans.items() if not v]:
        del orphans[k]


def _same(a: str | None, b: str | None) -> bool:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", a or "")) == re.sub(
        r"\s", "", unicodedata.normalize("NFKC", b or "")
    )


def _place_tables(sections: list[dict], tables: list[dict], parts: list[Part], draft) -> None:
    """Put the tables of entries (委託事項１：…, 提供先 …) under the heading of the part holding those entries.

    The entry is named by the table's caption or its first column's title, as the form's title of
    the entries; the tables of a part are put in the form's order of its entries. Their rows are not
    read: the extraction does not show where one cell ends and the next begins.
    """
    homes: dict[tuple[int, int], list[tuple[int, int, dict]]] = {}
    names = [e for p in parts for e in p.entries]
    for table in tables:
        entry = next((e for e in names if (table.get("caption") or "").startswith(e)), None)
        if entry is None and table["columns"] and table["columns"][0] in names:
            entry = table["columns"][0]
        owners = [p for p in parts if p.number is not None and entry in p.entries]
        heads = [
            (k, j)
            for k, section in enumerate(sections)
            for j, sub in enumerate(section.get("subsections", []))
            if len(owners) == 1 and _own_part(section, sub, parts) is owners[0]
        ]
        if len(heads) != 1:
            draft.comments[("sections", table["_section"], "subsections")].append(
                f"要確認: 表「{' '.join(table['columns'])}」は読み取っていません。原本から該当する見出しの tables に書いてください。"
            )
            continue
        homes.setdefault(heads[0], []).append((owners[0].entries[entry], table["_seq"], table))
    for (k, j), got in homes.items():
        sub = sections[k]["subsections"][j]
        sub["tables"] = []
        for _order, _seq, table in sorted(got, key=lambda x: (x[0], x[1])):
            out = {"caption": table["caption"]} if table.get("caption") else {}
            out.update({"columns": table["columns"], "rows": []})
            sub["tables"].append(out)
        draft.comments[("sections", k, "subsections", j, "tables")].append(
            "要確認: 表の行は、抽出テキストで欄の区切りが分からないため読み取っていません。原本から rows に書いてください。"
        )
