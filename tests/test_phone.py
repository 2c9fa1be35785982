"""Reading on a phone, and what changed in plain words (issue 22): a way back to the 目次 under every part
heading, item links out of the tab order, key/value tables that can stack, and the plain summary of each
change (新旧対照表 per 変更日, version diffs) computed from the structural diff, before the site's own audit."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from piasite.analysis.change_summary import summarize_date, summarize_diff
from piasite.analysis.history import analyse
from piasite.build.pipeline import build
from piasite.model.content import load_site
from piasite.model.schema import Schemas
from piasite.output.terms import SITE_TERMS

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(ROOT / "content", Schemas())
DOCUMENTS = [a for a in SITE.assessments if a.latest.data["form"] != "概要"]


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _page(site: Path, assessment) -> BeautifulSoup:
    return soup_of(site / assessment.org.slug / assessment.slug / "index.html")


# --- a way back to the 目次, and few tab stops ----------------------------------------------------


@pytest.mark.parametrize("assessment", SITE.assessments, ids=lambda a: a.org.slug)
def test_every_part_heading_has_a_way_back_to_the_toc_and_to_its_own_top(built_site, assessment):
    soup = _page(built_site, assessment)
    toc_list = soup.select_one("nav.toc details #toc-list")
    assert toc_list is not None
    parts = soup.select(".doc-body section.level-2")
    assert parts
    for part in parts:
        heading = part.find(["h2"], recursive=False)
        bar = heading.find_next_sibling()
        assert "part-nav" in bar["class"], heading.get_text()
        hrefs = [a["href"] for a in bar.find_all("a")]
        assert hrefs == ["#toc-list", f"#{heading['id']}"]


@pytest.mark.parametrize("assessment", DOCUMENTS, ids=lambda a: a.org.slug)
def test_each_file_part_has_its_own_bar_naming_the_part_and_the_file(built_site, assessment):
    soup = _page(built_site, assessment)
    files = assessment.latest.data.get("files") or []
    for f in files:
        for part in ("overview", "risk_measures"):
            section_id = f"f{f.get('number', files.index(f) + 1)}-{part.replace('_', '-')}"
            heading = soup.find(id=section_id)
            if heading is None:
                continue
            bar = heading.find_next_sibling(class_="part-nav")
            assert bar is not None, section_id
            assert f["name"] in bar.get_text(), section_id
            assert bar.select_one("a.part-nav__toc")["href"] == "#toc-list"


@pytest.mark.parametrize("assessment", DOCUMENTS, ids=lambda a: a.org.slug)
def test_item_links_stay_for_sharing_but_only_heading_links_are_tab_stops(built_site, assessment):
    soup = _page(built_site, assessment)
    item_links = soup.select("dt a.self-link")
    assert item_links and all(a.get("tabindex") == "-1" for a in item_links)
    assert all(a["href"] == f"#{a.find_parent(id=True)['id']}" for a in item_links if a.find_parent("div", id=True))
    heading_links = soup.select("h2 a.self-link, h3 a.self-link, h4 a.self-link, h5 a.self-link, h6 a.self-link")
    assert heading_links and all(a.get("tabindex") is None for a in heading_links)
    assert all(a.get("tabindex") == "-1" for a in soup.select("a.scale"))
    # one 「#」 tab stop per heading at most
    headings = soup.select(".doc-body h2, .doc-body h3, .doc-body h4, .doc-body h5, .doc-body h6")
    tab_stop_self_links = [a for a in soup.select("a.self-link") if a.get("tabindex") != "-1"]
    assert len(tab_stop_self_links) <= len(headings)


# --- key/value tables -----------------------------------------------------------------------------


def test_summary_item_tables_are_key_value_tables_without_a_scroll_region(built_site):
    summaries = [a for a in SITE.assessments if a.latest.data["form"] == "概要"]
    assert summaries
    for assessment in summaries:
        soup = _page(built_site, assessment)
        tables = soup.select("table.summary-items")
        assert tables
        for table in tables:
            assert "kv-table" in table["class"]
            assert [th.get_text() for th in table.select("thead th")].__len__() == 2
            assert table.find_parent(attrs={"role": "region"}) is None
        # the other tables are wide: they keep a labelled, focusable scroll region
        for table in soup.select("table:not(.kv-table)"):
            region = table.find_parent(class_="table-wrap--wide")
            assert region is not None and region["role"] == "region" and region["tabindex"] == "0"
            assert soup.find(id=region["aria-labelledby"]) is not None


# --- the plain summary of a change -----------------------------------------------------------------


def _miyagi():
    return next(a for a in SITE.assessments if a.org.slug == "miyagi-pref")


def test_miyagi_summary_names_the_added_file_and_the_renamed_business(built_site):
    """Derived from the content: the files of the latest version not in the one before, and the 事務の名称 of both."""
    miyagi = _miyagi()
    old, new = miyagi.versions[-2], miyagi.latest
    added_files = [f["name"] for f in new.data["files"] if f["name"] not in {g["name"] for g in old.data["files"]}]
    assert added_files
    business = (old.data["basic_info"]["business"]["name"], new.data["basic_info"]["business"]["name"])
    assert business[0] != business[1]
    soup = soup_of(built_site / "miyagi-pref" / "07-juki-net" / "changes" / "index.html")
    section = soup.find(id=f"d{new.iso}").find_parent("section")
    summary = section.select_one(".change-summary")
    assert summary is not None
    # the summary comes before the rows
    first_row = section.select_one("article.change-entry")
    assert summary in first_row.find_all_previous("section")
    rows = {div.dt.get_text(strip=True): div.dd for div in summary.select(".summary-list__row")}
    added = next(dd for dt, dd in rows.items() if dt.startswith("追加されたもの"))
    assert all(f"特定個人情報ファイル「{name}」" in added.get_text() for name in added_files)
    renamed = next(dd for dt, dd in rows.items() if dt.startswith("名前の変更")).get_text()
    assert "事務の名称" in renamed and f"「{business[0]}」から「{business[1]}」に" in renamed
    # the row count and the 事前 count are those of the date's rows
    date_rows = [r for r in new.data["change_log"] if str(r["date"]) == new.iso]
    prior = sum(1 for r in date_rows if r.get("timing") == "事前")
    counts = rows["変更箇所の行"].get_text()
    assert counts.startswith(f"{len(date_rows)}件") and re.search(rf"事前の行(\([^)]*\))?は {prior}件", counts)
    # the added file links to its place in the version the summary was computed from
    link = added.find("a", string=lambda s: s and added_files[0] in s)
    assert link["href"] == f"../{new.iso}/#f{len(new.data['files'])}-overview"


def test_version_diff_opens_with_the_summary_and_ends_with_the_audit(built_site):
    miyagi = _miyagi()
    soup = soup_of(built_site / "miyagi-pref" / "07-juki-net" / miyagi.latest.iso / "diff" / "index.html")
    order = [s.get("class", [""])[0] for s in soup.main.find_all("section", recursive=False)]
    assert order[0] == "change-summary"
    assert order[-1] == "audit"
    assert set(order[1:-1]) == {"diff-section"}
    audit = soup.select_one("section.audit")
    assert "このサイトによる点検" in audit.h2.get_text()
    assert [h["id"] for h in audit.find_all("h3")][:2] == ["undeclared", "unmatched"]
    # the audit's row links say where the row is
    for a in audit.select("li a[href*='#row']"):
        assert a.get_text().startswith("変更箇所の")


@pytest.mark.parametrize(
    "assessment", [a for a in SITE.assessments if a.latest.data.get("change_log")], ids=lambda a: a.org.slug
)
def test_every_change_date_has_a_summary_whose_counts_match_its_rows(built_site, assessment):
    soup = soup_of(built_site / assessment.org.slug / assessment.slug / "changes" / "index.html")
    rows = assessment.latest.data["change_log"]
    for section in soup.select("section.change-date"):
        date = section.h2["id"][1:]
        summary = section.select_one(".change-summary")
        assert summary is not None, date
        n = sum(1 for r in rows if str(r["date"]) == date)
        line = next(d for d in summary.select(".summary-list__row") if d.dt.get_text() == "変更箇所の行")
        assert line.dd.get_text().startswith(f"{n}件"), date


def test_site_terms_link_to_the_glossary_or_are_explained_in_place(built_site):
    """A site term links to its glossary entry when the glossary has it, otherwise its explanation follows it."""
    glossary = yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text(encoding="utf-8"))
    known = {t["slug"] for t in glossary["terms"]}
    miyagi = _miyagi()
    pages = [
        built_site / "miyagi-pref" / "07-juki-net" / miyagi.latest.iso / "diff" / "index.html",
        built_site / "miyagi-pref" / "07-juki-net" / "changes" / "index.html",
    ]
    seen = set()
    for page in pages:
        soup = soup_of(page)
        for term in soup.select(".site-term"):
            slug = term["data-term"]
            assert slug in SITE_TERMS
            seen.add(slug)
            note = term.find_next_sibling()
            explained = note is not None and "site-term__note" in note.get("class", [])
            if term.name == "a":
                assert slug in known and term["href"].endswith(f"glossary/#{slug}")
                assert (built_site / "glossary" / "index.html").is_file()
                assert soup_of(built_site / "glossary" / "index.html").find(id=slug) is not None
            elif explained:
                assert slug not in known and note.get_text() == f"({SITE_TERMS[slug]})"
    assert {"fukugen", "kisai-no-nai-henko", "kisai-no-aru-henko", "henko-no-nai-gyo", "jizen-jigo"} <= seen


# --- the summary's mechanism, on a small fixture ----------------------------------------------------


def _changed_sample(content: Path) -> Path:
    """Add a version to the sample: a file added, a 委託事項 removed, the 事務 renamed, two 事前 rows, one 事後."""
    folder = content / "sample-city" / "01-sample"
    data = yaml.safe_load((folder / "2019-02-08.yaml").read_text(encoding="utf-8"))
    data["basic_info"]["business"]["name"] = "住民基本台帳に関する事務"
    new_file = copy.deepcopy(data["files"][1])
    new_file["name"] = "附票ファイル"
    data["files"].append(new_file)
    data["files"][0]["overview"]["outsourcing"]["entries"] = []
    rows = [
        {"date": "2020-04-01", "item": "Ⅰ 1. ①事務の名称", "before": "住民基本台帳事務",
         "after": "住民基本台帳に関する事務", "timing": "事前", "timing_note": "重要な変更"},
        {"date": "2020-04-01", "item": "Ⅱ (3) 附票ファイル", "before": "追加", "after": "附票ファイル",
         "timing": "事前", "timing_note": "重要な変更"},
        {"date": "2020-04-01", "item": "Ⅱ (1) 3. 委託事項1", "before": "システム運用・保守等委託", "after": "削除",
         "timing": "事後", "timing_note": ""},
    ]
    data["change_log"] += rows
    (folder / "2020-04-01.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_summary_of_a_diff_names_entries_and_renames_and_counts_rows(sample_content):
    _changed_sample(sample_content)
    site, problems = load_site(sample_content, Schemas())
    assert not [p for p in problems if p.severity == "error"]
    histories, _ = analyse(site)
    history = next(iter(histories.values()))
    diff = history.diffs["2020-04-01"]
    schema = site.schemas.assessment
    s = summarize_diff(schema, diff)
    assert [(e.what, e.name) for e in s.added] == [("特定個人情報ファイル", "附票ファイル")]
    assert [(e.what, e.name, e.where) for e in s.removed] == [
        ("委託事項", "システム運用・保守等委託", "(1) 住民基本台帳ファイル")
    ]
    assert [(r.what, r.before, r.after) for r in s.renamed] == [
        ("①事務の名称", "住民基本台帳事務", "住民基本台帳に関する事務")
    ]
    assert (s.rows, s.prior_rows) == (3, 2)
    assert s.changed_items == sum(len(sec.changes) for sec in diff.sections)
    assert s.changed_entries == sum(len(sec.entries) for sec in diff.sections)
    # the 変更日 of the change table gets the same summary, from the same diff
    date = next(d for d in history.dates if d.date == "2020-04-01")
    by_date = summarize_date(schema, date, history.diffs, site.assessments[0].latest.data)
    assert by_date.basis == "diff" and not by_date.partial
    assert (by_date.added, by_date.removed, by_date.renamed) == (s.added, s.removed, s.renamed)
    # a 変更日 with no earlier version on the site is summarised from its rows only
    first = next(d for d in history.dates if d.date < "2019-02-08")
    rows_only = summarize_date(schema, first, history.diffs, site.assessments[0].latest.data)
    assert rows_only.basis == "rows" and not rows_only.added
    assert sum(p.items for p in rows_only.parts) == rows_only.rows == len(first.entries)


def test_summary_renders_on_the_diff_page_before_the_changes(sample_content, tmp_path):
    _changed_sample(sample_content)
    out = tmp_path / "out"
    build(sample_content, out)
    soup = soup_of(out / "sample-city" / "01-sample" / "2020-04-01" / "diff" / "index.html")
    summary = soup.select_one("section.change-summary")
    text = "".join(summary.get_text().split())
    assert "特定個人情報ファイル「附票ファイル」" in text
    assert "(1)住民基本台帳ファイルの委託事項「システム運用・保守等委託」" in text
    assert "「住民基本台帳事務」から「住民基本台帳に関する事務」に" in text
    assert re.search(r"提出時期が事前の行(\([^)]*\))?は2件", text), text
    assert summary.find_next("section")["class"] == ["diff-section"]
