"""Every built page in real headless Chromium: axe-core (WCAG 2.2 AA), no horizontal overflow at
320 px and 1280 px, no request to another host, and screenshots kept for review."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _url(server: str, page: str) -> str:
    return f"{server}/{page.removesuffix('index.html')}"


def _open(browser, url: str, width: int, color_scheme: str = "light"):
    """Open a page, recording every request; return (page, context, requests)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url, wait_until="load")
    return page, context, requests


def test_every_page_passes_axe_and_requests_nothing_from_other_hosts(built_site, server, browser):
    axe = Axe()
    failures = {}
    own = urlsplit(server).netloc
    pages = _pages(built_site)
    assert len(pages) >= 7
    for name in pages:
        for scheme in ("light", "dark"):
            page, context, requests = _open(browser, _url(server, name), 1280, scheme)
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
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_do_not_overflow_horizontally_and_screenshots_are_kept(built_site, server, browser, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflowing = {}
    for name in _pages(built_site):
        for scheme in ("light", "dark"):
            page, context, _ = _open(browser, _url(server, name), width, scheme)
            sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                overflowing[f"{name} ({scheme})"] = sizes
            stem = name.removesuffix("index.html").strip("/").replace("/", "__") or "index"
            height = page.evaluate("document.documentElement.scrollHeight")
            page.screenshot(
                path=str(ARTIFACTS / f"{stem}-{width}-{scheme}.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": min(height, 6000)},
            )
            context.close()
    assert not overflowing, overflowing
