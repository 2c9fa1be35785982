"""The site's layout: the one place that says where each page lives.

Every function returns a site path: relative to the site root, without a leading slash, a folder
ending in "/" (its page is the folder's index.html). Pages link to each other with `relative`, so
the site works from any folder and any base URL. Templates get this module as `urls` and wrap its
paths in `url()`; they never spell a path themselves.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from typing import Any

# top-level folders of the built site that are not organisations (the search index adds pagefind)
SITE_FOLDERS = frozenset(
    {"api", "assets", "compare", "entities", "glossary", "guide", "laws", "prefectures", "schema", "search"}
)

HOME = ""
SEARCH = "search/"
COMPARE = "compare/"
ENTITIES = "entities/"
LAWS = "laws/"
GLOSSARY = "glossary/"
GUIDE = "guide/"
# the ways of writing a word that search treats as one (output/words.py), read by assets/search.js
SEARCH_WORDS = "search/words.json"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
CATALOG = "api/assessments.json"


def index(folder: str) -> str:
    """Return the file of a folder's page (index.html inside it)."""
    return folder + "index.html"


def asset(name: str) -> str:
    """Return the path of a static file (stylesheet, script)."""
    return f"assets/{name}"


def schema(name: str) -> str:
    """Return the path of a published JSON Schema."""
    return f"schema/{name}"


def organization(org: Any) -> str:
    """Return the folder of an organisation (anything with a slug)."""
    return f"{org.slug}/"


def assessment(assessment: Any) -> str:
    """Return the folder of an assessment: its latest version's page."""
    return f"{assessment.org.slug}/{assessment.slug}/"


def version(assessment_: Any, iso: str) -> str:
    """Return the permanent folder of one version of an assessment."""
    return f"{assessment(assessment_)}{iso}/"


def version_data(assessment_: Any, iso: str | None = None) -> str:
    """Return the open data of a version (of the latest version without `iso`)."""
    return f"{version(assessment_, iso) if iso else assessment(assessment_)}data.json"


def changes(assessment_: Any) -> str:
    """Return the folder of an assessment's 新旧対照表."""
    return f"{assessment(assessment_)}changes/"


def transcription(assessment_: Any) -> str:
    """Return the folder of an assessment's 書き起こしについて page (sources, notes, the corrections record)."""
    return f"{assessment(assessment_)}transcription/"


def diff(assessment_: Any, iso: str) -> str:
    """Return the folder of the diff from the previous version to the version of `iso`."""
    return f"{version(assessment_, iso)}diff/"


def prefecture(code: str) -> str:
    """Return the folder of a prefecture's list (the code's first two digits; "" for national agencies)."""
    return f"prefectures/{code[:2]}/" if code else "prefectures/national/"


def entity(slug: str) -> str:
    """Return the folder of an entity (a system, file, contractor or recipient) or of a kind of them."""
    return f"{ENTITIES}{slug}/"


def law(key: str, article_key: str | None = None) -> str:
    """Return the folder of a cited law, or of one of its articles."""
    return f"{LAWS}{key}/" + (f"{article_key}/" if article_key else "")


def question(key: str) -> str:
    """Return the folder of one question of the comparison."""
    return f"{COMPARE}q-{key}/"


def glossary_term(slug: str) -> str:
    """Return the place of one term on the glossary page (a site path with its #fragment)."""
    return f"{GLOSSARY}#{slug}"


def guide(section: str = "") -> str:
    """Return the guide to reading an assessment (評価書の読み方), or one of its sections."""
    return GUIDE + (f"#{section}" if section else "")


@lru_cache(maxsize=1 << 16)
def relative(from_page: str, target: str) -> str:
    """Return a relative URL from one page to a site path ("" = site root, folders end with /).

    Both are paths within the site, without "." or ".." parts, so the relative path is the way up
    from the page's folder to the common folder and down again (what posixpath.relpath returns).
    """
    base = [p for p in posixpath.dirname(from_page).split("/") if p]
    parts = [p for p in target.split("/") if p]
    common = 0
    while common < len(base) and common < len(parts) and base[common] == parts[common]:
        common += 1
    rel = "/".join([".."] * (len(base) - common) + parts[common:]) or "."
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
    return rel
