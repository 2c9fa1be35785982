"""Entities the assessments name: organisations and companies, categories of recipients, systems and files.

Each place an assessment names one is a mention with its role: 評価実施機関 itself, 他の評価実施機関,
システム and ③他のシステムとの接続, 特定個人情報ファイル, 入手元, 委託先, 再委託先, 提供先, 移転先 (taken
from the structured data, never typed in twice), and 本文中の言及: a known organisation named in the text
of any item. Names are merged by the rules in names.py and by content/aliases.yaml; one entity page per
name lists every mention by role, each linked to the exact item.

Which names are "known" to the text search is decided per assessment, so that each assessment's
extract depends only on its own files and aliases.yaml (see build/units.py): the organisations its
own structured data names, every name in aliases.yaml, and companies with a corporate designation
inside the 再委託 items (⑧ 再委託の許諾方法, ⑨ 再委託事項, and change-log rows about them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..document.tree import file_label, nearest_id, text_leaves
from ..model.content import Assessment, Site
from ..model.text import wareki
from .names import (
    KIND_NAMES,
    abbreviations,
    companies_in,
    company_name,
    display_name,
    is_name,
    kind_of,
    normalize,
    occurs,
    parts,
    strip_bullet,
)

__all__ = ["KINDS", "ROLE_ORDER", "TEXT_ROLE", "Entity", "Mention", "Found", "collect", "company_name",
           "normalize", "slug_for", "display_name", "assessment_mentions", "merge_mentions", "page_entity_links",
           "by_kind"]

# kind slug → (Japanese name, what the index page lists)
KINDS = {
    "organizations": (KIND_NAMES["organizations"], "評価書に名前が書かれた団体(国の機関、地方公共団体、独立行政法人など)と会社です。"),
    "categories": (
        KIND_NAMES["categories"],
        "特定の団体ではなく、法令や評価書が定める区分(「都道府県」「番号法別表第二の第一欄に掲げる者」など)"
        "で書かれた提供先・移転先・入手元です。",
    ),
    "systems": (KIND_NAMES["systems"], "事務で使用するシステムと、他のシステムとの接続に書かれたシステムです。"),
    "files": (KIND_NAMES["files"], "評価書が対象とする特定個人情報ファイルです。"),
}
TEXT_ROLE = "本文中の言及"
ROLE_ORDER = ("評価実施機関", "他の評価実施機関", "システム", "他のシステムとの接続", "特定個人情報ファイル", "入手元",
              "委託先", "再委託先", "提供先", "移転先", TEXT_ROLE)
# the roles whose slot holds the name alone, so the document links the name itself to its page
LINKED_ROLES = {"システム", "特定個人情報ファイル", "委託先", "提供先", "移転先"}
# the form's printed labels (in a 概要, whose items are free) that name things in a role
_SUMMARY_ROLES = {"入手元": "入手元", "他の評価実施機関": "他の評価実施機関", "他のシステムとの接続": "他のシステムとの接続"}
_SUMMARY_COLUMNS = {"委託先": "委託先", "再委託先": "再委託先", "提供先": "提供先", "移転先": "移転先", "入手元": "入手元"}
_LABEL_NUMBER = re.compile(r"^[\s①-⑳0-9０-９.．、]+")
# 入手元 checkboxes whose detail names the assessing body's own departments, not another body
_INTERNAL_SOURCES = {"本人又は本人の代理人", "評価実施機関内の他部署"}
_OPTION_WITH_DETAIL = re.compile(r"^(.+?)\s*[(（](.+)[)）]$")
_PAREN_TAIL = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


class Found(NamedTuple):
    """One place an assessment names something, as its extract keeps it."""

    role: str
    written: str  # what the slot prints (「都道府県及び機構」), or the name as the text prints it
    name: str  # the name this mention is of (「地方公共団体情報システム機構」, a part, a short name resolved)
    path: tuple
    anchor: str
    context: str  # e.g. 「(1) 住民基本台帳ファイル 委託事項1」
    whole: bool  # the slot holds this name alone (the document links the name itself)


def slug_for(key: str) -> str:
    """A stable ASCII address for an entity key."""
    return "e-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


@dataclass
class Mention:
    """One place an assessment names the entity."""

    assessment: Assessment
    role: str
    written: str  # as the document writes it
    path: tuple
    anchor: str
    context: str


@dataclass
class Entity:
    """A named thing, with every mention; `kinds` holds the one index page it is listed on."""

    key: str
    name: str
    slug: str
    kinds: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return next(iter(self.kinds))

    @property
    def assessments(self) -> list[Assessment]:
        seen: dict[int, Assessment] = {}
        for m in self.mentions:
            seen.setdefault(id(m.assessment), m.assessment)
        return list(seen.values())

    @property
    def written_forms(self) -> list[str]:
        """Every printed form of the name, most frequent first."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            counts[m.written] = counts.get(m.written, 0) + 1
        return sorted(counts, key=lambda w: -counts[w])

    def by_role(self) -> list[tuple[str, list[Mention], int]]:
        """Return (role, mentions, number of assessments) in the order of the form."""
        roles: dict[str, list[Mention]] = {}
        for m in self.mentions:
            roles.setdefault(m.role, []).append(m)
        return [(r, roles[r], len({id(m.assessment) for m in roles[r]})) for r in ROLE_ORDER if r in roles]


def _alias_keys(aliases: dict[str, str] | None) -> dict[str, str]:
    return {normalize(k): normalize(v) for k, v in (aliases or {}).items()}


def key_of(name: str, aliases: dict[str, str]) -> str:
    """The key a name is merged by, given the normalised aliases."""
    key = normalize(name)
    return aliases.get(key, key)



def _structured(assessment: Assessment) -> Iterator[tuple[str, str, tuple, str]]:
    """Yield (role, written, data path, context) for every slot of the latest version that names something."""
    data = assessment.latest.data
    org = assessment.org
    yield "評価実施機関", org.data.get("organization") or org.name, ("cover", "organization"), "表紙 評価実施機関名"
    basic = data.get("basic_info") or {}
    if basic.get("other_bodies"):
        yield "他の評価実施機関", basic["other_bodies"], ("basic_info", "other_bodies"), "Ⅰ 8. 他の評価実施機関"
    for i, system in enumerate(basic.get("systems") or []):
        number = system.get("number") or i + 1
        if system.get("name"):
            yield "システム", system["name"], ("basic_info", "systems", i, "name"), f"システム{number}"
        connections = system.get("connections") or {}
        path = ("basic_info", "systems", i, "connections")
        for option in connections.get("selected") or []:
            if option != "その他":
                yield "他のシステムとの接続", option, path, f"システム{number} ③他のシステムとの接続"
        if connections.get("other"):
            yield "他のシステムとの接続", connections["other"], path, f"システム{number} ③他のシステムとの接続(その他)"
    for fi, f in enumerate(data.get("files") or []):
        label = file_label(fi, f)
        if f.get("name"):
            yield "特定個人情報ファイル", f["name"], ("files", fi, "name"), label
        overview = f.get("overview") or {}
        sources = (overview.get("acquisition") or {}).get("sources") or {}
        path = ("files", fi, "overview", "acquisition", "sources")
        for option, detail in (sources.get("details") or {}).items():
            if option not in _INTERNAL_SOURCES and detail:
                yield "入手元", detail, path, f"{label} ①入手元({option})"
        if sources.get("other"):
            yield "入手元", sources["other"], path, f"{label} ①入手元(その他)"
        for ei, entry in enumerate((overview.get("outsourcing") or {}).get("entries") or []):
            number = entry.get("number") or ei + 1
            base = ("files", fi, "overview", "outsourcing", "entries", ei)
            if entry.get("contractor"):
                yield "委託先", entry["contractor"], base + ("contractor",), f"{label} 委託事項{number}"
            for key, title in (("subcontract_permission", "⑧再委託の許諾方法"), ("subcontract_items", "⑨再委託事項")):
                for company in companies_in(entry.get(key) or ""):
                    yield "再委託先", company, base + (key,), f"{label} 委託事項{number} {title}"
        provision = overview.get("provision") or {}
        for key, role in (("recipients", "提供先"), ("transferees", "移転先")):
            for ri, r in enumerate(provision.get(key) or []):
                if r.get("name"):
                    number = r.get("number") or ri + 1
                    yield role, r["name"], ("files", fi, "overview", "provision", key, ri), f"{label} {role}{number}"
    for ri, row in enumerate(data.get("change_log") or []):
        if "再委託" in (row.get("item") or ""):
            before, after = companies_in(row.get("before") or ""), companies_in(row.get("after") or "")
            for company in dict.fromkeys(before + after):
                title = "・".join(t for t, names in (("変更前", before), ("変更後", after)) if company in names)
                key = "before" if company in before else "after"
                yield "再委託先", company, ("change_log", ri, key), f"{_change_context(row)} {title}の記載"
    yield from _summary_slots(data)


def _summary_slots(data: dict[str, Any]) -> Iterator[tuple[str, str, tuple, str]]:
    """Yield the named slots of a 概要, found by the form's printed labels and table columns."""
    for si, sec in enumerate(data.get("sections") or []):
        for ui, sub in enumerate(sec.get("subsections") or []):
            title = _LABEL_NUMBER.sub("", sub.get("title") or "")
            base = ("sections", si, "subsections", ui)
            if title == "特定個人情報ファイル名" and sub.get("text"):
                yield "特定個人情報ファイル", sub["text"], base + ("text",), title
            for ii, item in enumerate(sub.get("items") or []):
                label = _LABEL_NUMBER.sub("", item.get("label") or "")
                text = item.get("text") or ""
                if label == "名称" and "システム" in title:
                    for line in text.splitlines():
                        if is_name(line):
                            yield "システム", line, base + ("items", ii, "text"), f"{title} {item['label']}"
                elif label in _SUMMARY_ROLES and text:
                    yield _SUMMARY_ROLES[label], text, base + ("items", ii, "text"), f"{title} {item['label']}"
            for ti, table in enumerate(sub.get("tables") or []):
                for ci, column in enumerate(table.get("columns") or []):
                    role = _SUMMARY_COLUMNS.get(column.removesuffix("名"))
                    if not role:
                        continue
                    for ri, row in enumerate(table.get("rows") or []):
                        if ci < len(row) and isinstance(row[ci], str) and row[ci]:
                            caption = table.get("caption") or title
                            yield role, row[ci], base + ("tables", ti, "rows", ri, ci), f"{caption} {column}"


def _option_detail(name: str, role: str, schema: Any) -> str:
    """A 概要's 入手元 printed as the form's choice with a detail, 「地方公共団体（市町）」, names the detail (市町)."""
    m = _OPTION_WITH_DETAIL.match(name)
    if role != "入手元" or schema is None or not m:
        return name
    options = schema.doc["$defs"]["acquisition_sources"].get("x-options") or []
    return m.group(2) if any(o.startswith(m.group(1)) for o in options) else name


def _change_context(row: dict[str, Any]) -> str:
    item = " ".join((row.get("item") or "").split())
    date = wareki(row["date"]) if row.get("date") else ""
    return f"変更箇所({date}) {item}".strip()


def _anchor(path: tuple, data: dict[str, Any], ids: set[str] | None) -> str:
    """The id on the page nearest to a path; a 概要's parts are its numbered headings (s1-2)."""
    if path and path[0] == "sections":
        for anchor in (f"s{path[1] + 1}-{path[3] + 1}" if len(path) > 3 else "", f"s{path[1] + 1}"):
            if anchor and (ids is None or anchor in ids):
                return anchor
        return ""
    return nearest_id(path, data, ids)


def _context_of(path: tuple, data: dict[str, Any], labels: Any) -> str:
    """Say which item a text mention is in: its labels on the page, or the change-log row."""
    if path[0] == "change_log" and len(path) > 1:
        return _change_context(data["change_log"][path[1]])
    if path[0] == "sections" and len(path) > 3:
        sub = data["sections"][path[1]]["subsections"][path[3]]
        item = ""
        if len(path) > 5 and path[4] == "items":
            item = sub["items"][path[5]].get("label") or ""
        elif len(path) > 5 and path[4] == "tables":
            item = sub["tables"][path[5]].get("caption") or ""
        return " ".join(x for x in (sub.get("number") or "", sub.get("title") or "", item) if x)
    return " ".join(labels(path)[-3:]) if labels else ""


def assessment_mentions(
    assessment: Assessment, page_ids: set[str] | None = None, aliases: dict[str, str] | None = None, schema: Any = None
) -> list[Found]:
    """Return every mention in the latest version: its named slots, then known organisations in its text.

    `page_ids`, when given, are the ids on its page, so each mention links to the nearest item that
    exists; `schema` gives text mentions the labels of their item.
    """
    data = assessment.latest.data
    keys = _alias_keys(aliases)
    known = set(keys) | set(keys.values())
    slots = list(_structured(assessment))
    # short names the document defines (「機構」) resolve a part of a slot that is only the short name
    full_names = [n for _r, w, _p, _c in slots for n in parts(w) if kind_of(n, known) == "organizations"]
    full_names += [*(aliases or {}).keys(), *(aliases or {}).values()]
    texts = list(text_leaves(data))
    short = abbreviations("\n".join(t for _, t in texts), sorted(set(full_names), key=len, reverse=True))
    out: list[Found] = []
    seen: set[tuple[str, tuple]] = set()
    for role, written, path, context in slots:
        if not is_name(written):
            continue
        anchor = _anchor(path, data, page_ids)
        if role in ("委託先", "再委託先", "評価実施機関") or role in ("システム", "特定個人情報ファイル"):
            names = [display_name(written)]
        else:
            names = parts(_option_detail(strip_bullet(written), role, schema))
        for name in names:
            name = short.get(name, name)
            if not is_name(name):
                continue
            shown = strip_bullet(written) if len(names) > 1 or role != "再委託先" else name
            # a 再委託先 is found inside the text of ⑧/⑨: its slot does not hold the name alone
            out.append(Found(role, shown, name, path, anchor, context, len(names) == 1 and role != "再委託先"))
            seen.add((key_of(name, keys), path))  # the text of a slot naming it is not a text mention too
    # 本文中の言及: the organisations named in slots, and every name in aliases.yaml, wherever a text names them
    own = key_of(assessment.org.data.get("organization") or assessment.org.name, keys)
    searched: dict[str, str] = {}
    for f in out:
        if f.role != "評価実施機関" and kind_of(f.name, known) == "organizations":
            searched.setdefault(display_name(f.name), key_of(f.name, keys))
    for name in [*(aliases or {}).keys(), *(aliases or {}).values()]:
        if kind_of(name, known) == "organizations":
            searched.setdefault(name, key_of(name, keys))
    searched = {n: k for n, k in searched.items() if k != own and len(n) >= 3}
    labels = _labeller(schema, data)
    for path, text in texts:
        # a change-log row is one item: its 変更前 and 変更後 naming it are one mention
        item = path[:2] if path[0] == "change_log" else path
        for name in sorted(searched, key=len, reverse=True):
            key = searched[name]
            if any((key, item[:k]) in seen for k in range(1, len(item) + 1)) or not occurs(name, text):
                continue
            seen.add((key, item))
            out.append(Found(TEXT_ROLE, name, name, path, _anchor(path, data, page_ids), _context_of(path, data, labels), False))
    return out


def _labeller(schema: Any, data: dict[str, Any]) -> Any:
    """Return a function giving the labels along a path as the page shows them (None without a schema)."""
    if schema is None:
        return None
    from .history import _labels  # the page's labels along a path, as the 新旧対照表 shows them

    root = schema.root_for(data)
    return lambda path: _labels(schema, root, data, path)


def collect(
    site: Site, aliases: dict[str, str] | None = None, ids: dict[tuple[str, str], set[str]] | None = None
) -> dict[str, Entity]:
    """Return every entity of the site by slug, merged by normalised name and aliases.

    `ids`, when given, maps (org, assessment) to the ids on its page.
    """
    schema = site.schemas.assessment
    return merge_mentions(
        [(a, assessment_mentions(a, (ids or {}).get((a.org.slug, a.slug)), aliases, schema)) for a in site.assessments],
        aliases,
    )


_KIND_ORDER = ("files", "systems", "organizations", "categories")


def merge_mentions(per_assessment: list[tuple[Assessment, list[Found]]], aliases: dict[str, str] | None = None) -> dict[str, Entity]:
    """Merge the mentions of each assessment (in site order) into entities by normalised name and aliases."""
    keys = _alias_keys(aliases)
    known = set(keys) | set(keys.values())
    entities: dict[str, Entity] = {}
    names: dict[str, dict[str, int]] = {}
    for assessment, mentions in per_assessment:
        for found in mentions:
            role, written, name, path, anchor, context, _whole = found
            key = key_of(name, keys)
            if not key:
                continue
            slug = slug_for(key)
            entity = entities.setdefault(slug, Entity(key, display_name(name), slug))
            if role == "特定個人情報ファイル":
                entity.kinds.add("files")
            elif role in ("システム", "他のシステムとの接続"):
                entity.kinds.add("systems")
            elif role != TEXT_ROLE:
                entity.kinds.add(kind_of(name, known))
            entity.mentions.append(Mention(assessment, role, display_name(written), path, anchor, context))
            # the name shown is the one written most often in a slot of its own (then in any slot, then
            # anywhere; ties: the shortest, then in code order), without a trailing parenthesis; a
            # contractor is shown as its company
            shown = company_name(name) if role in ("委託先", "再委託先") else (_PAREN_TAIL.sub("", strip_bullet(name)) or name)
            counts = names.setdefault(slug, {})
            weight = (1000 if found.whole else 0) + (0 if role == TEXT_ROLE else 1)
            counts[shown] = counts.get(shown, 0) + weight
    for slug, entity in entities.items():
        counts = names[slug]
        entity.name = sorted(counts, key=lambda n: (-counts[n], len(n), n))[0]
        # one kind per entity: a file or system by its role, else an organisation if any slot says so
        entity.kinds = {next((k for k in _KIND_ORDER if k in entity.kinds), "organizations")}
    return dict(sorted(entities.items(), key=lambda kv: (kv[1].key, kv[0])))


def page_entity_links(mentions: list[Found], aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Return the entity slug of each item on one page whose slot holds a name alone (the name links there)."""
    keys = _alias_keys(aliases)
    keyed = []
    for found in mentions:
        if found.role in LINKED_ROLES and found.whole and found.anchor:
            key = key_of(found.name, keys)
            if key:
                keyed.append((key, slug_for(key), found.anchor))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return {anchor: slug for _key, slug, anchor in keyed}


def by_kind(entities: dict[str, Entity]) -> dict[str, list[Entity]]:
    """Return the entities of each kind, those named by the most assessments first, then by name."""
    out: dict[str, list[Entity]] = {k: [] for k in KINDS}
    for e in entities.values():
        for kind in e.kinds:
            out[kind].append(e)
    for kind in out:
        out[kind].sort(key=lambda e: (-len(e.assessments), -len(e.mentions), e.key))
    return out
