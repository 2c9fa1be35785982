"""The build, as a list of stages: each a function from values to values, called in order by `build`.

    scan → plan units → reuse unchanged units → run units → assemble the site → site-wide pages
    → check links → assets → search index (unchanged bundles reused) → commit → save the cache

Nothing is written to the output folder until `commit`: the pages go into a staging folder beside
it (output/writer.py), so a build that fails at any stage leaves the published site as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import urls
from ..analysis.extracts import Merged, merge
from ..analysis.history import analyse
from ..analysis.provenance import AsOf, as_of, trust_problems
from ..model.content import (
    Assessment,
    Organization,
    Scanned,
    Site,
    display_path,
    load_site,
    scan,
    version_files,
)
from ..model.errors import BuildError, ContentErrors, ContentProblem, UsageError
from ..model.schema import Schemas
from ..output.links import BrokenLink, check_pages
from ..output.search import LINKED as SEARCH_FILES
from ..output.search import Made, build_index
from ..output.sitewide import site_page_jobs
from ..output.writer import Stage, unchanged
from . import fingerprints, runner
from .cache import Cache
from .progress import Progress
from .units import PageRecord, Unit, UnitResult, record

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


@dataclass
class BuildResult:
    """What a build did: files written, warnings, and time per stage in seconds."""

    files: int = 0
    warnings: list[ContentProblem] = field(default_factory=list)
    broken_links: list[BrokenLink] = field(default_factory=list)
    report: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    rebuilt: int = 0  # assessments built in this run
    reused: int = 0  # assessments taken unchanged from the previous build


def validate(content: Path, progress: Progress | None = None) -> tuple[Site, list[ContentProblem]]:
    """Load and validate the whole content tree; raise ContentErrors listing every error."""
    progress = progress or Progress(enabled=False)
    progress.stage("内容を検証中")
    site, problems = load_site(content, Schemas())
    _raise_errors(problems)
    progress.stage("版の違いを比較中")
    _histories, history_warnings = analyse(site)
    history_warnings += trust_problems(site)
    progress.clear()
    return site, [p for p in problems if p.severity != "error"] + history_warnings


def build(
    content: Path,
    out: Path,
    base_url: str = "",
    strict: bool = False,
    search: bool = True,
    progress: Progress | None = None,
    jobs: int | None = None,
    incremental: bool = True,
    build_date: str = "",
) -> BuildResult:
    """Validate, render, check links and write the site; on any error nothing in `out` changes.

    In strict mode (CI) a broken internal link or fragment is an error; otherwise it is a warning.
    Assessments are built in `jobs` processes (default: one per core). With `incremental`, the
    assessments unchanged since the last build into `out` are taken from it instead of being
    built again (the output is the same byte for byte). `progress` shows each stage on a terminal.
    """
    progress = progress or Progress(enabled=False)
    result = BuildResult()
    base_url = normalize_base_url(base_url)
    jobs = jobs or default_jobs()
    clock = _Clock(result.timings)
    schemas = Schemas()
    cache = Cache(out)
    shown_root = display_path(Path(content))
    try:
        progress.stage("内容を検証中")
        scanned, problems = scan(content, schemas)
        when = _as_of(scanned, build_date)
        units = _plan_units(scanned, base_url)
        with Stage(out) as stage:
            results = _reuse_units(units, cache.current() if incremental else {}, stage, shown_root, when)
            progress.stage("評価書を検証・生成中")
            made = _run_units(units, results, scanned, schemas, stage, jobs, shown_root, progress, base_url, when)
            problems += [p for u in units for p in results[u.key].problems]
            _raise_errors(problems)
            result.warnings = [p for p in problems if p.severity != "error"]
            clock.lap("assessments")
            progress.stage("サイト全体のページを生成中")
            ordered = [results[u.key] for u in units]
            site = _assemble(scanned, schemas, ordered)
            merged = merge(site, {(r.org, r.slug): r.extract for r in results.values()})
            records = [p for r in ordered for p in r.pages]
            site_records, site_wide = _site_pages(
                site, merged, ordered, records, scanned.aliases, base_url, cache.site_pages() if incremental else {},
                stage, jobs, when,
            )
            records += site_wide
            clock.lap("site pages")
            progress.stage("リンクを確認中")
            result.broken_links = _check_links(records, strict)
            clock.lap("links")
            result.report = merged.report
            assets = _copy_assets(stage)
            result.files = len(records) + len(assets)
            bundles = {}
            if search:
                progress.stage("検索インデックスを作成中")
                bundles = _index(stage, cache, cache.search_bundles() if incremental else {})
                clock.lap("search index")
            stage.commit()
        _save_cache(cache, incremental, results, made, site_records, bundles, stage)
        clock.lap("write")
        result.rebuilt = len(made)
        result.reused = len(units) - len(made)
        return result
    finally:
        progress.clear()


# --- the stages, in the order build() calls them --------------------------------------------------


def _as_of(scanned: Scanned, build_date: str) -> AsOf:
    """Return the build's reference date: the one given, else the newest version date (file names) in the content."""
    try:
        return as_of(build_date, _version_dates(scanned))
    except ValueError as exc:
        raise UsageError(
            f"基準日(--build-date、PIA_BUILD_DATE)は YYYY-MM-DD の形で書いてください(指定: {build_date})。"
        ) from exc


def _version_dates(scanned: Scanned) -> list[dt.date]:
    """Return the dates the version files are named by (a name that is no real date is reported by scan)."""
    dates = []
    for _org, folders in scanned.organizations:
        for folder in folders:
            for path in version_files(folder):
                try:
                    dates.append(dt.date.fromisoformat(path.stem))
                except ValueError:
                    continue
    return dates


def _plan_units(scanned: Scanned, base_url: str) -> list[Unit]:
    """Return a unit per assessment folder, keyed by everything its pages are made from."""
    shared = hashlib.sha256(
        "\0".join(
            [
                fingerprints.program_fingerprint(),
                base_url,
                json.dumps(scanned.aliases, ensure_ascii=False, sort_keys=True),
                fingerprints.glossary_fingerprint(scanned.glossary),
            ]
        ).encode()
    ).hexdigest()
    return [
        Unit(org, folder, fingerprints.unit_key(org, folder, shared), org.slug in scanned.broken)
        for org, folders in scanned.organizations
        for folder in folders
    ]


def _reuse_units(
    units: list[Unit], previous: dict[str, UnitResult], stage: Stage, shown_root: str, when: AsOf
) -> dict[str, UnitResult]:
    """Return the results of the units the previous build made from the same inputs, linking their pages.

    A unit made as of another reference date is reused when its pages would not change (no freshness note).
    """
    results: dict[str, UnitResult] = {}
    for unit in units:
        old = previous.get(unit.key)
        if (
            old is not None
            and old.holds_as_of(when)
            and all(unchanged(stage.out, p.path, p.size, p.mtime_ns) for p in old.pages)
        ):
            results[unit.key] = old.shown_from(shown_root)
            stage.link_unchanged([p.path for p in old.pages])
    return results


def _run_units(
    units: list[Unit],
    results: dict[str, UnitResult],
    scanned: Scanned,
    schemas: Schemas,
    stage: Stage,
    jobs: int,
    shown_root: str,
    progress: Progress,
    base_url: str = "",
    when: AsOf | None = None,
) -> list[UnitResult]:
    """Build the units not reused into the stage, adding their results to `results`; return them."""
    made: list[UnitResult] = []

    def done(r: UnitResult) -> None:
        results[r.key] = r
        made.append(r)
        progress.update(len(results), len(units))

    todo = [u for u in units if u.key not in results]
    runner.run_units(
        todo, scanned.root, schemas, scanned.aliases, stage.folder, jobs, done, shown_root, base_url, when,
        scanned.glossary,
    )
    return made


def _assemble(scanned: Scanned, schemas: Schemas, results: list[UnitResult]) -> Site:
    """Assemble the site model for the site-wide pages from the units' results, in content order."""
    by_org: dict[str, list[UnitResult]] = {}
    for r in results:
        by_org.setdefault(r.org, []).append(r)
    organizations = []
    for org, _folders in scanned.organizations:
        org = Organization(org.slug, org.data, org.source)
        for r in by_org.get(org.slug, []):
            org.assessments.append(Assessment(org, r.slug, list(r.versions), key=r.public))
        organizations.append(org)
    return Site(organizations, schemas, aliases=scanned.aliases, glossary=scanned.glossary)


def _site_pages(
    site: Site,
    merged: Merged,
    results: list[UnitResult],
    unit_pages: list[PageRecord],
    aliases: dict[str, str],
    base_url: str,
    previous: dict[str, tuple[str, PageRecord]],
    stage: Stage,
    jobs: int,
    when: AsOf,
) -> tuple[dict[str, tuple[str, PageRecord]], list[PageRecord]]:
    """Render the site-wide pages whose fingerprint changed and link the others from the previous build.

    Return the fingerprinted pages for the cache, and the records of every site-wide page.
    """
    page_jobs, pages = site_page_jobs(site, merged, [p.path for p in unit_pages], base_url, when)
    # The comparison, laws and entities hold every answer, citation and mention: their digests come
    # from the units', not from a walk over them.
    memo = fingerprints.site_digests(results, merged, aliases, site.glossary)
    kept: dict[str, tuple[str, PageRecord]] = {}
    records: list[PageRecord] = []
    fresh = []
    for job in page_jobs:
        fingerprint = fingerprints.job_fingerprint(job, memo)
        old = previous.get(job.path)
        if old and old[0] == fingerprint and unchanged(stage.out, old[1].path, old[1].size, old[1].mtime_ns):
            stage.link_unchanged([job.path])
            records.append(old[1])
            kept[job.path] = old
        else:
            fresh.append((job, fingerprint))
    rendered = runner.run_pages([j for j, _ in fresh], site, stage.folder, jobs)
    for (_, fingerprint), rec in zip(fresh, rendered, strict=True):
        records.append(rec)
        kept[rec.path] = (fingerprint, rec)
    records += [record(page, *stage.write(page)) for page in pages]
    return kept, records


def _check_links(records: list[PageRecord], strict: bool) -> list[BrokenLink]:
    """Check every internal link and fragment; in strict mode a broken one fails the build."""
    assets = {urls.asset(p.relative_to(STATIC_DIR).as_posix()) for p in _asset_files()}
    known = {r.path for r in records} | assets | SEARCH_FILES  # the index is made after this check
    broken = check_pages((r.links for r in records if r.links is not None), known)
    if broken and strict:
        raise BrokenLinks(broken)
    return broken


def _copy_assets(stage: Stage) -> list[Path]:
    """Copy the stylesheet, scripts and icons into the stage; return them."""
    stage.copy_assets(STATIC_DIR)
    return _asset_files()


def _index(stage: Stage, cache: Cache, previous: dict[str, Made]) -> dict[str, Made]:
    """Index the staged site for search, taking the bundles whose pages did not change from the cache."""
    return build_index(stage.folder, cache.search_store, previous=previous)


def _save_cache(
    cache: Cache,
    incremental: bool,
    results: dict[str, UnitResult],
    made: list[UnitResult],
    site_records: dict[str, tuple[str, PageRecord]],
    bundles: dict[str, Made],
    stage: Stage,
) -> None:
    """Keep what the next build can reuse (or forget it after a full build); the old site goes meanwhile."""
    try:
        if incremental:
            cache.save(results.values(), made, site_records, bundles)
        else:
            cache.clear()  # the output no longer matches what the cache last described
    finally:
        stage.wait()  # the old site is removed while the cache is saved


# --- helpers --------------------------------------------------------------------------------------


def _raise_errors(problems: list[ContentProblem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentErrors(errors)


def _asset_files() -> list[Path]:
    return [p for p in STATIC_DIR.rglob("*") if p.is_file()]


class _Clock:
    """Time each stage: `lap(name)` records the time since the previous lap."""

    def __init__(self, timings: dict[str, float]):
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.last
        self.last = now


def default_jobs() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


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
