"""The build pipeline: load → validate → model → render → write, each a named stage."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .content import Site, load_site
from .errors import BuildError, ContentErrors, ContentProblem
from .history import analyse
from .render import render_site
from .schema import Schemas
from .writer import write_site

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass
class BuildResult:
    """What a build did: files written, warnings, and time per stage in seconds."""

    files: int = 0
    warnings: list[ContentProblem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def validate(content: Path) -> tuple[Site, list[ContentProblem]]:
    """Load and validate the whole content tree; raise ContentErrors listing every error."""
    site, problems = load_site(content, Schemas())
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentErrors(errors)
    site.histories, history_warnings = analyse(site)
    return site, [p for p in problems if p.severity != "error"] + history_warnings


def build(content: Path, out: Path) -> BuildResult:
    """Validate, render and write the site; on any error nothing in `out` changes."""
    result = BuildResult()
    t0 = time.perf_counter()
    site, result.warnings = validate(content)
    t1 = time.perf_counter()
    result.timings["validate"] = t1 - t0
    pages = render_site(site)
    t2 = time.perf_counter()
    result.timings["render"] = t2 - t1
    if not pages:
        raise BuildError("出力するページがありません。")
    result.files = write_site(pages, STATIC_DIR, out)
    result.timings["write"] = time.perf_counter() - t2
    return result
