"""The search index: Pagefind (extended build, which segments Japanese) over the finished site.

Pagefind splits compounds when it indexes Japanese (ガバメントクラウド → ガバメント / クラウド, folded
without dakuten) but does not split a query the same way, so the browser would look for the whole
compound and find nothing. The build therefore also writes the index's own vocabulary of Japanese
words; the search page splits a query into the longest words of that vocabulary (the same pieces
the index holds), and ranks pages that contain the exact phrase first (assets/search.js).

Pagefind keeps the whole index in memory while it writes it, so a large site is indexed in bundles
(plan_bundles) that the search page merges back into one search (mergeIndex). A bundle's pages are
fixed by their folders' names alone (hashed into a number of bundles that only doubles as the site
grows), so an edit changes the pages of one bundle; a bundle whose pages are the same, byte for byte,
as in the previous build is taken from it (Pagefind's output, normalized, depends on nothing else),
and only the others are indexed again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import cbor2

from ..model.errors import BuildError
from ..urls import SITE_FOLDERS

log = logging.getLogger(__name__)

BUNDLE = "pagefind"
VOCABULARY = "pagefind/vocabulary.json"
# the other bundles the browser merges into the first (Pagefind's mergeIndex), as paths from the root
BUNDLES = "pagefind/bundles.json"
# the files of the index that pages link to (the search page preloads them); they exist once this stage has run
LINKED = frozenset({f"{BUNDLE}/pagefind.js", BUNDLES, VOCABULARY})
_HEADER = b"pagefind_dcd"
_BODY = b"data-pagefind-body"
# Pagefind holds a whole index in memory while it writes it: about 270 MiB plus 15 times the HTML it
# indexes (measured: 2.8 GiB for 169 MB of pages). A site with more indexed HTML than this is split
# into several bundles of about this much each on average (plan_bundles), made one after another.
SHARD_BYTES = 32 * 1024 * 1024
# what a bundle is made with besides its pages: a change here makes every bundle again
_MAKER = f"pagefind {metadata.version('pagefind_bin_extended')}; normalized 3"


@dataclass(frozen=True)
class Bundle:
    """One Pagefind index of the site: its folder, the globs of its pages, and a digest of those pages."""

    name: str
    globs: tuple[str, ...]
    digest: str


@dataclass(frozen=True)
class Made:
    """A bundle as built: what the next build needs to take it over (its files and its words)."""

    digest: str
    files: tuple[tuple[str, int], ...]  # path from the site's root, size
    words: tuple[str, ...]


def build_index(
    site: Path,
    timeout: int = 600,
    shard_bytes: int | None = None,
    previous: dict[str, Made] | None = None,
    old_site: Path | None = None,
    link: Callable[[list[str]], None] | None = None,
) -> dict[str, Made]:
    """Index `site` with Pagefind and write the Japanese vocabulary and the list of bundles beside it.

    A small site gets one bundle (pagefind/); a large one several (pagefind/, pagefind-2/, …, as
    plan_bundles shares the pages out), which the search page merges into one search. A bundle of
    `previous` (by name, as this function returned them) whose pages are unchanged is linked from
    `old_site` by `link` instead of being indexed again. Returns every bundle as made, by name.
    """
    bundles = plan_bundles(site, SHARD_BYTES if shard_bytes is None else shard_bytes)
    made: dict[str, Made] = {}
    for bundle in bundles:
        old = (previous or {}).get(bundle.name)
        if old and old.digest == bundle.digest and old_site and link and _intact(old_site, old):
            link([path for path, _size in old.files])
            made[bundle.name] = old
            continue
        glob = None if len(bundles) == 1 else "{" + ",".join(bundle.globs) + "}"
        _pagefind(site, bundle.name, glob, timeout)
        normalize_bundle(site / bundle.name)
        words = tuple(sorted(index_words(site / bundle.name)))
        made[bundle.name] = Made(bundle.digest, _files(site, bundle.name), words)
        log.info("検索インデックス %s を作成しました。", bundle.name)
    words = sorted({w for m in made.values() for w in m.words})
    (site / VOCABULARY).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    (site / BUNDLES).write_text(json.dumps([f"{b.name}/" for b in bundles[1:]]), encoding="utf-8")
    return made


def _intact(old_site: Path, made: Made) -> bool:
    """Whether the previous site still holds a bundle's files as written (same names and sizes)."""
    try:
        return all(os.stat(old_site / path).st_size == size for path, size in made.files)
    except OSError:
        return False


def _files(site: Path, name: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (p.relative_to(site).as_posix(), p.stat().st_size) for p in sorted((site / name).rglob("*")) if p.is_file()
    )


def plan_bundles(site: Path, limit: int) -> list[Bundle]:
    """Share the site's indexed pages among bundles of about `limit` bytes each, by their folders' names.

    The parts shared out are whole organisation folders and, of the site-wide folders (entities, laws),
    each page's folder (and the folder's own pages); a part counts only if it holds pages Pagefind
    will index (marked data-pagefind-body). The number of bundles is the smallest power of two that
    keeps them at `limit` bytes on average, so it changes only when the site doubles; each part goes
    to the bundle its name hashes to, so an edit moves no page from one bundle to another and a new
    organisation lands in one bundle. Hashing mixes large and small organisations and the entity and
    law pages over every bundle, so the bundles look alike (each ranks its pages by its own word
    statistics). The first bundle that any part hashes to is pagefind/ (which holds the search
    script); each other is named by its number, so it keeps its name while the first stays first.
    """
    parts: dict[str, list[tuple[str, bytes]]] = {}

    def add(glob: str, paths: list[Path]) -> None:
        pages = [(p.relative_to(site).as_posix(), data) for p in paths if _BODY in (data := p.read_bytes())]
        if pages:
            parts[glob] = pages

    for folder in sorted(p for p in site.iterdir() if p.is_dir() and not p.name.startswith(BUNDLE)):
        if folder.name not in SITE_FOLDERS:
            add(f"{folder.name}/**/*.html", sorted(folder.rglob("*.html")))
            continue
        add(f"{folder.name}/*.html", sorted(folder.glob("*.html")))
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            add(f"{folder.name}/{sub.name}/**/*.html", sorted(sub.rglob("*.html")))
    total = sum(len(data) for pages in parts.values() for _path, data in pages)
    count = 1
    while total > count * max(1, limit) and count < len(parts):  # no more bundles than parts
        count *= 2
    groups: list[list[str]] = [[] for _ in range(count)]
    for glob in sorted(parts):
        groups[int.from_bytes(hashlib.sha256(glob.encode()).digest()[:8], "big") % count].append(glob)
    bundles = []
    for i, globs in enumerate(groups):
        if not globs:
            continue
        h = hashlib.sha256(_MAKER.encode())
        for glob in globs:
            for path, data in parts[glob]:
                h.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
        bundles.append(Bundle(f"{BUNDLE}-{i + 1}" if bundles else BUNDLE, tuple(globs), h.hexdigest()))
    # a site without indexed pages still gets an (empty) index, so the search page answers "none found"
    return bundles or [Bundle(BUNDLE, (), hashlib.sha256(_MAKER.encode()).hexdigest())]
    return bundles


def _pagefind(site: Path, name: str, glob: str | None, timeout: int) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", name, "--silent"]
    try:
        proc = subprocess.run(
            command + (["--glob", glob] if glob else []), capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"検索インデックスを作成できませんでした({exc})。") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["不明なエラー"]
        raise BuildError(f"検索インデックスを作成できませんでした({detail[0]})。")


def index_words(bundle: Path) -> set[str]:
    """Return the words of a Pagefind index that occur in page text (as stored: lower-cased, no dakuten).

    Each entry is [word, [[page, body locations, meta locations], …], [[variant, [[page, …], …]], …]].
    Words found only in metadata (a page title indexed whole, such as 証明書コンビニ交付システム) are
    left out: body text is split into smaller words, and a query must be split the way the body is.
    """
    words: set[str] = set()
    for chunk in sorted((bundle / "index").glob("*.pf_index")):
        raw = gzip.decompress(chunk.read_bytes())
        if not raw.startswith(_HEADER):
            raise BuildError(f"検索インデックスの形式が想定と違います({chunk.name})。")
        data = cbor2.loads(raw[len(_HEADER) :])
        for entry in data[0]:
            pages = list(entry[1]) + [p for variant in entry[2] for p in variant[1]]
            if any(page[1] for page in pages):
                words.add(entry[0])
    return words


def _read(path: Path) -> object:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_HEADER):
        raise BuildError(f"検索インデックスの形式が想定と違います({path.name})。")
    return cbor2.loads(raw[len(_HEADER):])


def _write(folder: Path, prefix: str, suffix: str, data: object, digits: int) -> str:
    """Write a Pagefind file (gzip of header + CBOR, no timestamp) named by its content; return the hash."""
    payload = gzip.compress(_HEADER + cbor2.dumps(data), mtime=0)
    digest = hashlib.sha256(payload).hexdigest()[:digits]
    (folder / f"{prefix}{digest}{suffix}").write_bytes(payload)
    return digest


# Pagefind cuts a bundle's word list into chunks of about 60 KB (20 KB compressed); the browser fetches,
# for each word of a query, the chunk holding it from every bundle. Smaller chunks (_rechunk) cost each
# bundle's metadata a few KB more but cut what a query fetches severalfold (at N=1,000, about 430 KB of
# index for a three-word query over eight bundles becomes about 150 KB).
CHUNK_BYTES = 12 * 1024


def _rechunk(folder: Path, language: str, chunks: list) -> list:
    """Cut each of the index chunks listed in the metadata into chunks of about CHUNK_BYTES; return the new list.

    A chunk is [[word, pages, variants], …] in Pagefind's order, and the metadata lists each chunk as
    [first word, last word, name]. Pagefind looks a query word up in the one chunk whose range holds
    it, and also takes the longer words of that chunk that start with it. So a chunk is cut only where
    the next word starts with another character (the words a query word matches stay in one chunk),
    and the new chunks' ranges start at their first word's first character (a query word that sorts
    just before that word still finds its chunk); Pagefind's own cuts stay as they are. A search
    finds the same pages with the same scores as before, while a query fetches far fewer bytes.
    """
    listed = []
    for first, last, name in chunks:
        path = folder / f"{name}.pf_index"
        entries = _read(path)[0]  # type: ignore[index]
        path.unlink()
        parts: list[list] = [[]]
        size = 0
        for entry in entries:
            if size >= CHUNK_BYTES and parts[-1][-1][0][:1] != entry[0][:1]:
                parts.append([])
                size = 0
            parts[-1].append(entry)
            size += len(cbor2.dumps(entry))
        for i, part in enumerate(parts):
            digest = _write(folder, f"{language}_", ".pf_index", [part], 7)
            start = first if i == 0 else part[0][0][:1]
            end = last if i == len(parts) - 1 else part[-1][0]
            listed.append([start, end, f"{language}_{digest}"])
    return listed


def normalize_bundle(bundle: Path) -> None:
    """Make Pagefind's output the same on every run, and its index chunks smaller (_rechunk).

    Pagefind writes the values of each filter, and the list of filters, in hash-map order, which
    changes from run to run; the file names are hashes of the contents. Sort both, rewrite the files
    and the names that point at them, so two builds of the same content are byte-identical.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        renamed: dict[str, str] = {}
        for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
            name, values = _read(path)  # type: ignore[misc]
            path.unlink()
            digest = _write(bundle / "filter", f"{language}_", ".pf_filter", [name, sorted(values)], 7)
            renamed[path.name.removesuffix(".pf_filter")] = f"{language}_{digest}"
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        meta[3] = sorted([name, renamed.get(ref, ref)] for name, ref in meta[3])  # type: ignore[index]
        meta[2] = _rechunk(bundle / "index", language, meta[2])  # type: ignore[index]
        meta_path.unlink()
        info["hash"] = f"{language}_" + _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
