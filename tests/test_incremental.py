"""Incremental builds: after each kind of edit, a rebuild into the previous output equals a clean build.

The rebuild makes only the assessments whose files (or organisation file) changed and takes the
rest, and the unchanged site-wide pages, from the previous build; its output must be byte for
byte what a clean build of the edited tree gives, for edits that change the index, organisation,
entity, law and comparison pages too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import shutil
import sys
import types
from pathlib import Path

import pytest
from conftest import CONTENT

from piasite.build.fingerprints import CACHE_FORMAT
from piasite.build.pipeline import build

ROOT = Path(__file__).resolve().parent.parent

from tools import corpus  # noqa: E402

N = 12


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A generated tree and its site, built with the cache beside it (work/.site.cache)."""
    work = tmp_path_factory.mktemp("incremental")
    corpus.generate(N, 5, work / "content")
    result = build(work / "content", work / "site", search=False, jobs=2)
    assert result.rebuilt == N and result.reused == 0
    return work / "content", work / "site"


def _copy(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """Copy the tree, the site and its cache (modification times kept, as a rebuild needs them)."""
    content, site = built
    shutil.copytree(content, tmp_path / "content")
    shutil.copytree(site, tmp_path / "site")
    shutil.copytree(site.parent / ".site.cache", tmp_path / ".site.cache")
    return tmp_path / "content", tmp_path / "site"


def _assert_same_as_clean(content: Path, site: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    build(content, clean, search=False, jobs=1, incremental=False)
    assert _digest(site) == _digest(clean)


def test_a_rebuild_without_changes_reuses_every_assessment_and_changes_nothing(built, tmp_path):
    content, site = _copy(built, tmp_path)
    before = _digest(site)
    result = build(content, site, search=False, jobs=2)
    assert (result.rebuilt, result.reused) == (0, N)
    assert _digest(site) == before


@pytest.mark.parametrize("kind", corpus.EDIT_KINDS)
def test_a_rebuild_after_an_edit_equals_a_clean_build(built, tmp_path, kind):
    content, site = _copy(built, tmp_path)
    edited = corpus.edit(content, kind, seed=1)
    before = _digest(site)
    result = build(content, site, search=False, jobs=2)
    expected = len(list(edited.parent.iterdir())) - 1 if kind == "org" else 1  # an org file: all its assessments
    assert result.rebuilt == expected
    assert result.reused == N - expected
    after = _digest(site)
    changed = {p for p in after if before.get(p) != after[p]}
    # the edit shows on site-wide pages too (a name in the index or on entity pages, a new version in the feed)
    assert "feed.xml" in changed or kind in ("text", "entity")
    if kind in ("org", "entity"):
        assert any(p.startswith("entities/") for p in changed)
    if kind == "version":
        assert "index.html" in changed
    _assert_same_as_clean(content, site, tmp_path)


def test_a_rebuild_after_a_changed_self_assessment_equals_a_clean_build(built, tmp_path):
    content, site = _copy(built, tmp_path)
    path = next(p for p in sorted(content.glob("*/*/*.yaml")) if ": 十分である" in p.read_text(encoding="utf-8"))
    path.write_text(
        path.read_text(encoding="utf-8").replace(": 十分である", ": 特に力を入れている", 1), encoding="utf-8"
    )
    before = _digest(site)
    result = build(content, site, search=False, jobs=2)
    assert result.rebuilt == 1
    after = _digest(site)
    assert before["compare/index.html"] != after["compare/index.html"]
    changed = {p for p in after if before.get(p) != after[p]}
    assert any(p.startswith("compare/q-") for p in changed)  # the question's own page
    _assert_same_as_clean(content, site, tmp_path)


def test_a_removed_assessment_disappears_from_a_rebuild(built, tmp_path):
    content, site = _copy(built, tmp_path)
    folder = sorted(p for p in content.glob("*/*") if p.is_dir())[0]
    shutil.rmtree(folder)
    result = build(content, site, search=False, jobs=2)
    assert result.rebuilt == 0 and result.reused == N - 1
    assert not (site / folder.relative_to(content)).exists()
    _assert_same_as_clean(content, site, tmp_path)


def test_a_page_changed_in_the_output_by_hand_is_made_again(built, tmp_path):
    content, site = _copy(built, tmp_path)
    folder = sorted(p for p in content.glob("*/*") if p.is_dir())[0]
    page = site / folder.relative_to(content) / "index.html"
    page.write_text("changed by hand", encoding="utf-8")
    entity = sorted(site.glob("entities/e-*/index.html"))[0]
    entity.write_text("changed by hand", encoding="utf-8")
    result = build(content, site, search=False, jobs=2)
    assert result.rebuilt == 1
    _assert_same_as_clean(content, site, tmp_path)


def test_a_cache_written_by_an_older_program_is_not_used_and_the_build_is_full(built, tmp_path, monkeypatch):
    """A cache restored in CI from before an upgrade may name classes that have since moved to other modules."""
    content, site = _copy(built, tmp_path)
    moved = types.ModuleType("piasite.units")  # where PageRecord was before the package had sub-packages
    moved.PageRecord = type("PageRecord", (), {"__module__": "piasite.units"})
    monkeypatch.setitem(sys.modules, "piasite.units", moved)
    manifest = {"format": CACHE_FORMAT, "units": [], "site_pages": {"index.html": ("", moved.PageRecord())}}
    data = pickle.dumps(manifest)
    monkeypatch.delitem(sys.modules, "piasite.units")
    (tmp_path / ".site.cache" / "manifest.pickle").write_bytes(data)
    result = build(content, site, search=False, jobs=2)
    assert (result.rebuilt, result.reused) == (N, 0)
    _assert_same_as_clean(content, site, tmp_path)


def test_a_rebuild_does_not_write_through_to_the_previous_site(built, tmp_path):
    """Unchanged pages are hard links to the previous site's files; an edit must never alter those."""
    content, site = _copy(built, tmp_path)
    kept = tmp_path / "kept"
    shutil.copytree(
        site, kept, copy_function=lambda src, dst: Path(dst).hardlink_to(src)
    )  # a second name for each file
    before = _digest(kept)
    corpus.edit(content, "text", seed=2)
    build(content, site, search=False, jobs=2)
    assert _digest(kept) == before


def test_fingerprints_tell_nested_structures_apart():
    from piasite.build.fingerprints import job_fingerprint
    from piasite.output.pages import PageJob

    def fp(params: dict) -> str:
        return job_fingerprint(PageJob("x/index.html", "entity.html", params))

    variants = [
        {"a": [[1], 2]},
        {"a": [[1, 2]]},
        {"a": [1, 2]},
        {"a": ["1", 2]},
        {"a": {"1": 2}},
        {"a": {1, 2}},
        {"a": (1, 2, 3)},
    ]
    assert len({fp(v) for v in variants}) == len(variants)
    assert fp({"a": [[1], 2]}) == fp({"a": [[1], 2]})


def _scramble(data: object) -> object:
    """Return the data with every text changed (keys, numbers and booleans kept)."""
    if isinstance(data, dict):
        return {k: _scramble(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_scramble(v) for v in data]
    return f"改変{data}" if isinstance(data, str) else data


def _extract(site, assessment):
    from piasite.analysis import extracts
    from piasite.document.sections import Documents

    return extracts.extract(Documents(site.schemas), assessment, site.aliases, site.glossary)


def test_site_wide_pages_show_nothing_of_an_assessment_beyond_its_public_summary():
    """A rebuild trusts render.public_summary: scrambling every other text of every version (the
    names, citations and answers the pages show stay in the extracts) must leave those pages as they were."""
    import copy

    from piasite.analysis import extracts
    from piasite.build.pipeline import validate
    from piasite.output import render, sitewide

    site, _ = validate(CONTENT)
    found = {(a.org.slug, a.slug): _extract(site, a) for a in site.assessments}
    merged = extracts.merge(site, found)
    env, ctx = render.make_environment(), render.PageContext(site)
    jobs, _ = sitewide.site_page_jobs(site, merged, [], "https://example.org/")
    before = {job.path: job.render(env, ctx).content for job in jobs}
    summaries = [render.public_summary(a) for a in site.assessments]
    for a in site.assessments:
        for v in a.versions:
            kept = copy.deepcopy(v.data)
            v.data.clear()
            v.data.update(_scramble(kept))
            # put back exactly what the public summary reads
            for key in render._PUBLIC_KEYS:
                if key in kept:
                    v.data[key] = kept[key]
            v.data["cover"]["title"] = kept["cover"].get("title")
            if "disclosure" in kept:
                v.data["disclosure"] = kept["disclosure"]
    assert [render.public_summary(a) for a in site.assessments] == summaries
    changed = sorted(
        path
        for path, html in before.items()
        if next(j for j in jobs if j.path == path).render(env, ctx).content != html
    )
    assert changed == []
    assert len(before) > 30


def test_site_wide_pages_need_only_the_public_data_of_each_version():
    """A build keeps only render.public_data of each version for the site-wide pages; they must come out the same."""
    from piasite.analysis import extracts
    from piasite.build.pipeline import validate
    from piasite.output import render, sitewide

    site, _ = validate(CONTENT)
    merged = extracts.merge(site, {(a.org.slug, a.slug): _extract(site, a) for a in site.assessments})
    env, ctx = render.make_environment(), render.PageContext(site)
    jobs, pages = sitewide.site_page_jobs(site, merged, [], "https://example.org/")
    before = [job.render(env, ctx).content for job in jobs] + [p.content for p in pages]
    for a in site.assessments:
        for v in a.versions:
            slim = render.public_data(v.data)
            v.data.clear()
            v.data.update(slim)
    jobs, pages = sitewide.site_page_jobs(site, merged, [], "https://example.org/")
    assert [job.render(env, ctx).content for job in jobs] + [p.content for p in pages] == before


def test_a_new_reference_date_remakes_only_the_assessments_whose_notes_change(built, tmp_path):
    """Pages depend on the reference date only through their freshness notes: a rebuild as of another date
    makes again just the assessments with a deadline between the two dates, and equals a clean build."""
    from piasite.build.cache import Cache

    content, site = _copy(built, tmp_path)
    made = Cache(site).current()
    before = {r.as_of.iso for r in made.values()}
    assert len(before) == 1
    start = dt.date.fromisoformat(before.pop())
    deadlines = sorted({d for r in made.values() for d in r.deadlines if d > start})
    assert deadlines, "the generated tree should have a freshness deadline after its newest version"
    later = deadlines[len(deadlines) // 2]
    crossing = sum(1 for r in made.values() if any(start < d <= later for d in r.deadlines))
    result = build(content, site, search=False, jobs=2, build_date=later.isoformat())
    assert 0 < result.rebuilt == crossing < N
    clean = tmp_path / "clean"
    build(content, clean, search=False, jobs=1, incremental=False, build_date=later.isoformat())
    assert _digest(site) == _digest(clean)


def test_a_changed_glossary_rebuilds_what_shows_it_and_equals_a_clean_build(built, tmp_path):
    """glossary.yaml is part of every unit's key (the units find its terms) and of the glossary page's fingerprint."""
    content, site = _copy(built, tmp_path)
    glossary = ROOT / "content" / "glossary.yaml"
    (content / "glossary.yaml").write_text(glossary.read_text(encoding="utf-8"), encoding="utf-8")
    before = _digest(site)
    result = build(content, site, search=False, jobs=2)
    assert result.rebuilt == N
    after = _digest(site)
    assert before["glossary/index.html"] != after["glossary/index.html"]
    assert before["search/words.json"] != after["search/words.json"]
    _assert_same_as_clean(content, site, tmp_path)
    text = (content / "glossary.yaml").read_text(encoding="utf-8")
    edited = text.replace("一人ひとりに指定される", "一人ひとりに指定されている", 1)
    (content / "glossary.yaml").write_text(edited, encoding="utf-8")
    build(content, site, search=False, jobs=2)
    assert _digest(site)["glossary/index.html"] != after["glossary/index.html"]
    _assert_same_as_clean(content, site, tmp_path / "again")
