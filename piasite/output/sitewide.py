"""The site-wide pages: home, organisations, prefectures, search, entities, laws, comparison, open data,
sitemap and feed, as jobs to render (each fingerprinted by the build) or pages made directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from .. import urls
from ..analysis.citations import CitationIndex
from ..analysis.entities import KINDS, TEXT_ROLE, Entity, by_kind
from ..analysis.extracts import Merged
from ..analysis.names import normalize
from ..analysis.provenance import AsOf, date_label, source_summary
from ..model.content import Assessment, Organization, Site
from ..model.text import wareki
from .pages import Page, PageJob, json_text
from .render import assessment_title, status_text
from .words import search_words


@dataclass
class PrefectureGroup:
    """The organisations of one prefecture (or the national agencies), in code order."""

    name: str
    organizations: list[Organization]
    code: str = ""  # the first two digits of the 全国地方公共団体コード; "" for national agencies

    @property
    def slug(self) -> str:
        return urls.prefecture(self.code)


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


def recent_assessments(site: Site, limit: int = 20) -> list[Assessment]:
    """Return the most recently published assessments, newest first."""
    return sorted(site.assessments, key=lambda a: (a.latest.date, a.org.slug, a.slug), reverse=True)[:limit]


def site_page_jobs(
    site: Site, merged: Merged, paths: list[str], base_url: str = "", as_of: AsOf | None = None
) -> tuple[list[PageJob], list[Page]]:
    """Return the site-wide pages to render from templates, and those made directly (open data, robots.txt)."""
    jobs: list[PageJob] = []
    groups = prefecture_groups(site)
    home = {"site": site, "groups": groups, "recent": recent_assessments(site), "reference": as_of}
    jobs.append(PageJob(urls.index(urls.HOME), "index.html", home))
    for org in site.organizations:
        jobs.append(PageJob(urls.index(urls.organization(org)), "organization.html", {"org": org}))
    for group in groups:
        jobs.append(PageJob(urls.index(group.slug), "prefecture.html", {"group": group}))
    jobs.append(PageJob(urls.index(urls.SEARCH), "search.html", {}))
    jobs.extend(_entity_jobs(merged.entities))
    jobs.extend(_law_jobs(merged.cited))
    jobs.append(PageJob(urls.index(urls.COMPARE), "compare.html", {"comparison": merged.comparison}))
    jobs.append(_glossary_job(site, merged))
    # the guide links a term only where the glossary has it (content without a glossary has none)
    jobs.append(PageJob(urls.index(urls.GUIDE), "guide.html", {"known_terms": sorted(site.glossary.by_slug)}))
    for question in merged.comparison.questions:
        jobs.append(PageJob(urls.index(question.path), "question.html", {"question": question}))
    pages = open_data(site)
    pages.append(search_words(site.glossary, site.aliases, merged.terms))
    sitemap = f"Sitemap: {base_url}{urls.SITEMAP}\n" if base_url else ""
    pages.append(Page(urls.ROBOTS, "User-agent: *\nAllow: /\n" + sitemap))
    if base_url:
        html_pages = sorted(p for p in [*paths, *(j.path for j in jobs)] if p.endswith("index.html"))
        jobs.append(PageJob(urls.SITEMAP, "sitemap.xml", {"locations": [base_url + p[: -len("index.html")] for p in html_pages]}))
    jobs.append(PageJob(urls.FEED, "feed.xml", {
        "entries": feed_entries(site), "feed_id": uuid.uuid5(uuid.NAMESPACE_URL, "pia-site:feed.xml")}))
    return jobs, pages


def _glossary_job(site: Site, merged: Merged) -> PageJob:
    """The glossary: every term, with the entity page it names and the places assessments use it."""
    keys = {normalize(form): term.slug for term in site.glossary.terms for form in term.forms}
    entity_pages = {}
    for entity in merged.entities.values():
        slug = keys.get(entity.key)
        if slug and slug not in entity_pages:
            entity_pages[slug] = (entity.slug, entity.name)
    use_counts = {
        slug: len({(u.assessment.org.slug, u.assessment.slug) for u in uses}) for slug, uses in merged.terms.items()
    }
    return PageJob(urls.index(urls.GLOSSARY), "glossary.html", {
        "terms": list(site.glossary.terms), "by_slug": dict(site.glossary.by_slug), "uses": merged.terms,
        "use_counts": use_counts, "entity_pages": entity_pages,
    })


def _law_jobs(cited: CitationIndex) -> list[PageJob]:
    """The index of cited laws, a page per law and a page per cited article."""
    jobs = [PageJob(urls.index(urls.LAWS), "laws.html", {"index": cited})]
    for law in cited.laws.values():
        jobs.append(PageJob(urls.index(urls.law(law.key)), "law.html", {"law": law}))
        for article in law.articles.values():
            jobs.append(PageJob(urls.index(urls.law(law.key, article.key)), "article.html", {"law": law, "article": article}))
    return jobs


def _entity_jobs(entities: dict[str, Entity]) -> list[PageJob]:
    """The index of entities, one index per kind, and one page per entity."""
    kinds = by_kind(entities)
    jobs = [PageJob(urls.index(urls.ENTITIES), "entities.html", {"kinds": kinds, "kind_names": KINDS})]
    for kind, items in kinds.items():
        jobs.append(PageJob(urls.index(urls.entity(kind)), "entity_kind.html",
                            {"kind": kind, "kind_name": KINDS[kind][0], "kind_description": KINDS[kind][1], "entities": items}))
    for entity in entities.values():
        jobs.append(PageJob(urls.index(urls.entity(entity.slug)), "entity.html", {"entity": entity, "kind_names": KINDS, "text_role": TEXT_ROLE}))
    return jobs


def open_data(site: Site) -> list[Page]:
    """Return the catalog of every assessment and the schemas (each version's data.json is its own page)."""
    pages: list[Page] = []
    catalog = []
    for assessment in site.assessments:
        versions = []
        for i, v in enumerate(assessment.versions):
            versions.append({
                "date": v.iso,
                "url": urls.version(assessment, v.iso),
                "data": urls.version_data(assessment, v.iso),
                "diff_from_previous": urls.diff(assessment, v.iso) if i else None,
                "reconstructed": bool(v.data.get("reconstructed")),
                # whether `date` is the 公表日 the original prints, or a date the editor derived (date_note says why)
                "date_label": date_label(v.data),
                "date_printed": v.date_printed,
                "date_note": v.data.get("date_note"),
                # where the original is, when it was taken and last checked (null: not recorded)
                "source": v.data.get("source"),
                "transcription": urls.transcription(assessment),
            })
        latest = assessment.latest.data
        catalog.append({
            "organization": {"slug": assessment.org.slug, **assessment.org.data},
            "slug": assessment.slug,
            "title": assessment_title(assessment),
            "form": latest["form"],
            "status": latest.get("status", "公表"),
            "url": urls.assessment(assessment),
            "data": urls.version_data(assessment),
            "changes": urls.changes(assessment) if latest.get("change_log") else None,
            "versions": list(reversed(versions)),
        })
    pages.append(Page(urls.CATALOG, json_text({
        "description": "特定個人情報保護評価書の一覧。URL はサイトの最上位からの相対パスです。"
                       "各版の内容は、評価実施機関が公表した評価書(原本)をこのサイトが書き起こしたもので、"
                       "正式な内容は原本によります。原本の所在と取得日・最終確認日は各版の source に、"
                       "登録がないときは null です。date は、date_printed が false のとき、"
                       "原本に印刷された公表日ではなく推定した版の日付です(理由は date_note)。",
        "schema": {
            "assessment": urls.schema(site.schemas.assessment.path.name),
            "organization": urls.schema(site.schemas.organization.path.name),
        },
        "assessments": catalog,
    })))
    for schema in (site.schemas.assessment, site.schemas.organization):
        pages.append(Page(urls.schema(schema.path.name), schema.path.read_text(encoding="utf-8")))
    return pages


def feed_entries(site: Site) -> list[dict[str, Any]]:
    """Return one feed entry per published version, newest first (ties in a stable order)."""
    entries = []
    for assessment in site.assessments:
        for i, v in enumerate(assessment.versions):
            page = urls.version(assessment, v.iso)
            entries.append({
                # the id stays as first published: the version's folder without its last slash
                "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"pia-site:{page.rstrip('/')}")),
                "title": f"{assessment_title(assessment)}({wareki(v.iso)}の版)",
                "org": assessment.org.name,
                "date": v.iso,
                "href": page,
                "diff_href": urls.diff(assessment, v.iso) if i else None,
                "summary": f"{assessment.org.name}の{v.data['form']}。"
                + (f"公表日 {wareki(v.iso)}。" if v.date_printed
                   else f"公表日の記載なし(版の日付(推定) {wareki(v.iso)})。")
                + f"状態: {status_text(v)}。"
                + ("変更箇所から復元した版です。" if v.data.get("reconstructed") else "")
                + f"評価実施機関が公表した評価書の書き起こしで、正式な内容は原本によります。{source_summary(v.data)}",
            })
    return sorted(entries, key=lambda e: (e["date"], e["href"]), reverse=True)
