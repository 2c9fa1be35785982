"""Search in real headless Chromium: Japanese queries taken from the sources, filters, the empty state,
the header box, and a site served under a sub-path."""

from __future__ import annotations

import functools
import itertools
import json
import re
import shutil
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import CONTENT, _QuietHandler

from piasite.output import search
from piasite.output.search import VOCABULARY, build_index, merge_bundles, plan_bundles

# (query, the organisation whose assessment must be among the first three results), each taken
# from the source texts (where: the "source" field); tools/search_quality.py measures the same list.
QUERIES = [
    (q["query"], q["organisation"])
    for q in json.loads((Path(__file__).parent / "data" / "search_queries.json").read_text(encoding="utf-8"))
]
# The organisations the list was written against. A document added later may rightly rank above theirs (a
# new organisation's text can name 日本電気 too), so the first three are counted among results from these
# organisations and from the site-wide pages.
WRITTEN_FOR = {org for _, org in QUERIES}


def _top_three(results: list[dict]) -> list[str]:
    """The meta lines of the first three results, leaving out documents of organisations added since."""
    own = [r["meta"] for r in results if " ・ " not in r["meta"] or r["meta"].split(" ・ ")[0] in WRITTEN_FOR]
    return own[:3]


def _search(browser, base: str, query: str, extra: str = "") -> tuple[str, list[dict]]:
    page = browser.new_page()
    try:
        page.goto(f"{base}/search/?q={quote(query)}{extra}")
        page.locator("#search-status").filter(has_text=re.compile("件|見つかりません|できません")).wait_for(
            timeout=30000
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
    top = _top_three(results)
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
    _, filtered = _search(
        browser, server, "個人番号カード", "&" + quote("評価書の種類") + "=" + quote("重点項目評価書")
    )
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
    page.locator("#search-status").filter(has_text="検索結果").wait_for(timeout=30000)
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


# ---------------------------------------------------------------------------------------------
# A large site's index made in several bundles and merged into one


def _organisations() -> set[str]:
    return {p.name for p in CONTENT.iterdir() if p.is_dir()}


def _indexed_bytes(site: Path) -> int:
    """The bytes of the pages Pagefind indexes (those marked data-pagefind-body)."""
    return sum(len(data) for p in site.rglob("*.html") if b"data-pagefind-body" in (data := p.read_bytes()))


def _limit(site: Path, bundles: int) -> int:
    """A bundle size that makes `bundles` bundles (a power of two) of the site."""
    return _indexed_bytes(site) // bundles + 1


def _reindexed(built_site, tmp_path_factory, shard_bytes):
    work = tmp_path_factory.mktemp("sharded")
    root = work / "site"
    shutil.copytree(built_site, root, ignore=shutil.ignore_patterns("pagefind*"))
    build_index(root, work / "store", shard_bytes=shard_bytes)
    return root


def _sort_value(index: Path, page: str, key: str) -> str:
    """The sort value of a page of the index, read from the page (data-pagefind-sort="key:value")."""
    url = search._read(index / "fragment" / f"{page}.pf_fragment", json.loads)["url"]
    html = (index.parent / url.lstrip("/") / "index.html").read_text(encoding="utf-8")
    return re.search(f'data-pagefind-sort="{key}:([^"]*)"', html).group(1)


def _decoded(index: Path) -> dict:
    """An index read back with pages named by their fragments' hashes instead of their numbers."""
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    out = {}
    for language, info in entry["languages"].items():
        _version, pages, chunks, filters, sorts, fields = search._read(index / f"pagefind.{info['hash']}.pf_meta")
        name = [p[0] for p in pages]

        def named(postings, name=name):  # pages by the difference from the one before
            numbers = itertools.accumulate(p[0] for p in postings)
            return sorted([name[n], *p[1:]] for n, p in zip(numbers, postings, strict=True))

        words = {}
        for _first, _last, chunk in chunks:
            for word, postings, variants in search._read(index / "index" / f"{chunk}.pf_index")[0]:
                words[word] = [named(postings), sorted([v, named(vp)] for v, vp in variants)]
        out[language] = {
            "pages": sorted(map(tuple, pages)),
            "page_count": info["page_count"],
            "words": words,
            "filters": {
                key: {v: sorted(name[n] for n in ns) for v, ns in search._read(index / "filter" / f"{ref}.pf_filter")[1]}
                for key, ref in filters
            },
            # each sort as its pages' values in order (ties may be ordered either way) and as its set of pages
            "sorts": {key: ([_sort_value(index, name[n], key) for n in order], sorted(name[n] for n in order))
                      for key, order in sorts},
            "fields": fields,
            "fragments": {p.name: p.read_bytes() for p in (index / "fragment").iterdir()},
        }
    return out


def _serve(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(scope="module")
def sharded_site(built_site, tmp_path_factory):
    """The real site indexed again in eight bundles (the organisations in five of them)."""
    return _reindexed(built_site, tmp_path_factory, _limit(built_site, 8))


@pytest.fixture(scope="module")
def sharded_server(sharded_site):
    httpd, base = _serve(sharded_site)
    yield base
    httpd.shutdown()


@pytest.fixture(scope="module")
def split_server(built_site, tmp_path_factory):
    """The real site indexed in two bundles, as a large site would be."""
    site = _reindexed(built_site, tmp_path_factory, _limit(built_site, 2))
    assert len(list((site.parent / "store").iterdir())) == 2
    httpd, base = _serve(site)
    yield base
    httpd.shutdown()


def test_a_small_site_has_one_bundle_and_serves_one_index(built_site):
    assert [p.name for p in built_site.iterdir() if p.name.startswith("pagefind")] == ["pagefind"]
    assert len(list((built_site.parent / ".site.cache" / "search").iterdir())) == 1


@pytest.mark.slow  # indexes the site again in bundles
def test_bundles_merge_into_the_index_one_run_of_pagefind_makes(built_site, sharded_site, tmp_path):
    """Eight bundles merged hold what one Pagefind run over the whole site holds: every page once, each
    word on the same pages at the same places (in the text and in each metadata field), the same
    filters and sorted pages; and the one-bundle index of a small site is that run's too."""
    raw = tmp_path / "raw"
    shutil.copytree(built_site, raw, ignore=shutil.ignore_patterns("pagefind*"))
    search._pagefind(raw, raw / "pagefind", None, 600)
    assert len(list((sharded_site.parent / "store").iterdir())) == len(plan_bundles(built_site, _limit(built_site, 8)))
    assert len(plan_bundles(built_site, _limit(built_site, 8))) == 8
    assert [p.name for p in sharded_site.iterdir() if p.name.startswith("pagefind")] == ["pagefind"]
    whole = _decoded(raw / "pagefind")
    for merged in (_decoded(sharded_site / "pagefind"), _decoded(built_site / "pagefind")):
        assert merged.keys() == whole.keys()
        for language in whole:
            for part in whole[language]:
                assert merged[language][part] == whole[language][part], (language, part)
    # the vocabulary is the same whether the site is indexed whole or in parts
    assert (sharded_site / VOCABULARY).read_bytes() == (built_site / VOCABULARY).read_bytes()


def test_index_chunks_are_written_as_cbor_arrays():
    for n in (0, 1, 23, 24, 255, 256, 65_535, 65_536):
        assert search.cbor2.dumps([1] * n) == search._array_head(n) + b"\x01" * n, n


def test_pages_of_two_bundles_hashed_alike_keep_their_own_fragments(built_sample, tmp_path):
    """Pagefind names a page's fragment by 7 hex digits: across bundles two pages can meet under one name."""
    site = tmp_path / "site"
    shutil.copytree(built_sample, site, ignore=shutil.ignore_patterns("pagefind*"))
    store = tmp_path / "store"
    build_index(site, store, shard_bytes=_limit(site, 4))
    first, second = [store / b.folder for b in plan_bundles(site, _limit(site, 4))][:2]
    taken = search._metas(first)["ja"][1][1][0][0]
    info, meta = search._metas(second)["ja"]
    renamed = meta[1][0][0]
    (second / "fragment" / f"{renamed}.pf_fragment").rename(second / "fragment" / f"{taken}.pf_fragment")
    sorts = json.loads((second / search._SORTS).read_text(encoding="utf-8"))
    for values in sorts.get("ja", {}).values():
        if renamed in values:
            values[taken] = values.pop(renamed)
    (second / search._SORTS).write_text(json.dumps(sorts), encoding="utf-8")
    meta[1][0][0] = taken
    (second / f"pagefind.{info['hash']}.pf_meta").write_bytes(
        search.gzip.compress(search._HEADER + search.cbor2.dumps(meta))
    )
    merge_bundles([first, second], tmp_path / "merged")
    pages = search._metas(tmp_path / "merged")["ja"][1][1]
    names = [p[0] for p in pages]
    assert len(names) == len(set(names)) and taken in names
    fragments = tmp_path / "merged" / "fragment"
    assert {f"{n}.pf_fragment" for n in names} == {p.name for p in fragments.iterdir()}
    for folder in (first, second):
        own = (folder / "fragment" / f"{taken}.pf_fragment").read_bytes()
        assert any((fragments / f"{n}.pf_fragment").read_bytes() == own for n in names)


def test_bundles_share_out_whole_organisations_and_spread_site_wide_pages(built_site):
    (whole,) = plan_bundles(built_site, 10**12)
    orgs = _organisations()
    # every folder holding a page marked for the index: the organisations and the site's own indexed pages
    indexed = {
        p.relative_to(built_site).parts[0]
        for p in built_site.rglob("*.html")
        if not p.relative_to(built_site).parts[0].startswith("pagefind") and b"data-pagefind-body" in p.read_bytes()
    }
    assert {g.split("/")[0] for g in whole.globs} == indexed and orgs <= indexed
    assert {f"{org}/**/*.html" for org in orgs} <= set(whole.globs)
    for limit, count in ((1, len(whole.globs)), *((_limit(built_site, n), n) for n in (8, 4, 2))):
        bundles = plan_bundles(built_site, limit)
        assert len(bundles) <= count and all(b.globs for b in bundles)
        assert sorted(g for b in bundles for g in b.globs) == sorted(whole.globs)  # every part, once
    big, small = plan_bundles(built_site, _limit(built_site, 2))
    assert {f"{org}/**/*.html" for org in orgs} <= set(big.globs) | set(small.globs)
    assert any(g.startswith("laws/") for g in big.globs) and any(g.startswith("laws/") for g in small.globs)


@pytest.mark.slow  # indexes the site again in bundles
def test_a_merged_search_finds_pages_of_every_bundle(sharded_server, browser):
    for query, org in QUERIES:
        status, results = _search(browser, sharded_server, query)
        assert "検索結果" in status, (query, status)
        assert any(r["meta"].startswith(org) for r in results), (query, results[:5])
    _, results = _search(browser, sharded_server, "個人番号カード")
    assert len({r["href"].split("/")[1] for r in results}) >= 5  # five organisations, from five bundles


@pytest.mark.slow  # indexes the site again in bundles
@pytest.mark.parametrize("query, org", QUERIES, ids=[q for q, _ in QUERIES])
def test_a_search_split_in_bundles_still_ranks_the_expected_assessment_high(split_server, browser, query, org):
    status, results = _search(browser, split_server, query)
    assert "検索結果" in status, status
    assert any(m.startswith(org) for m in _top_three(results)), (query, results[:5])


@pytest.mark.slow  # indexes the site again in bundles
def test_a_merged_search_offers_the_filters_of_every_bundle(sharded_server, server, browser):
    def options(base):
        page = browser.new_page()
        try:
            page.goto(f"{base}/search/?q={quote('個人番号')}")
            page.locator("#search-status").filter(has_text="検索結果").wait_for(timeout=30000)
            return page.eval_on_selector_all(
                "#filter-controls select", "els => els.map(s => [s.name, [...s.options].map(o => o.value)])"
            )
        finally:
            page.close()

    merged = options(sharded_server)
    assert merged == options(server)
    assert len(dict(merged)["評価実施機関"]) == 1 + len(_organisations())  # すべて and each organisation


# ---------------------------------------------------------------------------------------------
# The index's chunks, cut smaller than Pagefind cuts them


# each word on an index loaded afresh: Pagefind also matches words of any chunk a search has loaded, so a
# query of several words (or a second search) may load, and match, fewer words with smaller chunks
_RAW_SEARCH = """async (terms) => {
  const pf = await import('/pagefind/pagefind.js');
  const out = {};
  for (const t of terms) {
    await pf.destroy();
    await pf.options({ baseUrl: '/' });
    const r = await pf.search(t);
    out[t] = r.results.map(x => [x.id, Math.round(x.score * 1e6)]);
  }
  return out;
}"""


@pytest.mark.slow  # the site indexed again, and hundreds of terms searched in both
def test_smaller_index_chunks_find_what_pagefinds_own_find(built_site, browser, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(built_site, raw, ignore=shutil.ignore_patterns("pagefind*"))
    search._pagefind(raw, raw / "pagefind", None, 600)  # one run of Pagefind: its own chunks, not cut again
    assert len(list((raw / "pagefind" / "index").iterdir())) < len(list((built_site / "pagefind" / "index").iterdir()))
    vocabulary = json.loads((built_site / VOCABULARY).read_text(encoding="utf-8"))
    # one- and two-character prefixes of every 25th word of the index (where chunks are cut), and the examples
    terms = sorted({w[:n] for w in vocabulary[::25] for n in (1, 2)} | {q for q, _ in QUERIES})

    def results(site):
        httpd, base = _serve(site)
        page = browser.new_page()
        try:
            page.goto(f"{base}/search/")
            return page.evaluate(_RAW_SEARCH, terms)
        finally:
            page.close()
            httpd.shutdown()

    cut, uncut = results(built_site), results(raw)
    # every term finds at least the pages it finds on Pagefind's own chunks: a term's chunk holds every word
    # that starts with the term (Pagefind's own may cut between such words, and a one-character prefix then
    # misses some: seen for 行). The example queries find the same pages in the same order; Pagefind also
    # scores a word by the longer words of its chunk, so a score may differ a little (seen: 0.05% for one).
    for term in terms:
        assert {i for i, _ in cut[term]} >= {i for i, _ in uncut[term]}, term
    for query, _org in QUERIES:
        assert [i for i, _ in cut[query]] == [i for i, _ in uncut[query]], query
        for (_, a), (_, b) in zip(cut[query], uncut[query], strict=True):
            assert abs(a - b) <= 0.01 * max(abs(b), 1), query
