"""Link integrity: every internal href and #fragment of the rendered site must resolve.

Run on the pages in memory, before anything is written, so a strict build that finds a broken link
leaves the previous site untouched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from urllib.parse import unquote, urlsplit

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


# The pages are our own templates' output: attribute values are always double-quoted and escaped,
# and text never holds a raw quote, so a start tag and its attributes can be read with patterns,
# many times faster than html.parser (tests/test_links.py checks both agree on the real site).
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(\s[^>]*)>")
_ATTR = re.compile(r'\s([a-zA-Z][a-zA-Z0-9_:-]*)="([^"]*)"')


def page_links(html: str) -> tuple[set[str], list[str]]:
    """Return the ids (and <a name>s) a page defines and the link targets it holds, in order."""
    ids: set[str] = set()
    links: list[str] = []
    for match in _TAG.finditer(html):
        attrs = match.group(2)
        if "=" not in attrs:
            continue
        tag = match.group(1).lower()
        for name, value in _ATTR.findall(attrs):
            name = name.lower()
            if "&" in value:
                value = unescape(value)
            if name == "id" or (name == "name" and tag == "a"):
                ids.add(value)
            elif (tag, name) in LINK_ATTRS:
                links.append(value)
    return ids, links


@dataclass(frozen=True)
class PageLinks:
    """What the link check needs of one HTML page, read once when the page is rendered.

    Links within the page are checked then (`broken`); links to other pages are kept as resolved
    site paths (`targets`: (href, "path" or "path#fragment")) and checked once all pages exist.
    """

    path: str
    ids: frozenset[str]
    broken: tuple[tuple[str, str], ...]
    targets: tuple[tuple[str, str], ...]


def read_page(path: str, html: str) -> PageLinks:
    """Read a page's ids and links; check the links that stay within the page."""
    ids, hrefs = page_links(html)
    folder = posixpath.dirname(path)
    broken, targets = [], []
    for href in dict.fromkeys(hrefs):
        target, problem = _in_page(href) if href[:1] == "#" else _resolve(folder, href)
        if problem is None and target is not None:
            if target.startswith("#") or target.partition("#")[0] == path:
                fragment = target.partition("#")[2]
                if fragment and fragment not in ids:
                    problem = f"ページに id「{fragment}」がありません"
            else:
                targets.append((href, target))
        if problem:
            broken.append((href, problem))
    return PageLinks(path, frozenset(ids), tuple(broken), tuple(targets))


def check_pages(pages: Iterable[PageLinks], files: set[str]) -> list[BrokenLink]:
    """Return the broken links of all pages, given every file of the site."""
    pages = list(pages)
    ids = {p.path: p.ids for p in pages}
    verdicts: dict[str, str | None] = {}  # each distinct target is looked up once
    broken = []
    for page in pages:
        broken.extend(BrokenLink(page.path, href, reason) for href, reason in page.broken)
        for href, target in page.targets:
            if target not in verdicts:
                verdicts[target] = _missing(target, files, ids)
            if verdicts[target]:
                broken.append(BrokenLink(page.path, href, verdicts[target]))
    return sorted(broken)


def _missing(target: str, files: set[str], ids: dict[str, set[str]]) -> str | None:
    """Say why a resolved "path#fragment" does not exist, or return None when it does."""
    path, _, fragment = target.partition("#")
    if path not in files:
        return "ページまたはファイルがありません"
    if fragment and path in ids and fragment not in ids[path]:
        return f"ページに id「{fragment}」がありません"
    return None


def _in_page(href: str) -> tuple[str | None, str | None]:
    """Resolve a link within the page ("#id") as _resolve does, without parsing it as a URL."""
    if "\t" in href or "\r" in href or "\n" in href:  # urlsplit drops these: leave such a link to it
        return _resolve("", href)
    fragment = unquote(href[1:])
    return (f"#{fragment}" if fragment else None), None


@lru_cache(maxsize=1 << 16)
def _resolve(folder: str, href: str) -> tuple[str | None, str | None]:
    """Resolve an href from a page in `folder` to (site path "#fragment", problem).

    The path is "" for a link within the page itself; None when the link leaves the site (http …).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, (None if parts.scheme in ("http", "https", "mailto", "tel") else f"使えないスキーム {parts.scheme}:")
    target = ""
    if parts.path:
        if parts.path.startswith("/"):
            return None, "サイトの置き場所に依存する / で始まるリンクです"
        joined = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        if joined.startswith(".."):
            return None, "サイトの外を指しています"
        if parts.path.endswith("/") or joined == ".":
            joined = posixpath.join("" if joined == "." else joined, "index.html")
        target = joined
    fragment = unquote(parts.fragment)
    if not target and not fragment:
        return None, None
    return f"{target}#{fragment}" if fragment else target, None
