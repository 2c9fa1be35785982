"""Text helpers for pages: Japanese era dates and safe Markdown."""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ERAS = [
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1873, 1, 1), "明治"),
]
_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def wareki(value: dt.date | str) -> str:
    """Format a date in the Japanese era, e.g. 2023-11-27 → 令和5年11月27日 (元年 for year 1)."""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    for start, name in _ERAS:
        if date >= start:
            year = date.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{date.month}月{date.day}日"
    return f"{date.year}年{date.month}月{date.day}日"


def time_tag(value: dt.date | str) -> Markup:
    """Return `<time datetime="YYYY-MM-DD">和暦</time>`."""
    iso = value if isinstance(value, str) else value.isoformat()
    return Markup('<time datetime="{}">{}</time>').format(iso, wareki(iso))


def is_iso_date(value: object) -> bool:
    """Return whether a value is a valid ISO date string."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# A Markdown link's target, `[text](target)`, or an autolink, `<scheme:…>`, as editors may write them.
_LINK_TARGET = re.compile(r"\]\(\s*<?([^\s)>]+)|<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")


def unsafe_links(text: str) -> list[str]:
    """Return the link targets written in a text whose scheme is not allowed (javascript:, data: …)."""
    found = []
    for m in _LINK_TARGET.finditer(text):
        target = m.group(1) or m.group(2)
        if not _validate_link(html.unescape(target)):
            found.append(target)
    return found


def _validate_link(url: str) -> bool:
    """Allow only http(s), mailto and relative links: never javascript:, data: or file:."""
    lowered = url.strip().lower()
    if lowered.startswith(_SAFE_SCHEMES):
        return True
    return not re.match(r"^[a-z][a-z0-9+.-]*:", lowered)


def _make_markdown() -> MarkdownIt:
    """Markdown for form cells: paragraphs, line breaks and links; raw HTML and block syntax off.

    Headings, lists, code and emphasis are off because the organisations' text uses characters
    such as 「*」「1.」「#」 and leading spaces literally; every line break is kept as <br>.
    """
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False, "xhtmlOut": False})
    md.disable(
        [
            "code", "fence", "blockquote", "hr", "list", "reference", "html_block", "heading",
            "lheading", "emphasis", "backticks", "html_inline", "image",
        ]
    )
    md.validateLink = _validate_link
    return md


_MD = _make_markdown()


def markdown(text: str | None) -> Markup:
    """Render an organisation's free text as safe HTML paragraphs."""
    if not text:
        return Markup("")
    return _render_markdown(str(text))


@lru_cache(maxsize=1 << 15)
def _render_markdown(text: str) -> Markup:
    # The same texts recur: each latest version is rendered at two addresses, versions repeat
    # most of their predecessor, and many bodies share wording.
    return Markup(_MD.render(text))


def plain(text: str | None) -> Markup:
    """Escape a one-line value, keeping line breaks as <br>."""
    if text is None:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in str(text).split("\n"))


# Private-use characters that survive Markdown untouched: they mark where a link starts and ends.
_OPEN, _SEP, _CLOSE = "\ue100", "\ue101", "\ue102"


def markdown_links(text: str | None, links: list[tuple[int, int, str]] | None) -> Markup:
    """Render free text like `markdown`, with the given spans of it turned into links in place.

    `links` are (start, end, href) over the text, not overlapping; the text itself is unchanged, so
    a reader (and a copy of the page) sees exactly the organisation's words.
    """
    if not text:
        return Markup("")
    if not links:
        return markdown(text)
    source = str(text)
    pieces = []
    pos = 0
    hrefs = []
    for start, end, href in sorted(links):
        if start < pos or end > len(source) or start >= end:
            continue
        pieces.append(source[pos:start])
        pieces.append(f"{_OPEN}{len(hrefs)}{_SEP}{source[start:end]}{_CLOSE}")
        hrefs.append(href)
        pos = end
    pieces.append(source[pos:])
    html = str(markdown("".join(pieces)))

    def link(m: re.Match) -> str:
        href = hrefs[int(m.group(1))]
        return f'<a href="{escape(href)}">{m.group(2)}</a>'

    return Markup(re.sub(f"{_OPEN}(\\d+){_SEP}(.*?){_CLOSE}", link, html, flags=re.S))
