"""Entities the assessments mention: systems, 特定個人情報ファイル, contractors and recipients.

They are taken from the structured data (never typed in twice) and merged by a normalisation rule
(全角/半角, spaces, 株式会社 placement, a trailing long vowel: 中間サーバ = 中間サーバー, a trailing
parenthesis: 地方公共団体情報システム機構(機構)), with an editor-maintained alias file
(content/aliases.yaml) for what a rule cannot decide. One entity page per name lists every
mention by role (システム, ファイル, 委託先, 提供先, 移転先), each linked to the exact item.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..document.tree import nearest_id
from ..model.content import Assessment, Site

# kind slug → (Japanese name of the kind, role of a mention)
KINDS = {
    "systems": ("システム", "システム"),
    "files": ("特定個人情報ファイル", "特定個人情報ファイル"),
    "contractors": ("委託先", "委託先"),
    "recipients": ("提供先・移転先", "提供先"),
}
ROLE_ORDER = ("システム", "特定個人情報ファイル", "委託先", "再委託先", "提供先", "移転先")

_COMPANY = re.compile(r"\s*(?:株式会社|㈱|\(株\)|有限会社|㈲)\s*")
_PAREN_TAIL = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_LONG_VOWEL = re.compile(r"(?<=[ァ-ヺ])ー(?![ァ-ヺー])")


def display_name(text: str) -> str:
    """The name as written, first line only (「住民基本台帳ネットワークシステム」 without its ※ note)."""
    return (text or "").strip().splitlines()[0].strip() if (text or "").strip() else ""


def normalize(text: str, company: bool = False) -> str:
    """Reduce a name to its key: NFKC, no spaces, no trailing parenthesis or long vowel.

    For contractors (`company`), the company is the entity: 「日本電気株式会社 オホーツク支店」 and
    「日本電気 株式会社 東北支社」 are both 日本電気; 「株式会社アイシーエス」 is アイシーエス.
    """
    name = unicodedata.normalize("NFKC", display_name(text))
    if company:
        m = _COMPANY.search(name)
        if m:
            before, after = name[: m.start()].strip(), name[m.end() :].strip()
            name = before if before else after.split(" ")[0]
    name = _PAREN_TAIL.sub("", name)
    name = re.sub(r"\s+", "", name)
    return _LONG_VOWEL.sub("", name)


def slug_for(key: str) -> str:
    """A stable ASCII address for an entity key."""
    return "e-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


@dataclass
class Mention:
    """One place an assessment names the entity."""

    assessment: Assessment
    role: str
    written: str  # the name as the document writes it
    path: tuple
    anchor: str
    context: str  # e.g. 「(1) 住民基本台帳ファイル 委託事項1」


@dataclass
class Entity:
    """A named thing, with every mention; `kinds` are the index pages it appears on."""

    key: str
    name: str
    slug: str
    kinds: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def assessments(self) -> list[Assessment]:
        seen: dict[int, Assessment] = {}
        for m in self.mentions:
            seen.setdefault(id(m.assessment), m.assessment)
        return list(seen.values())

    def by_role(self) -> list[tuple[str, list[Mention]]]:
        roles: dict[str, list[Mention]] = {}
        for m in self.mentions:
            roles.setdefault(m.role, []).append(m)
        return [(r, roles[r]) for r in ROLE_ORDER if r in roles]


def _mentions(assessment: Assessment) -> Iterator[tuple[str, str, str, tuple, str]]:
    """Yield (kind, role, written name, data path, context) for every named thing in the latest version."""
    data = assessment.latest.data
    for i, system in enumerate((data.get("basic_info") or {}).get("systems") or []):
        if system.get("name"):
            number = system.get("number") or i + 1
            yield "systems", "システム", system["name"], ("basic_info", "systems", i, "name"), f"システム{number}"
    for fi, f in enumerate(data.get("files") or []):
        label = f"({fi + 1}) {f.get('name') or ''}".strip()
        if f.get("name"):
            yield "files", "特定個人情報ファイル", f["name"], ("files", fi, "name"), label
        overview = f.get("overview") or {}
        for ei, entry in enumerate((overview.get("outsourcing") or {}).get("entries") or []):
            number = entry.get("number") or ei + 1
            if entry.get("contractor"):
                path = ("files", fi, "overview", "outsourcing", "entries", ei, "contractor")
                yield "contractors", "委託先", entry["contractor"], path, f"{label} 委託事項{number}"
        provision = overview.get("provision") or {}
        for key, role in (("recipients", "提供先"), ("transferees", "移転先")):
            for ri, r in enumerate(provision.get(key) or []):
                if r.get("name"):
                    number = r.get("number") or ri + 1
                    path = ("files", fi, "overview", "provision", key, ri)
                    yield "recipients", role, r["name"], path, f"{label} {role}{number}"


def assessment_mentions(assessment: Assessment, page_ids: set[str] | None = None) -> list[tuple]:
    """Return (kind, role, written, path, anchor, context) for every named thing in the latest version.

    `page_ids`, when given, are the ids on its page, so each mention links to the nearest item that
    exists (an entry's name is printed in its heading).
    """
    data = assessment.latest.data
    return [
        (kind, role, written, path, nearest_id(path, data, page_ids), context)
        for kind, role, written, path, context in _mentions(assessment)
    ]


def collect(
    site: Site, aliases: dict[str, str] | None = None, ids: dict[tuple[str, str], set[str]] | None = None
) -> dict[str, Entity]:
    """Return every entity of the site by slug, merged by normalised name and aliases.

    `ids`, when given, maps (org, assessment) to the ids on its page.
    """
    return merge_mentions(
        [(a, assessment_mentions(a, (ids or {}).get((a.org.slug, a.slug)))) for a in site.assessments], aliases
    )


def merge_mentions(per_assessment: list[tuple[Assessment, list[tuple]]], aliases: dict[str, str] | None = None) -> dict[str, Entity]:
    """Merge the mentions of each assessment (in site order) into entities by normalised name and aliases."""
    aliases = {normalize(k): normalize(v) for k, v in (aliases or {}).items()}
    entities: dict[str, Entity] = {}
    for assessment, mentions in per_assessment:
        for kind, role, written, path, anchor, context in mentions:
            key = normalize(written, company=kind == "contractors")
            if not key:
                continue
            key = aliases.get(key, key)
            slug = slug_for(key)
            entity = entities.setdefault(slug, Entity(key, display_name(written), slug))
            entity.kinds.add(kind)
            entity.mentions.append(Mention(assessment, role, display_name(written), path, anchor, context))
    for entity in entities.values():
        # the name shown is the one written most often (ties: the shortest, then in code order), without a
        # trailing parenthesis; a contractor is shown as its company
        counts: dict[str, int] = {}
        for m in entity.mentions:
            shown = company_name(m.written) if m.role == "委託先" else (_PAREN_TAIL.sub("", m.written) or m.written)
            counts[shown] = counts.get(shown, 0) + 1
        entity.name = sorted(counts, key=lambda n: (-counts[n], len(n), n))[0]
    return dict(sorted(entities.items(), key=lambda kv: (kv[1].key, kv[0])))


def page_entity_links(mentions: list[tuple], aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Return the entity slug of each mentioned item's anchor on one page, as mention_index does."""
    aliases = {normalize(k): normalize(v) for k, v in (aliases or {}).items()}
    keyed = []
    for kind, _role, written, _path, anchor, _context in mentions:
        key = normalize(written, company=kind == "contractors")
        if key:
            key = aliases.get(key, key)
            keyed.append((key, slug_for(key), anchor))
    # mention_index walks entities sorted by (key, slug), mentions in order: the last one wins
    keyed.sort(key=lambda k: (k[0], k[1]))
    return {anchor: slug for _key, slug, anchor in keyed}


def company_name(text: str) -> str:
    """The company a contractor belongs to, as written: 「日本電気株式会社 オホーツク支店」 → 日本電気株式会社."""
    name = display_name(text)
    m = _COMPANY.search(name)
    if not m:
        return _PAREN_TAIL.sub("", name)
    before = name[: m.start()].strip()
    return f"{before}{m.group().strip()}" if before else f"{m.group().strip()}{name[m.end() :].strip().split(' ')[0]}"


def by_kind(entities: dict[str, Entity]) -> dict[str, list[Entity]]:
    """Return the entities of each kind, most-mentioned first, then by name."""
    out: dict[str, list[Entity]] = {k: [] for k in KINDS}
    for e in entities.values():
        for kind in e.kinds:
            out[kind].append(e)
    for kind in out:
        out[kind].sort(key=lambda e: (-len(e.assessments), e.key))
    return out


def mention_index(entities: dict[str, Entity]) -> dict[tuple[str, str], dict[str, str]]:
    """Return, per assessment, the entity slug of each mentioned item's anchor (for links on its page)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for e in entities.values():
        for m in e.mentions:
            out.setdefault((m.assessment.org.slug, m.assessment.slug), {})[m.anchor] = e.slug
    return out
