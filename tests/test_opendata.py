"""Open data (data.json per version, catalog, schemas), sitemap and robots.txt, and link integrity."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CONTENT, FIXTURE_CONTENT
from jsonschema import Draft202012Validator

from piasite.build import pipeline
from piasite.model.content import load_site
from piasite.model.errors import BuildError
from piasite.model.loader import load_yaml
from piasite.model.schema import Schemas
from piasite.output.links import BrokenLink, check_pages, read_page
from piasite.output.pages import Page

ROOT = Path(__file__).resolve().parent.parent
SITE, _ = load_site(CONTENT, Schemas())
SCHEMA = json.loads((ROOT / "schema" / "assessment.schema.json").read_text(encoding="utf-8"))



def check_links(pages: list[Page], assets: set[str]) -> list[BrokenLink]:
    """Return every internal link of the HTML pages that points at no page, asset or id (as a build checks)."""
    read = [read_page(p.path, p.content) for p in pages if p.path.endswith(".html") and isinstance(p.content, str)]
    return check_pages(read, {p.path for p in pages} | assets)

def site_pages(site: Path) -> tuple[list[Page], set[str]]:
    pages = [Page(p.relative_to(site).as_posix(), p.read_text(encoding="utf-8")) for p in site.rglob("*.html")]
    others = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.suffix != ".html"}
    return pages, others


def test_link_check_catches_a_broken_link_and_a_broken_fragment():
    pages = [
        Page(
            "a/index.html",
            '<a href="../b/">x</a> <a href="#here">ok</a> <a href="#nowhere">y</a> <p id="here"></p>'
            '<a href="../c/#frag">z</a> <a href="../c/#there">ok</a> <a href="https://example.org/">ok</a>'
            '<a href="javascript:alert(1)">bad</a>',
        ),
        Page("c/index.html", '<p id="there">c</p>'),
    ]
    broken = check_links(pages, set())
    assert [(b.page, b.href) for b in broken] == [
        ("a/index.html", "#nowhere"),
        ("a/index.html", "../b/"),
        ("a/index.html", "../c/#frag"),
        ("a/index.html", "javascript:alert(1)"),
    ]


def test_real_site_has_no_broken_links(built_site):
    pages, others = site_pages(built_site)
    assert len(pages) > 20
    assert check_links(pages, others) == []


def test_strict_build_fails_on_a_broken_link_and_keeps_the_old_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    pipeline.build(ROOT / "tests" / "fixtures" / "content", out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real = pipeline.site_page_jobs

    def with_broken_link(*args, **kwargs):
        jobs, pages = real(*args, **kwargs)
        return jobs, pages + [Page("broken/index.html", '<a href="../missing/">x</a>')]

    monkeypatch.setattr(pipeline, "site_page_jobs", with_broken_link)
    with pytest.raises(BuildError) as err:
        pipeline.build(ROOT / "tests" / "fixtures" / "content", out, strict=True)
    assert "リンク切れ" in str(err.value)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # without strict mode the same build succeeds and reports the link
    result = pipeline.build(ROOT / "tests" / "fixtures" / "content", out)
    assert [b.href for b in result.broken_links] == ["../missing/"]


def test_every_version_has_data_json_that_validates_and_equals_the_yaml(built_site):
    validator = Draft202012Validator(SCHEMA)
    count = 0
    for assessment in SITE.assessments:
        for version in assessment.versions:
            path = built_site / assessment.org.slug / assessment.slug / version.iso / "data.json"
            data = json.loads(path.read_text(encoding="utf-8"))
            assert list(validator.iter_errors(data)) == []
            # as the project reads the file: an unquoted 2015-06-01 is the text "2015-06-01", not a date
            loaded, problems = load_yaml(Path(version.loaded.path), str(version.loaded.path))
            assert not problems and data == loaded.data
            count += 1
        latest = json.loads(
            (built_site / assessment.org.slug / assessment.slug / "data.json").read_text(encoding="utf-8")
        )
        assert latest == assessment.latest.data
    assert count == sum(len(a.versions) for a in SITE.assessments)


def test_catalog_lists_every_assessment_and_version_with_working_urls(built_site):
    catalog = json.loads((built_site / "api" / "assessments.json").read_text(encoding="utf-8"))
    listed = {(a["organization"]["slug"], a["slug"]): a for a in catalog["assessments"]}
    assert set(listed) == {(a.org.slug, a.slug) for a in SITE.assessments}
    for assessment in SITE.assessments:
        entry = listed[(assessment.org.slug, assessment.slug)]
        assert [v["date"] for v in entry["versions"]] == [v.iso for v in reversed(assessment.versions)]
        for v in entry["versions"]:
            assert (built_site / v["url"] / "index.html").is_file()
            assert (built_site / v["data"]).is_file()
            if v["diff_from_previous"]:
                assert (built_site / v["diff_from_previous"] / "index.html").is_file()
    for name in catalog["schema"].values():
        assert json.loads((built_site / name).read_text(encoding="utf-8"))["$schema"]


def test_sitemap_and_robots_use_the_base_url(tmp_path):
    out = tmp_path / "site"
    pipeline.build(FIXTURE_CONTENT, out, base_url="https://example.org/pia", search=False)
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.org/pia/sitemap.xml" in robots
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://example.org/pia/" in locs
    pages = {p.relative_to(out).as_posix() for p in out.rglob("index.html")}
    assert {loc.removeprefix("https://example.org/pia/") + "index.html" for loc in locs} == pages
    with pytest.raises(BuildError):
        pipeline.build(FIXTURE_CONTENT, tmp_path / "other", base_url="ftp://example.org/", search=False)
