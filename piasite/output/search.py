"""The search index: Pagefind (extended build, which segments Japanese) over the finished site.

Pagefind splits compounds when it indexes Japanese (ガバメントクラウド → ガバメント / クラウド, folded
without dakuten) but does not split a query the same way, so the browser would look for the whole
compound and find nothing. The build therefore also writes the index's own vocabulary of Japanese
words; the search page splits a query into the longest words of that vocabulary (the same pieces
the index holds), and ranks pages that contain the exact phrase first (assets/search.js).

Pagefind indexes every page it is given again on every run, and keeps the whole index in memory while
it writes it, so the site is indexed in bundles (plan_bundles). A bundle's pages are fixed by their
folders' names alone (hashed into a number of bundles that only doubles as the site grows), so an
edit changes the pages of one bundle. Bundles are kept in a store beside the site (the build cache),
named by the digest of their pages, and only a bundle whose pages changed is indexed again. The
bundles are then merged into the one index the site serves (merge_bundles): the browser loads it as
it would a single Pagefind run's, one metadata file, one chunk per query word and one file per filter.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
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
# the files of the index that pages link to (the search page preloads them); they exist once this stage has run
LINKED = frozenset({f"{BUNDLE}/pagefind.js", VOCABULARY})
_HEADER = b"pagefind_dcd"
_BODY = b"data-pagefind-body"
# A site with more indexed HTML than this is split into bundles of about this much each on average
# (plan_bundles), made one after another. Pagefind holds a whole index in memory while it writes it
# (about 270 MiB plus 15 times the HTML it indexes; 2.8 GiB for 169 MB of pages), and a run costs
# about a second besides its pages; after a one-file edit, one bundle is indexed again (at N=1,000,
# one of sixteen: about 3 s of Pagefind, and the merge).
SHARD_BYTES = 16 * 1024 * 1024
# what a bundle is made with besides its pages: a change here makes every bundle again
_MAKER = f"pagefind {metadata.version('pagefind_bin_extended')}; bundle 4"
# beside a bundle's own files in the store: each sorted page's sort value, which Pagefind's index
# does not keep (it keeps the order alone) and the merge needs
_SORTS = "sort-values.json"
_SORT_ATTRIBUTE = re.compile(rb'data-pagefind-sort="([^":]+):([^"]*)"')


@dataclass(frozen=True)
class Bundle:
    """One Pagefind run over part of the site: its name, the globs of its pages, and a digest of those pages."""

    name: str
    globs: tuple[str, ...]
    digest: str

    @property
    def folder(self) -> str:
        return store_folder(self.digest)


@dataclass(frozen=True)
class Made:
    """A bundle in the store: what the next build needs to take it over (its files and its words)."""

    digest: str
    files: tuple[tuple[str, int], ...]  # path in the bundle's folder, size
    words: tuple[str, ...]


def build_index(
    site: Path,
    store: Path,
    timeout: int = 600,
    shard_bytes: int | None = None,
    previous: dict[str, Made] | None = None,
) -> dict[str, Made]:
    """Index `site` with Pagefind into pagefind/, with the Japanese vocabulary beside it.

    The pages are shared out among bundles (plan_bundles), each indexed into its own folder of `store`;
    a bundle of `previous` (by name, as this function returned them) whose pages are unchanged and
    whose folder is intact is taken as it is. The bundles are merged into the site's one index.
    Returns every bundle as made, by name.
    """
    bundles = plan_bundles(site, SHARD_BYTES if shard_bytes is None else shard_bytes)
    made: dict[str, Made] = {}
    for bundle in bundles:
        folder = store / bundle.folder
        old = (previous or {}).get(bundle.name)
        if old and old.digest == bundle.digest and _intact(folder, old):
            made[bundle.name] = old
            continue
        glob = None if len(bundles) == 1 else "{" + ",".join(bundle.globs) + "}"
        new = store / f"{bundle.folder}.new"
        shutil.rmtree(new, ignore_errors=True)
        _pagefind(site, new, glob, timeout)
        _record_sort_values(new, site)
        words = tuple(sorted(index_words(new)))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(new, folder)
        made[bundle.name] = Made(bundle.digest, _files(folder), words)
        log.info("検索インデックスの束 %s を作成しました。", bundle.name)
    merge_bundles([store / b.folder for b in bundles], site / BUNDLE)
    words = sorted({w for m in made.values() for w in m.words})
    (site / VOCABULARY).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
    return made


def store_folder(digest: str) -> str:
    """A bundle's folder in the store, named by what it is made from (Bundle.digest)."""
    return digest[:24]


def store_folders(made: dict[str, Made]) -> set[str]:
    """The folders of the store that hold `made` (the others can go)."""
    return {store_folder(m.digest) for m in made.values()}


def _intact(folder: Path, made: Made) -> bool:
    """Whether the store still holds a bundle's files as written (same names and sizes)."""
    try:
        return all(os.stat(folder / path).st_size == size for path, size in made.files)
    except OSError:
        return False


def _files(folder: Path) -> tuple[tuple[str, int], ...]:
    return tuple((p.relative_to(folder).as_posix(), p.stat().st_size) for p in sorted(folder.rglob("*")) if p.is_file())


def plan_bundles(site: Path, limit: int) -> list[Bundle]:
    """Share the site's indexed pages among bundles of about `limit` bytes each, by their folders' names.

    The parts shared out are whole organisation folders and, of the site-wide folders (entities, laws),
    each page's folder (and the folder's own pages); a part counts only if it holds pages Pagefind
    will index (marked data-pagefind-body). The number of bundles is the smallest power of two that
    keeps them at `limit` bytes on average, so it changes only when the site doubles; each part goes
    to the bundle its name hashes to, so an edit moves no page from one bundle to another and a new
    organisation lands in one bundle. The first bundle that any part hashes to is named pagefind;
    each other by its number, so it keeps its name while the first stays first.
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


def _pagefind(site: Path, output: Path, glob: str | None, timeout: int) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(output), "--silent"]
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
        for entry in _read(chunk)[0]:  # type: ignore[index]
            pages = list(entry[1]) + [p for variant in entry[2] for p in variant[1]]
            if any(page[1] for page in pages):
                words.add(entry[0])
    return words


def _read(path: Path, loads: Callable[[bytes], object] = cbor2.loads) -> object:
    """Read a Pagefind file: gzip of a header and CBOR (a fragment: JSON, loads=json.loads)."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_HEADER):
        raise BuildError(f"検索インデックスの形式が想定と違います({path.name})。")
    return loads(raw[len(_HEADER):])


def _write(folder: Path, prefix: str, suffix: str, data: object, digits: int) -> str:
    """Write a Pagefind file (gzip of header + CBOR, no timestamp) named by its content; return the hash."""
    return _write_cbor(folder, prefix, suffix, cbor2.dumps(data), digits)


def _write_cbor(folder: Path, prefix: str, suffix: str, encoded: bytes, digits: int) -> str:
    """_write for data already encoded as CBOR (gzip at Pagefind's level, 6)."""
    payload = gzip.compress(_HEADER + encoded, compresslevel=6, mtime=0)
    digest = hashlib.sha256(payload).hexdigest()[:digits]
    (folder / f"{prefix}{digest}{suffix}").write_bytes(payload)
    return digest


def _link(source: Path, target: Path) -> None:
    """Hard-link a file of the store into the site (copy it where the file system cannot link)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _metas(bundle: Path) -> dict[str, tuple[dict, list]]:
    """A bundle's languages: language → (its entry in pagefind-entry.json, its metadata)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    metas = {}
    for language, info in entry["languages"].items():
        meta = _read(bundle / f"pagefind.{info['hash']}.pf_meta")
        if not isinstance(meta, list) or len(meta) != 6:
            raise BuildError(f"検索インデックスの形式が想定と違います({bundle.name} の {language})。")
        metas[language] = (info, meta)
    return metas


def _record_sort_values(bundle: Path, site: Path) -> None:
    """Write, beside a new bundle, the sort value of each page in its sort orders (read from the page).

    Pagefind's metadata keeps each sort as the order of its pages alone; merging bundles needs the
    values themselves (the data-pagefind-sort="key:value" attribute of the page the fragment is of).
    """
    values: dict[str, dict[str, dict[str, str]]] = {}
    for language, (_info, meta) in _metas(bundle).items():
        pages = meta[1]
        for key, order in meta[4]:
            for number in order:
                page = pages[number][0]
                url = _read(bundle / "fragment" / f"{page}.pf_fragment", json.loads)["url"].lstrip("/")  # type: ignore[index]
                html = site / (url + "index.html" if url.endswith("/") or not url else url)
                found = dict(_SORT_ATTRIBUTE.findall(html.read_bytes()))
                if key.encode() not in found:
                    raise BuildError(f"検索インデックスの並べ替えの値がページにありません({html}、{key})。")
                values.setdefault(language, {}).setdefault(key, {})[page] = found[key.encode()].decode()
    (bundle / _SORTS).write_text(json.dumps(values, ensure_ascii=False, sort_keys=True), encoding="utf-8")


# Pagefind cuts its word list into chunks of about 60 KB (20 KB compressed), and the browser fetches, for
# each word of a query, the chunk holding it. The merged index is cut into smaller chunks (_chunks): at
# N=1,000 the index of eight bundles has about eight times Pagefind's words, and a query fetches little.
CHUNK_BYTES = 12 * 1024


def merge_bundles(bundles: list[Path], out: Path) -> None:
    """Merge Pagefind bundles (each over its own pages) into one index in `out`, as one run over all would be.

    Pages are numbered on from bundle to bundle (the word, filter and sort lists name pages by number);
    each word's pages, each filter value's pages and each sort order are joined; the page fragments
    are linked from the bundles (one made under a name another bundle already used is renamed by its
    content). The script, WebAssembly and styles are the first bundle's (every bundle has the same).
    Everything written is named by its content, and the same bundles make the same bytes.
    """
    out.mkdir(parents=True)
    for name in ("fragment", "index", "filter"):
        (out / name).mkdir()
    first = bundles[0]
    for path in sorted(first.iterdir()):
        if path.is_file() and path.suffix != ".pf_meta" and path.name not in ("pagefind-entry.json", _SORTS):
            _link(path, out / path.name)
    all_metas = [_metas(b) for b in bundles]
    entry = json.loads((first / "pagefind-entry.json").read_text(encoding="utf-8"))
    entry["languages"] = {}
    taken: set[str] = set()
    for language in sorted({lang for metas in all_metas for lang in metas}):
        parts = [(b, metas[language]) for b, metas in zip(bundles, all_metas, strict=True) if language in metas]
        info = dict(parts[0][1][0])
        meta = _merge_language(parts, language, out, taken)
        info["page_count"] = len(meta[1])
        info["hash"] = f"{language}_" + _write(out, f"pagefind.{language}_", ".pf_meta", meta, 10)
        entry["languages"][language] = info
    (out / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def _merge_language(parts: list[tuple[Path, tuple[dict, list]]], language: str, out: Path, taken: set[str]) -> list:
    """Merge one language's pages, words, filters and sorts over the bundles; write them; return the metadata."""
    pages: list[list] = []
    words: dict[str, list] = {}
    filters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    sorted_pages: dict[str, list[tuple[str, int]]] = defaultdict(list)  # key → (value, page number)
    fields = sorted({f for _bundle, (_info, meta) in parts for f in meta[5]})
    for bundle, (_info, meta) in parts:
        _version, own_pages, chunks, own_filters, own_sorts, own_fields = meta
        offset = len(pages)
        # a word found in a metadata field is listed as -(the field's number + 1) before its places there
        field = {-1 - i: -1 - fields.index(f) for i, f in enumerate(own_fields) if fields.index(f) != i}
        for page, word_count in own_pages:
            source = bundle / "fragment" / f"{page}.pf_fragment"
            if page in taken:  # two bundles' pages hashed alike (Pagefind names a fragment by 7 hex digits)
                page = f"{language}_{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}"
            taken.add(page)
            _link(source, out / "fragment" / f"{page}.pf_fragment")
            pages.append([page, word_count])
        for _first, _last, chunk in chunks:
            for word, *postings in _read(bundle / "index" / f"{chunk}.pf_index")[0]:  # type: ignore[index]
                if len(postings) != 2:
                    raise BuildError(f"検索インデックスの形式が想定と違います({chunk})。")
                _add_word(words, word, postings[0], postings[1], offset, field)
        for _key, filter_file in own_filters:
            key, values = _read(bundle / "filter" / f"{filter_file}.pf_filter")  # type: ignore[misc]
            for value, numbers in values:
                filters[key][value] += [n + offset for n in numbers]
        recorded = json.loads((bundle / _SORTS).read_text(encoding="utf-8")).get(language, {})
        for key, order in own_sorts:
            sorted_pages[key] += [(recorded[key][own_pages[n][0]], n + offset) for n in order]
    filter_files = []
    for key in sorted(filters):
        values = [[value, sorted(numbers)] for value, numbers in sorted(filters[key].items())]
        filter_files.append([key, f"{language}_" + _write(out / "filter", f"{language}_", ".pf_filter", [key, values], 12)])
    sorts = [[key, [n for _value, n in sorted(sorted_pages[key], key=_sort_key(sorted_pages[key]))]] for key in sorted(sorted_pages)]
    chunks = _chunks(out / "index", language, [words[w] for w in sorted(words)])
    return [parts[0][1][1][0], pages, chunks, filter_files, sorts, fields]


def _add_word(words: dict[str, list], word: str, pages: list, variants: list, offset: int, field: dict) -> None:
    """Add a bundle's entry for `word` ([word, pages, variants]) to `words`, its pages numbered on by `offset`
    and its metadata fields renumbered by `field`.

    An entry lists its pages by the difference from the page before (the first from 0); `words` holds
    them by number, and _chunks writes them back as differences.
    """
    entry = words.setdefault(word, [word, [], []])
    entry[1] += _numbered(pages, offset, field)
    known = {v[0]: v for v in entry[2]}
    for variant, variant_pages in variants:
        if variant not in known:
            known[variant] = [variant, []]
            entry[2].append(known[variant])
        known[variant][1] += _numbered(variant_pages, offset, field)


def _numbered(pages: list, offset: int, field: dict) -> list:
    """[[page difference, places, metadata places], …] → [[page number + offset, places, metadata places], …].

    The lists are the bundle's, read for this merge alone: they are changed in place.
    """
    number = 0
    for page in pages:
        if len(page) != 3:
            raise BuildError("検索インデックスの形式が想定と違います(語の出現箇所)。")
        number += page[0]
        page[0] = number + offset
        if field and page[2]:
            page[2] = [field.get(n, n) if n < 0 else n for n in page[2]]
    return pages


def _differences(pages: list) -> list:
    """[[page number, …], …] → [[page difference, …], …], as Pagefind writes them (in place)."""
    before = 0
    for page in pages:
        page[0], before = page[0] - before, page[0]
    return pages


def _sort_key(values: list[tuple[str, int]]):
    """Order as Pagefind does: by number when every value is one, else by text; ties by page number."""
    try:
        [float(v) for v, _n in values]
    except ValueError:
        return lambda item: (item[0], item[1])
    return lambda item: (float(item[0]), item[1])


def _chunks(folder: Path, language: str, entries: list[list]) -> list:
    """Write the words (sorted) as chunks of about CHUNK_BYTES; return the metadata's list [from, to, name].

    Pagefind looks a query word up in the one chunk whose range holds it, and also takes the longer
    words of that chunk that start with it. So a chunk is cut only where the next word starts with
    another character (the words a query word matches stay in one chunk), and each chunk's range
    starts at its first word's first character (a query word that sorts just before that word still
    finds its chunk).
    """
    parts: list[list[tuple[str, bytes]]] = [[]]  # each chunk's words, each with its entry encoded
    size = 0
    for word, pages, variants in entries:
        encoded = cbor2.dumps([word, _differences(pages), [[v, _differences(vp)] for v, vp in variants]])
        if size >= CHUNK_BYTES and parts[-1][-1][0][:1] != word[:1]:
            parts.append([])
            size = 0
        parts[-1].append((word, encoded))
        size += len(encoded)
    listed = []
    for part in parts:
        if not part:
            continue
        # the chunk [[entry, …]]: an array of one array, then the entries as encoded
        encoded = b"\x81" + _array_head(len(part)) + b"".join(e for _w, e in part)
        digest = _write_cbor(folder, f"{language}_", ".pf_index", encoded, 12)
        listed.append([part[0][0][:1], part[-1][0], f"{language}_{digest}"])
    return listed


def _array_head(length: int) -> bytes:
    """The head of a CBOR array of `length` items (major type 4), as cbor2 writes it."""
    if length < 24:
        return bytes([0x80 + length])
    for code, size in ((0x98, 1), (0x99, 2), (0x9A, 4), (0x9B, 8)):
        if length < 1 << (8 * size):
            return bytes([code]) + length.to_bytes(size, "big")
    raise ValueError(length)
