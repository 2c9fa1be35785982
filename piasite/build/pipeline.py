"""The build pipeline: load → validate → model → render → write, each a named stage."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.extracts import merge
from ..analysis.history import analyse
from ..model.content import Assessment, Organization, Scanned, Site, display_path, load_site, scan
from ..model.errors import BuildError, ContentErrors, ContentProblem
from ..model.schema import Schemas
from ..output.links import BrokenLink, check_pages
from ..output.search import build_index
from ..output.sitewide import site_page_jobs
from ..output.writer import Stage, unchanged
from . import units
from .progress import Progress

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
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentErrors(errors)
    progress.stage("版の違いを比較中")
    _histories, history_warnings = analyse(site)
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
    t0 = time.perf_counter()
    try:
        schemas = Schemas()
        progress.stage("内容を検証中")
        scanned, problems = scan(content, schemas)
        shared = hashlib.sha256(
            "\0".join(
                [
                    units.program_fingerprint(),
                    base_url,
                    json.dumps(scanned.aliases, ensure_ascii=False, sort_keys=True),
                ]
            ).encode()
        ).hexdigest()
        todo = [
            units.Unit(org, folder, units.unit_key(org, folder, shared), org.slug in scanned.broken)
            for org, folders in scanned.organizations
            for folder in folders
        ]
        cache = units.Cache(out)
        previous = cache.current() if incremental else {}
        shown_root = display_path(Path(content))
        with Stage(out) as stage:
            results: dict[str, units.UnitResult] = {}
            for unit in todo:
                old = previous.get(unit.key)
                if old is not None and all(unchanged(stage.out, p.path, p.size, p.mtime_ns) for p in old.pages):
                    results[unit.key] = old.shown_from(shown_root)
                    stage.link_unchanged([p.path for p in old.pages])
            made: list[units.UnitResult] = []
            site_records: dict[str, tuple[str, units.PageRecord]] = {}

            def done(r: units.UnitResult) -> None:
                results[r.key] = r
                made.append(r)
                progress.update(len(results), len(todo))

            progress.stage("評価書を検証・生成中")
            units.run_units(
                [u for u in todo if u.key not in results],
                scanned.root,
                schemas,
                scanned.aliases,
                stage.folder,
                jobs,
                done,
                shown_root,
            )
            problems += [p for u in todo for p in results[u.key].problems]
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise ContentErrors(errors)
            result.warnings = [p for p in problems if p.severity != "error"]
            t1 = time.perf_counter()
            result.timings["assessments"] = t1 - t0
            progress.stage("サイト全体のページを生成中")
            site = _site(scanned, schemas, [results[u.key] for u in todo])
            records = [p for u in todo for p in results[u.key].pages]
            merged = merge(site, {(r.org, r.slug): r.extract for r in results.values()})
            page_jobs, pages = site_page_jobs(site, merged, [p.path for p in records], base_url)
            kept = cache.site_pages() if incremental else {}
            fresh = []
            # The comparison, laws and entities hold every answer, citation and mention: their digests come
            # from the units', not from a walk over them.
            ordered = [results[u.key] for u in todo]
            memo = units.site_digests(ordered, merged, scanned.aliases)
            for job in page_jobs:
                fingerprint = units.job_fingerprint(job, memo)
                old_page = kept.get(job.path)
                if (
                    old_page
                    and old_page[0] == fingerprint
                    and unchanged(stage.out, old_page[1].path, old_page[1].size, old_page[1].mtime_ns)
                ):
                    stage.link_unchanged([job.path])
                    records.append(old_page[1])
                    site_records[job.path] = old_page
                else:
                    fresh.append((job, fingerprint))
            for (_, fingerprint), rec in zip(
                fresh, units.run_pages([j for j, _ in fresh], site, stage.folder, jobs), strict=True
            ):
                records.append(rec)
                site_records[rec.path] = (fingerprint, rec)
            records += [units.record(page, *stage.write(page)) for page in pages]
            t2 = time.perf_counter()
            result.timings["site pages"] = t2 - t1
            progress.stage("リンクを確認中")
            assets = {f"assets/{p.relative_to(STATIC_DIR).as_posix()}" for p in STATIC_DIR.rglob("*") if p.is_file()}
            broken = check_pages((r.links for r in records if r.links is not None), {r.path for r in records} | assets)
            t3 = time.perf_counter()
            result.timings["links"] = t3 - t2
            if broken and strict:
                raise BrokenLinks(broken)
            result.broken_links = broken
            result.report = merged.report
            stage.copy_assets(STATIC_DIR)
            result.files = len(records) + len(assets)
            if search:
                progress.stage("検索インデックスを作成中")
                build_index(stage.folder)
                result.timings["search index"] = time.perf_counter() - t3
            t4 = time.perf_counter()
            stage.commit()
        try:
            if incremental:
                cache.save(results.values(), made, site_records)
            else:
                cache.clear()  # the output no longer matches what the cache last described
        finally:
            stage.wait()  # the old site is removed while the cache is saved
        result.timings["write"] = time.perf_counter() - t4
        result.rebuilt = len(made)
        result.reused = len(todo) - len(made)
        return result
    finally:
        progress.clear()


def default_jobs() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _site(scanned: Scanned, schemas: Schemas, results: list[units.UnitResult]) -> Site:
    """Assemble the site model for the site-wide pages from the units' results, in content order."""
    by_org: dict[str, list[units.UnitResult]] = {}
    for r in results:
        by_org.setdefault(r.org, []).append(r)
    organizations = []
    for org, _folders in scanned.organizations:
        org = Organization(org.slug, org.data, org.source)
        for r in by_org.get(org.slug, []):
            org.assessments.append(Assessment(org, r.slug, list(r.versions), key=r.public))
        organizations.append(org)
    return Site(organizations, schemas, aliases=scanned.aliases)


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
