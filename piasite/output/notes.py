"""An organisation's record of corrections and judgement calls (CORRECTIONS.md), as readable HTML.

The record is the editors' own Markdown (headings, tables, lists, code for the extraction's noise);
it is rendered with raw HTML off, headings moved below the page's h1, and each table wrapped so
that it scrolls on its own on a narrow screen.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://", "mailto:"))

    def heading_open(self, tokens, idx, options, env):
        level = min(int(tokens[idx].tag[1]) + 1, 6)  # the record's # is the page's h2
        return f"<h{level}>"

    def heading_close(self, tokens, idx, options, env):
        return f"</h{min(int(tokens[idx].tag[1]) + 1, 6)}>\n"

    def table_open(self, tokens, idx, options, env):
        env["tables"] = env.get("tables", 0) + 1
        n = env["tables"]
        return (f'<div class="table-wrap" role="region" aria-label="訂正と判断の記録 表{n}" tabindex="0">\n'
                "<table>\n")

    def table_close(self, tokens, idx, options, env):
        return "</table>\n</div>\n"

    def th_open(self, tokens, idx, options, env):
        return '<th scope="col">'

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("th_open", th_open)
    return md


def corrections_html(text: str | None) -> Markup | None:
    """Render a CORRECTIONS.md as HTML (None when there is none)."""
    if not text:
        return None
    return Markup(_md().render(text, {}))
