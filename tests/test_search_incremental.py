"""The incremental search index: bundles fixed by their folders' names, and a rebuild that indexes again
only the bundles whose pages changed, taking the others from the previous site, with an output equal,
byte for byte, to a clean build's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from piasite.build.pipeline import build
from piasite.output import search
from piasite.output.search import BUNDLES, VOCABULARY, build_index, plan_bundles
from piasite.urls import SITE_FOLDERS
from tools import corpus

LIMIT = 300_000  # bytes of indexed pages per bundle: the generated tree below gets several bundles


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _pages(site: Path, tmp: Path) -> Path:
    """A copy of a site without its search index (a build's stage before the index stage)."""
    shutil.copytree(site, tmp, ignore=shutil.ignore_patterns("pagefind*"))
    return tmp


def _linker(old: Path, new: Path):
    def link(paths: list[str]) -> None:
        for path in paths:
            (new / path).parent.mkdir(parents=True, exist_ok=True)
            os.link(old / path, new / path)

    return link


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, dict[str, search.Made]]:
    """A generated tree's site (without the index), indexed in several bundles."""
    work = tmp_path_factory.mktemp("search-incremental")
    corpus.generate(12, 5, work / "content")
    build(work / "content", work / "built", search=False, jobs=2)
    site = _pages(work / "built", work / "site")
    made = build_index(site, shard_bytes=LIMIT)
    assert len(made) >= 3
    return site, made


def _edit_one_page(site: Path) -> str:
    """Add a word to the indexed body of one assessment page; return the page's organisation folder."""
    page = next(
        p for p in sorted(site.glob("*/*/index.html"))
        if p.parent.parent.name not in SITE_FOLDERS and b"data-pagefind-body" in p.read_bytes()
    )
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</main>", "<p>追記した一文です。</p></main>", 1), encoding="utf-8")
    return page.relative_to(site).parts[0]


def test_a_page_changed_in_one_bundle_changes_only_that_bundle(indexed, tmp_path, monkeypatch):
    site, made = indexed
    stage = _pages(site, tmp_path / "stage")
    org = _edit_one_page(stage)
    (changed,) = [b.name for b in plan_bundles(stage, LIMIT) if f"{org}/**/*.html" in b.globs]
    indexed_again = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda s, name, *a: (indexed_again.append(name), real(s, name, *a)))
    again = build_index(stage, shard_bytes=LIMIT, previous=made, old_site=site, link=_linker(site, stage))
    assert indexed_again == [changed]
    assert {n for n in made if again[n] != made[n]} == {changed}
    before, after = _digest(site), _digest(stage)
    differ = {p.split("/")[0] for p in set(before) | set(after) if before.get(p) != after.get(p)}
    # the edited page itself, its bundle, and the vocabulary in pagefind/ (it gained a word)
    assert differ - {org} <= {changed, "pagefind"}
    for name in made:
        if name not in (changed, "pagefind"):
            files = [p for p, _ in made[name].files]
            assert all(os.path.samefile(site / p, stage / p) for p in files), name  # linked, not written


def test_an_incremental_index_equals_a_clean_one(indexed, tmp_path):
    site, made = indexed
    stage = _pages(site, tmp_path / "stage")
    _edit_one_page(stage)
    build_index(stage, shard_bytes=LIMIT, previous=made, old_site=site, link=_linker(site, stage))
    clean = _pages(stage, tmp_path / "clean")
    build_index(clean, shard_bytes=LIMIT)
    assert _digest(stage) == _digest(clean)


def test_a_bundle_is_indexed_again_when_its_files_in_the_previous_site_are_gone(indexed, tmp_path):
    site, made = indexed
    old = tmp_path / "old"
    shutil.copytree(site, old)
    victim = sorted(made)[-1]
    shutil.rmtree(old / victim)
    stage = _pages(site, tmp_path / "stage")
    build_index(stage, shard_bytes=LIMIT, previous=made, old_site=old, link=_linker(old, stage))
    assert _digest(stage) == _digest(site)


def test_bundles_are_fixed_by_folder_names_and_double_as_the_site_grows(indexed, tmp_path):
    site, _ = indexed
    bundles = plan_bundles(site, LIMIT)
    where = {g: b.name for b in bundles for g in b.globs}
    # every indexed part once; the organisations whole
    assert len(where) == sum(len(b.globs) for b in bundles)
    # the count of bundles is a power of two (the empty ones left out)
    for limit in (10**12, LIMIT, LIMIT // 2, 1):
        numbers = [1 if b.name == "pagefind" else int(b.name.split("-")[1]) for b in plan_bundles(site, limit)]
        count = 1
        while count < max(numbers):
            count *= 2
        assert numbers == sorted(numbers) and count & (count - 1) == 0
    # removing an organisation moves no other part to another bundle (while the count stays: with
    # bundles of a third of the site on average there are four, and still four without a small one)
    total = sum(len(d) for p in site.rglob("*.html") if b"data-pagefind-body" in (d := p.read_bytes()))
    limit = total // 3
    before = {g: b.name for b in plan_bundles(site, limit) for g in b.globs}
    organisations = {g.split("/")[0] for g in before if not g.startswith(("entities/", "laws/"))}
    gone = min(organisations, key=lambda o: sum(p.stat().st_size for p in (site / o).rglob("*.html")))
    smaller = _pages(site, tmp_path / "smaller")
    shutil.rmtree(smaller / gone)
    after = plan_bundles(smaller, limit)
    assert len({b.name for b in after}) == len(set(before.values())) == 4
    moved = {g for b in after for g in b.globs if before[g] != b.name}
    assert not moved


def test_the_vocabulary_and_bundle_list_come_from_every_bundle(indexed):
    site, made = indexed
    vocabulary = json.loads((site / VOCABULARY).read_text(encoding="utf-8"))
    assert vocabulary == sorted({w for m in made.values() for w in m.words})
    assert json.loads((site / BUNDLES).read_text(encoding="utf-8")) == [f"{n}/" for n in made if n != "pagefind"]


@pytest.mark.slow  # three whole builds; the fast tier keeps the bundle-level tests above
def test_a_rebuild_with_the_index_equals_a_clean_build_and_indexes_one_bundle(tmp_path, monkeypatch):
    """The pipeline keeps the bundles in its cache: after a one-file edit one bundle is indexed again."""
    monkeypatch.setattr(search, "SHARD_BYTES", LIMIT)
    corpus.generate(12, 5, tmp_path / "content")
    site = tmp_path / "site"
    build(tmp_path / "content", site, jobs=2)
    assert len(json.loads((site / BUNDLES).read_text(encoding="utf-8"))) >= 2
    corpus.edit(tmp_path / "content", "text", seed=1)
    runs = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda s, name, *a: (runs.append(name), real(s, name, *a)))
    build(tmp_path / "content", site, jobs=2)
    assert len(runs) == 1
    clean = tmp_path / "clean"
    build(tmp_path / "content", clean, jobs=1, incremental=False)
    assert _digest(site) == _digest(clean)
