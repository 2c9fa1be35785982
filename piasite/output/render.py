"""Render the site model into HTML pages (in memory) with Jinja templates."""

from __future__ import annotations

import json
import logging
import posixpath
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..analysis.citations import CitationIndex, assessment_citations, merge_citations
from ..analysis.compare import Comparison, assessment_answers, merge_answers
from ..analysis.entities import KINDS, TEXT_ROLE, Entity, assessment_mentions, by_kind, merge_mentions, page_entity_links
from ..analysis.glance import build_glance
from ..analysis.laws import Citation
from ..document.sections import choice_sets, document_sections, page_ids
from ..model.content import Assessment, Organization, Site, Version
from ..model.text import is_iso_date, markdown, markdown_links, plain, time_tag, wareki

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@dataclass
class Page:
    """One output file: its site-relative path and its content."""

    path: str  # e.g. "miyagi-pref/07-juki-net/index.html"
    content: str | bytes


def make_environment() -> Environment:
    """Create the Jinja environment: autoescaped, strict about undefined names."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(markdown=markdown, markdown_links=markdown_links, plain=plain, wareki=wareki, time_tag=time_tag, is_iso_date=is_iso_date)
    env.tests["iso_date"] = is_iso_date
    return env


@lru_cache(maxsize=1 << 16)
def _rel(from_page: str, target: str) -> str:
    """Return a relative URL from one page to a site path ("" = site root, folders end with /).

    Both are paths within the site, without "." or ".." parts, so the relative path is the way up
    from the page's folder to the common folder and down again (what posixpath.relpath returns).
    """
    base = [p for p in posixpath.dirname(from_page).split("/") if p]
    parts = [p for p in target.split("/") if p]
    common = 0
    while common < len(base) and common < len(parts) and base[common] == parts[common]:
        common += 1
    rel = "/".join([".."] * (len(base) - common) + parts[common:]) or "."
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
    return rel


def status_text(version: Version) -> str:
    """Return the status shown in headers: 公表中, 案(意見募集中 …), 終了(…)."""
    data = version.data
    status = data.get("status", "公表")
    if status == "案":
        pc = data.get("public_comment") or {}
        return f"案(意見募集期間 {wareki(pc['start'])}〜{wareki(pc['end'])})" if pc else "案"
    if status == "終了":
        return f"終了({wareki(data['ended_on'])} 終了)" if data.get("ended_on") else "終了"
    return "公表中"


def assessment_title(assessment: Assessment) -> str:
    """Return the title an assessment is listed under: its 評価書名, or its folder name."""
    return assessment.latest.data["cover"].get("title") or assessment.slug


def public_summary(assessment: Assessment) -> tuple:
    """Return all that the site-wide pages show of an assessment itself (cards, lists, feed, contacts).

    What they show of its contents (names, citations, self-assessed answers) comes from its
    Extract. A rebuild renders a site-wide page again only when this or an Extract it shows
    changed, so a template that shows more of an assessment must read it here too
    (tests/test_incremental.py fails otherwise).
    """
    latest = assessment.latest.data
    versions = [(v.iso, *(v.data.get(k) for k in _PUBLIC_KEYS)) for v in assessment.versions]
    contact = ((latest.get("disclosure") or {}).get("inquiry") or {}).get("contact")
    return (assessment.org.slug, assessment.slug, assessment.org.data, assessment_title(assessment), contact,
            bool(latest.get("change_log")), versions)


_PUBLIC_KEYS = ("form", "status", "public_comment", "ended_on", "reconstructed")


def public_data(data: dict[str, Any]) -> dict[str, Any]:
    """Return the part of a version's data that public_summary reads, all the site-wide pages need."""
    out = {k: data[k] for k in _PUBLIC_KEYS if k in data}
    out["cover"] = {"title": (data.get("cover") or {}).get("title")}
    contact = ((data.get("disclosure") or {}).get("inquiry") or {}).get("contact")
    if contact is not None:
        out["disclosure"] = {"inquiry": {"contact": contact}}
    if data.get("change_log"):
        out["change_log"] = data["change_log"][:1]  # only whether there is one is read
    return out


def card(assessment: Assessment, url: Any, heading: str = "h3", with_org: bool = False) -> dict[str, Any]:
    """Return the params of an assessment_card for the page whose url() is given."""
    version = assessment.latest
    data = version.data
    rows = [
        {"key": "種類", "text": "概要" if data["form"] == "概要" else data["form"]},
        {"key": "公表日", "html": time_tag(version.iso)},
        {"key": "状態", "text": status_text(version)},
    ]
    if len(assessment.versions) > 1:
        rows.append({"key": "版", "text": f"{len(assessment.versions)}版"})
    params: dict[str, Any] = {
        "href": url(f"{assessment.org.slug}/{assessment.slug}/"),
        "title": assessment_title(assessment),
        "heading": heading,
        "rows": rows,
    }
    if with_org:
        params["org"] = {"text": assessment.org.name, "href": url(f"{assessment.org.slug}/")}
    return params


@dataclass
class PrefectureGroup:
    """The organisations of one prefecture (or the national agencies), in code order."""

    name: str
    organizations: list[Organization]
    code: str = ""  # the first two digits of the 全国地方公共団体コード; "" for national agencies

    @property
    def slug(self) -> str:
        return f"prefectures/{self.code}/" if self.code else "prefectures/national/"


def prefecture_groups(site: Site) -> list[PrefectureGroup]:
    """Group organisations by prefecture in 全国地方公共団体コード order; agencies without one come last."""
    groups: dict[str, list[Organization]] = {}
    order: dict[str, str] = {}
    for org in site.organizations:
        name = org.data.get("prefecture") or "国の行政機関等"
        code = str(org.data.get("local_government_code") or "99")
        groups.setdefault(name, []).append(org)
        order[name] = min(order.get(name, code), code[:2])
    result = []
    for name in sorted(groups, key=lambda n: (order[n], n)):
        orgs = sorted(groups[name], key=lambda o: (str(o.data.get("local_government_code") or "999999"), o.slug))
        result.append(PrefectureGroup(name, orgs, "" if order[name] == "99" else order[name]))
    return result


def prefecture_slug(org: Organization) -> str:
    """Return the site path of the prefecture page an organisation is listed on."""
    code = str(org.data.get("local_government_code") or "")
    return f"prefectures/{code[:2]}/" if code else "prefectures/national/"


def recent_assessments(site: Site, limit: int = 20) -> list[Assessment]:
    """Return the most recently published assessments, newest first."""
    return sorted(site.assessments, key=lambda a: (a.latest.date, a.org.slug, a.slug), reverse=True)[:limit]


class PageContext:
    """The names every template gets, for the page at a given site path."""

    def __init__(self, site: Site):
        schema = site.schemas.assessment.doc
        summary_item = schema["$defs"]["summary_item"]["properties"]
        org_schema = site.schemas.organization.doc["properties"]
        self.row_titles = {k: v.get("title", k) for k, v in schema["$defs"]["change_row"]["properties"].items()}
        self.summary_labels = {"item_columns": [summary_item["label"]["title"], summary_item["text"]["title"]]}
        self.org_titles = {k: v.get("title", k) for k, v in org_schema.items()}
        self.contact_titles = {k: v.get("title", k) for k, v in org_schema["contact"]["properties"].items()}

    def __call__(self, page_path: str) -> dict[str, Any]:
        def url(target: str) -> str:
            return _rel(page_path, target)

        return {
            "root": _rel(page_path, ""),
            "asset": lambda name: _rel(page_path, f"assets/{name}"),
            "url": url,
            "card": lambda assessment, heading="h3", with_org=False: card(assessment, url, heading, with_org),
            "assessment_title": assessment_title,
            "status_text": status_text,
            "prefecture_slug": prefecture_slug,
            "row_titles": self.row_titles,
            "summary_labels": self.summary_labels,
            "org_titles": self.org_titles,
            "contact_titles": self.contact_titles,
        }


@dataclass
class Extract:
    """What the site-wide pages need from one assessment: its mentions, citations and answers."""

    ids: set[str]
    mentions: list[tuple]
    citations: tuple[list, list]
    answers: list[tuple]


def extract(site: Site, assessment: Assessment) -> Extract:
    """Take from an assessment's latest version what the site-wide pages need."""
    ids = page_ids(site, assessment.latest, assessment.org.name)
    mentions = assessment_mentions(assessment, ids, site.aliases, site.schemas.assessment)
    return Extract(ids, mentions, assessment_citations(assessment, ids),
                   assessment_answers(site, assessment))


@dataclass
class Merged:
    """The site-wide indexes merged from every assessment's Extract."""

    entities: dict[str, Entity]
    cited: CitationIndex
    comparison: Comparison


def merge(site: Site, extracts: dict[tuple[str, str], Extract]) -> Merged:
    """Merge the extracts of every assessment, in site order, and report the counts."""
    order = [(a, extracts[(a.org.slug, a.slug)]) for a in site.assessments]
    entities = merge_mentions([(a, e.mentions) for a, e in order], site.aliases)
    cited = merge_citations([(a, e.citations) for a, e in order])
    site.report.update(citations=cited.parsed, citations_with_article=cited.with_article,
                       citations_unparsed=len(cited.unparsed), laws=len(cited.laws),
                       entities={kind: len(items) for kind, items in by_kind(entities).items()})
    return Merged(entities, cited, merge_answers([(a, e.answers) for a, e in order]))


def link_document(site: Site, assessment: Assessment, found: Extract, aliases: dict[str, str]) -> None:
    """Link each mention on the latest page to its entity page and each citation to its law page."""
    page_mentions = page_entity_links(found.mentions, aliases)
    page_citations: dict[str, list[Citation]] = {}
    for _path, anchor, c in found.citations[0]:
        page_citations.setdefault(anchor, []).append(c)
    for sec in document_sections(site, assessment.latest, assessment.org.name):
        for node in sec.walk():
            links: list[tuple[int, int, str]] = []
            if node.id in page_mentions:
                target = f"entities/{page_mentions[node.id]}/"
                if node.kind == "item" and isinstance(node.value, str):
                    # the name itself links to the entity page (its first line: a ※ note may follow)
                    links.append((0, len(node.value.strip().splitlines()[0]), target))
                else:
                    node.extra["entity"] = target  # an entry titled by the name: linked in its heading
            if node.id in page_citations and node.kind == "item" and isinstance(node.value, str):
                links += [(c.start, c.end, _law_target(c)) for c in page_citations[node.id]]
            if links:
                node.extra["links"] = links  # markdown_links keeps them in text order, overlaps dropped


def assessment_pages(env: Environment, site: Site, assessment: Assessment, history: Any, ctx: PageContext) -> list[Page]:
    """Render an assessment's own pages: every version, the 新旧対照表, the diffs and the open data."""
    pages = []
    org = assessment.org
    base = f"{org.slug}/{assessment.slug}/"
    path = base + "index.html"
    pages.append(Page(path, _render_assessment(env, site, assessment, assessment.latest, history, ctx(path))))
    # every version, the latest included, also has a permanent dated address
    for version in assessment.versions:
        path = f"{base}{version.iso}/index.html"
        pages.append(Page(path, _render_assessment(env, site, assessment, version, history, ctx(path), dated=True)))
    if history is not None:
        if history.dates:
            path = base + "changes/index.html"
            html = env.get_template("changes.html").render(
                assessment=assessment, org=org, version=assessment.latest, data=assessment.latest.data,
                dates=history.dates, title=assessment_title(assessment), base=base, **ctx(path),
            )
            pages.append(Page(path, html))
        for iso, diff in history.diffs.items():
            path = f"{base}{iso}/diff/index.html"
            html = env.get_template("diff.html").render(
                assessment=assessment, org=org, diff=diff, title=assessment_title(assessment), base=base, **ctx(path)
            )
            pages.append(Page(path, html))
    for v in assessment.versions:
        pages.append(Page(f"{base}{v.iso}/data.json", _json(v.data)))
    pages.append(Page(f"{base}data.json", _json(assessment.latest.data)))
    return pages


@dataclass
class PageJob:
    """A site-wide page to render: its path, its template and the template's names."""

    path: str
    template: str
    params: dict[str, Any]

    def render(self, env: Environment, ctx: PageContext) -> Page:
        return Page(self.path, env.get_template(self.template).render(**self.params, **ctx(self.path)))


def site_pages(env: Environment, site: Site, merged: Merged, paths: list[str], ctx: PageContext, base_url: str = "") -> list[Page]:
    """Render the pages about the whole site: index, organisations, prefectures, indexes, feeds.

    `paths` are the pages already rendered for the assessments (for the sitemap).
    """
    jobs, pages = site_page_jobs(site, merged, paths, base_url)
    return [job.render(env, ctx) for job in jobs] + pages


def site_page_jobs(site: Site, merged: Merged, paths: list[str], base_url: str = "") -> tuple[list[PageJob], list[Page]]:
    """Return the site-wide pages to render from templates, and those made directly (open data, robots.txt)."""
    jobs: list[PageJob] = []
    groups = prefecture_groups(site)
    jobs.append(PageJob("index.html", "index.html", {"site": site, "groups": groups, "recent": recent_assessments(site)}))
    for org in site.organizations:
        jobs.append(PageJob(f"{org.slug}/index.html", "organization.html", {"org": org}))
    for group in groups:
        jobs.append(PageJob(group.slug + "index.html", "prefecture.html", {"group": group}))
    jobs.append(PageJob("search/index.html", "search.html", {}))
    jobs.extend(_entity_jobs(merged.entities))
    jobs.extend(_law_jobs(merged.cited))
    jobs.append(PageJob("compare/index.html", "compare.html", {"comparison": merged.comparison}))
    for question in merged.comparison.questions:
        jobs.append(PageJob(question.path + "index.html", "question.html", {"question": question}))
    pages = open_data(site)
    pages.append(Page("robots.txt", "User-agent: *\nAllow: /\n" + (f"Sitemap: {base_url}sitemap.xml\n" if base_url else "")))
    if base_url:
        html_pages = sorted(p for p in [*paths, *(j.path for j in jobs)] if p.endswith("index.html"))
        jobs.append(PageJob("sitemap.xml", "sitemap.xml", {"urls": [base_url + p[: -len("index.html")] for p in html_pages]}))
    jobs.append(PageJob("feed.xml", "feed.xml", {
        "entries": feed_entries(site), "feed_id": uuid.uuid5(uuid.NAMESPACE_URL, "pia-site:feed.xml")}))
    return jobs, pages


def _law_target(c: Citation) -> str:
    """The page of a citation: its article's, or its law's when no article is cited."""
    return f"laws/{c.law_key}/" + (f"{c.article_key}/" if c.article_key else "")


def _law_jobs(cited: CitationIndex) -> list[PageJob]:
    """The index of cited laws, a page per law and a page per cited article."""
    jobs = [PageJob("laws/index.html", "laws.html", {"index": cited})]
    for law in cited.laws.values():
        jobs.append(PageJob(f"laws/{law.key}/index.html", "law.html", {"law": law}))
        for article in law.articles.values():
            jobs.append(PageJob(f"laws/{law.key}/{article.key}/index.html", "article.html", {"law": law, "article": article}))
    return jobs


def _entity_jobs(entities: dict[str, Entity]) -> list[PageJob]:
    """The index of entities, one index per kind, and one page per entity."""
    kinds = by_kind(entities)
    jobs = [PageJob("entities/index.html", "entities.html", {"kinds": kinds, "kind_names": KINDS})]
    for kind, items in kinds.items():
        jobs.append(PageJob(f"entities/{kind}/index.html", "entity_kind.html",
                            {"kind": kind, "kind_name": KINDS[kind][0], "kind_description": KINDS[kind][1], "entities": items}))
    for entity in entities.values():
        jobs.append(PageJob(f"entities/{entity.slug}/index.html", "entity.html",
                            {"entity": entity, "kind_names": KINDS, "text_role": TEXT_ROLE}))
    return jobs


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def open_data(site: Site) -> list[Page]:
    """Return the catalog of every assessment and the schemas (each version's data.json is its own page)."""
    pages: list[Page] = []
    catalog = []
    for assessment in site.assessments:
        base = f"{assessment.org.slug}/{assessment.slug}/"
        versions = []
        for i, v in enumerate(assessment.versions):
            versions.append({
                "date": v.iso,
                "url": f"{base}{v.iso}/",
                "data": f"{base}{v.iso}/data.json",
                "diff_from_previous": f"{base}{v.iso}/diff/" if i else None,
                "reconstructed": bool(v.data.get("reconstructed")),
            })
        latest = assessment.latest.data
        catalog.append({
            "organization": {"slug": assessment.org.slug, **assessment.org.data},
            "slug": assessment.slug,
            "title": assessment_title(assessment),
            "form": latest["form"],
            "status": latest.get("status", "公表"),
            "url": base,
            "data": f"{base}data.json",
            "changes": f"{base}changes/" if latest.get("change_log") else None,
            "versions": list(reversed(versions)),
        })
    pages.append(Page("api/assessments.json", _json({
        "description": "特定個人情報保護評価書の一覧。URL はサイトの最上位からの相対パスです。",
        "schema": {"assessment": "schema/assessment.schema.json", "organization": "schema/organization.schema.json"},
        "assessments": catalog,
    })))
    for schema in (site.schemas.assessment, site.schemas.organization):
        pages.append(Page(f"schema/{schema.path.name}", schema.path.read_text(encoding="utf-8")))
    return pages


def version_links(assessment: Assessment, current: Version | None, url: Any) -> list[dict[str, Any]]:
    """Return the version list of an assessment, newest first, for the versions_list component."""
    base = f"{assessment.org.slug}/{assessment.slug}/"
    out = []
    for i, v in enumerate(assessment.versions):
        notes = []
        if v is assessment.latest:
            notes.append("最新")
        if v.data.get("reconstructed"):
            notes.append("変更箇所から復元")
        out.append({
            "label": f"{wareki(v.iso)}の版",
            "href": url(f"{base}{v.iso}/"),
            "current": v is current,
            "notes": notes,
            "diff_href": url(f"{base}{v.iso}/diff/") if i else None,
        })
    return list(reversed(out))


def feed_entries(site: Site) -> list[dict[str, Any]]:
    """Return one feed entry per published version, newest first (ties in a stable order)."""
    entries = []
    for assessment in site.assessments:
        base = f"{assessment.org.slug}/{assessment.slug}/"
        for i, v in enumerate(assessment.versions):
            entries.append({
                "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"pia-site:{base}{v.iso}")),
                "title": f"{assessment_title(assessment)}({wareki(v.iso)}の版)",
                "org": assessment.org.name,
                "date": v.iso,
                "href": f"{base}{v.iso}/",
                "diff_href": f"{base}{v.iso}/diff/" if i else None,
                "summary": f"{assessment.org.name}の{v.data['form']}。公表日 {wareki(v.iso)}。状態: {status_text(v)}。"
                + ("変更箇所から復元した版です。" if v.data.get("reconstructed") else ""),
            })
    return sorted(entries, key=lambda e: (e["date"], e["href"]), reverse=True)


def _render_assessment(
    env: Environment, site: Site, assessment: Assessment, version: Version, history: Any, ctx: dict, dated: bool = False
) -> str:
    """Render one version of an assessment as a whole document page."""
    try:
        sections = document_sections(site, version, assessment.org.name)
        return env.get_template("assessment.html").render(
            assessment=assessment, org=assessment.org, version=version, data=version.data,
            sections=sections, glance=build_glance(site.schemas.assessment, version.data),
            choice_sets=choice_sets(sections, site.schemas.assessment.doc), dated=dated,
            versions=version_links(assessment, version, ctx["url"]), has_changes=history is not None and bool(history.dates),
            is_latest=version is assessment.latest, base=f"{assessment.org.slug}/{assessment.slug}/", **ctx,
        )
    except Exception:
        log.error("while rendering %s", version.source)
        raise


