"""Entities: names merged by rules and aliases, every role they appear in, one page each, linked from the documents.

The tests over the real content assert the sets issue 21 names (J-LIS across all five seeds, the 宮城県
再委託先, the merged 別表第二 category) or derive expectations from the content; a small fixture
assessment covers each role and the compound recipient.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.analysis.entities import TEXT_ROLE, assessment_mentions, collect, merge_mentions, slug_for
from piasite.analysis.names import companies_in, company_name, kind_of, normalize, parts
from piasite.model.content import Assessment, Organization, Version, load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(CONTENT, Schemas())
KIKO = "地方公共団体情報システム機構"


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(
    "a, b",
    [
        ("中間サーバ", "中間サーバー"),
        ("地方公共団体情報システム機構(機構)", "地方公共団体情報システム機構"),
        ("住民基本台帳ネットワークシステム\n※…について記載する。", "住民基本台帳ネットワークシステム"),
        ("ＡＢＣ システム", "ABCシステム"),
        ("番号法別表第二の第１欄に掲げる者（別紙１のとおり。）", "番号法別表第2の第1欄に規定する情報照会者(別添1-2参照 57件)"),
        ("NEC(株)", "NEC株式会社"),
        ("(株)トウインクル", "株式会社トウインクル"),
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


@pytest.mark.parametrize(
    "name, kind",
    [
        ("地方公共団体情報システム機構", "organizations"),
        ("岩手県", "organizations"),
        ("日本電気株式会社 オホーツク支店", "organizations"),
        ("NTTコミュニケーションズ(株)", "organizations"),
        ("高知市教育委員会", "organizations"),
        ("J-LIS", "organizations"),
        ("都道府県", "categories"),
        ("教育委員会", "categories"),
        ("実施機関内部(別添1-3参照 39件)", "categories"),
        ("住基法上の住民", "categories"),
        ("自都道府県の他部署(税務課など)", "categories"),
        ("番号法別表第二の第１欄に掲げる者", "categories"),
        ("別紙２の移転先の欄に掲げる者", "categories"),
    ],
)
def test_organisations_are_told_from_categories(name, kind):
    assert kind_of(name) == kind


def test_compound_names_split_but_phrases_do_not():
    assert parts("都道府県及び機構") == ["都道府県", "機構"]
    assert parts("高知市教育委員会, 高知市選挙管理委員会") == ["高知市教育委員会", "高知市選挙管理委員会"]
    assert parts("番号法別表第二の第１欄に掲げる者（別紙１のとおり。）") == ["番号法別表第二の第１欄に掲げる者"]


def test_companies_are_found_in_text_by_their_designation():
    text = "運用は(株)トウインクルが、各サーバの保守はNEC(株)が、ネットワーク関係はNTTコミュニケーションズ(株)がそれぞれ再委託を受けている。"
    assert companies_in(text) == ["(株)トウインクル", "NEC(株)", "NTTコミュニケーションズ(株)"]
    assert companies_in("再委託先の名称、再委託する理由を明確にした上で") == []


# --- a fixture assessment naming something in every role -------------------------------------------------

FIXTURE = {
    "form": "全項目評価書",
    "cover": {"title": "見本事務 全項目評価書"},
    "basic_info": {
        "other_bodies": "見本県",
        "systems": [
            {
                "number": 1,
                "name": "見本住基システム",
                "connections": {"selected": ["住民基本台帳ネットワークシステム", "その他"], "other": "見本連携サーバ"},
            }
        ],
    },
    "files": [{
        "name": "見本ファイル",
        "overview": {
            "acquisition": {"sources": {"selected": ["行政機関・独立行政法人等", "その他"],
                                        "details": {"行政機関・独立行政法人等": "地方公共団体情報システム機構"},
                                        "other": "自部署"}},
            "outsourcing": {"entries": [{
                "number": 1, "contractor": "見本システム株式会社 東北支店", "subcontracting": "再委託する",
                "subcontract_permission": "書面で承認する。なお、保守は(株)見本保守が再委託を受けている。",
            }]},
            "provision": {
                "recipients": [{"number": 1, "name": "都道府県及び機構"}],
                "transferees": [{"number": 1, "name": "見本市教育委員会"}],
            },
        },
    }],
    "business_attachment": [{"notes": [{"text": "地方公共団体情報システム機構(以下「機構」という。)に通知する。"}]}],
    "change_log": [{"date": "2024-04-01", "item": "Ⅰ 8. 他の評価実施機関", "before": "見本県、総務省", "after": "見本県"}],
}


def _fixture(data: dict = FIXTURE, slug: str = "sample-city", organization: str = "見本市") -> Assessment:
    org = Organization(slug, {"name": f"{organization}長", "organization": organization}, f"content/{slug}/organization.yaml")
    assessment = Assessment(org, "01-sample", key="k")
    assessment.versions.append(Version(dt.date(2024, 6, 1), data, f"content/{slug}/01-sample/2024-06-01.yaml", None))
    org.assessments.append(assessment)
    return assessment


def _roles(found, name: str) -> set[str]:
    return {f.role for f in found if normalize(f.name) == normalize(name)}


def test_fixture_names_each_role_with_its_item():
    found = assessment_mentions(_fixture(), aliases={"J-LIS": KIKO}, schema=SITE.schemas.assessment)
    assert _roles(found, "見本市") == {"評価実施機関"}
    assert _roles(found, "見本県") == {"他の評価実施機関", TEXT_ROLE}  # and in its change-log row
    assert _roles(found, "見本住基システム") == {"システム"}
    assert _roles(found, "見本連携サーバ") == {"他のシステムとの接続"}
    assert _roles(found, "住民基本台帳ネットワークシステム") == {"他のシステムとの接続"}
    assert _roles(found, "見本ファイル") == {"特定個人情報ファイル"}
    assert _roles(found, "見本システム株式会社") == {"委託先"}
    assert _roles(found, "(株)見本保守") == {"再委託先"}
    assert _roles(found, "見本市教育委員会") == {"移転先"}
    # the compound recipient names each part; 機構 is the short name the document defines
    assert {f.name for f in found if f.role == "提供先"} == {"都道府県", KIKO}
    assert all(f.written == "都道府県及び機構" for f in found if f.role == "提供先")
    assert _roles(found, KIKO) == {"入手元", "提供先", TEXT_ROLE}
    texts = [f for f in found if f.role == TEXT_ROLE and f.name == KIKO]
    assert [f.path[0] for f in texts] == ["business_attachment"]  # not the slots that already name it
    # the company found inside ⑧ links to that item, not to the entry
    sub = next(f for f in found if f.role == "再委託先")
    assert sub.anchor == "f1-overview-outsourcing-entries1-subcontract-permission"


def test_fixture_entities_keep_organisations_apart_from_categories():
    assessment = _fixture()
    entities = merge_mentions([(assessment, assessment_mentions(assessment, aliases={"J-LIS": KIKO}))], {"J-LIS": KIKO})
    kind = {e.key: e.kind for e in entities.values()}
    assert kind[normalize(KIKO)] == "organizations"
    assert kind[normalize("都道府県")] == "categories"
    assert kind[normalize("自部署")] == "categories"
    assert kind[normalize("見本連携サーバ")] == "systems"
    assert kind[normalize("見本ファイル")] == "files"
    assert kind[normalize("見本システム株式会社")] == "organizations"


# --- the real content -----------------------------------------------------------------------------------

ENTITIES = collect(SITE, SITE.aliases)


def _entity(name: str):
    return ENTITIES[slug_for(SITE_KEY(name))]


def SITE_KEY(name: str) -> str:  # noqa: N802 - the key through the site's aliases
    key = normalize(name)
    return {normalize(k): normalize(v) for k, v in SITE.aliases.items()}.get(key, key)


def test_jlis_is_named_by_every_seed_assessment_in_a_role():
    kiko = _entity("J-LIS")
    assert kiko is _entity(KIKO)
    seeds = {"miyagi-pref", "kitami-city", "kochi-city", "morioka-city", "yamaguchi-pref"}
    assert seeds <= {a.org.slug for a in kiko.assessments}
    in_role = {m.assessment.org.slug for m in kiko.mentions if m.role != TEXT_ROLE}
    assert seeds <= in_role
    roles = {(m.assessment.org.slug, m.role) for m in kiko.mentions}
    assert {("yamaguchi-pref", "提供先"), ("kochi-city", "提供先"), ("morioka-city", "入手元"),
            ("miyagi-pref", "委託先"), ("kitami-city", "提供先")} <= roles
    # 盛岡市's change log names it as 他の評価実施機関
    assert any(m.role == TEXT_ROLE and m.path[0] == "change_log" and "他の評価実施機関" in m.context
               for m in kiko.mentions if m.assessment.org.slug == "morioka-city")


@pytest.mark.parametrize("name", ["NEC(株)", "(株)トウインクル", "NTTコミュニケーションズ(株)"])
def test_miyagi_subcontractors_have_entities_linking_its_items(name):
    entity = _entity(name)
    assert entity.kind == "organizations"
    anchors = {m.anchor for m in entity.mentions if m.role == "再委託先" and m.assessment.org.slug == "miyagi-pref"}
    assert {"f1-overview-outsourcing-entries1-subcontract-permission",
            "f2-overview-outsourcing-entries1-subcontract-permission"} <= anchors


def test_nec_merges_with_nippon_denki():
    assert _entity("NEC(株)") is _entity("日本電気株式会社")
    assert {"委託先", "再委託先"} <= {m.role for m in _entity("NEC").mentions}


def test_beppyo_two_category_is_one_entity():
    kitami = "番号法別表第2の第1欄に規定する情報照会者"
    morioka = "番号法別表第二の第１欄に掲げる者"
    entity = _entity(kitami)
    assert entity is _entity(morioka) and entity.kind == "categories"
    assert {"kitami-city", "morioka-city"} <= {a.org.slug for a in entity.assessments}


def test_categories_are_not_listed_as_organisations():
    for name in ("都道府県", "住基法上の住民", "実施機関内部", "教育委員会", "別紙２の移転先の欄に掲げる者"):
        assert _entity(name).kind == "categories", name


def test_every_structured_recipient_is_on_an_entity_page():
    # derived from the content: each 提供先 of every file is a mention of each name it joins
    paths: dict[tuple, int] = {}
    for e in ENTITIES.values():
        for m in e.mentions:
            if m.role == "提供先":
                key = (m.assessment.org.slug, m.assessment.slug, m.path)
                paths[key] = paths.get(key, 0) + 1
    for assessment in SITE.assessments:
        for fi, f in enumerate(assessment.latest.data.get("files") or []):
            for ri, r in enumerate(((f.get("overview") or {}).get("provision") or {}).get("recipients") or []):
                if r.get("name"):
                    path = ("files", fi, "overview", "provision", "recipients", ri)
                    assert paths.get((assessment.org.slug, assessment.slug, path)) == len(parts(r["name"])), r["name"]


# --- the built pages ------------------------------------------------------------------------------------

def entity_page(site: Path, name: str) -> BeautifulSoup:
    return soup_of(site / "entities" / slug_for(SITE_KEY(name)) / "index.html")


def linked_assessments(soup: BeautifulSoup) -> set[str]:
    return {a["href"].split("#")[0].strip("./").split("/")[0] for a in soup.select(".mention-list a")}


def test_jlis_page_links_all_five_assessments_grouped_by_role(built_site):
    soup = entity_page(built_site, KIKO)
    assert soup.h1.get_text(strip=True) == KIKO
    assert {"miyagi-pref", "kitami-city", "kochi-city", "morioka-city", "yamaguchi-pref"} <= linked_assessments(soup)
    headings = [h.get_text() for h in soup.select("h2[id^=role]")]
    assert any(h.startswith("提供先として(評価書") for h in headings)
    assert headings[-1].startswith(TEXT_ROLE)


def test_index_pages_keep_kinds_apart_and_sort_by_assessments(built_site):
    soup = soup_of(built_site / "entities" / "organizations" / "index.html")
    names = [a.get_text() for a in soup.select(".entity-list a")]
    assert names[0] == KIKO and "都道府県" not in names
    counts = [int(s.get_text().split("件")[0].split()[-1]) for s in soup.select(".entity-list .muted")]
    assert counts == sorted(counts, reverse=True)
    categories = [a.get_text() for a in soup_of(built_site / "entities" / "categories" / "index.html").select(".entity-list a")]
    assert "都道府県" in categories and KIKO not in categories
    assert sum("別表第" in n and "第1欄" in normalize(n) for n in categories) == 1


def test_every_mention_links_to_an_existing_item(built_site):
    assert len(ENTITIES) > 20
    ids: dict[Path, set[str]] = {}  # each document parsed once, not once per mention
    for entity in ENTITIES.values():
        soup = soup_of(built_site / "entities" / entity.slug / "index.html")
        for a in soup.select(".mention-list a"):
            page, _, fragment = a["href"].partition("#")
            target = (built_site / "entities" / entity.slug / page / "index.html").resolve()
            if target not in ids:
                ids[target] = {el["id"] for el in soup_of(target).find_all(id=True)}
            assert not fragment or fragment in ids[target], a["href"]


def test_document_links_mentions_to_entity_pages(built_site):
    soup = soup_of(built_site / "morioka-city" / "01-juki" / "index.html")
    item = soup.find(id="basic-info-systems4-name")
    link = item.select_one("dd a")  # the name itself is the link
    assert link["href"] == f"../../entities/{slug_for(normalize('中間サーバー'))}/"


def test_alias_file_merges_names_a_rule_cannot(tmp_path):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "aliases.yaml").write_text("aliases:\n  富士通Japan: 日本電気株式会社\n", encoding="utf-8")
    site, problems = load_site(content, Schemas())
    assert not [p for p in problems if p.severity == "error"]
    entities = collect(site, site.aliases)
    merged = entities[slug_for(normalize("日本電気株式会社"))]
    assert "kochi-city" in {a.org.slug for a in merged.assessments}
    (content / "aliases.yaml").write_text("aliases:\n  - 都道府県\n", encoding="utf-8")
    _, problems = load_site(content, Schemas())
    assert any(p.file.endswith("aliases.yaml") and p.severity == "error" for p in problems)
