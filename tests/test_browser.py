"""Every built page in real headless Chromium: axe-core (WCAG 2.2 AA), no horizontal overflow at
320 px and 1280 px, no request to another host, and screenshots kept for review.

The fast tier runs one page of each template (tests/pagekinds.py); the slow tier every page.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT
from pagekinds import representatives

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _url(server: str, page: str) -> str:
    return f"{server}/{page.removesuffix('index.html')}"


def _session(browser, width: int, color_scheme: str):
    """One browser tab for a run over many pages, recording every request it makes."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    return context, page, requests


def _screenshot_wanted(name: str) -> bool:
    """Screenshots for review: every document page and the site's own pages, not each entity, law or question page."""
    return not name.startswith(("entities/", "laws/", "prefectures/", "compare/")) or name.count("/") <= 1


def _axe_failures(server: str, browser, pages: list[str]) -> dict:
    """Run axe over pages in light and dark; return violations and requests to other hosts, by page."""
    axe = Axe()
    failures = {}
    own = urlsplit(server).netloc
    for scheme in ("light", "dark"):
        context, page, requests = _session(browser, 1280, scheme)
        for name in pages:
            requests.clear()
            page.goto(_url(server, name), wait_until="load")
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            violations = result.response["violations"]
            if violations:
                failures[f"{name} ({scheme})"] = [
                    {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in violations
                ]
            foreign = [u for u in requests if urlsplit(u).netloc != own]
            if foreign:
                failures[f"{name} requests"] = foreign
        context.close()
    return failures


def _overflowing(server: str, browser, pages: list[str], width: int, screenshots: bool) -> dict:
    """Load pages at a width in light and dark; return those wider than the window (and keep screenshots)."""
    overflowing = {}
    for scheme in ("light", "dark"):
        context, page, _ = _session(browser, width, scheme)
        for name in pages:
            page.goto(_url(server, name), wait_until="load")
            sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                overflowing[f"{name} ({scheme})"] = sizes
            if screenshots and _screenshot_wanted(name):
                stem = name.removesuffix("index.html").strip("/").replace("/", "__") or "index"
                height = page.evaluate("document.documentElement.scrollHeight")
                page.screenshot(
                    path=str(ARTIFACTS / f"{stem}-{width}-{scheme}.png"),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": min(height, 6000)},
                )
        context.close()
    return overflowing


def test_one_page_of_each_template_passes_axe_and_requests_nothing_from_other_hosts(built_site, server, browser):
    failures = _axe_failures(server, browser, list(representatives(built_site).values()))
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


def test_one_page_of_each_template_does_not_overflow_horizontally_at_320px(built_site, server, browser):
    overflowing = _overflowing(server, browser, list(representatives(built_site).values()), 320, screenshots=False)
    assert not overflowing, overflowing


@pytest.mark.slow
def test_every_page_passes_axe_and_requests_nothing_from_other_hosts(built_site, server, browser):
    pages = _pages(built_site)
    assert len(pages) >= 7
    failures = _axe_failures(server, browser, pages)
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 1280])
def test_pages_do_not_overflow_horizontally_and_screenshots_are_kept(built_site, server, browser, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflowing = _overflowing(server, browser, _pages(built_site), width, screenshots=True)
    assert not overflowing, overflowing


def _assessment_pages(site: Path) -> list[str]:
    catalog = json.loads((site / "api" / "assessments.json").read_text(encoding="utf-8"))
    return [a["url"] for a in catalog["assessments"]]


def test_key_value_tables_fit_a_phone_and_each_part_keeps_its_way_back_to_the_toc(built_site, server, browser):
    """At 360 px no 項目 / 内容 table is wider than its box (no sideways swiping), and inside a part the bar with
    「目次へ戻る」 stays at the top of the window, naming the part (issue 22)."""
    context, page, _ = _session(browser, 360, "light")
    problems = {}
    for path in _assessment_pages(built_site):
        page.goto(f"{server}/{path}", wait_until="load")
        wide = page.evaluate(
            """[...document.querySelectorAll('table.kv-table')]
                 .filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1)
                 .map(t => t.id)"""
        )
        if wide:
            problems[f"{path} key/value tables wider than their box"] = wide
        # scroll into the middle of the last part that has a bar: its bar is stuck at the top of the window
        stuck = page.evaluate(
            """(() => {
                 const bars = [...document.querySelectorAll('.part-nav')];
                 const bar = bars[bars.length - 1];
                 const part = bar.closest('section') || bar.parentElement;
                 const box = part.getBoundingClientRect();
                 window.scrollTo(0, window.scrollY + box.top + box.height / 2);
                 const now = bar.getBoundingClientRect();
                 const hit = document.elementFromPoint(20, now.top + now.height / 2);
                 return {top: Math.round(now.top), onTop: !!(hit && hit.closest('.part-nav') === bar)};
               })()"""
        )
        if stuck["top"] != 0 or not stuck["onTop"]:
            problems[f"{path} part bar not at the top"] = stuck
    context.close()
    assert not problems, problems
