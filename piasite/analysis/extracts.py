"""What the site-wide pages need of each assessment, taken in its unit (Extract) and merged over the site (Merged).

An assessment's unit extracts its mentions, citations and self-assessed answers; the build merges
them, in site order, into the entity, law and comparison indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..document.sections import Documents
from ..model.content import Assessment, Site
from ..model.glossary import Glossary
from .citations import CitationIndex, assessment_citations, merge_citations
from .compare import Comparison, assessment_answers, merge_answers
from .entities import Entity, assessment_mentions, by_kind, merge_mentions
from .terms import TermUse, merge_term_uses, term_uses


@dataclass
class Extract:
    """What the site-wide pages need from one assessment: its mentions, citations and answers."""

    ids: set[str]
    mentions: list[tuple]
    citations: tuple[list, list]
    answers: list[tuple]
    terms: list[tuple] = field(default_factory=list)  # glossary terms used (terms.py)


def extract(docs: Documents, assessment: Assessment, aliases: dict[str, str], glossary: Glossary | None = None) -> Extract:
    """Take from an assessment's latest version what the site-wide pages need."""
    document = docs.of(assessment.latest, assessment.org.name)
    ids = set(document.ids)
    mentions = assessment_mentions(assessment, ids, aliases, docs.schemas.assessment)
    return Extract(ids, mentions, assessment_citations(assessment, ids), assessment_answers(assessment, document.sections),
                   term_uses(document, glossary, assessment.latest.data) if glossary else [])


@dataclass
class Merged:
    """The site-wide indexes merged from every assessment's Extract."""

    entities: dict[str, Entity]
    cited: CitationIndex
    comparison: Comparison
    report: dict[str, Any]  # figures for the build's summary (entities per kind, citations …)
    terms: dict[str, list[TermUse]] = field(default_factory=dict)  # glossary term slug → its uses


def merge(site: Site, extracts: dict[tuple[str, str], Extract]) -> Merged:
    """Merge the extracts of every assessment, in site order, and report the counts."""
    order = [(a, extracts[(a.org.slug, a.slug)]) for a in site.assessments]
    entities = merge_mentions([(a, e.mentions) for a, e in order], site.aliases)
    cited = merge_citations([(a, e.citations) for a, e in order])
    report = dict(citations=cited.parsed, citations_with_article=cited.with_article,
                  citations_unparsed=len(cited.unparsed), laws=len(cited.laws),
                  entities={kind: len(items) for kind, items in by_kind(entities).items()})
    return Merged(entities, cited, merge_answers([(a, e.answers) for a, e in order]), report,
                  merge_term_uses([(a, e.terms) for a, e in order]))
