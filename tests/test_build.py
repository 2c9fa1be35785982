"""Built pages: every document rendered completely, in form order, with labels from the schema."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite import urls
from piasite.build.pipeline import build
from piasite.model.content import load_site
from piasite.model.schema import Schemas
from piasite.model.text import is_iso_date, wareki
from piasite.urls import SITE_FOLDERS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schema" / "assessment.schema.json").read_text(encoding="utf-8"))
SITE, _ = load_site(CONTENT, Schemas())
ASSESSMENTS = [(a.org.slug, a.slug) for a in SITE.assessments]
WITH_FILES = [(a.org.slug, a.slug) for a in SITE.assessments if a.latest.data.get("files")]


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_paths(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_index_lists_recent_assessments_newest_first_and_every_organisation_by_prefecture(built_site):
    soup = soup_of(built_site / "index.html")
    recent = soup.find("section", attrs={"aria-labelledby": "recent"})
    hrefs = [a["href"] for a in recent.select(".card__title a")]
    dates = {f"{a.org.slug}/{a.slug}/": a.latest.date for a in SITE.assessments}
    # the most recent (at most 20, the page says how many when it leaves some out), each once, newest first
    assert len(hrefs) == len(set(hrefs)) == min(len(dates), 20)
    listed = [dates[h] for h in hrefs]
    assert listed == sorted(listed, reverse=True)
    assert all(date <= listed[-1] for h, date in dates.items() if h not in hrefs)
    orgs = soup.find("section", attrs={"aria-labelledby": "organizations"})
    by_prefecture = {h3.get_text(strip=True): [a["href"] for a in h3.find_next("ul").select("a")] for h3 in orgs.find_all("h3")}
    # Prefectures in 全国地方公共団体コード order (北海道 01 … 高知県 39), each one's organisations in code order.
    members: dict[str, list] = {}
    for org in SITE.organizations:
        members.setdefault(org.data["prefecture"], []).append(org)
    code = lambda o: o.data["local_government_code"]  # noqa: E731
    assert list(by_prefecture) == sorted(members, key=lambda p: (min(code(o)[:2] for o in members[p]), p))
    for prefecture, links in by_prefecture.items():
        assert links == [f"{o.slug}/" for o in sorted(members[prefecture], key=lambda o: (code(o), o.slug))]
    assert sorted(h for hs in by_prefecture.values() for h in hs) == sorted(f"{o.slug}/" for o in SITE.organizations)


@pytest.mark.parametrize("org", SITE.organizations, ids=lambda o: o.slug)
def test_organisation_page_lists_its_assessments_details_and_contacts(built_site, org):
    soup = soup_of(built_site / org.slug / "index.html")
    assert soup.h1.get_text(strip=True) == org.name
    listed = {a["href"] for a in soup.select("#assessments ~ ul .card__title a")}
    assert listed == {f"{a.slug}/" for a in org.assessments}
    about = soup.find("section", attrs={"aria-labelledby": "about"}).get_text()
    assert org.data["organization"] in about and org.data["local_government_code"] in about
    contact = soup.find("section", attrs={"aria-labelledby": "contact"})
    assert org.data["contact"]["department"] in contact.get_text()
    for a in org.assessments:
        inquiry = ((a.latest.data.get("disclosure") or {}).get("inquiry") or {}).get("contact")
        if inquiry:
            row = next(dd for dd in contact.select("dd") if dd.find("a", href=f"{a.slug}/#disclosure-inquiry-contact"))
            assert row.get_text().startswith(inquiry.splitlines()[0])


@pytest.mark.parametrize("org, slug", ASSESSMENTS)
def test_assessment_page_has_one_h1_and_no_skipped_heading_levels(built_site, org, slug):
    soup = soup_of(built_site / org / slug / "index.html")
    main = soup.find("main")
    headings = main.find_all(re.compile(r"^h[1-6]$"))
    assert [h.name for h in headings].count("h1") == 1
    assert headings[0].name == "h1"
    previous = 1
    for h in headings[1:]:
        level = int(h.name[1])
        assert level <= previous + 1, f"{h.name} 「{h.get_text(strip=True)}」 follows h{previous}"
        previous = level


@pytest.mark.parametrize("org, slug", ASSESSMENTS)
def test_page_has_lang_ja_and_unique_ids_and_resolving_toc_links(built_site, org, slug):
    soup = soup_of(built_site / org / slug / "index.html")
    assert soup.html["lang"] == "ja"
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1][:5]
    for a in soup.select("nav.toc a[href^='#']"):
        assert soup.find(id=a["href"][1:]) is not None, a["href"]


@pytest.mark.parametrize("org, slug", ASSESSMENTS)
def test_top_sections_follow_the_form_order(built_site, org, slug):
    version = next(a for a in SITE.assessments if (a.org.slug, a.slug) == (org, slug)).latest
    soup = soup_of(built_site / org / slug / "index.html")
    h2 = []
    # the site's own section (answers compared with other assessments) is not the form's
    for h in soup.select("main .doc-body > section.section:not(.self-assessed) > h2"):
        for extra in h.select(".title-note, .self-link"):
            extra.extract()
        h2.append(h.get_text(strip=True))
    form = version.data["form"]
    if form == "全項目評価書":
        expected = ["表紙", "Ⅰ 基本情報", "(別添1) 事務の内容", "Ⅱ 特定個人情報ファイルの概要",
                    "(別添2) 特定個人情報ファイル記録項目",
                    "Ⅲ 特定個人情報ファイルの取扱いプロセスにおけるリスク対策", "Ⅳ その他のリスク対策",
                    "Ⅴ 開示請求、問合せ", "Ⅵ 評価実施手続", "(別添3) 変更箇所", "選択肢の一覧"]
    elif form == "重点項目評価書":
        expected = ["表紙", "Ⅰ 基本情報", "Ⅱ 特定個人情報ファイルの概要", "(別添1) 特定個人情報ファイル記録項目",
                    "Ⅲ リスク対策", "Ⅳ 開示請求、問合せ", "Ⅴ 評価実施手続", "(別添2) 変更箇所", "選択肢の一覧"]
    else:
        expected = [
            " ".join(x for x in (s.get("number"), s.get("title")) if x) + (f"【{s['page_ref']}】" if s.get("page_ref") else "")
            for s in version.data["sections"]
        ]
    assert h2 == expected


@pytest.mark.parametrize("org, slug", WITH_FILES)
def test_each_file_has_its_own_sections_in_ii_attachment_and_iii(built_site, org, slug):
    version = next(a for a in SITE.assessments if (a.org.slug, a.slug) == (org, slug)).latest
    files = version.data["files"]
    soup = soup_of(built_site / org / slug / "index.html")
    for section_id in ("overview", "record-items", "risk-measures"):
        h3 = soup.find(id=section_id).find_parent("section").find_all("h3", recursive=True)
        names = [h.get_text(strip=True).rstrip("#") for h in h3 if h.get("id", "").startswith("f")]
        assert names == [f"({i + 1}) {f['name']}" for i, f in enumerate(files)]


@pytest.mark.parametrize("org, slug", ASSESSMENTS)
def test_every_change_log_row_is_rendered(built_site, org, slug):
    version = next(a for a in SITE.assessments if (a.org.slug, a.slug) == (org, slug)).latest
    rows = version.data.get("change_log") or []
    soup = soup_of(built_site / org / slug / "index.html")
    table = soup.select_one("table.change-log")
    if not rows:
        assert table is None
        return
    assert len(table.select("tbody tr")) == len(rows)
    assert table.caption is not None
    assert all(th.get("scope") for th in table.find_all("th"))


def test_labels_come_from_the_schema(built_sample):
    soup = soup_of(built_sample / "sample-city/01-sample/index.html")
    title = SCHEMA["$defs"]["key_assessment"]["properties"]["basic_info"]["properties"]["business"]["properties"]["target_population"]["title"]
    row = soup.find(id="basic-info-business-target-population")
    assert row.dt.find(string=True, recursive=False).strip() == title == "③対象人数"


def test_choice_shows_the_chosen_value_its_place_and_links_to_all_options(built_sample):
    soup = soup_of(built_sample / "sample-city/01-sample/index.html")
    row = soup.find(id="basic-info-business-target-population")
    assert row.select_one(".choice").get_text(strip=True) == "10万人以上30万人未満"
    scale = row.select_one("a.scale")
    assert scale["aria-label"] == "5段階の4番目(選択肢の一覧へ)"
    assert scale.get_text(strip=True) == "○○○●○"
    options = soup.find(id=scale["href"][1:])
    assert [li.get_text(" ", strip=True) for li in options.select("li")] == [
        "1) 1,000人未満", "2) 1,000人以上1万人未満", "3) 1万人以上10万人未満", "4) 10万人以上30万人未満", "5) 30万人以上",
    ]


def test_checkbox_group_says_in_text_what_is_selected(built_sample):
    row = soup_of(built_sample / "sample-city/01-sample/index.html").find(id="f1-overview-acquisition-sources")
    text = row.dd.p.get_text(strip=True)
    assert text == "選択:本人又は本人の代理人、行政機関・独立行政法人等(地方公共団体情報システム機構)"
    marks = [li.select_one(".check")["aria-label"] for li in row.select("details li")]
    assert marks[:2] == ["選択", "選択なし"]
    assert row.select("details li")[0].get_text(strip=True) == "☑本人又は本人の代理人"


def test_empty_items_say_not_stated_and_missing_parts_say_not_available(built_sample):
    soup = soup_of(built_sample / "sample-city/01-sample/index.html")
    assert soup.find(id="basic-info-other-bodies").dd.get_text(strip=True) == "記載なし"
    unavailable = soup.find(id="basic-info-business-description").select_one(".unavailable")
    assert "この版では掲載できません" in unavailable.get_text()
    unanswered = soup.find(id="f1-risk-measures-use-risk1-rating")
    assert "選択なし(未回答)" in unanswered.dd.get_text()


def test_dates_are_shown_in_the_japanese_era_inside_time_elements(built_sample):
    soup = soup_of(built_sample / "sample-city/01-sample/index.html")
    row = soup.find(id="procedures-basic-assessment-date")
    assert row.time["datetime"] == "2015-03-27"
    assert row.time.get_text() == "平成27年3月27日"


def test_every_schema_item_of_the_form_is_rendered(built_sample):
    """Each leaf property of the key form appears once per place it can occur (here: file 1)."""
    soup = soup_of(built_sample / "sample-city/01-sample/index.html")
    ids = {el["id"] for el in soup.find_all(id=True)}
    risk = SCHEMA["$defs"]["key_file"]["properties"]["risk_measures"]["properties"]
    for section, sub in risk.items():
        for key in sub.get("properties", {}):
            assert f"f1-risk-measures-{section.replace('_', '-')}-{key.replace('_', '-')}" in ids


def test_links_are_relative_so_the_site_works_under_a_sub_path(built_site):
    for page in page_paths(built_site):
        for tag in soup_of(page).find_all(["a", "link"], href=True):
            href = tag["href"]
            assert not href.startswith("/"), f"{page}: {href}"
            safe = ("https://", "mailto:", "tel:")
            assert not re.match(r"^[a-z]+:", href) or href.startswith(safe), f"{page}: {href}"


def test_every_version_file_round_trips_into_the_page_text(built_site):
    """A sample of each version's own words appears on its page (full fidelity is measured elsewhere)."""
    for a in SITE.assessments:
        text = soup_of(built_site / a.org.slug / a.slug / "index.html").get_text()
        for value in _strings(a.latest.data)[:400]:
            for line in value.splitlines():
                line = line.strip()
                if is_iso_date(line):
                    line = wareki(line)
                if len(line) >= 4:
                    assert line in text.replace("\n", ""), f"{a.org.slug}/{a.slug}: {line[:40]}"


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        meta = ("form", "status", "unavailable", "transcription_notes")  # notes keyed by item path: shown by the item
        return [s for k, v in data.items() if k not in meta for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


@pytest.mark.slow  # two builds of the whole content
def test_build_output_is_deterministic(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(CONTENT, first)
    build(CONTENT, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_yaml_content_files_declare_their_schema_for_editors():
    for path in CONTENT.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        expected = {"organization.yaml": "organization.schema.json", "aliases.yaml": "aliases.schema.json",
                    "glossary.yaml": "glossary.schema.json"}.get(
            path.name, "assessment.schema.json"
        )
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(expected), path
        assert yaml.safe_load(path.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("org, slug", WITH_FILES)
def test_glance_panel_derives_its_facts_from_the_data_and_links_each_to_its_item(built_site, org, slug):
    version = next(a for a in SITE.assessments if (a.org.slug, a.slug) == (org, slug)).latest
    soup = soup_of(built_site / org / slug / "index.html")
    panel = soup.select_one("section.glance")
    keys = [dt.get_text(strip=True) for dt in panel.select("dt")]
    assert "特定個人情報ファイル" in keys and "過去3年以内の重大事故" in keys
    files_row = panel.find("dt", string="特定個人情報ファイル").find_next_sibling("dd")
    assert len(files_row.select("a")) == len(version.data["files"])
    for a in panel.select("a[href^='#']"):
        assert soup.find(id=a["href"][1:]) is not None, a["href"]
    ratings = {li.select_one(".glance__rating").get_text(): li for li in panel.select(".glance__ratings > li")}
    total = int(panel.select_one("#glance-ratings").get_text().split("全")[1].split("件")[0])
    counted = sum(len(li.select("ul a")) for li in ratings.values())
    assert counted == total > 0


def test_glance_counts_ratings_and_outsourcing_of_the_sample(built_sample):
    panel = soup_of(built_sample / "sample-city/01-sample/index.html").select_one("section.glance")
    text = panel.get_text(" ", strip=True)
    assert "特に力を入れている" in text and "課題が残されている" in text


def test_every_numbered_item_has_a_visible_link_to_itself(built_site):
    soup = soup_of(built_site / "miyagi-pref/07-juki-net/index.html")
    items = soup.select("div.item[id]")
    assert len(items) > 200
    for item in items:
        link = item.select_one("dt a.self-link")
        assert link is not None and link["href"] == f"#{item['id']}", item["id"]


def test_prefecture_pages_group_organisations_and_are_linked(built_site):
    index = soup_of(built_site / "index.html")
    links = {a.get_text(strip=True): a["href"] for a in index.select("section[aria-labelledby=organizations] h3 a")}
    for org in SITE.organizations:
        code = org.data["local_government_code"][:2]
        assert links[org.data["prefecture"]] == f"prefectures/{code}/"  # e.g. 宮城県: prefectures/04/
        page = soup_of(built_site / "prefectures" / code / "index.html")
        assert page.h1.get_text(strip=True) == org.data["prefecture"]
        assert f"../../{org.slug}/" in {a["href"] for a in page.select("h2 a")}
        crumbs = [a["href"] for a in soup_of(built_site / org.slug / "index.html").select(".breadcrumb a")]
        assert crumbs == ["../", f"../prefectures/{code}/"]


@pytest.mark.parametrize(
    "page, target",
    [
        ("index.html", ""), ("index.html", "a/"), ("a/index.html", ""), ("a/b/index.html", "a/"),
        ("a/b/index.html", "a/c/"), ("a/b/c/index.html", "x/y"), ("a/index.html", "a/"), ("a/b/index.html", "a/b/#x"),
        ("a/b/index.html", "assets/site.css"), ("a/b/2024-01-01/index.html", "a/b/2024-01-01/diff/"),
        ("a/data.json", "a/"), ("robots.txt", "sitemap.xml"),
    ],
)
def test_relative_urls_are_those_posixpath_gives(page, target):
    expected = posixpath.relpath(target or ".", posixpath.dirname(page) or ".")
    if target.endswith("/") or target == "":
        expected = expected.rstrip("/") + "/"
    assert urls.relative(page, target) == expected


def test_site_folders_that_are_not_organisations_are_reserved(built_site):
    """An organisation folder named like a site-wide folder would overwrite its pages; scan refuses them."""
    orgs = {p.name for p in CONTENT.iterdir() if p.is_dir()}
    others = {p.name for p in built_site.iterdir() if p.is_dir()} - orgs
    assert others and others <= SITE_FOLDERS | {"pagefind"}
    assert not orgs & SITE_FOLDERS
