"""Which assessments cite which laws and articles: the data behind the law pages.

Every text of an assessment's latest version (the change log and metadata aside) is parsed with
laws.parse_citations, using the abbreviations the document defines (以下「住基法」という。) on top
of the common ones. Text that looks like a citation but cannot be parsed stays plain and is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document.tree import _META_KEYS, nearest_id, text_leaves
from ..model.content import Assessment, Site
from .laws import Citation, article_key, find_abbreviations, law_key, parse_citations


@dataclass
class CitingItem:
    """One item of an assessment that cites a law (or one of its articles)."""

    assessment: Assessment
    path: tuple
    anchor: str
    citation: Citation


def unique_items(items: list[CitingItem]) -> list[CitingItem]:
    """One entry per cited item (an item citing the same article twice is listed once)."""
    seen: set[tuple] = set()
    out = []
    for item in items:
        key = (item.assessment.org.slug, item.assessment.slug, item.anchor)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _assessments(items: list[CitingItem]) -> list[Assessment]:
    seen: dict[int, Assessment] = {}
    for item in items:
        seen.setdefault(id(item.assessment), item.assessment)
    return list(seen.values())


@dataclass
class Article:
    """An article of a law and the items citing it."""

    key: str
    label: str  # 第30条の6 (第1項第8号 are kept on each citation)
    items: list[CitingItem] = field(default_factory=list)

    @property
    def citing(self) -> list[CitingItem]:
        return unique_items(self.items)

    @property
    def assessments(self) -> list[Assessment]:
        return _assessments(self.items)


@dataclass
class Law:
    """A law (or order, ordinance) with its cited articles and the items citing the law as a whole."""

    key: str
    name: str
    articles: dict[str, Article] = field(default_factory=dict)
    whole: list[CitingItem] = field(default_factory=list)

    @property
    def assessments(self) -> list[Assessment]:
        return _assessments(self.whole + [i for a in self.articles.values() for i in a.items])

    @property
    def citing_whole(self) -> list[CitingItem]:
        return unique_items(self.whole)

    def sorted_articles(self) -> list[Article]:
        return sorted(self.articles.values(), key=lambda a: _article_order(a.key))


@dataclass
class CitationIndex:
    """All laws cited on the site, plus the counts the build reports."""

    laws: dict[str, Law]
    parsed: int
    with_article: int
    unparsed: list[tuple[Assessment, tuple, str]]
    by_item: dict[tuple[str, str], dict[str, list[Citation]]]  # (org, assessment) → anchor → citations



def build_index(site: Site, ids: dict[tuple[str, str], set[str]] | None = None) -> CitationIndex:
    """Parse the citations of every assessment's latest version."""
    return merge_citations(
        [(a, assessment_citations(a, (ids or {}).get((a.org.slug, a.slug)))) for a in site.assessments]
    )


def assessment_citations(assessment: Assessment, page_ids: set[str] | None = None) -> tuple[list, list]:
    """Parse the citations of one assessment's latest version.

    Return ([(path, anchor, citation)], [(path, unparsed fragment)]); `page_ids` are the ids on its
    page, so each citation is placed at the nearest item that exists.
    """
    data = assessment.latest.data
    texts = list(text_leaves(data, _META_KEYS | {"change_log"}))
    abbreviations = find_abbreviations("\n".join(t for _, t in texts))
    found_all: list[tuple[tuple, str, Citation]] = []
    unparsed: list[tuple[tuple, str]] = []
    for path, text in texts:
        if "条" not in text and "法" not in text and "令" not in text:
            continue
        found, left = parse_citations(text, abbreviations)
        unparsed.extend((path, fragment) for fragment in left)
        if not found:
            continue
        anchor = nearest_id(path, data, page_ids)
        found_all.extend((path, anchor, c) for c in found)
    return found_all, unparsed


def merge_citations(per_assessment: list[tuple[Assessment, tuple[list, list]]]) -> CitationIndex:
    """Merge each assessment's citations (in site order) into the index of laws and articles."""
    laws: dict[str, Law] = {}
    parsed = with_article = 0
    unparsed: list[tuple[Assessment, tuple, str]] = []
    by_item: dict[tuple[str, str], dict[str, list[Citation]]] = {}
    for assessment, (found, left) in per_assessment:
        items = by_item.setdefault((assessment.org.slug, assessment.slug), {})
        unparsed.extend((assessment, path, fragment) for path, fragment in left)
        for path, anchor, c in found:
            parsed += 1
            law = laws.setdefault(law_key(c.law), Law(law_key(c.law), c.law))
            item = CitingItem(assessment, path, anchor, c)
            if c.article:
                with_article += 1
                key = article_key(c.article) or c.article
                law.articles.setdefault(key, Article(key, c.article)).items.append(item)
            else:
                law.whole.append(item)
            items.setdefault(anchor, []).append(c)
    ordered = dict(sorted(laws.items(), key=lambda kv: (-len(kv[1].assessments), kv[1].name)))
    return CitationIndex(ordered, parsed, with_article, unparsed, by_item)


def _article_order(key: str) -> tuple:
    """Sort 5, 7, 30-6, 30-15, beppyo-2 … as numbers, named parts (別表, 附則) last."""
    parts = key.split("-")
    numeric = [int(p) for p in parts if p.isdigit()]
    return (not parts[0].isdigit(), numeric, key)
