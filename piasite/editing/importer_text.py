"""Clean the text extracted from an assessment's PDF into cells, keeping the organisation's words.

The extraction mixes table cells (tabs), stray HTML (check boxes, paragraphs, lists), the printed
option lists of every choice (<選択肢> 1) … 2) …) and page furniture. This module turns it into
`Cell`s (one table cell, or one line when there are no tabs), with check boxes as mark characters,
and offers the helpers that read values out of a run of cells: choices, check-box groups and text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Check-box marks, as single characters the rest of the importer reads (private-use code points:
# they never occur in a source text).
CHECKED = "\ue001"  # a box with a check, ○ or ● inside a bracket
RADIO = "\ue002"  # <input type="radio"/> without `checked`: some extractors print ○ this way
BOX = "\ue003"  # <input type="checkbox"/> without `checked`: an empty box, or a mark the extractor lost
EMPTY = "\ue004"  # [ ] : a printed bracket with nothing inside
MARKS = CHECKED + RADIO + BOX + EMPTY

# Characters a PDF's text layer is known to give for a similar-looking one (reported, never changed).
SUSPECT_CHARACTERS = {"對": "対", "隨": "随", "關": "関", "諮詢": "諮問", "ヘ": "へ", "一": "—"}

_INPUT = re.compile(r"<input\b([^<>]*)/?>", re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|tr|div|table|tbody|thead|h[1-6])\b[^<>]*>", re.I)
_CELL_TAG = re.compile(r"</?t[dh]\b[^<>]*>", re.I)
# Only ASCII-named tags are markup: <選択肢> or <情報照会の根拠> are the documents' own words.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_RULE_ROW = re.compile(r"^[\s\-|:]*-{3,}[\s\-|:]*$")  # markdown table rules the extractor adds
_OPTION_MARK = re.compile(r"[<＜]\s*選択肢\s*[>＞]")
_HEADING = re.compile(r"^#{1,6}\s+")  # "## 公表日": markdown headings the extractor adds
_BULLET = re.compile(r"^[-*]\s+(?=\S)")  # "- 1-①…": list syntax of the extractor


@dataclass
class Cell:
    """One table cell (or one line of a text without tabs) of the source: its line and cleaned text."""

    line: int
    text: str
    first: bool  # the first non-empty cell of its line


def norm(text: str) -> str:
    """Return the form used to compare labels: NFKC, without spaces, ※ or marks."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s※" + MARKS + "]", "", text)


def nfkc_key(text: str) -> str:
    """Return the form used to compare values (as the measure does): NFKC without whitespace."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def _input_mark(match: re.Match) -> str:
    attrs = match.group(1).lower()
    if "checked" in attrs:
        return CHECKED
    return RADIO if "radio" in attrs else BOX


def _marks(text: str) -> str:
    """Turn check boxes into mark characters; keep a choice printed inside brackets as [choice]."""
    text = _INPUT.sub(_input_mark, text)
    # [<input …/> 委託する]: the bracket shows the chosen value; the box inside is decoration
    text = re.sub(r"\[\s*[" + CHECKED + RADIO + BOX + r"]\s*([^\s\]" + MARKS + r"][^\]\n]*)\]", r"[\1]", text)
    text = re.sub(r"\[\s*[" + CHECKED + r"]\s*\]", CHECKED, text)
    text = re.sub(r"\[\s*[" + RADIO + r"]\s*\]", RADIO, text)
    text = re.sub(r"\[\s*[○◯●]\s*\]", CHECKED, text)
    text = re.sub(r"\[\s*[" + BOX + r"]?\s*\]", EMPTY, text)
    return text


def option_pattern(options: set[str]) -> re.Pattern:
    """Return a pattern for a printed option entry such as `2) 十分である` of any of `options`."""
    alts = sorted({re.escape(o) for o in options if o}, key=len, reverse=True)
    spaced = [a.replace(r"\ ", r"\s*") for a in alts]
    return re.compile(r"(?<![0-9])[0-9]{1,2}\s*[)）]\s*(?:" + "|".join(spaced) + r")(?=\s|\]|$|[0-9]{1,2}\s*[)）]|\t)")


def sub_normalized(pattern: re.Pattern, text: str, repl: str = " ") -> str:
    """Replace what `pattern` finds in the NFKC form of `text`, leaving the rest of `text` as written."""
    origin: list[int] = []
    normal = []
    for i, c in enumerate(text):
        n = unicodedata.normalize("NFKC", c)
        normal.append(n)
        origin.extend([i] * len(n))
    flat = "".join(normal)
    spans = [(origin[m.start()], origin[m.end() - 1] + 1) for m in pattern.finditer(flat) if m.end() > m.start()]
    for start, end in reversed(spans):
        text = text[:start] + repl + text[end:]
    return text


def clean_cell(text: str, options: re.Pattern) -> str:
    """Return a cell's text without markup, printed option lists, or extractor list syntax."""
    text = _marks(text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _CELL_TAG.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _OPTION_MARK.sub(" ", text)
    text = sub_normalized(options, text)
    lines = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line.strip())
        line = _HEADING.sub("", line)
        if line.startswith("**") and line.endswith("**") and len(line) > 4:
            line = line[2:-2].strip()
        if _RULE_ROW.match(line):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip("\n")


def cells(raw: str, options: re.Pattern) -> list[Cell]:
    """Split a source text into cleaned, non-empty cells."""
    out: list[Cell] = []
    for number, line in enumerate(raw.splitlines(), 1):
        if _RULE_ROW.match(line):
            continue
        first = True
        for part in line.split("\t"):
            text = clean_cell(part, options)
            if text.strip() or not first:
                # empty cells are kept (they hold a table's columns); `first` is the first non-empty one
                out.append(Cell(number, text, first and bool(text.strip())))
                first = first and not text.strip()
    return out


# ---------------------------------------------------------------------------------------------
# Reading values


def choice(text: str, allowed: list[str]) -> tuple[str | None, str]:
    """Read the chosen option of a choice from its cells: (value, why not) — never a guess.

    The form prints the chosen value in brackets ([ 十分である ]) next to the list of options;
    a bracket with nothing inside means the item was not answered.
    """
    keys = {nfkc_key(a): a for a in allowed}
    found = []
    for m in re.finditer(r"\[([^\[\]]*)\]", text):
        inner = nfkc_key(m.group(1))
        if inner in keys:
            found.append(keys[inner])
    found = list(dict.fromkeys(found))
    if len(found) == 1:
        return found[0], ""
    if len(found) > 1:
        return None, "括弧の中に複数の選択肢(" + "・".join(found) + ")があります"
    if EMPTY in text or re.search(r"\[\s*\]", text):
        return None, ""  # printed empty: not answered
    return None, "選択した値が見つかりません(選択肢の一覧だけが抽出されています)"


@dataclass
class Checks:
    """What a check-box group shows: the options selected, the その他 text, texts per option."""

    selected: list[str]
    other: str | None
    details: dict[str, str]
    doubt: str  # why the selection cannot be read, or ""


def checkbox_group(text: str, options: list[str]) -> Checks:
    """Read a check-box group (③他のシステムとの接続 …): each option and the mark printed before it."""
    flat = unicodedata.normalize("NFKC", text).replace("\n", " ")
    spots = []
    for option in options:
        pat = re.escape(unicodedata.normalize("NFKC", option)).replace(r"\ ", r"\s*")
        for m in re.finditer(r"([" + MARKS + r"])\s*" + pat + r"(?![^\s(（" + MARKS + r"])", flat):
            spots.append((m.start(), m.end(), option, m.group(1)))
    if not spots:
        return Checks([], None, {}, "")
    kinds = {s[3] for s in spots}
    if CHECKED in kinds:
        on = {CHECKED}
        doubt = "チェック欄の印が読み取れません(印の種類が混在しています)" if RADIO in kinds else ""
    elif RADIO in kinds:
        on, doubt = {RADIO}, ""
    elif BOX in kinds and EMPTY in kinds:
        on, doubt = set(), "チェック欄の印が読み取れません(空欄と、中身の分からない欄が混在しています)"
    elif kinds == {BOX}:
        on, doubt = set(), "チェック欄がすべて中身の分からない欄として抽出されています"
    else:
        on, doubt = set(), ""
    spots.sort()
    selected, details, other = [], {}, None
    for i, (_start, end, option, mark) in enumerate(spots):
        nxt = spots[i + 1][0] if i + 1 < len(spots) else len(flat)
        m = re.match(r"\s*[(（]((?:[^()（）]|[(（][^()（）]*[)）])*)[)）]", flat[end:nxt])
        inner = m.group(1).strip() if m else ""
        if mark not in on:
            if inner and not doubt:
                doubt = f"「{option}」の欄に印がないのに括弧内に記載があります"
            continue
        if option not in selected:
            selected.append(option)
        if inner:
            if option == "その他":
                other = inner
            else:
                details[option] = inner
    if doubt:
        return Checks([], None, {}, doubt)
    order = {o: i for i, o in enumerate(options)}
    selected.sort(key=order.__getitem__)
    return Checks(selected, other, details, "")


def mark_before(text: str, label: str) -> bool | None:
    """Return whether the single check box printed before `label` is checked (None when absent)."""
    flat = unicodedata.normalize("NFKC", text).replace("\n", " ")
    pat = re.escape(unicodedata.normalize("NFKC", label)).replace(r"\ ", r"\s*")
    m = re.search(r"([" + MARKS + r"])\s*" + pat, flat)
    if not m:
        return None
    return m.group(1) in (CHECKED, RADIO)


def count_after(text: str, label: str) -> int | None:
    """Return the count printed as `(3) 件` after `label` (or anywhere when label is empty)."""
    flat = unicodedata.normalize("NFKC", text).replace("\n", " ")
    start = 0
    if label:
        pat = re.escape(unicodedata.normalize("NFKC", label)).replace(r"\ ", r"\s*")
        m = re.search(pat, flat)
        if not m:
            return None
        start = m.end()
    m = re.match(r"[^()件]{0,20}?\(\s*(\d+)\s*\)\s*件", flat[start:])
    return int(m.group(1)) if m else None


_OPEN_END = re.compile(r"[。」』）)]$")
_STARTS_ITEM = re.compile(
    r"^(?:[・●○◯■□◆◇※＊*\-―─]|[①-⑳]|[0-9０-９]+[.．、)）]|[(（][0-9０-９一-十ア-ンア-ン]+[)）]|[ア-ン][.．、\s]|第[0-9０-９]|【|＜|<)"
)


def join_wrapped(lines: list[str], width: int) -> list[str]:
    """Join lines the PDF wrapped inside a sentence; keep the breaks the organisation wrote.

    A line is taken as wrapped when it is nearly as long as the text's usual full line, does not
    end a sentence, and the next line does not start an item (・, ①, 1., (1) …).
    """
    out: list[str] = []
    for line in lines:
        if (
            out
            and width
            and line
            and out[-1]
            and len(out[-1].split("\n")[-1]) >= width - 3
            and not _OPEN_END.search(out[-1])
            and not _STARTS_ITEM.match(line)
        ):
            out[-1] += line
        else:
            out.append(line)
    return out


def unmark(text: str) -> str:
    """Print check marks back as the form shows them ([○], [ ]) inside an organisation's text."""
    return text.replace(CHECKED, "[○]").replace(RADIO, "[○]").replace(BOX, "[ ]").replace(EMPTY, "[ ]")


def suspects(text: str) -> list[tuple[str, str]]:
    """Return the known mis-recognised characters in a text, with what they usually stand for."""
    found = []
    for bad, good in SUSPECT_CHARACTERS.items():
        if bad == "一":
            if re.fullmatch(r"\s*一\s*", text):
                found.append((bad, good))
            continue
        if bad == "ヘ":
            if re.search(r"[ぁ-ん一-龥]ヘ[ぁ-ん一-龥]", text):
                found.append((bad, good))
            continue
        if bad in text:
            found.append((bad, good))
    return found
