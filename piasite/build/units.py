"""The per-assessment part of a build: load, validate, analyse and render one assessment folder.

Assessments are independent of each other (their pages link to entity and law pages by addresses
derived from the names alone), so a build runs them as units on every core, in forked worker
processes that write their pages straight into the staging folder. Each unit's result (problems,
data, page records) is kept in a cache beside the output, keyed by everything the unit was made
from: its files, its organisation's file, aliases.yaml, the program and its templates. A rebuild
makes again only the units whose key changed and hard-links the others' pages from the current site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from ..analysis import extracts
from ..analysis.history import analyse
from ..document.sections import Documents
from ..model.content import Assessment, Organization, Site, Version, display_path, load_assessment, version_files
from ..model.errors import ContentProblem
from ..model.schema import Schemas
from ..output import render
from ..output.links import PageLinks, read_page
from ..output.pages import Page, PageJob
from ..output.writer import write_page

log = logging.getLogger(__name__)

PROGRAM_DIRS = ("piasite", "templates", "schema")
LIBRARIES = ("Jinja2", "MarkupSafe", "PyYAML", "markdown-it-py", "jsonschema", "fastjsonschema", "diff-match-patch",
             "fast-diff-match-patch")
ROOT = Path(__file__).resolve().parents[2]
CACHE_FORMAT = 7


@dataclass
class PageRecord:
    """A page a build wrote: its path, what the link check needs, and how to know it is unchanged."""

    path: str
    size: int
    mtime_ns: int
    links: PageLinks | None = None  # for HTML pages


@dataclass
class UnitResult:
    """What one assessment folder gave: its problems, its versions' data, extracts and pages."""

    key: str
    org: str
    slug: str
    problems: list[ContentProblem]
    shown_root: str = ""  # how the content folder was written in the problems' file names
    versions: list[Version] = field(default_factory=list)  # their public data only (render.public_data)
    extract: extracts.Extract | None = None
    pages: list[PageRecord] = field(default_factory=list)
    public: str = ""  # digest of render.public_summary: what site-wide pages show of the assessment
    # digests of the extract's parts, of which the entity, law and comparison pages are made
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def shown_from(self, root: str) -> UnitResult:
        """Return the result with its problems' file names under `root` (the content folder as shown now)."""
        if root == self.shown_root:
            return self

        def moved(name: str) -> str:
            rest = os.path.relpath(name, self.shown_root) if self.shown_root else name
            return os.path.normpath(os.path.join(root, rest))

        problems = [dataclasses.replace(p, file=moved(p.file)) for p in self.problems]
        versions = [Version(v.date, v.data, moved(v.source), None) for v in self.versions]
        return dataclasses.replace(self, problems=problems, versions=versions, shown_root=root)


@dataclass
class Unit:
    """An assessment folder to build, with its organisation and the key of its inputs."""

    org: Organization
    folder: Path
    key: str
    check_only: bool = False  # its organisation's file is broken: validate, render nothing


@lru_cache(maxsize=1)
def program_fingerprint() -> str:
    """Hash the program, templates and schemas, and the versions of the libraries that shape output."""
    h = hashlib.sha256(f"cache format {CACHE_FORMAT}".encode())
    for name in PROGRAM_DIRS:
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}=={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(lib.encode())
    return h.hexdigest()


def unit_key(org: Organization, folder: Path, shared: str) -> str:
    """Return the key of a unit: a hash of its files (names and bytes), its organisation's and `shared`."""
    h = hashlib.sha256(shared.encode())
    # names within the content folder, not where it is: a moved checkout keeps its cache
    org_file = folder.parent / "organization.yaml"
    org_bytes = org_file.read_bytes() if org_file.is_file() else b"(missing)"
    h.update(f"{folder.parent.name}/{folder.name}".encode() + b"\0" + org_bytes + b"\0")
    for path in version_files(folder):
        h.update(b"\0" + path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes() if path.is_file() else b"(not a file)")
        except OSError as exc:
            h.update(str(exc).encode())
    return h.hexdigest()


# What a worker needs, set before the pool forks so that every worker inherits it.
_WORK: dict = {}


# from this many assessments on, compiling the schema's fast check pays for itself (Schema.prepare)
FAST_VALIDATION_FROM = 20


def run_units(
    units: list[Unit],
    site_root: Path,
    schemas: Schemas,
    aliases: dict[str, str],
    stage: Path,
    jobs: int,
    done: Callable[[UnitResult], None],
    shown_root: str = "",
) -> None:
    """Build every unit (in `jobs` forked processes when there is more than one) and pass each result to `done`."""
    if len(units) >= FAST_VALIDATION_FROM:
        schemas.assessment.prepare()
    _WORK.update(
        root=site_root,
        schemas=schemas,
        aliases=aliases,
        stage=stage,
        env=render.make_environment(),
        shown_root=shown_root,
    )
    try:
        if jobs <= 1 or len(units) <= 1:
            for unit in units:
                done(_run(unit))
            return
        # the biggest first, so that no worker is left with a long one at the end
        order = sorted(units, key=_size, reverse=True)
        chunks = [order[i :: jobs * 4] for i in range(min(len(order), jobs * 4))]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            pending = {pool.submit(_run_chunk, chunk) for chunk in chunks}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in finished:
                    for result in future.result():  # a worker's exception is raised here
                        done(result)
    finally:
        _WORK.clear()


def run_pages(jobs: list[PageJob], site: Site, stage: Path, processes: int) -> list[PageRecord]:
    """Render the site-wide pages (in `processes` forked processes when there is more than one) into the stage."""
    _WORK.update(page_jobs=jobs, site=site, stage=stage, env=render.make_environment())
    try:
        if processes <= 1 or len(jobs) < 50:
            return _render_jobs(0, 1)
        context = multiprocessing.get_context("fork")
        step = processes * 4
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            parts = [pool.submit(_render_jobs, i, step) for i in range(step)]
            done = [part.result() for part in parts]
        out: list[PageRecord] = [None] * len(jobs)  # type: ignore[list-item]
        for i, part in enumerate(done):
            out[i::step] = part
        return out
    finally:
        _WORK.clear()


def _render_jobs(first: int, step: int) -> list[PageRecord]:
    env, stage = _WORK["env"], _WORK["stage"]
    ctx = render.PageContext(_WORK["site"])
    out = []
    for job in _WORK["page_jobs"][first::step]:
        page = job.render(env, ctx)
        out.append(record(page, *write_page(stage, page)))
    return out


def _size(unit: Unit) -> int:
    return sum(p.stat().st_size for p in unit.folder.iterdir() if p.is_file())


def _run_chunk(chunk: list[Unit]) -> list[UnitResult]:
    return [_run(unit) for unit in chunk]


def _run(unit: Unit) -> UnitResult:
    """Load, validate, analyse and render one assessment folder, writing its pages into the stage."""
    schemas, env, stage = _WORK["schemas"], _WORK["env"], _WORK["stage"]
    problems: list[ContentProblem] = []
    org = Organization(unit.org.slug, unit.org.data, unit.org.source)
    assessment = load_assessment(org, unit.folder, _WORK["root"], schemas, problems)
    result = UnitResult(unit.key, org.slug, unit.folder.name, problems, _WORK["shown_root"])
    if assessment is None or result.failed or unit.check_only:
        return result
    org.assessments.append(assessment)
    site = Site([org], schemas, aliases=_WORK["aliases"])
    docs = Documents(schemas)
    try:
        histories, warnings = analyse(site, docs)
        problems.extend(warnings)
        result.extract = extracts.extract(docs, assessment)
        latest = render.link_document(docs.of(assessment.latest, org.name), result.extract, site.aliases)
        history = histories.get((org.slug, assessment.slug))
        shared: dict[frozenset[str], frozenset[str]] = {}
        pages = render.assessment_pages(env, site, docs, latest, assessment, history, render.PageContext(site))
        for page in pages:
            rec = record(page, *write_page(stage, page))
            if rec.links is not None:  # the same ids on two pages are kept (and cached) once
                rec.links = dataclasses.replace(rec.links, ids=shared.setdefault(rec.links.ids, rec.links.ids))
            result.pages.append(rec)
    except Exception:
        log.error("while building %s", display_path(unit.folder))
        raise
    # the site-wide pages read only this much of each version (render.public_summary)
    result.versions = [Version(v.date, render.public_data(v.data), v.source, None) for v in assessment.versions]
    result.public = _digest(render.public_summary(assessment), {})
    extract = result.extract
    result.digests = {name: _digest(getattr(extract, name), {}) for name in ("mentions", "citations", "answers")}
    extract.ids = set()  # used for the anchors above; the site-wide pages do not need them
    return result


def record(page: Page, size: int, mtime_ns: int) -> PageRecord:
    """Describe a written page for the link check and for the next build."""
    if page.path.endswith(".html") and isinstance(page.content, str):
        return PageRecord(page.path, size, mtime_ns, read_page(page.path, page.content))
    return PageRecord(page.path, size, mtime_ns)


def job_fingerprint(job: PageJob, memo: dict[int, str] | None = None) -> str:
    """Hash all that a site-wide page is rendered from: the program, its path, template and names.

    An assessment stands for the digest of what site-wide pages show of it (its public summary),
    so the hash changes exactly when something the page can show changes. `memo` keeps the digests of objects that
    several pages share (a law on each of its article pages), for as long as those objects live.
    """
    memo = {} if memo is None else memo
    text = "\x1f".join([program_fingerprint(), job.path, job.template, _digest(job.params, memo)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _digest(obj: object, memo: dict[int, str]) -> str:
    """Return a canonical text of a value, or a hash of one for containers and the model's dataclasses."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, (uuid.UUID, dt.date)):
        return f"{type(obj).__name__}:{obj}"
    if isinstance(obj, Assessment):
        return f"A:{obj.org.slug}/{obj.slug}:{obj.key}"
    known = memo.get(id(obj))
    if known is not None:
        return known
    if isinstance(obj, Organization):
        parts = [
            f"O:{obj.slug}:{obj.source}:{len(obj.assessments)}",
            _digest(obj.data, memo),
            *(f"A:{a.slug}:{a.key}" for a in obj.assessments),
        ]
    elif isinstance(obj, Site):
        parts = [
            f"S{len(obj.organizations)}",
            *(_digest(org, memo) for org in obj.organizations),
            _digest(obj.aliases, memo),
        ]
    elif isinstance(obj, dict):
        parts = [f"{{{len(obj)}", *(f"{_digest(k, memo)}={_digest(v, memo)}" for k, v in obj.items())]
    elif isinstance(obj, (list, tuple)):
        parts = [f"[{len(obj)}", *(_digest(v, memo) for v in obj)]
    elif isinstance(obj, (set, frozenset)):
        parts = [f"<{len(obj)}", *sorted(_digest(v, memo) for v in obj)]
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        parts = [f"D:{type(obj).__name__}", *(_digest(getattr(obj, name), memo) for name in _field_names(type(obj)))]
    else:
        raise TypeError(f"no canonical form for {type(obj).__name__}")
    text = "\x1f".join(parts)
    # a short text stands for itself; a long one (a law with its articles, the comparison) by its hash
    digest = text if len(text) < 160 else hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    memo[id(obj)] = digest
    return digest


def site_digests(results: list[UnitResult], merged: extracts.Merged, aliases: dict[str, str]) -> dict[int, str]:
    """Return the digests of the merged indexes (comparison and its questions, laws, entities), by object id.

    Each of them is made from every assessment's extract part, in site order; a page showing one
    law or entity is given the digest of all citations or mentions, which changes whenever any
    could have changed it (and is far cheaper than walking every cited item).
    """

    def part(name: str) -> str:
        return digest_of([*(f"{r.public}:{r.digests[name]}" for r in results), json.dumps(aliases, sort_keys=True)])

    answers = part("answers")
    memo = {id(merged.comparison): answers}
    for question in merged.comparison.questions:
        memo[id(question)] = digest_of([answers, question.path])
    cited, mentioned = part("citations"), part("mentions")
    memo[id(merged.cited)] = cited
    for law in merged.cited.laws.values():
        memo[id(law)] = digest_of([cited, law.key])
        for article in law.articles.values():
            memo[id(article)] = digest_of([cited, law.key, article.key])
    for entity in merged.entities.values():
        memo[id(entity)] = digest_of([mentioned, entity.slug])
    return memo


def digest_of(parts: Iterable[str]) -> str:
    """Hash a sequence of texts (digests of the things a page is made from)."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class Cache:
    """Unit results of earlier builds, beside the output folder (.<out>.cache/), by key.

    `manifest` lists the units whose pages the current output folder holds; only those can be
    reused, and only while their files are still the ones written (same size and mtime).
    """

    def __init__(self, out: Path):
        out = Path(out).absolute()
        self.folder = out.parent / f".{out.name}.cache"
        self.manifest_file = self.folder / "manifest.pickle"

    def current(self) -> dict[str, UnitResult]:
        """Return the units the current output was built from, by key ({} when unknown)."""
        try:
            with open(self.manifest_file, "rb") as f:
                manifest = pickle.load(f)
            if manifest.get("format") != CACHE_FORMAT:
                return {}
            results = {}
            for key in manifest["units"]:
                with open(self.folder / "units" / f"{key}.pickle", "rb") as f:
                    results[key] = pickle.load(f)
            return results
        except (OSError, EOFError, pickle.UnpicklingError, KeyError, AttributeError, TypeError, ValueError):
            return {}

    def site_pages(self) -> dict[str, tuple[str, PageRecord]]:
        """Return the site-wide pages of the current output: path → (fingerprint, record)."""
        try:
            with open(self.manifest_file, "rb") as f:
                manifest = pickle.load(f)
            return manifest.get("site_pages", {}) if manifest.get("format") == CACHE_FORMAT else {}
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
            return {}

    def save(
        self,
        results: Iterable[UnitResult],
        new: Iterable[UnitResult],
        site_pages: dict[str, tuple[str, PageRecord]] | None = None,
    ) -> None:
        """Store the new results and make `results` (and `site_pages`) the manifest; drop results no longer listed."""
        try:
            units = self.folder / "units"
            units.mkdir(parents=True, exist_ok=True)
            for result in new:
                _atomic_write(units / f"{result.key}.pickle", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            keys = sorted({r.key for r in results})
            manifest = {"format": CACHE_FORMAT, "units": keys, "site_pages": site_pages or {}}
            _atomic_write(self.manifest_file, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
            keep = {f"{k}.pickle" for k in keys}
            for path in units.iterdir():
                if path.name not in keep:
                    path.unlink(missing_ok=True)
        except OSError as exc:
            # the site is already published; without a cache the next build is simply a full one
            log.warning("ビルドのキャッシュを保存できませんでした(%s)。次回はすべてを生成し直します。", exc)
            self.clear()

    def clear(self) -> None:
        try:
            self.manifest_file.unlink(missing_ok=True)
        except OSError:
            pass


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
