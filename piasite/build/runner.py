"""Run the assessment units: in forked worker processes that inherit what they need, or in this one.

The per-unit work is units.build_unit; the site-wide pages are rendered the same way (run_pages).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from pathlib import Path

from ..analysis.provenance import AsOf
from ..model.content import Site
from ..model.glossary import Glossary
from ..model.schema import Schemas
from ..output import render
from ..output.pages import PageJob
from ..output.writer import write_page
from .units import PageRecord, Unit, UnitContext, UnitResult, build_unit, record

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
    base_url: str = "",
    when: AsOf | None = None,
    glossary: Glossary | None = None,
) -> None:
    """Build every unit (in `jobs` forked processes when there is more than one) and pass each result to `done`."""
    if len(units) >= FAST_VALIDATION_FROM:
        schemas.assessment.prepare()
    _WORK["unit"] = UnitContext(
        site_root, schemas, aliases, stage, render.make_environment(), shown_root, base_url, when,
        glossary or Glossary(),
    )
    try:
        if jobs <= 1 or len(units) <= 1:
            for unit in units:
                done(build_unit(unit, _WORK["unit"]))
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
    return [build_unit(unit, _WORK["unit"]) for unit in chunk]
