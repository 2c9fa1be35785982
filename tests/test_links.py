"""The link check: its pattern reading of pages agrees with html.parser on every page of the real site."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from piasite.output.links import LINK_ATTRS, page_links


class _Reference(HTMLParser):
    """What a full HTML parser finds: ids, <a name>s and link targets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif (tag, name) in LINK_ATTRS:
                self.links.append(value)


def test_page_links_reads_ids_and_targets_like_an_html_parser_on_every_built_page(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        html = path.read_text(encoding="utf-8")
        reference = _Reference()
        reference.feed(html)
        assert page_links(html) == (reference.ids, reference.links), path


@pytest.mark.parametrize(
    "html, ids, links",
    [
        ('<a href="../x/?a=1&amp;b=2#f">x</a>', set(), ["../x/?a=1&b=2#f"]),
        ('<section id="s1"><h2 id="h">t</h2></section><a name="n"></a>', {"s1", "h", "n"}, []),
        (
            '<link rel="stylesheet" href="assets/site.css"><script src="assets/a.js"></script>',
            set(),
            ["assets/site.css", "assets/a.js"],
        ),
        ('<p>id="fake" href="fake"</p><img alt="" src="i.png">', set(), ["i.png"]),
        ('<form action="search/" role="search"><input name="q"></form>', set(), ["search/"]),
    ],
)
def test_page_links_finds_ids_and_targets_in_attributes_only(html, ids, links):
    assert page_links(html) == (ids, links)
