"""Measure how search bridges everyday words to the documents' own: for each pair (a citizen's word, the
documents' word), the assessments the search page finds for each, in headless Chromium.

Usage: .venv/bin/python tools/search_variants.py [site]   (default: site/, built by build.py)

tests/test_search.py checks the same pairs (tests/data/search_variants.json): the citizen's word must
find at least every assessment the documents' word finds.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PAIRS = json.loads((ROOT / "tests" / "data" / "search_variants.json").read_text(encoding="utf-8"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sys.path.insert(0, str(ROOT))

from piasite.urls import SITE_FOLDERS  # noqa: E402


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


def found(page, base: str, query: str) -> tuple[str, list[str]]:
    """Return the status line and the href of every result (all of them: さらに表示 until none is left)."""
    page.goto(f"{base}/search/?q={quote(query)}")
    page.locator("#search-status").filter(has_text=re.compile("件|見つかりません|できません")).wait_for(timeout=30000)
    while page.is_visible("#search-more"):
        count = page.locator(".search-result").count()
        page.click("#search-more")
        page.wait_for_function(f"document.querySelectorAll('.search-result').length > {count} || "
                               "document.getElementById('search-more').hidden", timeout=30000)
    hrefs = page.eval_on_selector_all(".search-result a", "els => els.map(e => e.getAttribute('href'))")
    return page.text_content("#search-status") or "", hrefs


def assessments(hrefs: list[str], prefix: str = "/") -> set[str]:
    """The assessments among the results: their folders (organisation/assessment)."""
    out = set()
    for href in hrefs:
        parts = [p for p in urlsplit(href).path[len(prefix):].split("/") if p]
        if len(parts) >= 2 and parts[0] not in SITE_FOLDERS and not parts[0].startswith("pagefind"):
            out.add("/".join(parts[:2]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="ふだんの言葉と評価書の言葉で、見つかる評価書を比べます。")
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"))
    site = Path(parser.parse_args().site)
    from playwright.sync_api import sync_playwright

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    print("| citizen's word | assessments (results) | documents' word | assessments (results) | covers |")
    print("|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        for pair in PAIRS:
            _, ours = found(page, base, pair["citizen"])
            _, theirs = found(page, base, pair["documents"])
            a, b = assessments(ours), assessments(theirs)
            print(f"| {pair['citizen']} | {len(a)} ({len(ours)}) | {pair['documents']} | {len(b)} ({len(theirs)}) | "
                  f"{'yes' if b <= a else 'NO'} |")
        browser.close()
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
