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


def check_links(pages: list[Page], assets: set[str]) -> list[BrokenLink]:
    """Return every internal link of the HTML pages that points at no page, asset or id."""
    found = []
    for page in pages:
        if page.path.endswith(".html") and isinstance(page.content, str):
            ids, hrefs = page_links(page.content)
            found.append((page.path, ids, hrefs))
    return check_found(found, {p.path for p in pages} | assets)


def check_found(found: Iterable[tuple[str, Iterable[str], Iterable[str]]], files: set[str]) -> list[BrokenLink]:
    """Check (page path, its ids, its hrefs) for every HTML page against the site's files."""
    found = list(found)
    ids = {path: set(page_ids) if not isinstance(page_ids, (set, frozenset)) else page_ids for path, page_ids, _ in found}
    broken: list[BrokenLink] = []
    for path, _, hrefs in found:
        folder = posixpath.dirname(path)
        for href in set(hrefs):
            target, problem = _resolve(folder, href)
            if problem is None and target is not None:
                problem = _missing(path + target if target.startswith("#") else target, files, ids)
            if problem:
                broken.append(BrokenLink(path, href, problem))
    return sorted(broken)


def _missing(target: str, files: set[str], ids: dict[str, set[str]]) -> str | None:
    """Say why a resolved "path#fragment" does not exist, or return None when it does."""
    path, _, fragment = target.partition("#")
    if path not in files:
        return "ページまたはファイルがありません"
    if fragment and path in ids and fragment not in ids[path]:
        return f"ページに id「{fragment}」がありません"
    return None


@lru_cache(maxsize=1 << 16)
def _resolve(folder: str, href: str) -> tuple[str | None, str | None]:
    """Resolve an href from a page in `folder` to (site path "#fragment", problem).

    The path is "" for a link within the page itself; None when the link leaves the site (http …).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, (None if parts.scheme in ("http", "https", "mailto") else f"使えないスキーム {parts.scheme}:")
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
