"""Measure search quality on the built site: stock Pagefind versus this site's Japanese query handling.

For each query of tests/data/search_queries.json (taken from the source texts, with the organisation
whose assessment should be found), report the rank of that organisation's assessment among the
results of (a) a plain pagefind.search(query), as the stock UI would run it, and (b) the site's search
page (split like the index, phrase first). Also reports the index size.

Usage: .venv/bin/python tools/search_quality.py [site]   (default: site/, built by build.py)
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
from urllib.parse import quote

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QUERIES = json.loads((ROOT / "tests" / "data" / "search_queries.json").read_text(encoding="utf-8"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

STOCK = """async q => {
  const pf = await import('/pagefind/pagefind.js');
  const r = await pf.search(q, {filters: {'版': '最新の版'}});
  const d = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
  return d.map(x => x.meta.org || x.meta.kind || x.url);
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


def _rank(orgs: list[str], org: str) -> int | None:
    return next((i + 1 for i, o in enumerate(orgs) if o == org), None)


def main() -> int:
    parser = argparse.ArgumentParser(description="検索の品質を測ります(標準の Pagefind と、このサイトの検索)。")
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"))
    site = Path(parser.parse_args().site)
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        for q in QUERIES:
            page.goto(f"{base}/search/")
            stock = page.evaluate(STOCK, q["query"])
            page.goto(f"{base}/search/?q={quote(q['query'])}")
            page.locator("#search-status").filter(has_text=re.compile("件|見つかりません|できません")).wait_for(
                timeout=30000
            )
            ours = page.eval_on_selector_all(
                ".search-result__meta", "els => els.map(e => e.textContent.split(' ・ ')[0])"
            )
            rows.append(
                (q["query"], q["organisation"], _rank(stock, q["organisation"]), _rank(ours, q["organisation"]))
            )
        browser.close()
    httpd.shutdown()
    print("| query | expected | stock Pagefind rank | this site rank |")
    print("|---|---|---|---|")
    for query, org, stock_rank, our_rank in rows:
        print(f"| {query} | {org} | {stock_rank or '—'} | {our_rank or '—'} |")
    top3 = lambda i: sum(1 for r in rows if r[i] is not None and r[i] <= 3)  # noqa: E731
    print(f"\nexpected assessment in the first three: stock {top3(2)}/{len(rows)}, this site {top3(3)}/{len(rows)}")
    bundle = site / "pagefind"
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    print(f"index size: {size / 1e6:.2f} MB ({sum(1 for f in bundle.rglob('*') if f.is_file())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
