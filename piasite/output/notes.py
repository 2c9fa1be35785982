"""An organisation's record of corrections and judgement calls (CORRECTIONS.md), as readable HTML.

The record is the editors' own Markdown (headings, tables, lists, code for the extraction's noise);
it is rendered with raw HTML off, headings moved below the page's h1, and each table wrapped so
that it scrolls on its own on a narrow screen.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://", "mailto:"))

    def heading_open(self, tokens, idx, options, env):
        env["heading"] = tokens[idx + 1].content  # the caption of the tables below it
        return f"<h{min(int(tokens[idx].tag[1]) + 2, 6)}>"  # the record's # sits under the page's h2

    def heading_close(self, tokens, idx, options, env):
        return f"</h{min(int(tokens[idx].tag[1]) + 2, 6)}>\n"

    def table_open(self, tokens, idx, options, env):
        env["tables"] = env.get("tables", 0) + 1
        n = env["tables"]
        caption = escape(env.get("heading") or f"表{n}")
        return (f'<div class="table-wrap" role="region" aria-labelledby="corrections-t{n}" tabindex="0">\n'
                f'<table>\n<caption id="corrections-t{n}">{caption}</caption>\n')

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
