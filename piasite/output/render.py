"""Render pages (in memory) with Jinja templates: the names every template gets, and an assessment's own pages."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .. import urls
from ..analysis.change_summary import summarize_date, summarize_diff
from ..analysis.compare import Question, assessment_answers
from ..analysis.entities import page_entity_links
from ..analysis.extracts import Extract
from ..analysis.glance import build_glance
from ..analysis.provenance import AsOf, date_label, date_printed, provenance
from ..document.sections import Document, Documents, choice_sets
from ..document.tree import nearest_id
from ..model.content import Assessment, Organization, Site, Version
from ..model.schema import parse_item_path
from ..model.text import is_iso_date, markdown, markdown_links, plain, time_tag, wareki
from .contact import contact_links
from .notes import corrections_html
from .pages import Page, json_text
from .terms import SITE_TERMS

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


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
    env.filters.update(markdown=markdown, markdown_links=markdown_links, plain=plain, wareki=wareki, time_tag=time_tag,
                       is_iso_date=is_iso_date, contact_links=contact_links)
    env.tests["iso_date"] = is_iso_date
    env.globals["site_terms"] = SITE_TERMS
    return env


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


_PUBLIC_KEYS = ("form", "status", "public_comment", "ended_on", "reconstructed", "date_note", "source")


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
        {"key": date_label(data), "html": time_tag(version.iso)},  # 版の日付(推定) when the original prints no 公表日
        {"key": "状態", "text": status_text(version)},
    ]
    if len(assessment.versions) > 1:
        rows.append({"key": "版", "text": f"{len(assessment.versions)}版"})
    params: dict[str, Any] = {
        "href": url(urls.assessment(assessment)),
        "title": assessment_title(assessment),
        "heading": heading,
        "rows": rows,
    }
    if with_org:
        params["org"] = {"text": assessment.org.name, "href": url(urls.organization(assessment.org))}
    return params


def prefecture_of(org: Organization) -> str:
    """Return the site path of the prefecture page an organisation is listed on."""
    return urls.prefecture(str(org.data.get("local_government_code") or ""))


class PageContext:
    """The names every template gets, for the page at a given site path."""

    def __init__(self, site: Site, as_of: AsOf | None = None, base_url: str = ""):
        self.as_of = as_of
        self.base_url = base_url
        schema = site.schemas.assessment.doc
        summary_item = schema["$defs"]["summary_item"]["properties"]
        org_schema = site.schemas.organization.doc["properties"]
        self.row_titles = {k: v.get("title", k) for k, v in schema["$defs"]["change_row"]["properties"].items()}
        self.summary_labels = {"item_columns": [summary_item["label"]["title"], summary_item["text"]["title"]]}
        self.org_titles = {k: v.get("title", k) for k, v in org_schema.items()}
        self.contact_titles = {k: v.get("title", k) for k, v in org_schema["contact"]["properties"].items()}

    def __call__(self, page_path: str) -> dict[str, Any]:
        def url(target: str) -> str:
            return urls.relative(page_path, target)

        return {
            "page_path": page_path,
            "root": urls.relative(page_path, urls.HOME),
            "asset": lambda name: urls.relative(page_path, urls.asset(name)),
            "url": url,
            "urls": urls,
            "card": lambda assessment, heading="h3", with_org=False: card(assessment, url, heading, with_org),
            "assessment_title": assessment_title,
            "status_text": status_text,
            "prefecture_of": prefecture_of,
            "row_titles": self.row_titles,
            "summary_labels": self.summary_labels,
            "org_titles": self.org_titles,
            "contact_titles": self.contact_titles,
            "as_of": self.as_of,
            # the page's own address, printed so that a paper copy can be traced (only when the site's URL is known)
            "page_address": self.base_url + page_path.removesuffix("index.html") if self.base_url else "",
            "date_label": date_label,
            "date_printed": date_printed,
        }


def link_document(document: Document, found: Extract, aliases: dict[str, str]) -> Document:
    """Return the latest version's document with each mention linked to its entity page and each
    citation to its law page."""
    page_mentions = page_entity_links(found.mentions, aliases)
    page_citations: dict[str, list] = {}
    for _path, anchor, c in found.citations[0]:
        page_citations.setdefault(anchor, []).append(c)
    text_links: dict[str, list[tuple[int, int, str]]] = {}
    heading_links: dict[str, str] = {}
    for sec in document.sections:
        for node in sec.walk():
            links: list[tuple[int, int, str]] = []
            if node.id in page_mentions:
                target = urls.entity(page_mentions[node.id])
                if node.kind == "item" and isinstance(node.value, str):
                    # the name itself links to the entity page (its first line: a ※ note may follow)
                    links.append((0, len(node.value.strip().splitlines()[0]), target))
                else:
                    heading_links[node.id] = target  # an entry titled by the name: linked in its heading
            if node.id in page_citations and node.kind == "item" and isinstance(node.value, str):
                links += [(c.start, c.end, urls.law(c.law_key, c.article_key)) for c in page_citations[node.id]]
            if links:
                text_links[node.id] = links  # markdown_links keeps them in text order, overlaps dropped
    return document.with_links(text_links, heading_links)


def assessment_pages(
    env: Environment, site: Site, docs: Documents, latest: Document, assessment: Assessment, history: Any,
    ctx: PageContext,
) -> list[Page]:
    """Render an assessment's own pages: every version, the 新旧対照表, the diffs and the open data.

    `latest` is the latest version's document with its links (link_document); the others come from `docs`.
    """
    pages = []
    org = assessment.org

    def document(version: Version) -> Document:
        return latest if version is assessment.latest else docs.of(version, org.name)

    path = urls.index(urls.assessment(assessment))
    pages.append(Page(path, _render_assessment(env, site, latest, assessment, assessment.latest, history, ctx(path))))
    # every version, the latest included, also has a permanent dated address
    for version in assessment.versions:
        path = urls.index(urls.version(assessment, version.iso))
        html = _render_assessment(env, site, document(version), assessment, version, history, ctx(path), dated=True)
        pages.append(Page(path, html))
    if history is not None:
        if history.dates:
            path = urls.index(urls.changes(assessment))
            html = env.get_template("changes.html").render(
                assessment=assessment, org=org, version=assessment.latest, data=assessment.latest.data,
                dates=history.dates, title=assessment_title(assessment), **ctx(path),
                known_terms=site.glossary.by_slug,
                summaries={
                    d.date: summarize_date(site.schemas.assessment, d, history.diffs, assessment.latest.data)
                    for d in history.dates
                },
            )
            pages.append(Page(path, html))
        for iso, diff in history.diffs.items():
            path = urls.index(urls.diff(assessment, iso))
            html = env.get_template("diff.html").render(
                assessment=assessment, org=org, diff=diff, title=assessment_title(assessment), **ctx(path),
                summary=summarize_diff(site.schemas.assessment, diff), known_terms=site.glossary.by_slug,
            )
            pages.append(Page(path, html))
    path = urls.index(urls.transcription(assessment))
    pages.append(Page(path, env.get_template("transcription.html").render(
        assessment=assessment, org=org, title=assessment_title(assessment),
        sources=[(v, provenance(v)) for v in reversed(assessment.versions)],
        notes=_item_notes(latest, assessment.latest.data), corrections=corrections_html(_corrections(assessment)),
        **ctx(path),
    )))
    for v in assessment.versions:
        pages.append(Page(urls.version_data(assessment, v.iso), json_text(v.data)))
    pages.append(Page(urls.version_data(assessment), json_text(assessment.latest.data)))
    return pages


def version_links(assessment: Assessment, current: Version | None, url: Any) -> list[dict[str, Any]]:
    """Return the version list of an assessment, newest first, for the versions_list component."""
    out = []
    for i, v in enumerate(assessment.versions):
        notes = []
        if v is assessment.latest:
            notes.append("最新")
        if v.data.get("reconstructed"):
            notes.append("変更箇所から復元")
        elif not date_printed(v.data):
            notes.append("日付は推定")
        out.append({
            "label": f"{wareki(v.iso)}の版",
            "href": url(urls.version(assessment, v.iso)),
            "current": v is current,
            "notes": notes,
            "diff_href": url(urls.diff(assessment, v.iso)) if i else None,
        })
    return list(reversed(out))


def self_assessed_rows(assessment: Assessment, sections: list) -> list[dict[str, Any]]:
    """Return a version's self-assessed answers by question, each with its comparison page (_self_assessed.html)."""
    rows: dict[str, dict[str, Any]] = {}
    for form, key, file, value, anchor, _detail in assessment_answers(assessment, sections):
        question = Question(key, form)
        row = rows.setdefault(question.path, {
            "context": question.context, "label": question.label, "answers": [], "question": question.path})
        row["answers"].append({"file": file, "value": value, "anchor": anchor})
    return list(rows.values())


def _render_assessment(
    env: Environment, site: Site, document: Document, assessment: Assessment, version: Version, history: Any,
    ctx: dict, dated: bool = False,
) -> str:
    """Render one version of an assessment as a whole document page."""
    try:
        sections = document.sections
        return env.get_template("assessment.html").render(
            assessment=assessment, org=assessment.org, version=version, data=version.data,
            sections=sections, text_links=document.links, heading_links=document.heading_links,
            glance=build_glance(site.schemas.assessment, version.data),
            choice_sets=choice_sets(sections, site.schemas.assessment.doc), dated=dated,
            versions=version_links(assessment, version, ctx["url"]),
            provenance=provenance(version, assessment, ctx["as_of"]),
            self_assessed=self_assessed_rows(assessment, sections),
            has_changes=history is not None and bool(history.dates), is_latest=version is assessment.latest, **ctx,
        )
    except Exception:
        log.error("while rendering %s", version.source)
        raise




def _corrections(assessment: Assessment) -> str | None:
    """Return the organisation's record of corrections and judgement calls (CORRECTIONS.md), if it has one."""
    loaded = assessment.latest.loaded
    if loaded is None:
        return None
    path = Path(loaded.path).parent.parent / "CORRECTIONS.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _item_notes(document: Document, data: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Return the latest version's transcription notes and missing parts, each with the id of its item on the page."""
    ids = set(document.ids)
    out: dict[str, list[dict[str, str]]] = {"notes": [], "unavailable": []}
    for key, text_key, kind in (("transcription_notes", "reason", "notes"), ("unavailable", "note", "unavailable")):
        for entry in data.get(key) or []:
            path = parse_item_path(entry.get("item", ""))
            anchor = nearest_id(path, data, ids) if path else ""
            out[kind].append({"anchor": anchor, "label": _labels(document, anchor), "text": entry.get(text_key) or ""})
    return out


def _labels(document: Document, anchor: str) -> str:
    """Return the labels from the top of the page down to the node with this id (「Ⅱ … › 提供先1 › ④…」)."""
    def find(nodes, trail):
        for n in nodes:
            here = [*trail, n.label]
            if n.id == anchor:
                return here
            found = find(n.children, here)
            if found:
                return found
        return None
    return " › ".join(find(document.sections, []) or [])
