"""Search in real headless Chromium: Japanese queries taken from the sources, filters, the empty state,
the header box, and a site served under a sub-path."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import _QuietHandler

from piasite.search import VOCABULARY

# (query, the organisation whose assessment must be among the first three results). Each query is
# taken from the source texts; the comment says where.
QUERIES = [
    ("ガバメントクラウド", "高知市長"),  # 高知市 Ⅲ7 ⑤物理的対策 <ガバメントクラウドにおける措置> (盛岡市 too)
    ("窓口支援システム", "北海道北見市長"),  # 北見市 only: the others merely contain 窓口, 支援 and システム
    ("個人番号カード", "盛岡市長"),  # every municipality; 盛岡市 system 2's functions
    ("コンビニ交付用ファイル", "高知市長"),  # 高知市 file (4)
    ("証明書コンビニ交付システム", "盛岡市長"),  # 盛岡市 システム5
    ("附票連携システム", "宮城県知事"),  # 宮城県 システム2
    ("都道府県知事保存附票本人確認情報ファイル", "宮城県知事"),  # 宮城県 file (2)
    ("申請管理システム", "高知市長"),  # 高知市 システム7
    ("株式会社アイシーエス", "盛岡市長"),  # 盛岡市 委託先 (a contractor)
    ("富士通Japan", "高知市長"),  # 高知市 委託先
    ("日本電気", "宮城県知事"),  # 宮城県 委託事項2 (北見市 too)
    ("山口ビジネス営業部", "山口県知事"),  # 山口県 概要 委託事項2
    ("第30条の15", "宮城県知事"),  # 宮城県 Ⅰ5 法令上の根拠: 住基法第30条の15 (an article)
    ("第7条第4項", "盛岡市長"),  # 盛岡市 提供先2 住民基本台帳法第７条第４項
    ("中央窓口センター", "高知市長"),  # 高知市 Ⅰ7 担当部署
    ("盛岡市個人情報保護審議会", "盛岡市長"),  # 盛岡市 Ⅵ3 第三者点検
    ("戸籍住民課", "北海道北見市長"),  # 北見市 Ⅰ6 担当部署
    ("県政情報センター", "宮城県知事"),  # 宮城県 Ⅴ1 ①請求先
]

def _search(browser, base: str, query: str, extra: str = "") -> tuple[str, list[dict]]:
    page = browser.new_page()
    try:
        page.goto(f"{base}/search/?q={quote(query)}{extra}")
        page.wait_for_function(
            "() => /件|見つかりません|できません/.test(document.getElementById('search-status').textContent)",
            timeout=30000,
        )
        status = page.text_content("#search-status")
        results = page.eval_on_selector_all(
            ".search-result",
            "els => els.map(e => ({meta: e.querySelector('.search-result__meta').textContent,"
            " href: e.querySelector('a').getAttribute('href')}))",
        )
        return status, results
    finally:
        page.close()

@pytest.mark.parametrize("query, org", QUERIES, ids=[q for q, _ in QUERIES])
def test_query_finds_the_expected_assessment_in_the_first_three(server, browser, query, org):
    status, results = _search(browser, server, query)
    assert "検索結果" in status, status
    top = [r["meta"] for r in results[:3]]
    assert any(m.startswith(org) for m in top), (query, results[:5])

def test_results_link_to_the_nearest_item(server, browser, built_site):
    _, results = _search(browser, server, "盛岡市個人情報保護審議会")
    href = results[0]["href"]
    path, _, fragment = href.partition("#")
    assert fragment, href
    html = (built_site / path.strip("/") / "index.html").read_text(encoding="utf-8")
    assert f'id="{fragment}"' in html

def test_a_filter_narrows_the_results(server, browser):
    _, everything = _search(browser, server, "個人番号カード")
    _, filtered = _search(browser, server, "個人番号カード", "&" + quote("評価書の種類") + "=" + quote("重点項目評価書"))
    assert len(filtered) < len(everything)
    assert filtered and all("重点項目評価書" in r["meta"] for r in filtered)

def test_past_versions_only_when_asked(server, browser):
    _, latest = _search(browser, server, "附票連携システム")
    _, with_past = _search(browser, server, "附票連携システム", "&past=1")
    assert not any("過去の版" in r["meta"] for r in latest)
    assert any("過去の版" in r["meta"] for r in with_past)

def test_no_match_shows_a_helpful_empty_state(server, browser):
    status, results = _search(browser, server, "ぽよぽよxyzzy")
    assert "見つかりませんでした" in status
    assert results == []
    page = browser.new_page()
    page.goto(f"{server}/search/?q={quote('ぽよぽよxyzzy')}")
    page.wait_for_selector(".search-empty")
    assert "別の言い方" in page.text_content(".search-empty")
    page.close()

def test_header_box_leads_to_the_search_page_with_the_query(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/kochi-city/")
    page.fill("#site-search-input", "コンビニ交付")
    page.press("#site-search-input", "Enter")
    page.wait_for_function("() => document.getElementById('search-status').textContent.includes('検索結果')",
                           timeout=30000)
    assert urlsplit(page.url).path == "/search/"
    assert page.input_value("#search-input") == "コンビニ交付"
    page.close()

def test_query_is_split_like_the_index(server, browser, built_site):
    vocabulary = set(json.loads((built_site / VOCABULARY).read_text(encoding="utf-8")))
    page = browser.new_page()
    page.goto(f"{server}/search/")
    strict, loose = page.evaluate("q => window.piaSearch.segment(q)", "ガバメントクラウド")
    page.close()
    assert strict == ["ガバメント", "クラウド"]
    assert {"カハメント", "クラウト"} <= vocabulary  # the index stores words without dakuten
    assert loose

def test_works_under_a_sub_path(built_site, browser, tmp_path):
    """GitHub Pages project sites live under /<repository>/: search must find pages and link under it."""
    root = tmp_path / "www"
    shutil.copytree(built_site, root / "pia")
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/pia"
        status, results = _search(browser, base, "ガバメントクラウド")
        assert "検索結果" in status
        assert results and all(r["href"].startswith("/pia/") for r in results)
    finally:
        httpd.shutdown()

def test_search_page_says_javascript_is_needed_without_it(built_site):
    html = (built_site / "search" / "index.html").read_text(encoding="utf-8")
    noscript = html.split("<noscript>")[1].split("</noscript>")[0]
    assert "JavaScript が必要です" in noscript and 'href="../entities/"' in noscript

def test_index_covers_documents_not_navigation(built_site):
    html = (built_site / "miyagi-pref" / "07-juki-net" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" in html
    assert 'class="toc" aria-labelledby="toc-label" data-pagefind-ignore' in html
    dated = (built_site / "miyagi-pref" / "07-juki-net" / "2023-11-27" / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in dated  # the latest version is indexed once, at its main address

