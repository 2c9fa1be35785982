"""Entities: names merged by the normalisation rule and aliases, one page each, linked from the documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from piasite.analysis.entities import collect, company_name, normalize, slug_for
from piasite.model.content import load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(ROOT / "content", Schemas())


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(
    "a, b",
    [
        ("中間サーバ", "中間サーバー"),
        ("地方公共団体情報システム機構(機構)", "地方公共団体情報システム機構"),
        ("住民基本台帳ネットワークシステム\n※…について記載する。", "住民基本台帳ネットワークシステム"),
        ("ＡＢＣ システム", "ABCシステム"),
    ],
)
def test_notation_differences_merge(a, b):
    assert normalize(a) == normalize(b)


def test_contractors_merge_by_company():
    assert normalize("日本電気株式会社 オホーツク支店", company=True) == normalize(
        "日本電気 株式会社 東北支社", company=True
    )
    assert normalize("株式会社アイシーエス", company=True) == normalize("アイシーエス株式会社", company=True)
    assert company_name("日本電気株式会社 オホーツク支店") == "日本電気株式会社"
    assert normalize("中間サーバ") != normalize("中継サーバ")


def entity_page(site: Path, key: str) -> BeautifulSoup:
    return soup_of(site / "entities" / slug_for(key) / "index.html")


def linked_assessments(soup: BeautifulSoup) -> set[str]:
    return {a["href"].split("#")[0].strip("./").split("/")[0] for a in soup.select(".mention-list a")}


def test_kiko_page_lists_every_assessment_naming_it(built_site):
    # From the sources: 地方公共団体情報システム機構 is a contractor of 宮城県 (both files) and a
    # recipient of 宮城県 (file 1) and 北見市 (送付先情報ファイル); 高知市 writes 「都道府県及び機構」, a different recipient.
    soup = entity_page(built_site, normalize("地方公共団体情報システム機構"))
    assert soup.h1.get_text(strip=True) == "地方公共団体情報システム機構"
    assert linked_assessments(soup) == {"miyagi-pref", "kitami-city"}
    roles = [h.get_text() for h in soup.select("h2[id^=role]")]
    assert roles == ["委託先として(2か所)", "提供先として(2か所)"]


def test_juki_net_page_lists_every_assessment_naming_it(built_site):
    # システムの名称 住民基本台帳ネットワークシステム: 宮城県 (システム1) and 盛岡市 (システム2); 北見市's and
    # 高知市's first systems are not in their extracted texts.
    soup = entity_page(built_site, normalize("住民基本台帳ネットワークシステム"))
    assert linked_assessments(soup) == {"miyagi-pref", "morioka-city"}


def test_every_mention_links_to_an_existing_item(built_site):
    entities = collect(SITE, SITE.aliases)
    assert len(entities) > 20
    for entity in entities.values():
        soup = entity_page(built_site, entity.key)
        for a in soup.select(".mention-list a"):
            page, _, fragment = a["href"].partition("#")
            target = soup_of((built_site / "entities" / entity.slug / page / "index.html").resolve())
            assert target.find(id=fragment) is not None, a["href"]


def test_document_links_mentions_to_entity_pages(built_site):
    soup = soup_of(built_site / "morioka-city" / "01-juki" / "index.html")
    item = soup.find(id="basic-info-systems4-name")
    link = item.select_one("dd a")  # the name itself is the link
    assert link["href"] == f"../../entities/{slug_for(normalize('中間サーバー'))}/"


def test_alias_file_merges_names_a_rule_cannot(tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "aliases.yaml").write_text(
        "aliases:\n  都道府県及び機構: 地方公共団体情報システム機構\n", encoding="utf-8"
    )
    site, problems = load_site(content, Schemas())
    assert not [p for p in problems if p.severity == "error"]
    entities = collect(site, site.aliases)
    kiko = entities[slug_for(normalize("地方公共団体情報システム機構"))]
    assert {a.org.slug for a in kiko.assessments} == {"miyagi-pref", "kitami-city", "kochi-city"}
    (content / "aliases.yaml").write_text("aliases:\n  - 都道府県\n", encoding="utf-8")
    _, problems = load_site(content, Schemas())
    assert any(p.file.endswith("aliases.yaml") and p.severity == "error" for p in problems)
