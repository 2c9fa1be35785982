"""Derive the 「概要」 panel of an assessment page from its data: key facts, each linked to its item."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document.tree import file_label, get_path, make_id, unavailable_notes
from ..model.schema import Schema

RATINGS = ("特に力を入れている", "十分である", "課題が残されている")
UNANSWERED = "記載なし"


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


def _value(value: Any) -> str:
    """Return a value for the panel: the first line of a text, or 記載なし."""
    if value in (None, "", []):
        return "記載なし"
    return str(value).strip().splitlines()[0]


def _value_at(data: dict, notes: dict[tuple, str], path: tuple) -> str:
    """Return the value at a path, saying so when the item is not available in this edition."""
    value = get_path(data, path)
    if value in (None, "", []) and any(path[:i] in notes for i in range(1, len(path) + 1)):
        return "この版では掲載できません"
    return _value(value)


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
        facts.append(Fact("対象人数", [Link(_value_at(data, notes, path), _anchor(path, data))]))

    subject_count = ("overview", "basic", "subject_count")
    facts.append(Fact("特定個人情報ファイル", [
        Link(f"{file_label(i, f)}: 対象となる本人の数 {_value_at(data, notes, ('files', i, *subject_count))}",
             _anchor(("files", i, "overview"), data))
        for i, f in enumerate(files)
    ]))

    systems = get_path(data, ("basic_info", "systems")) or []
    facts.append(Fact("システム", [
        Link(f"システム{s.get('number', i + 1)}: {_value(s.get('name'))}", _anchor(("basic_info", "systems", i), data))
        for i, s in enumerate(systems)
    ], note=notes.get(("basic_info", "systems"))))

    facts.append(_outsourcing(data, notes, files))
    facts.append(_provision(data, notes, files))

    path = ("basic_info", "network_linkage", "implemented")
    facts.append(Fact("情報提供ネットワークシステムによる情報連携",
                      [Link(_value_at(data, notes, path), _anchor(path, data))]))

    incidents = []
    for i, f in enumerate(files):
        base = ("files", i, "risk_measures")
        for path in _paths_to(schema, schema.at(root, base) or {}, base, "serious_incident"):
            incidents.append(Link(f"{file_label(i, f)}: {_value_at(data, notes, path)}", _anchor(path, data)))
    facts.append(Fact("過去3年以内の重大事故", incidents))

    ratings, total = _ratings(schema, data, files)
    return Glance(facts, ratings, total)


def _count(count: Any) -> str:
    return "件数の記載なし" if count is None else f"{count}件"


def _outsourcing(data: dict, notes: dict[tuple, str], files: list[dict]) -> Fact:
    values = []
    for i, f in enumerate(files):
        out = get_path(f, ("overview", "outsourcing")) or {}
        entries = out.get("entries") or []
        count = out.get("count")
        sub = sum(1 for e in entries if e.get("subcontracting") == "再委託する")
        if out.get("outsourced") == "委託する":
            text = f"委託する({_count(count)}、うち再委託する {sub}件)"
        else:
            text = _value_at(data, notes, ("files", i, "overview", "outsourcing", "outsourced"))
        values.append(Link(f"{file_label(i, f)}: {text}", _anchor(("files", i, "overview", "outsourcing"), data)))
    return Fact("特定個人情報ファイルの取扱いの委託", values)


def _provision(data: dict, notes: dict[tuple, str], files: list[dict]) -> Fact:
    values = []
    for i, f in enumerate(files):
        p = get_path(f, ("overview", "provision")) or {}
        parts = []
        if p.get("provides"):
            parts.append(f"提供を行っている({_count(p.get('provide_count'))})")
        if p.get("transfers"):
            parts.append(f"移転を行っている({_count(p.get('transfer_count'))})")
        if p.get("none"):
            parts.append("行っていない")
        text = "、".join(parts) or _value_at(data, notes, ("files", i, "overview", "provision", "provides"))
        values.append(Link(f"{file_label(i, f)}: {text}", _anchor(("files", i, "overview", "provision"), data)))
    return Fact("特定個人情報の提供・移転", values)


def _ratings(schema: Schema, data: dict, files: list[dict]) -> tuple[list[RatingCount], int]:
    counts = {r: RatingCount(r) for r in (*RATINGS, UNANSWERED)}
    root = schema.root_for(data)
    total = 0
    for i, f in enumerate(files):
        base = ("files", i, "risk_measures")
        for path in _paths_to(schema, schema.at(root, base) or {}, base, "rating"):
            total += 1
            value = get_path(data, path) or UNANSWERED
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
