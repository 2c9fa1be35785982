"""The glossary (content/glossary.yaml): its validation with positions, its page with each term's uses,
the guide, the site navigation, and the groups of words search bridges (search/words.json)."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite import urls
from piasite.model.content import load_site
from piasite.model.glossary import Glossary, Term, fold
from piasite.output.words import search_words

GLOSSARY = CONTENT / "glossary.yaml"


@functools.lru_cache(maxsize=64)
def _soup(site, path: str) -> BeautifulSoup:
    """A built page, parsed once per test session (the tests only read it)."""
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


@functools.cache
def _content_site():
    """The real content, loaded once (the tests only read it)."""
    return load_site(CONTENT)


def _errors(content):
    _, problems = load_site(content)
    return [p for p in problems if p.severity == "error"]


def _write(content, text: str) -> None:
    (content / "glossary.yaml").write_text(text, encoding="utf-8")


TERM = "  - slug: {slug}\n    term: {term}\n    reading: よみ\n    kind: 評価書の用語\n"


def test_a_term_without_a_definition_is_reported_with_file_line_and_column(sample_content):
    terms = TERM.format(slug="a", term="あ") + TERM.format(slug="b", term="い") + "    definition: 説明\n"
    _write(sample_content, "terms:\n" + terms)
    (error,) = _errors(sample_content)
    assert error.file.endswith("glossary.yaml") and (error.line, error.column) == (2, 5)
    assert "説明" in error.message and "definition" in error.message
    assert error.format().split(": ")[0].endswith("glossary.yaml:2:5")


def test_a_law_term_needs_its_source(sample_content):
    term = TERM.format(slug="a", term="あ").replace("評価書の用語", "法令の用語")
    _write(sample_content, "terms:\n" + term + "    definition: 説明\n")
    (error,) = _errors(sample_content)
    assert "出典" in error.message and error.line == 2


@pytest.mark.parametrize("extra, needle", [
    ("    related: [nowhere]\n", "nowhere"),  # a related term that does not exist
    ("    variants: [あ]\n", "どちらか一方"),  # the same way of writing in two terms
])
def test_references_between_terms_are_checked(sample_content, extra, needle):
    _write(sample_content, "terms:\n" + TERM.format(slug="a", term="あ") + "    definition: 説明\n"
           + TERM.format(slug="b", term="い") + "    definition: 説明\n" + extra)
    (error,) = _errors(sample_content)
    assert needle in error.message and error.line >= 7


def test_a_my_number_in_the_glossary_is_refused(sample_content):
    _write(sample_content, "terms:\n" + TERM.format(slug="a", term="あ") + "    definition: 例 123456789018\n")
    assert any("個人番号" in e.message for e in _errors(sample_content))


def test_the_real_glossary_loads_and_every_law_term_cites_its_source():
    site, problems = _content_site()
    assert not [p for p in problems if p.file.endswith("glossary.yaml")]
    terms = site.glossary.terms
    assert terms and all(t.definition for t in terms)
    assert all(t.source for t in terms if t.kind == "法令の用語")


def test_the_glossary_page_has_an_anchor_and_a_definition_per_term(built_site):
    site, _ = _content_site()
    soup = _soup(built_site, urls.index(urls.GLOSSARY))
    for term in site.glossary.terms:
        entry = soup.find(id=term.slug)
        assert entry is not None and entry.find("dfn").get_text() == term.term, term.slug
        assert entry.find("dd").find("p").get_text(strip=True) == term.definition.replace("\n", "").strip()
        for related in term.related:
            assert entry.find("a", href=f"#{related}"), (term.slug, related)


def _assessments_writing(forms: tuple[str, ...]) -> set[str]:
    """The assessments whose latest version's file holds one of `forms` (NFKC), from the content itself."""
    found = set()
    for folder in sorted(p for p in CONTENT.glob("*/*") if p.is_dir()):
        latest = sorted(folder.glob("*.yaml"))[-1]
        text = fold(latest.read_text(encoding="utf-8"))
        if any(fold(f) in text for f in forms if not f.isascii()):
            found.add(f"{folder.parent.name}/{folder.name}/")
    return found


@pytest.mark.parametrize("slug", ["kojin-bango", "juki-net", "roei", "j-lis"])
def test_the_glossary_lists_the_assessments_that_use_a_term(built_site, slug):
    site, _ = _content_site()
    term = site.glossary.by_slug[slug]
    entry = _soup(built_site, urls.index(urls.GLOSSARY)).find(id=slug)
    links = [a["href"] for a in entry.select(".glossary__uses a")]
    listed = {href.split("#")[0].removeprefix("../") for href in links}
    assert listed == _assessments_writing(term.forms)
    for href in links:  # each use links to the item that holds the term
        path, fragment = href.removeprefix("../").split("#")
        page = _soup(built_site, path + "index.html")
        item = page.find(id=fragment)
        assert item is not None
        if item.name in ("h2", "h3", "h4", "h5", "h6"):  # a section's id is on its heading
            item = item.find_parent("section")
        assert any(fold(f) in fold(item.get_text()) for f in term.forms), href


def test_a_term_naming_an_entity_links_its_page(built_site):
    entry = _soup(built_site, urls.index(urls.GLOSSARY)).find(id="j-lis")
    assert any("entities/" in a["href"] for a in entry.select("a"))


def test_every_page_has_the_site_navigation(built_site):
    expected = ["評価書の一覧", "比較", "名前の一覧", "法令", "用語集", "読み方", "検索"]
    for path in ["index.html", "glossary/index.html", "guide/index.html", "kochi-city/01-juminhyo/index.html",
                 "compare/index.html", "search/index.html"]:
        nav = _soup(built_site, path).select_one("header nav.site-nav")
        assert [a.get_text() for a in nav.select("a")] == expected, path
    current = _soup(built_site, "glossary/index.html").select("nav.site-nav a[aria-current=page]")
    assert [a.get_text() for a in current] == ["用語集"]


def test_the_guide_is_linked_from_every_assessment_page_and_the_home_page(built_site):
    for page in sorted(built_site.glob("*/*/index.html")):
        if page.parent.parent.name in urls.SITE_FOLDERS:
            continue
        links = _soup(built_site, page.relative_to(built_site).as_posix()).select(".doc-links a")
        assert any(a["href"].endswith("guide/") for a in links), page
    home = _soup(built_site, "index.html")
    assert home.select_one('section[aria-labelledby="questions"] a[href="guide/"]')
    assert home.select_one('a[href="compare/#incidents"]')


def test_an_assessment_links_its_self_assessed_answers_to_their_comparison_pages(built_site):
    soup = _soup(built_site, "kochi-city/01-juminhyo/index.html")
    section = soup.find(id="self-assessed").find_parent("section")
    for question in section.select(".self-assessed__questions > li"):
        answers = question.select(":scope > ul a")
        assert answers and all(soup.find(id=a["href"][1:]) for a in answers)
        compare = question.select("p > a")[-1]["href"]
        assert compare.startswith("../../compare/q-")
        assert (built_site / compare.removeprefix("../../") / "index.html").is_file()


def test_search_words_name_the_form_most_assessments_use(built_site):
    groups = json.loads((built_site / urls.SEARCH_WORDS).read_text(encoding="utf-8"))["groups"]
    site, _ = _content_site()
    for group in groups:
        if not group["term"]:
            continue
        counts = Counter({f: len(_assessments_writing((f,))) for f in group["forms"] if not f.isascii()})
        assert counts[group["main"]] == max(counts.values()), group


def test_search_words_merge_a_term_with_the_entity_it_names():
    glossary = Glossary((Term("j-lis", "地方公共団体情報システム機構", "よみ", "法令の用語", "説明", "法", ("J-LIS",)),
                         Term("x", "個人番号", "よみ", "法令の用語", "説明", "法", ("マイナンバー",))))
    page = search_words(glossary, {"J-LIS": "地方公共団体情報システム機構", "NEC": "日本電気株式会社"}, {})
    groups = json.loads(page.content)["groups"]
    assert [g["forms"] for g in groups] == [
        ["地方公共団体情報システム機構", "J-LIS"],
        ["個人番号", "マイナンバー"],
        ["日本電気株式会社", "NEC", "日本電気"],
    ]
    assert groups[1]["main"] == "個人番号" and groups[2]["main"] == ""


@pytest.mark.parametrize("word, folded", [
    ("サーバー", "サーバ"), ("コンピューター室", "コンピュータ室"), ("カード", "カード"), ("Ｊ－ＬＩＳ", "j-lis"),
])
def test_fold_drops_a_katakana_words_trailing_long_vowel(word, folded):
    assert fold(word) == unicodedata.normalize("NFKC", folded).lower()


def test_a_glossary_term_has_an_address_for_other_pages():
    page = "kochi-city/01-juminhyo/changes/index.html"
    assert urls.relative(page, urls.glossary_term("fukugen")) == "../../../glossary/#fukugen"
