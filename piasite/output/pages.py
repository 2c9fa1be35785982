"""The pages a build writes: a page in memory, and a site-wide page still to render from a template."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment


@dataclass
class Page:
    """One output file: its site-relative path and its content."""

    path: str  # e.g. "miyagi-pref/07-juki-net/index.html"
    content: str | bytes


@dataclass
class PageJob:
    """A site-wide page to render: its path, its template and the template's names."""

    path: str
    template: str
    params: dict[str, Any]

    def render(self, env: Environment, ctx: Callable[[str], dict[str, Any]]) -> Page:
        """Render the page with the names `ctx` gives every template at its path (render.PageContext)."""
        return Page(self.path, env.get_template(self.template).render(**self.params, **ctx(self.path)))


def json_text(data: Any) -> str:
    """Return data as the site publishes it in JSON: UTF-8 text, indented by one space."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
