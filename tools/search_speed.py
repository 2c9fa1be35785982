"""Time to the first search result under slow 4G: this site's search page against stock Pagefind.

    .venv/bin/python tools/search_speed.py SITE [--runs 3] [--queries 個人番号カード,…]

SITE is a built site. Stock Pagefind is `pagefind --site SITE` run as it comes (one index of the
same pages, in SITE/pagefind-stock/, made here unless it exists) behind the default Pagefind UI, on
a page this script serves beside the site (/__stock/). Each run opens a new browser context (an
empty cache) in Debian's Chromium, emulates Lighthouse's slow 4G through the DevTools protocol
(150 ms round trip, 1.6 Mbps down, 750 kbps up), loads the search page with ?q= and records, from
the start of navigation, when the first result appears (for stock, when its first result or its
"no results" answer appears), with the requests and bytes fetched until then. tools/bench.py calls
`measure` for each corpus size.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# Lighthouse's "slow 4G" (its mobile throttling): 150 ms round trip, 1.6 Mbps down, 750 kbps up
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 93_750}
# queries found in every generated corpus (tools/corpus.py); ガバメントクラウド is the one stock misses
QUERIES = ["個人番号カード", "コンビニ交付", "附票連携システム", "中間サーバー", "ガバメントクラウド"]
STOCK = "pagefind-stock"
STOCK_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>stock Pagefind</title>
<link rel="stylesheet" href="/pagefind-stock/pagefind-ui.css">
<script src="/pagefind-stock/pagefind-ui.js"></script></head>
<body><div id="search"></div><script>
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({ element: "#search", showSubResults: true });
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
});
</script></body></html>
"""
# the first result of each page, or (stock) its answer that there is none
DONE = {
    "ours": ".search-result, .search-empty",
    "stock": ".pagefind-ui__result-link",
}
# stock Pagefind UI's Japanese answer when nothing is found
STOCK_NONE = "一致する情報はありませんでした"
_WATCH = """(() => {
  const selector = %s;
  const check = () => {
    if (window.__first !== undefined) return;
    const none = document.querySelector(".pagefind-ui__message");
    if (!document.querySelector(selector) && !(none && none.textContent.includes(%s))) return;
    window.__first = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
})();"""


@dataclass
class Timing:
    """One measured search: milliseconds to the first result, requests and bytes fetched until then."""

    which: str
    query: str
    ms: float
    requests: int
    kib: float
    paths: list[str]


@dataclass
class Summary:
    """Medians over the runs of both searches; `ratio` pairs them, `ratio_of_medians` does not."""

    ours_s: float
    stock_s: float
    ours_requests: float
    stock_requests: float
    ours_kib: float
    stock_kib: float
    runs: int
    ratio: float  # median over queries and runs of ours / stock for the same query in the same run

    @property
    def ratio_of_medians(self) -> float:
        return self.ours_s / self.stock_s


def stock_index(site: Path) -> None:
    """Index the site with stock Pagefind into SITE/pagefind-stock/ (one index, no options)."""
    if (site / STOCK / "pagefind.js").exists():
        return
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", STOCK, "--silent"], check=True
    )


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - name fixed by the base class
        if self.path.split("?")[0] in ("/__stock/", "/__stock/index.html"):
            body = STOCK_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


def _size(request) -> int:
    try:
        return request.sizes()["responseBodySize"]
    except Exception:  # noqa: BLE001 - a request without sizes counts as empty
        return 0


def _once(browser, base: str, which: str, query: str) -> Timing:
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        page.add_init_script(_WATCH % (json.dumps(DONE[which]), json.dumps(STOCK_NONE)))
        started = time.monotonic()
        fetched: list[tuple[float, str, int]] = []
        page.on("requestfinished", lambda r: fetched.append((time.monotonic() - started, r.url, _size(r))))
        path = "/search/" if which == "ours" else "/__stock/"
        page.goto(f"{base}{path}?q={quote(query)}")
        # polled from here: the page's CSP forbids the string evaluation wait_for_function would use
        for _ in range(1800):
            found = page.evaluate("() => window.__first === undefined ? null : window.__first")
            if found:
                break
            page.wait_for_timeout(100)
        else:
            raise TimeoutError(f"no first result for {query} ({which}) within 180 s")
        # requests (the Pagefind worker's included) that finished before the first result; the page's
        # clock starts at navigation, a little after `started`
        before = [f for f in fetched if f[0] * 1000 <= found]
        return Timing(which, query, found, len(before), sum(f[2] for f in before) / 1024,
                      [urlsplit(f[1]).path for f in before])
    finally:
        context.close()


def measure(site: Path, queries: list[str] | None = None, runs: int = 1, log=print) -> tuple[Summary, list[Timing]]:
    """Time both searches for each query, `runs` times each, alternating; return the medians and every run."""
    from playwright.sync_api import sync_playwright

    stock_index(site)
    handler = functools.partial(_Handler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    timings: list[Timing] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for _ in range(runs):
                    for query in queries or QUERIES:
                        for which in ("ours", "stock"):
                            t = _once(browser, base, which, query)
                            timings.append(t)
                            log(f"  {which:5} {query}: {t.ms / 1000:.2f} s, {t.requests} requests, {t.kib:.0f} KiB")
            finally:
                browser.close()
    finally:
        httpd.shutdown()

    def median(which: str, attr: str) -> float:
        return statistics.median(getattr(t, attr) for t in timings if t.which == which)

    ours = [t for t in timings if t.which == "ours"]
    stock = [t for t in timings if t.which == "stock"]
    summary = Summary(
        median("ours", "ms") / 1000, median("stock", "ms") / 1000, median("ours", "requests"),
        median("stock", "requests"), median("ours", "kib"), median("stock", "kib"), runs,
        statistics.median(o.ms / s.ms for o, s in zip(ours, stock, strict=True)),
    )
    return summary, timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time to the first search result under slow 4G, ours and stock.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--paths", action="store_true", help="list the files fetched before the first result")
    args = parser.parse_args(argv)
    summary, timings = measure(args.site, [q for q in args.queries.split(",") if q], args.runs)
    if args.paths:
        for t in timings:
            print(t.which, t.query, *t.paths, sep="\n  ")
    print(
        f"median time to first result: ours {summary.ours_s:.2f} s ({summary.ours_requests:.0f} requests, "
        f"{summary.ours_kib:.0f} KiB), stock {summary.stock_s:.2f} s ({summary.stock_requests:.0f} requests, "
        f"{summary.stock_kib:.0f} KiB); ours / stock for the same query: median {summary.ratio:.2f}; "
        f"ratio of the medians {summary.ratio_of_medians:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
