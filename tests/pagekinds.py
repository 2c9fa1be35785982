"""Built pages by the template that renders them, and one representative page of each kind.

The fast tier runs axe and the Nu Html Checker over the representatives; the slow tier over every
page. A page's kind is read from its place in the site (and, for a document, its form from the
data.json beside it), so a new organisation or document needs no change here; a new template does,
and test_html.py fails until it has a kind.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ENTITY = re.compile(r"e-[0-9a-f]+")


def pages(site: Path) -> list[str]:
    """Every built HTML page, relative to the site, sorted."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_templates() -> set[str]:
    """The templates that make whole HTML pages: not partials (_x.html) and not base.html."""
    return {p.name for p in TEMPLATES.glob("*.html") if not p.name.startswith("_") and p.name != "base.html"}


def kind_of(site: Path, name: str) -> tuple[str, str]:
    """Return (template, variant) of a built page; variant tells apart what one template shows differently."""
    parts = name.split("/")[:-1]  # the folders; the file is index.html
    depth = len(parts)
    if depth == 0:
        return "index.html", ""
    top = parts[0]
    site_wide = {
        ("search", 1): "search.html",
        ("glossary", 1): "glossary.html",
        ("guide", 1): "guide.html",
        ("compare", 1): "compare.html",
        ("compare", 2): "question.html",
        ("entities", 1): "entities.html",
        ("laws", 1): "laws.html",
        ("laws", 2): "law.html",
        ("laws", 3): "article.html",
        ("prefectures", 2): "prefecture.html",
    }
    if (top, depth) in site_wide:
        return site_wide[(top, depth)], ""
    if top == "entities" and depth == 2:
        return ("entity.html", "") if _ENTITY.fullmatch(parts[1]) else ("entity_kind.html", "")
    # an organisation's pages
    if depth == 1:
        return "organization.html", ""
    if depth == 2 or (depth == 3 and _DATE.fullmatch(parts[2])):  # the latest version, or one at its date
        # a 概要 is laid out from its own sections; the other forms from the schema, all alike
        return "assessment.html", "概要" if _form(site / name) == "概要" else ""
    if depth == 3 and parts[2] in ("changes", "transcription"):
        return f"{parts[2]}.html", ""
    if depth == 4 and parts[3] == "diff":
        return "diff.html", ""
    return "?", name


def _form(page: Path) -> str:
    return json.loads((page.parent / "data.json").read_text(encoding="utf-8"))["form"]


LARGE = 200_000  # bytes: axe takes about a minute over a 500 KB document on a busy machine


def representatives(site: Path) -> dict[tuple[str, str], str]:
    """One page of each (template, variant): the one of median size, a typical page, or the smallest where
    that is large (the documents; the slow tier checks every one)."""
    kinds: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in pages(site):
        kinds.setdefault(kind_of(site, name), []).append(((site / name).stat().st_size, name))
    chosen = {}
    for kind, found in sorted(kinds.items()):
        found.sort()
        median = found[(len(found) - 1) // 2]
        chosen[kind] = (found[0] if median[0] > LARGE else median)[1]
    return chosen
