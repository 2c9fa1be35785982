"""Law and article pages: citations found in the documents, linked both ways."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.analysis.citations import build_index
from piasite.model.content import load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(CONTENT, Schemas())


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_juki_ho_30_6_resolves_to_the_article_page_and_back(built_site):
    # 宮城県 Ⅰ5 個人番号の利用: 「住基法第30条の6(市町村長から都道府県知事への本人確認情報の通知等)」
    page = soup_of(built_site / "miyagi-pref" / "07-juki-net" / "index.html")
    item = page.find(id="basic-info-my-number-use-legal-basis")
    hrefs = [a["href"] for a in item.select("dd a")]  # the citation text itself is the link
    links = {a.get_text(): a["href"] for a in item.select("dd a")}
    assert links["第30条の6"] == "../../laws/jumin-kihon-daicho-ho/30-6/"
    assert "../../laws/jumin-kihon-daicho-ho/30-6/" in hrefs
    article = soup_of(built_site / "laws" / "jumin-kihon-daicho-ho" / "30-6" / "index.html")
    assert article.h1.get_text(strip=True) == "第30条の6"
    assert article.select_one(".doc-kind").get_text(strip=True) == "住民基本台帳法"
    links = {a["href"] for a in article.select(".mention-list a")}
    assert "../../../miyagi-pref/07-juki-net/#basic-info-my-number-use-legal-basis" in links


def test_bango_ho_abbreviation_is_resolved_to_the_full_name(built_site):
    law = soup_of(built_site / "laws" / "bango-ho" / "index.html")
    assert law.h1.get_text(strip=True) == "行政手続における特定の個人を識別するための番号の利用等に関する法律"
    assert "第19条" in [a.get_text(strip=True) for a in law.select("#articles ~ ul a")]


def test_counts_are_reported_and_every_citing_link_resolves(built_site):
    index = build_index(SITE)
    assert index.parsed > 250 and index.with_article > 180
    assert len(index.unparsed) < index.parsed / 10
    laws = soup_of(built_site / "laws" / "index.html")
    assert len(laws.select(".entity-list li")) == len(index.laws)
    for law in index.laws.values():
        for article in law.articles.values():
            page = soup_of(built_site / "laws" / law.key / article.key / "index.html")
            assert len(page.select(".mention-list li")) == len(article.citing)
