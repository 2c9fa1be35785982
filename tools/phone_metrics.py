"""Measure each assessment page as a phone reader meets it: page height and focusable elements.

For every assessment in a built site (its latest version's page, from api/assessments.json), open the
page in Chromium at 360 px wide and report document.documentElement.scrollHeight and the number of
elements matching a[href], button, input, select, textarea, summary, [tabindex] not -1 ("focusable"), and of
those the ones a keyboard or switch user meets pressing Tab ("tab stops": not tabindex=-1, rendered, not inside
a closed <details>).
Also reports how many of those are 「#」 self-links and how many two-column tables overflow their box.

Usage: python tools/phone_metrics.py SITE_DIR [--width 360] [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'

# what the page reports; tab stops leave out what Tab cannot reach (tabindex=-1, not rendered, in a closed <details>)
_MEASURE = """(sel) => {
  const all = [...document.querySelectorAll(sel)];
  const shown = (el) => {
    if (el.getClientRects().length === 0) return false;
    for (let d = el.parentElement; d; d = d.parentElement) {
      if (d.tagName === 'DETAILS' && !d.open && !(el.tagName === 'SUMMARY' && el.parentElement === d)) return false;
    }
    return true;
  };
  const reachable = all.filter(el => el.tabIndex >= 0 && shown(el));
  const kv = [...document.querySelectorAll('table')].filter(t => t.querySelectorAll('thead th').length === 2);
  return {
    height: document.documentElement.scrollHeight,
    focusable: all.length,
    tab_stops: reachable.length,
    self_links: reachable.filter(el => el.matches('a.self-link')).length,
    kv_tables: kv.length,
    kv_overflowing: kv.filter(t => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1).length,
  };
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


def assessment_pages(site: Path) -> list[tuple[str, str]]:
    """Return (title, site path) of every assessment's latest version page."""
    catalog = json.loads((site / "api" / "assessments.json").read_text(encoding="utf-8"))
    return [(a["organization"]["organization"] + " " + a["slug"], a["url"]) for a in catalog["assessments"]]


def measure(site: Path, width: int = 360) -> list[dict]:
    """Open every assessment page at `width` px and return its figures."""
    from playwright.sync_api import sync_playwright

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": 800})
            for title, path in assessment_pages(site):
                page.goto(base + path, wait_until="load")
                out.append({"assessment": title, "url": path, **page.evaluate(_MEASURE, FOCUSABLE)})
            browser.close()
    finally:
        httpd.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = measure(args.site, args.width)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(
        f"| assessment | height (px at {args.width}) | focusable | tab stops | of which 「#」"
        " | key/value tables overflowing |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['assessment']} | {r['height']:,} | {r['focusable']:,} | {r['tab_stops']:,} | {r['self_links']:,}"
            f" | {r['kv_overflowing']} of {r['kv_tables']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
