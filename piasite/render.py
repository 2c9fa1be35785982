"""Render the site model into HTML pages (in memory) with Jinja templates."""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .content import Assessment, Organization, Site, Version
from .glance import build_glance
from .text import is_iso_date, markdown, plain, time_tag, wareki
from .tree import Node, TreeBuilder

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


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
    env.filters.update(markdown=markdown, plain=plain, wareki=wareki, time_tag=time_tag, is_iso_date=is_iso_date)
    env.tests["iso_date"] = is_iso_date
    return env


def _rel(from_page: str, target: str) -> str:
    """Return a relative URL from one page to a site path ("" = site root, folders end with /)."""
    base = posixpath.dirname(from_page)
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
        if rel == "./":
            rel = "./"
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
        result.append(PrefectureGroup(name, orgs))
    return result


def recent_assessments(site: Site, limit: int = 20) -> list[Assessment]:
    """Return the most recently published assessments, newest first."""
    return sorted(site.assessments, key=lambda a: (a.latest.date, a.org.slug, a.slug), reverse=True)[:limit]


def document_sections(site: Site, version: Version, org_name: str = "") -> list[Node]:
    """Return the top-level sections of a version in the form's order."""
    builder = TreeBuilder(site.schemas.assessment, version.data)
    data = version.data
    form = data["form"]
    cover = builder.section(("cover",), 2, node_id="cover")
    # the cover also prints the body and the date, which the data takes from organization.yaml and the file name
    after_title = next((i + 1 for i, c in enumerate(cover.children) if c.extra.get("key") == "title"), 0)
    cover.children[after_title:after_title] = [
        Node("item", "cover-organization", "評価実施機関名", 3, value=org_name),
        Node("item", "cover-published", "公表日", 3, value_kind="date", value=version.iso),
    ]
    sections = [cover]

    def per_file(key: str, node_id: str, name_item: bool = True) -> Node:
        files = data.get("files") or []
        sch = builder.prop_schema(("files", 0, key))
        parent = Node("section", node_id, sch.get("title", key), 2)
        if sch.get("x-title-note"):
            parent.extra["title_note"] = sch["x-title-note"]
        name_title = builder.prop_schema(("files", 0, "name")).get("title", "")
        for i, f in enumerate(files):
            child = _as_section(builder.section(("files", i, key), 3, label=f"({i + 1}) {f.get('name') or ''}".strip()))
            child.extra.pop("title_note", None)  # printed once, on the Ⅲ heading
            if name_item:
                # the form prints 「1. 特定個人情報ファイル名」 at the head of each file's part
                name = Node("item", f"{child.id}-file-name", name_title, 4, value=f.get("name"))
                name.extra["key"] = "name"
                child.children.insert(0, name)
            parent.children.append(child)
        return parent

    if form in ("全項目評価書", "重点項目評価書"):
        sections.append(builder.section(("basic_info",), 2))
        if form == "全項目評価書":
            sections.append(builder.section(("business_attachment",), 2))
        sections.append(per_file("overview", "overview"))
        sections.append(per_file("record_items", "record-items", name_item=False))
        sections.append(per_file("risk_measures", "risk-measures"))
        if form == "全項目評価書":
            sections.append(builder.section(("other_measures",), 2))
        sections.append(builder.section(("disclosure",), 2))
        sections.append(builder.section(("procedures",), 2))
        sections.append(builder.section(("change_log",), 2))
        # record items and change log are single items: wrap them as sections with a heading
    elif form == "基礎項目評価書":
        for key in ("related_info", "threshold_items", "threshold_result", "change_log"):
            sections.append(builder.section((key,), 2))
    else:
        # A 概要 is rendered straight from its data (templates/_summary.html); these nodes feed the TOC.
        return _summary_outline(data)
    sections = [_as_section(s) for s in sections]
    # the cover page of the form lists the parts of the document (項目一覧)
    contents = Node("item", "cover-contents", "項目一覧", 3, value_kind="links",
                    value=[(s.label, f"#{s.id}") for s in sections[1:]])
    contents.extra["key"] = "contents"
    cover.children.append(contents)
    return sections


def choice_sets(sections: list[Node], schema_doc: dict) -> list[dict]:
    """Return each option list used by the choice items of a page, in order of first use."""
    seen: dict[str, dict] = {}
    for section in sections:
        for node in section.walk():
            key = node.extra.get("choice_set")
            if key and key not in seen:
                title = schema_doc["$defs"].get(key.replace("-", "_"), {}).get("title") or node.label
                seen[key] = {"id": key, "label": title, "options": node.options}
    return list(seen.values())


def _summary_outline(data: dict) -> list[Node]:
    """Return the chapters and sub-headings of a 概要 as TOC nodes with the ids the template uses."""
    def title(entry: dict) -> str:
        text = " ".join(str(entry.get(k) or "") for k in ("number", "title")).strip()
        return f"{text}【{entry['page_ref']}】" if entry.get("page_ref") else text

    outline = []
    for i, sec in enumerate(data.get("sections") or [], start=1):
        node = Node("section", f"s{i}", title(sec), 2)
        node.children = [
            Node("section", f"s{i}-{j}", title(sub), 3)
            for j, sub in enumerate(sec.get("subsections") or [], start=1)
            if sub.get("number") or sub.get("title")
        ]
        outline.append(node)
    return outline


def _as_section(node: Node) -> Node:
    """Wrap a top-level item (e.g. 変更箇所) in a section so it gets a heading."""
    if node.kind == "section":
        for child in node.children:
            if child.kind == "item" and child.value_kind in ("record-items",):
                child.extra["own_heading"] = True
        return node
    wrapper = Node("section", node.id, node.label, node.level, unavailable=node.unavailable)
    node.id = f"{node.id}-content"
    node.extra["in_own_section"] = True
    wrapper.children.append(node)
    return wrapper


def render_site(site: Site, env: Environment | None = None) -> list[Page]:
    """Render every page of the site; return pages in a stable order."""
    env = env or make_environment()
    pages: list[Page] = []
    schema = site.schemas.assessment.doc
    row_titles = {k: v.get("title", k) for k, v in schema["$defs"]["change_row"]["properties"].items()}
    summary_item = schema["$defs"]["summary_item"]["properties"]
    summary_labels = {"item_columns": [summary_item["label"]["title"], summary_item["text"]["title"]]}
    org_titles = {k: v.get("title", k) for k, v in site.schemas.organization.doc["properties"].items()}
    contact_titles = {
        k: v.get("title", k) for k, v in site.schemas.organization.doc["properties"]["contact"]["properties"].items()
    }

    def common(page_path: str) -> dict[str, Any]:
        def url(target: str) -> str:
            return _rel(page_path, target)

        return {
            "root": _rel(page_path, ""),
            "asset": lambda name: _rel(page_path, f"assets/{name}"),
            "url": url,
            "card": lambda assessment, heading="h3", with_org=False: card(assessment, url, heading, with_org),
            "status_text": status_text,
            "row_titles": row_titles,
            "summary_labels": summary_labels,
        }

    path = "index.html"
    html = env.get_template("index.html").render(
        site=site, groups=prefecture_groups(site), recent=recent_assessments(site), **common(path)
    )
    pages.append(Page(path, html))
    for org in site.organizations:
        path = f"{org.slug}/index.html"
        html = env.get_template("organization.html").render(
            org=org, org_titles=org_titles, contact_titles=contact_titles, **common(path)
        )
        pages.append(Page(path, html))
        for assessment in org.assessments:
            path = f"{org.slug}/{assessment.slug}/index.html"
            pages.append(Page(path, _render_assessment(env, site, assessment, assessment.latest, common(path))))
    return pages


def _render_assessment(env: Environment, site: Site, assessment: Assessment, version: Version, ctx: dict) -> str:
    """Render one version of an assessment as a whole document page."""
    try:
        sections = document_sections(site, version, assessment.org.name)
        return env.get_template("assessment.html").render(
            assessment=assessment, org=assessment.org, version=version, data=version.data,
            sections=sections, glance=build_glance(site.schemas.assessment, version.data),
            choice_sets=choice_sets(sections, site.schemas.assessment.doc), **ctx,
        )
    except Exception:
        log.error("while rendering %s", version.source)
        raise


def org_assessments(org: Organization) -> list[Assessment]:
    """Return an organisation's assessments sorted by 評価書番号 then slug."""
    return sorted(org.assessments, key=lambda a: (str(a.latest.data["cover"].get("number") or ""), a.slug))
