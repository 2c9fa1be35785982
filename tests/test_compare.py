"""The comparison view of self-assessed items, and the list of reported 重大事故."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from conftest import CONTENT

from piasite.analysis.compare import SELF_ASSESSED, Comparison, assessment_answers, merge_answers
from piasite.document.sections import document_sections
from piasite.model.content import load_site
from piasite.model.schema import Schemas

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(CONTENT, Schemas())


def compare(site) -> Comparison:
    """Collect every self-assessed answer of the latest versions, as a build does."""
    return merge_answers([(a, assessment_answers(a, document_sections(site, a.latest, a.org.name))) for a in site.assessments])


def test_every_self_assessed_item_of_every_assessment_is_compared():
    expected = {}
    for a in SITE.assessments:
        for s in document_sections(SITE, a.latest, a.org.name):
            for n in s.walk():
                if n.value_kind == "choice" and n.choice_set in SELF_ASSESSED:
                    expected[(a.org.slug, n.id)] = n.value or ""
    comparison = compare(SITE)
    got = {(ans.assessment.org.slug, ans.anchor): ans.value for q in comparison.questions for ans in q.answers}
    assert set(got) == set(expected)
    assert len(got) > 250
    for key, value in expected.items():
        if value:
            assert got[key] == value


def test_same_question_lines_up_across_assessments():
    comparison = compare(SITE)
    q = next(
        q
        for q in comparison.questions
        if q.form == "全項目評価書"
        and q.label == "リスクへの対策は十分か"
        and "リスク1" in q.context
        and "2. 特定個人情報の入手" in q.context
    )
    # every full assessment answers it (today 高知市, 宮城県 and 盛岡市); no other form has it
    full = {a.org.slug for a in SITE.assessments if a.latest.data["form"] == "全項目評価書"}
    assert {a.assessment.org.slug for a in q.answers} == full


def test_compare_page_lists_every_question_with_its_counts_and_page(built_site):
    soup = BeautifulSoup((built_site / "compare" / "index.html").read_text(encoding="utf-8"), "html.parser")
    questions = compare(SITE).questions
    listed = soup.select(".question")
    assert len(listed) == len(questions) > 50
    links = [s.select_one("a[href]")["href"] for s in listed]
    assert sorted(links) == sorted(q.path.removeprefix("compare/") for q in questions)
    assert len(set(links)) == len(links)  # one page per question
    for section, q in zip(listed, sorted(questions, key=lambda q: q.form), strict=True):
        counts = " / ".join(f"{value} {n}件" for value, n in q.counts())
        assert section.select_one(".question__counts").get_text() == counts


def test_each_question_page_links_every_answer_to_its_item(built_site):
    pages: dict[str, BeautifulSoup] = {}
    checked = 0
    for q in compare(SITE).questions:
        soup = BeautifulSoup((built_site / q.path / "index.html").read_text(encoding="utf-8"), "html.parser")
        answers = soup.select("li[data-org]")
        assert len(answers) == len(q.answers)
        # grouped by value, in the order of the counts
        assert [h.get_text() for h in soup.select(".answer-group h2")] == [
            f"{value}({n}件)" for value, n in q.counts()
        ]
        # the filter form is hidden until its script runs, and offers the organisations that answer
        form = soup.find("form", id="compare-filters")
        assert form.has_attr("hidden")
        assert {o["value"] for o in form.select("option") if o["value"]} == {li["data-org"] for li in answers}
        for li in answers[:: max(1, len(answers) // 3)]:
            href = li.a["href"]
            page, _, fragment = href.partition("#")
            if page not in pages:
                target = (built_site / q.path / page / "index.html").resolve()
                pages[page] = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert pages[page].find(id=fragment) is not None, href
            checked += 1
    assert checked > 150


def test_incidents_are_listed_with_their_description(built_site):
    reported = [a for q in compare(SITE).questions for a in q.answers if a.value == "発生あり"]
    soup = BeautifulSoup((built_site / "compare" / "index.html").read_text(encoding="utf-8"), "html.parser")
    listed = soup.find(id="incidents").find_parent("section").select("li")
    assert len(listed) == len(reported)
