"""Trust: every page names its original, shows only dates the original prints, keeps 掲載できません / 記載なし /
選択なし apart in the 概要 panel, shows the editor's uncertain readings, and notes how current a document is.

Mechanisms are tested on a variant of the sample content (tests/fixtures/content); the last tests check
the real content, with expectations derived from it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.analysis.provenance import as_of, wareki_dates
from piasite.build.pipeline import build, validate
from piasite.model.content import load_site
from piasite.model.schema import Schemas
from piasite.output.contact import contact_links

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "content"
SAMPLE = "sample-city/01-sample/2019-02-08.yaml"
BASE_URL = "https://pia.example.jp/"
BUILD_DATE = "2024-01-01"
PDF = "https://www.city.example.jp/pia/01.pdf"
PAGE = "https://www.city.example.jp/pia/"


class _Loader(yaml.SafeLoader):
    """Keep dates as strings, as the site's loader does."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# yaml-language-server: $schema=../../../../../schema/assessment.schema.json\n"
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    """The sample content with a source, notes, a derived date, a draft and a corrections record."""
    content = tmp_path_factory.mktemp("trust") / "content"
    shutil.copytree(FIXTURE, content)
    base = yaml.load((FIXTURE / SAMPLE).read_text(encoding="utf-8"), Loader=_Loader)

    one = json.loads(json.dumps(base))
    one["source"] = {"pdf_url": PDF, "page_url": PAGE, "retrieved_on": "2019-03-01", "checked_on": "2023-12-01",
                     "made_from": "原本の PDF から抽出したテキスト"}
    one["transcription_notes"] = [{"item": "files[0].overview.provision.recipients[0].subject_count",
                                   "reason": "選択の印が隣の選択肢に付いているため、前の選択肢と判断しました。"}]
    one["disclosure"]["inquiry"] = {"contact": "総務部 文書課 電話 0157-25-1209 FAX 0157-25-1000 info@city.example.jp"}
    out = one["files"][0]["overview"]["outsourcing"]
    del out["outsourced"], out["count"]
    one["unavailable"] += [
        {"item": "files[0].overview.outsourcing.outsourced", "note": "委託の有無は含まれていません。"},
        {"item": "files[0].overview.outsourcing.entries", "note": "委託事項2は含まれていません。"},
        {"item": "files[1].risk_measures", "note": "Ⅲ (2) は含まれていません。"},
    ]
    one["files"][1]["risk_measures"] = {}
    _write(content / SAMPLE, one)

    two = json.loads(json.dumps(base))
    two["date_note"] = "原本に公表日の記載がないため、変更箇所の最新の変更日を版の日付としています。"
    two["procedures"]["public_comment"] = {"method": "ホームページで意見を募集した。", "period": "令和2年2月1日から令和2年3月1日"}
    _write(content / "sample-city/02-derived/2020-01-10.yaml", two)

    three = json.loads(json.dumps(base))
    three["status"] = "案"
    three["public_comment"] = {"start": "2015-01-05", "end": "2015-02-04"}
    _write(content / "sample-city/03-draft/2015-01-05.yaml", three)

    (content / "sample-city" / "CORRECTIONS.md").write_text(
        "# 見本市 — 訂正と判断の記録\n\n## 1. 文字の訂正\n\n| 原文 | 訂正後 |\n|---|---|\n| 破碎 | 破砕 |\n", encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def site(variant, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trust-site") / "site"
    build(variant, out, base_url=BASE_URL, search=False, build_date=BUILD_DATE)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_page_names_its_original_with_its_dates_before_the_first_section(site):
    page = soup(site / "sample-city/01-sample/index.html")
    block = page.select_one("main .provenance")
    assert block.find_next("div", class_="doc-body") is not None  # it comes before the document
    assert "正式な内容は原本によります" in block.get_text()
    assert {a["href"] for a in block.select("a[href^='https://']")} == {PDF, PAGE}
    assert [t["datetime"] for t in block.select("time")] == ["2019-03-01", "2023-12-01"]
    assert block.find("a", href="transcription/") is not None


def test_an_unknown_original_is_said_plainly_and_no_url_is_invented(site):
    block = soup(site / "sample-city/02-derived/index.html").select_one("main .provenance")
    assert "原本の所在は未登録" in block.get_text()
    assert not block.select("a[href^='http']")


def test_print_shows_the_page_address_when_the_base_url_is_set(site, variant, tmp_path):
    address = soup(site / "sample-city/01-sample/index.html").select_one(".provenance .print-only")
    assert address.get_text().endswith(BASE_URL + "sample-city/01-sample/")
    build(variant, tmp_path / "no-base", search=False, build_date=BUILD_DATE)
    assert soup(tmp_path / "no-base/sample-city/01-sample/index.html").select_one(".print-only") is None


def _labelled(page: BeautifulSoup, label: str) -> list:
    """Return the value elements (dd, item) of every element labelled `label`."""
    values = [dt.find_next_sibling("dd") for dt in page.find_all("dt") if dt.get_text(strip=True).startswith(label)]
    return [v for v in values if v is not None]


def test_a_derived_date_is_never_shown_as_the_publication_date(site):
    page = soup(site / "sample-city/02-derived/index.html")
    for value in _labelled(page, "公表日"):
        assert value.find("time") is None, value
    header = page.select_one(".doc-header")
    derived = next(dd for dd in _labelled(header, "版の日付(推定)"))
    assert derived.find("time")["datetime"] == "2020-01-10"
    assert page.find(id=derived.find("a")["href"][1:]) is not None  # the reason, one click away
    card = soup(site / "sample-city/index.html").find("a", href="02-derived/").find_parent("li")
    assert "版の日付(推定)" in card.get_text() and "公表日" not in card.get_text()
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "公表日の記載なし(版の日付(推定) 令和2年1月10日)" in feed
    catalog = json.loads((site / "api/assessments.json").read_text(encoding="utf-8"))
    derived_entry = next(a for a in catalog["assessments"] if a["slug"] == "02-derived")["versions"][0]
    assert derived_entry["date_printed"] is False and derived_entry["date_label"] == "版の日付(推定)"


def test_a_printed_date_is_shown_as_the_publication_date(site):
    header = soup(site / "sample-city/01-sample/index.html").select_one(".doc-header")
    assert _labelled(header, "公表日")[0].find("time")["datetime"] == "2019-02-08"


def test_a_date_before_the_documents_own_procedure_is_a_warning(variant):
    _site, warnings = validate(variant)
    found = [w for w in warnings if w.item == "procedures.public_comment.period"]
    assert len(found) == 1 and "02-derived" in found[0].file and found[0].line > 0


def test_the_glance_keeps_unavailable_blank_and_unanswered_apart(site):
    page = soup(site / "sample-city/01-sample/index.html")
    panel = page.select_one("section.glance")
    outsourcing = panel.find("dt", string="特定個人情報ファイルの取扱いの委託").find_next_sibling("dd")
    assert "委託事項1 のみ掲載" in outsourcing.get_text()
    for link in panel.select("a[href^='#']"):
        target = page.find(id=link["href"][1:])
        if "記載なし" in link.get_text():
            assert target.select_one(".unavailable") is None, link
    ratings = {li.select_one(".glance__rating").get_text(): li for li in panel.select(".glance__ratings > li")}
    assert "記載なし" not in ratings
    assert "選択なし(未回答)" in ratings and "この版では掲載できません" in ratings
    for link in ratings["この版では掲載できません"].select("a"):
        assert link.get_text().startswith("(2)")


def test_an_uncertain_reading_is_noted_next_to_its_item_and_listed(site):
    page = soup(site / "sample-city/01-sample/index.html")
    item = page.find(id="f1-overview-provision-recipients1-subject-count")
    assert "選択の印が隣の選択肢に付いている" in item.select_one(".transcription-note").get_text()
    about = soup(site / "sample-city/01-sample/transcription/index.html")
    notes = about.find(id="notes").find_parent("section")
    assert notes.find("a", href="../#f1-overview-provision-recipients1-subject-count") is not None
    table = about.select_one(".corrections table")
    assert [th.get("scope") for th in table.select("th")] == ["col", "col"] and "破砕" in table.get_text()


def test_an_ended_comment_period_and_the_five_year_rule_are_noted_against_the_build_date(site):
    draft = soup(site / "sample-city/03-draft/index.html").select_one(".provenance").get_text()
    assert "意見募集は平成27年2月4日に終了しました" in draft and "確定版" in draft
    assert "規則第15条" in draft and "基準日の時点" in draft
    # the reference date itself is stated once, on the home page the notes link to
    link = soup(site / "sample-city/03-draft/index.html").select_one(".provenance__notice a")
    assert link["href"] == "../../#as-of"
    assert "令和6年1月1日" in soup(site / "index.html").select_one("#as-of").find_parent("section").get_text()
    recent = soup(site / "sample-city/01-sample/index.html").select_one(".provenance").get_text()
    assert "規則第15条" not in recent  # 2019-02-08 is less than five years before 2024-01-01


def test_the_reference_date_is_the_given_one_or_the_newest_version_date():
    dates = [dt.date(2019, 2, 8), dt.date(2024, 10, 1)]
    assert as_of(None, dates).iso == "2024-10-01"
    assert as_of("2025-01-31", dates).iso == "2025-01-31"


def test_phone_numbers_and_mail_addresses_become_links_but_fax_numbers_do_not():
    html = BeautifulSoup(str(contact_links("電話 ０１５７-25-1209 FAX 0157-25-1000\nTEL 022-211-2263 a@b.example.jp")),
                         "html.parser")
    assert [a["href"] for a in html.select("a")] == ["tel:0157251209", "tel:0222112263", "mailto:a@b.example.jp"]
    assert html.find("a", href="tel:0157251209").get_text() == "０１５７-25-1209"  # the text stays as written


def test_contacts_on_pages_are_tel_links(site):
    page = soup(site / "sample-city/01-sample/index.html")
    assert page.find(id="disclosure-inquiry-contact").find("a", href="tel:0157251209") is not None
    assert soup(site / "sample-city/index.html").find("a", href="tel:0000000000") is not None


def test_wareki_dates_are_read_from_free_text():
    assert wareki_dates("令和6年11月5日から令和6年12月4日") == [dt.date(2024, 11, 5), dt.date(2024, 12, 4)]


# --- the real content ----------------------------------------------------------------------------

REAL, _ = load_site(CONTENT, Schemas())


@pytest.mark.parametrize("assessment", REAL.assessments, ids=lambda a: f"{a.org.slug}/{a.slug}")
def test_every_latest_page_names_its_original_before_its_first_section(built_site, assessment):
    page = soup(built_site / assessment.org.slug / assessment.slug / "index.html")
    block = page.select_one("main .provenance")
    assert block is not None and block.find_next("div", class_="doc-body") is not None
    source = assessment.latest.data.get("source") or {}
    if source.get("pdf_url") or source.get("page_url"):
        assert block.select("a[href^='https://']")
    else:
        assert "原本の所在は未登録" in block.get_text()


DERIVED = [(a, v) for a in REAL.assessments for v in a.versions if not v.date_printed]


@pytest.mark.parametrize("assessment, version", DERIVED, ids=lambda x: getattr(x, "iso", getattr(x, "slug", "")))
def test_no_element_labelled_publication_date_shows_a_derived_date(built_site, assessment, version):
    page = soup(built_site / assessment.org.slug / assessment.slug / version.iso / "index.html")
    for value in _labelled(page, "公表日"):
        assert value.find("time") is None
    item = page.find(id="cover-published")
    if item is not None:
        assert item.find("time") is None


def test_real_glance_links_saying_blank_never_point_at_unavailable_items(built_site):
    for a in REAL.assessments:
        page = soup(built_site / a.org.slug / a.slug / "index.html")
        for link in page.select("section.glance a[href^='#']"):
            if "記載なし" in link.get_text():
                assert page.find(id=link["href"][1:]).select_one(".unavailable") is None, (a.slug, link)
