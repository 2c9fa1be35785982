"""Link integrity: every internal href and #fragment of the rendered site must resolve.

Run on the pages in memory, before anything is written, so a strict build that finds a broken link
leaves the previous site untouched.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from .render import Page

# the attributes that point at other resources
LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("form", "action")}


@dataclass(frozen=True, order=True)
class BrokenLink:
    """A link from one page that does not resolve: the page, the href, and why."""

    page: str
    href: str
    reason: str

    def format(self) -> str:
        return f"{self.page}: リンク切れ「{self.href}」({self.reason})"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            if (tag, name) in LINK_ATTRS:
                self.links.append(value)


def check_links(pages: list[Page], assets: set[str]) -> list[BrokenLink]:
    """Return every internal link of the HTML pages that points at no page, asset or id."""
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    for page in pages:
        if not page.path.endswith(".html") or not isinstance(page.content, str):
            continue
        collector = _Collector()
        collector.feed(page.content)
        ids[page.path] = collector.ids
        links[page.path] = collector.links
    files = {p.path for p in pages} | assets
    broken: list[BrokenLink] = []
    for path, hrefs in links.items():
        for href in hrefs:
            problem = _check(path, href, files, ids)
            if problem:
                broken.append(BrokenLink(path, href, problem))
    return sorted(set(broken))


def _check(page: str, href: str, files: set[str], ids: dict[str, set[str]]) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None if parts.scheme in ("http", "https", "mailto") else f"使えないスキーム {parts.scheme}:"
    target = page
    if parts.path:
        if parts.path.startswith("/"):
            return "サイトの置き場所に依存する / で始まるリンクです"
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
        if joined.startswith(".."):
            return "サイトの外を指しています"
        if parts.path.endswith("/") or joined == ".":
            joined = posixpath.join("" if joined == "." else joined, "index.html")
        target = joined
        if target not in files:
            return "ページまたはファイルがありません"
    if parts.fragment:
        fragment = unquote(parts.fragment)
        if target in ids and fragment not in ids[target]:
            return f"ページに id「{fragment}」がありません"
    return None
