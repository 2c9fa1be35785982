"""The incremental search index: bundles fixed by their folders' names, kept in a store by the digest of
their pages, and a rebuild that indexes again only the bundles whose pages changed, with an output
(the bundles merged into one index) equal, byte for byte, to a clean build's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from piasite.build.pipeline import build
from piasite.output import search
from piasite.output.search import VOCABULARY, build_index, plan_bundles
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


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, Path, dict[str, search.Made]]:
    """A generated tree's site (without the index), indexed in several bundles; the bundles' store."""
    work = tmp_path_factory.mktemp("search-incremental")
    corpus.generate(12, 5, work / "content")
    build(work / "content", work / "built", search=False, jobs=2)
    site = _pages(work / "built", work / "site")
    made = build_index(site, work / "store", shard_bytes=LIMIT)
    assert len(made) >= 3
    return site, work / "store", made


def _copy(store: Path, tmp: Path) -> Path:
    shutil.copytree(store, tmp)
    return tmp


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
    site, store, made = indexed
    store = _copy(store, tmp_path / "store")
    before = _digest(store)
    stage = _pages(site, tmp_path / "stage")
    org = _edit_one_page(stage)
    (changed,) = [b for b in plan_bundles(stage, LIMIT) if f"{org}/**/*.html" in b.globs]
    indexed_again = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda s, out, *a: (indexed_again.append(out.name), real(s, out, *a)))
    again = build_index(stage, store, shard_bytes=LIMIT, previous=made)
    assert indexed_again == [f"{changed.folder}.new"]
    assert {n for n in made if again[n] != made[n]} == {changed.name}
    # the other bundles' files in the store are untouched, and the changed one is a new folder beside the old
    after = _digest(store)
    assert {p: d for p, d in after.items() if p in before} == before
    assert {p.split("/")[0] for p in after.keys() - before.keys()} == {changed.folder}
    # the served index changed: the edited page's words are found
    assert "追記" in json.loads((stage / VOCABULARY).read_text(encoding="utf-8"))


def test_an_incremental_index_equals_a_clean_one(indexed, tmp_path):
    site, store, made = indexed
    stage = _pages(site, tmp_path / "stage")
    _edit_one_page(stage)
    build_index(stage, _copy(store, tmp_path / "store"), shard_bytes=LIMIT, previous=made)
    clean = _pages(stage, tmp_path / "clean")
    build_index(clean, tmp_path / "clean-store", shard_bytes=LIMIT)
    assert _digest(stage) == _digest(clean)
    assert _digest(tmp_path / "store" / plan_bundles(stage, LIMIT)[0].folder) == _digest(
        tmp_path / "clean-store" / plan_bundles(stage, LIMIT)[0].folder
    )


def test_a_bundle_is_indexed_again_when_its_files_in_the_store_are_gone(indexed, tmp_path, monkeypatch):
    site, store, made = indexed
    store = _copy(store, tmp_path / "store")
    victim = plan_bundles(site, LIMIT)[-1]
    next((store / victim.folder / "fragment").iterdir()).unlink()
    runs = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda s, out, *a: (runs.append(out.name), real(s, out, *a)))
    stage = _pages(site, tmp_path / "stage")
    build_index(stage, store, shard_bytes=LIMIT, previous=made)
    assert runs == [f"{victim.folder}.new"]
    assert _digest(stage) == _digest(site)


def test_bundles_are_fixed_by_folder_names_and_double_as_the_site_grows(indexed, tmp_path):
    site, _store, _made = indexed
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


def test_the_vocabulary_comes_from_every_bundle_and_the_site_serves_one_index(indexed):
    site, store, made = indexed
    vocabulary = json.loads((site / VOCABULARY).read_text(encoding="utf-8"))
    assert vocabulary == sorted({w for m in made.values() for w in m.words})
    assert [p.name for p in site.iterdir() if p.name.startswith("pagefind")] == ["pagefind"]
    assert sorted(p.name for p in store.iterdir()) == sorted(search.store_folders(made))
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert [lang["page_count"] for lang in entry["languages"].values()] == [
        sum(1 for p in site.rglob("*.html") if b"data-pagefind-body" in p.read_bytes())
    ]


@pytest.mark.slow  # three whole builds; the fast tier keeps the bundle-level tests above
def test_a_rebuild_with_the_index_equals_a_clean_build_and_indexes_one_bundle(tmp_path, monkeypatch):
    """The pipeline keeps the bundles in its cache: after a one-file edit one bundle is indexed again."""
    monkeypatch.setattr(search, "SHARD_BYTES", LIMIT)
    corpus.generate(12, 5, tmp_path / "content")
    site = tmp_path / "site"
    build(tmp_path / "content", site, jobs=2)
    assert len(list((tmp_path / ".site.cache" / "search").iterdir())) >= 2
    corpus.edit(tmp_path / "content", "text", seed=1)
    runs = []
    real = search._pagefind
    monkeypatch.setattr(search, "_pagefind", lambda s, name, *a: (runs.append(name), real(s, name, *a)))
    build(tmp_path / "content", site, jobs=2)
    assert len(runs) == 1
    # the store keeps the bundles the site is made of, and no other
    assert len(list((tmp_path / ".site.cache" / "search").iterdir())) == len(plan_bundles(site, LIMIT))
    clean = tmp_path / "clean"
    build(tmp_path / "content", clean, jobs=1, incremental=False)
    assert _digest(site) == _digest(clean)
