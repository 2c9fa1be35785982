"""An assessment unit: one assessment folder, loaded, validated, analysed and rendered on its own.

Assessments are independent of each other (their pages link to entity and law pages by addresses
derived from the names alone), so a build runs them as units on every core (runner.py), in forked
worker processes that write their pages straight into the staging folder. Each unit's result
(problems, the public data of its versions, its extract, its page records) is kept in the cache
(cache.py) under a key of everything the unit was made from (fingerprints.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis import extracts
from ..analysis.history import analyse
from ..analysis.provenance import AsOf, freshness_deadlines, trust_problems
from ..document.sections import Documents
from ..model.content import Organization, Site, Version, display_path, load_assessment
from ..model.errors import ContentProblem
from ..model.glossary import Glossary
from ..output import render
from ..output.links import PageLinks, read_page
from ..output.pages import Page
from ..output.writer import write_page
from .fingerprints import digest

log = logging.getLogger(__name__)


@dataclass
class PageRecord:
    """A page a build wrote: its path, what the link check needs, and how to know it is unchanged."""

    path: str
    size: int
    mtime_ns: int
    links: PageLinks | None = None  # for HTML pages


@dataclass
class UnitResult:
    """What one assessment folder gave: its problems, its versions' data, extracts and pages."""

    key: str
    org: str
    slug: str
    problems: list[ContentProblem]
    shown_root: str = ""  # how the content folder was written in the problems' file names
    versions: list[Version] = field(default_factory=list)  # their public data only (render.public_data)
    extract: extracts.Extract | None = None
    pages: list[PageRecord] = field(default_factory=list)
    public: str = ""  # digest of render.public_summary: what site-wide pages show of the assessment
    # digests of the extract's parts, of which the entity, law and comparison pages are made
    digests: dict[str, str] = field(default_factory=dict)
    # the reference date its pages were made as of, and what of them depends on it (freshness notes)
    as_of: AsOf | None = None
    deadlines: tuple[dt.date, ...] = ()  # days on which a freshness note appears (provenance.freshness_deadlines)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def holds_as_of(self, when: AsOf | None) -> bool:
        """Return whether its pages, made as of self.as_of, are what `when` would make.

        Pages depend on the reference date only through their freshness notes, which appear on fixed
        days (deadlines): they stay the same as long as no deadline lies between the two dates.
        """
        if when == self.as_of or not self.pages:
            return True
        if when is None or self.as_of is None:
            return False
        before, now = dt.date.fromisoformat(self.as_of.iso), dt.date.fromisoformat(when.iso)
        return all((d <= before) == (d <= now) for d in self.deadlines)

    def shown_from(self, root: str) -> UnitResult:
        """Return the result with its problems' file names under `root` (the content folder as shown now)."""
        if root == self.shown_root:
            return self

        def moved(name: str) -> str:
            rest = os.path.relpath(name, self.shown_root) if self.shown_root else name
            return os.path.normpath(os.path.join(root, rest))

        problems = [dataclasses.replace(p, file=moved(p.file)) for p in self.problems]
        versions = [Version(v.date, v.data, moved(v.source), None) for v in self.versions]
        return dataclasses.replace(self, problems=problems, versions=versions, shown_root=root)


@dataclass
class Unit:
    """An assessment folder to build, with its organisation and the key of its inputs."""

    org: Organization
    folder: Path
    key: str
    check_only: bool = False  # its organisation's file is broken: validate, render nothing


@dataclass
class UnitContext:
    """What every unit of a build shares: where the content is, the schemas, aliases, stage and templates."""

    root: Path
    schemas: Any
    aliases: dict[str, str]
    stage: Path
    env: Any  # the Jinja environment
    shown_root: str = ""  # how the content folder is written in problems' file names
    base_url: str = ""  # where the site is published (printed pages show their address)
    as_of: AsOf | None = None  # the build's reference date (analysis/provenance.py)
    glossary: Glossary = field(default_factory=Glossary)  # content/glossary.yaml


def build_unit(unit: Unit, ctx: UnitContext) -> UnitResult:
    """Load, validate, analyse and render one assessment folder, writing its pages into the stage."""
    schemas, env, stage = ctx.schemas, ctx.env, ctx.stage
    problems: list[ContentProblem] = []
    org = Organization(unit.org.slug, unit.org.data, unit.org.source)
    assessment = load_assessment(org, unit.folder, ctx.root, schemas, problems)
    result = UnitResult(unit.key, org.slug, unit.folder.name, problems, ctx.shown_root)
    if assessment is None or result.failed or unit.check_only:
        return result
    org.assessments.append(assessment)
    site = Site([org], schemas, aliases=ctx.aliases, glossary=ctx.glossary)
    docs = Documents(schemas)
    try:
        histories, warnings = analyse(site, docs)
        problems.extend(warnings)
        problems.extend(trust_problems(site))
        result.extract = extracts.extract(docs, assessment, site.aliases, site.glossary)
        latest = render.link_document(docs.of(assessment.latest, org.name), result.extract, site.aliases)
        history = histories.get((org.slug, assessment.slug))
        shared: dict[frozenset[str], frozenset[str]] = {}
        page_ctx = render.PageContext(site, ctx.as_of, ctx.base_url)
        pages = render.assessment_pages(env, site, docs, latest, assessment, history, page_ctx)
        for page in pages:
            rec = record(page, *write_page(stage, page))
            if rec.links is not None:  # the same ids on two pages are kept (and cached) once
                rec.links = dataclasses.replace(rec.links, ids=shared.setdefault(rec.links.ids, rec.links.ids))
            result.pages.append(rec)
    except Exception:
        log.error("while building %s", display_path(unit.folder))
        raise
    # the site-wide pages read only this much of each version (render.public_summary)
    result.versions = [Version(v.date, render.public_data(v.data), v.source, None) for v in assessment.versions]
    result.public = digest(render.public_summary(assessment), {})
    result.as_of, result.deadlines = ctx.as_of, tuple(freshness_deadlines(assessment))
    extract = result.extract
    result.digests = {name: digest(getattr(extract, name), {}) for name in _EXTRACT_PARTS}
    extract.ids = set()  # used for the anchors above; the site-wide pages do not need them
    return result


_EXTRACT_PARTS = ("mentions", "citations", "answers", "terms")


def record(page: Page, size: int, mtime_ns: int) -> PageRecord:
    """Describe a written page for the link check and for the next build."""
    if page.path.endswith(".html") and isinstance(page.content, str):
        return PageRecord(page.path, size, mtime_ns, read_page(page.path, page.content))
    return PageRecord(page.path, size, mtime_ns)


