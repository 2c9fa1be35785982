"""The build pipeline: load → validate → model → render → write, each a named stage."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .content import Site, load_site
from .errors import BuildError, ContentErrors, ContentProblem
from .history import analyse
from .search import build_index
from .links import BrokenLink, check_links
from .progress import Progress
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
    broken_links: list[BrokenLink] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def validate(content: Path, progress: Progress | None = None) -> tuple[Site, list[ContentProblem]]:
    """Load and validate the whole content tree; raise ContentErrors listing every error."""
    progress = progress or Progress(enabled=False)
    progress.stage("内容を検証中")
    site, problems = load_site(content, Schemas())
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentErrors(errors)
    progress.stage("版の違いを比較中")
    site.histories, history_warnings = analyse(site)
    progress.clear()
    return site, [p for p in problems if p.severity != "error"] + history_warnings


def build(
    content: Path,
    out: Path,
    base_url: str = "",
    strict: bool = False,
    search: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """Validate, render, check links and write the site; on any error nothing in `out` changes.

    In strict mode (CI) a broken internal link or fragment is an error; otherwise it is a warning.
    `progress` shows each stage on a terminal.
    """
    progress = progress or Progress(enabled=False)
    result = BuildResult()
    t0 = time.perf_counter()
    try:
        site, result.warnings = validate(content, progress)
        t1 = time.perf_counter()
        result.timings["validate"] = t1 - t0
        progress.stage("ページを生成中")
        pages = render_site(site, base_url=normalize_base_url(base_url), progress=progress.update)
        t2 = time.perf_counter()
        result.timings["render"] = t2 - t1
        if not pages:
            raise BuildError("出力するページがありません。")
        progress.stage("リンクを確認中")
        assets = {f"assets/{p.relative_to(STATIC_DIR).as_posix()}" for p in STATIC_DIR.rglob("*") if p.is_file()}
        broken = check_links(pages, assets)
        return _write(site, pages, broken, result, t2, out, strict, search, progress)
    finally:
        progress.clear()


def _write(site: Site, pages: list, broken: list[BrokenLink], result: BuildResult, t2: float, out: Path,
           strict: bool, search: bool, progress: Progress) -> BuildResult:
    """Write the rendered pages (and the search index) unless strict mode refuses broken links."""
    t3 = time.perf_counter()
    result.timings["links"] = t3 - t2
    if broken and strict:
        raise BrokenLinks(broken)
    result.broken_links = broken
    result.report = site.report
    timings = result.timings

    def index(folder: Path) -> None:
        progress.stage("検索インデックスを作成中")
        t = time.perf_counter()
        build_index(folder)
        timings["search index"] = time.perf_counter() - t

    progress.stage("ページを書き出し中")
    result.files = write_site(pages, STATIC_DIR, out, finish=index if search else None, progress=progress.update)
    result.timings["write"] = time.perf_counter() - t3 - result.timings.get("search index", 0.0)
    return result


def normalize_base_url(base_url: str) -> str:
    """Return the base URL ending in one slash, or "" when none is set; only http(s) is accepted."""
    base_url = (base_url or "").strip()
    if not base_url:
        return ""
    if not base_url.startswith(("http://", "https://")):
        raise BuildError(f"--base-url は http:// または https:// で始まる URL にしてください(指定: {base_url})。")
    return base_url.rstrip("/") + "/"


class BrokenLinks(BuildError):
    """Raised by a strict build when internal links do not resolve."""

    def __init__(self, broken: list[BrokenLink]):
        super().__init__(f"リンク切れが {len(broken)} 件あります。")
        self.broken = broken
