"""Derive the 「概要」 panel of an assessment page from its data: key facts, each linked to its item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document.tree import file_label, get_path, make_id, unavailable_notes
from ..model.schema import Schema

RATINGS = ("特に力を入れている", "十分である", "課題が残されている")
# The three ways an item can be without a value, kept apart in every row, list and count:
UNAVAILABLE = "この版では掲載できません"  # not in the source we have (the version's `unavailable`)
BLANK = "記載なし"  # blank in the original
UNANSWERED = "選択なし(未回答)"  # a choice left unanswered in the original


@dataclass
class Link:
    """A piece of text, optionally linked to an item id on the same page."""

    text: str
    href: str | None = None


@dataclass
class Fact:
    """One row of the panel: a label and one or more linked values."""

    key: str
    values: list[Link] = field(default_factory=list)
    note: str | None = None
    empty: str = BLANK  # what the row says when it has no values


@dataclass
class RatingCount:
    """How many risks carry one self-rating, with links to each of them."""

    rating: str
    risks: list[Link] = field(default_factory=list)


@dataclass
class Glance:
    """The whole panel: facts in a fixed order and the distribution of self-ratings."""

    facts: list[Fact]
    ratings: list[RatingCount]
    rating_total: int


def _anchor(path: tuple, data: dict) -> str:
    return "#" + make_id(path, data)


def _value(value: Any, choice: bool = False) -> str:
    """Return a value for the panel: the first line of a text, or 記載なし (選択なし for a choice)."""
    if value in (None, "", []):
        return UNANSWERED if choice else BLANK
    return str(value).strip().splitlines()[0]


def _unavailable(notes: dict[tuple, str], path: tuple) -> bool:
    """Return whether a path, or a part holding it, is recorded as not in the source we have."""
    return any(path[:i] in notes for i in range(1, len(path) + 1))


def _value_at(data: dict, notes: dict[tuple, str], path: tuple, choice: bool = False) -> str:
    """Return the value at a path, saying so when the item is not available in this edition."""
    value = get_path(data, path)
    if value in (None, "", []) and _unavailable(notes, path):
        return UNAVAILABLE
    return _value(value, choice)


def _is_choice(schema: Schema, root: dict, path: tuple) -> bool:
    """Return whether the item at a path is a choice (empty means unanswered, not blank)."""
    node = schema.at(root, path) or {}
    return bool(node.get("enum"))


def build_glance(schema: Schema, data: dict) -> Glance | None:
    """Return the panel for a 全項目評価書 or 重点項目評価書; None for forms without these items."""
    if data.get("form") not in ("全項目評価書", "重点項目評価書"):
        return None
    files = data.get("files") or []
    notes = unavailable_notes(data)
    facts: list[Fact] = []

    root = schema.root_for(data)
    path = ("basic_info", "business", "target_population")
    if schema.at(root, path) is not None:
        value = _value_at(data, notes, path, _is_choice(schema, root, path))
        facts.append(Fact("対象人数", [Link(value, _anchor(path, data))]))

    subject_count = ("overview", "basic", "subject_count")
    subject_path = ("files", 0, *subject_count)
    facts.append(Fact("特定個人情報ファイル", [
        Link(f"{file_label(i, f)}: 対象となる本人の数 "
             f"{_value_at(data, notes, ('files', i, *subject_count), _is_choice(schema, root, subject_path))}",
             _anchor(("files", i, "overview"), data))
        for i, f in enumerate(files)
    ]))

    systems = get_path(data, ("basic_info", "systems")) or []
    facts.append(Fact("システム", [
        Link(f"システム{s.get('number', i + 1)}: {_value_at(data, notes, ('basic_info', 'systems', i, 'name'))}",
             _anchor(("basic_info", "systems", i), data))
        for i, s in enumerate(systems)
    ], note=notes.get(("basic_info", "systems")),
        empty=UNAVAILABLE if _unavailable(notes, ("basic_info", "systems")) else BLANK))

    facts.append(_outsourcing(data, notes, files))
    facts.append(_provision(data, notes, files))

    path = ("basic_info", "network_linkage", "implemented")
    facts.append(Fact("情報提供ネットワークシステムによる情報連携",
                      [Link(_value_at(data, notes, path, _is_choice(schema, root, path)), _anchor(path, data))]))

    incidents = []
    for i, f in enumerate(files):
        base = ("files", i, "risk_measures")
        for path in _paths_to(schema, schema.at(root, base) or {}, base, "serious_incident"):
            value = _value_at(data, notes, path, _is_choice(schema, root, path))
            incidents.append(Link(f"{file_label(i, f)}: {value}", _anchor(path, data)))
    facts.append(Fact("過去3年以内の重大事故", incidents))

    ratings, total = _ratings(schema, data, files, notes)
    return Glance(facts, ratings, total)


def _count(count: Any, notes: dict[tuple, str] | None = None, path: tuple = ()) -> str:
    if count is None:
        return "件数は掲載できません" if notes and _unavailable(notes, path) else "件数の記載なし"
    return f"{count}件"


def _entries_published(notes: dict[tuple, str], path: tuple, entries: list[dict], title: str) -> str:
    """Say which entries of a list are published when part of it is not in the source: 「委託事項2 のみ掲載」."""
    if not entries or not _unavailable(notes, path):
        return ""
    numbers = "・".join(f"{title}{e.get('number', k + 1)}" for k, e in enumerate(entries))
    return f"{numbers} のみ掲載"


def _outsourcing(data: dict, notes: dict[tuple, str], files: list[dict]) -> Fact:
    values = []
    for i, f in enumerate(files):
        base = ("files", i, "overview", "outsourcing")
        out = get_path(f, ("overview", "outsourcing")) or {}
        entries = out.get("entries") or []
        count = out.get("count")
        sub = sum(1 for e in entries if e.get("subcontracting") == "再委託する")
        published = _entries_published(notes, (*base, "entries"), entries, "委託事項")
        if out.get("outsourced") == "委託する":
            text = f"委託する({_count(count, notes, (*base, 'count'))}、うち再委託する {sub}件"
            text += f"。{published})" if published else ")"
        elif published:
            # the answer is missing from the source, but some entries are not: say what is published
            outsourced = _value_at(data, notes, (*base, "outsourced"), choice=True)
            text = f"委託の有無: {outsourced}。{published}(うち再委託する {sub}件)"
        else:
            text = _value_at(data, notes, (*base, "outsourced"), choice=True)
        values.append(Link(f"{file_label(i, f)}: {text}", _anchor(base, data)))
    return Fact("特定個人情報ファイルの取扱いの委託", values)


def _provision(data: dict, notes: dict[tuple, str], files: list[dict]) -> Fact:
    values = []
    for i, f in enumerate(files):
        base = ("files", i, "overview", "provision")
        p = get_path(f, ("overview", "provision")) or {}
        parts = []
        for flag, what, count_key, entries_key, title in (
            ("provides", "提供を行っている", "provide_count", "recipients", "提供先"),
            ("transfers", "移転を行っている", "transfer_count", "transferees", "移転先"),
        ):
            if not p.get(flag):
                continue
            detail = _count(p.get(count_key), notes, (*base, count_key))
            entries = p.get(entries_key) or []
            if _unavailable(notes, (*base, entries_key)):
                detail += "、" + (_entries_published(notes, (*base, entries_key), entries, title)
                                 or f"{title}は掲載できません")
            parts.append(f"{what}({detail})")
        if p.get("none"):
            parts.append("行っていない")
        text = "、".join(parts) or (UNAVAILABLE if _unavailable(notes, (*base, "provides")) else UNANSWERED)
        values.append(Link(f"{file_label(i, f)}: {text}", _anchor(("files", i, "overview", "provision"), data)))
    return Fact("特定個人情報の提供・移転", values)


def _ratings(schema: Schema, data: dict, files: list[dict], notes: dict[tuple, str]) -> tuple[list[RatingCount], int]:
    counts = {r: RatingCount(r) for r in (*RATINGS, UNANSWERED, UNAVAILABLE)}
    root = schema.root_for(data)
    total = 0
    for i, f in enumerate(files):
        base = ("files", i, "risk_measures")
        for path in _paths_to(schema, schema.at(root, base) or {}, base, "rating"):
            total += 1
            value = get_path(data, path) or (UNAVAILABLE if _unavailable(notes, path) else UNANSWERED)
            labels = schema.labels(root, path[:-1])[3:]  # drop 特定個人情報ファイル / N番目 / Ⅲ
            text = f"{file_label(i, f)} " + " ".join(labels)
            counts.setdefault(value, RatingCount(value)).risks.append(Link(text, _anchor(path, data)))
    return [c for c in counts.values() if c.risks or c.rating in RATINGS], total


def _paths_to(schema: Schema, node: dict, path: tuple, name: str) -> list[tuple]:
    """Return the data paths of every property called `name` under a schema node, in form order."""
    found = []
    for key, sub in (node.get("properties") or {}).items():
        if key == name:
            found.append(path + (key,))
        else:
            found.extend(_paths_to(schema, schema.resolve(sub), path + (key,), name))
    return found
