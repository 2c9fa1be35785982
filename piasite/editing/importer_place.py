"""Place the tables of a 概要 printed away from their headings, by the items of the assessment's form.

A 概要 follows its assessment's chapters and parts (Ⅱ 2. 基本情報 …), and its tables list a part's
items under shortened labels (①名称 for ①システムの名称, （リスク１）漏えい・滅失・毀損 for
リスク1: 特定個人情報の漏えい・滅失・毀損リスク). The extraction may print a table pages away from its
heading. Here a table's labels are compared with the printed titles (the schema's `title`) of the
items of every part of the form, and the table goes to the heading of the one part it matches best,
only when no other part matches as well and that part's heading is printed once without a table.
A heading printed among another chapter's (Ⅴ 2. among Ⅵ's) goes back to the chapter whose part has
its number and title. Tables of entries (委託事項1：…, 提供先 / 移転先 …) go to the part holding those
entries; their rows, whose cells the extraction does not separate, are left to the editor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .importer_form import catalogue

_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
MATCH = 0.75  # share of a label's character pairs found in a title for the label to name that item


@dataclass
class Part:
    """A chapter of the form (number None) or one of its numbered parts, with the titles under it."""

    chapter: str  # the chapter's numeral as printed (Ⅰ …)
    number: int | None
    title: str  # compared form (see `_plain`)
    path: tuple
    titles: list[str] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)  # title of a numbered entry under it -> form order


def _nfkc(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def _plain(title: str) -> str:
    """Return a heading's title as compared: NFKC, no spaces, no notes in brackets ((つづき) …)."""
    return re.sub(r"\([^()]*\)", "", _nfkc(title))


def form_parts(form: str) -> list[Part]:
    """Return the chapters and numbered parts of a form (全項目評価書 …), in the form's order."""
    from ..model.schema import Schemas

    schema = Schemas().assessment
    nodes = catalogue(schema, schema.resolve(schema.root_for({"form": form})))
    out: list[Part] = []

    def fill(part: Part) -> Part:
        inside = [n for n in nodes if n.path[: len(part.path)] == part.path and n.path != part.path]
        part.titles = [n.title for n in inside if n.kind != "entry"]
        part.entries = {n.title: n.order for n in inside if n.kind == "entry"}
        return part

    for chapter in nodes:
        m = re.match(rf"^([{_ROMAN}]+)\s*(\S.*)$", chapter.title)
        if chapter.kind != "group" or not m:
            continue
        out.append(fill(Part(m.group(1), None, _plain(m.group(2)), chapter.path)))
        for n in nodes:
            p = re.match(r"^([0-9]+)\.\s*(\S.*)$", unicodedata.normalize("NFKC", n.title))
            if n.parent == chapter.path and p:
                out.append(fill(Part(m.group(1), int(p.group(1)), _plain(p.group(2)), n.path)))
    return out


def _number(text: str | None) -> int | None:
    try:
        return int(unicodedata.normalize("NFKC", text or ""))
    except ValueError:
        return None


def heading_parts(chapter: str | None, number: str | None, title: str | None, parts: list[Part]) -> list[Part]:
    """Return the parts a heading (１ 特定個人情報ファイルを取り扱う事務) may print: same number and title.

    With `chapter`, only that chapter's part; without, every chapter's.
    """
    n, t = _number(number), _plain(title or "")
    if n is None or len(t) < 4:
        return []
    return [
        p
        for p in parts
        if p.number == n
        and (chapter is None or _nfkc(p.chapter) == _nfkc(chapter))
        and (p.title == t or (len(p.title) >= 4 and (p.title.startswith(t) or t.startswith(p.title))))
    ]


def _split(label: str) -> tuple[str | None, int | None, str]:
    """Return (circled number, risk number, words) of a label or title."""
    text = (label or "").strip()
    circled = text[0] if text[:1] and text[0] in _CIRCLED else None  # (NFKC would make ① a 1)
    text = _nfkc(text[1:] if circled else text)
    risk = None
    m = re.match(r"^\(?リスク([0-9]+)\)?[::]?", text)
    if m:
        risk, text = int(m.group(1)), text[m.end() :]
    return circled, risk, re.sub(r"[()「」【】]", "", text)


def label_match(label: str, title: str) -> float:
    """Return how far a printed label names an item of the form's `title` (0 to 1).

    Numbers printed on both (①, リスク1) must agree; then the share of the label's character pairs
    found in the title (①名称 in ①システムの名称: 1; 従業員に対する教育・啓発 in 従業者に対する教育・啓発: 0.8).
    """
    lc, lr, lw = _split(label)
    tc, tr, tw = _split(title)
    if (lc and tc and lc != tc) or (lr is not None and lr != tr) or not lw:
        return 0.0
    if len(lw) == 1:
        return 1.0 if lw in tw else 0.0
    pairs = [lw[i : i + 2] for i in range(len(lw) - 1)]
    return sum(p in tw for p in pairs) / len(pairs)


def matched_labels(labels: list[str], part: Part) -> int:
    """Return how many of a table's labels name an item under `part`."""
    return sum(any(label_match(label, t) >= MATCH for t in part.titles) for label in labels)


def best_part(labels: list[str], candidates: list[Part]) -> Part | None:
    """Return the one part a table's labels match best: at least half of them, and more than any other."""
    if not labels:
        return None
    scored = sorted(((matched_labels(labels, p), i) for i, p in enumerate(candidates)), reverse=True)
    if not scored or scored[0][0] * 2 < len(labels) or scored[0][0] == 0:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return candidates[scored[0][1]]


def complete_labels(items: list[dict], part: Part) -> None:
    """Join to a label the start of its text that the form's title shows to be the label's end.

    「③他のシステムと」 / 「の接続」 (the label wrapped in its column) and 「④記録される項目」 /
    「（主な記録項目）」 (an item of the form printed under the label, in brackets).
    """
    for item in items:
        text = item.get("text")
        if not text:
            continue
        first, _, rest = text.partition("\n")
        label, joined = item["label"], item["label"] + first.strip()
        inner = re.fullmatch(r"[（(]([^（）()]+)[）)]", first.strip())
        titles = {_nfkc(t) for t in part.titles}
        wrapped = _nfkc(joined) in titles and _nfkc(label) not in titles
        named = bool(inner) and _nfkc(inner.group(1)) in titles
        if wrapped or named:
            item["label"] = joined
            item["text"] = rest.strip() or None
