"""The search index: Pagefind (extended build, which segments Japanese) over the finished site.

Pagefind splits compounds when it indexes Japanese (ガバメントクラウド → ガバメント / クラウド, folded
without dakuten) but does not split a query the same way, so the browser would look for the whole
compound and find nothing. The build therefore also writes the index's own vocabulary of Japanese
words; the search page splits a query into the longest words of that vocabulary (the same pieces
the index holds), and ranks pages that contain the exact phrase first (assets/search.js).

Pagefind keeps the whole index in memory while it writes it, so a large site is indexed in parts
(plan_shards) that the search page merges back into one search (mergeIndex).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import cbor2

from ..model.errors import BuildError
from ..urls import SITE_FOLDERS

BUNDLE = "pagefind"
VOCABULARY = "pagefind/vocabulary.json"
# the other bundles the browser merges into the first (Pagefind's mergeIndex), as paths from the root
BUNDLES = "pagefind/bundles.json"
_HEADER = b"pagefind_dcd"
_BODY = b"data-pagefind-body"
# Pagefind holds a whole index in memory while it writes it: about 270 MiB plus 15 times the HTML it
# indexes (measured: 2.8 GiB for 169 MB of pages). A site with more indexed HTML than this is split
# into several indexes of about this much each (plan_shards), made one after another, so memory
# stays near 0.8 GiB whatever the site's size.
SHARD_BYTES = 32 * 1024 * 1024


def build_index(site: Path, timeout: int = 600, shard_bytes: int | None = None) -> None:
    """Index `site` with Pagefind and write the Japanese vocabulary and the list of bundles beside it.

    A small site gets one bundle (pagefind/); a large one several (pagefind/, pagefind-2/, …, as
    plan_shards shares the pages out), which the search page merges into one search.
    """
    shards = plan_shards(site, SHARD_BYTES if shard_bytes is None else shard_bytes)
    names = [BUNDLE] + [f"{BUNDLE}-{n}" for n in range(2, len(shards) + 1)]
    words: set[str] = set()
    for name, folders in zip(names, shards, strict=True):
        glob = None if len(shards) == 1 else "{" + ",".join(folders) + "}"
        _pagefind(site, name, glob, timeout)
        normalize_bundle(site / name)
        words |= index_words(site / name)
    (site / VOCABULARY).write_text(json.dumps(sorted(words), ensure_ascii=False), encoding="utf-8")
    (site / BUNDLES).write_text(json.dumps([f"{n}/" for n in names[1:]]), encoding="utf-8")


def plan_shards(site: Path, limit: int) -> list[list[str]]:
    """Share the site's pages among as few bundles as hold at most about `limit` bytes each.

    Returns each bundle's globs (relative to the site). The parts shared out are whole organisation
    folders and, of the site-wide folders (entities, laws), the pages whose folder names end in the
    same character; a part counts the pages Pagefind will index (those marked data-pagefind-body).
    Each bundle ranks its pages by its own word statistics, so bundles should look alike: the parts,
    largest first, each go to the bundle with the fewest bytes so far of that kind (organisations'
    pages, site-wide pages), which mixes large and small organisations evenly and spreads the entity
    and law pages over every bundle. There is always at least one bundle, so an empty site still
    gets an empty index.
    """
    organisations: dict[str, int] = {}
    shared: dict[str, int] = {}

    def add(parts: dict[str, int], glob: str, paths: list[Path]) -> None:
        size = sum(len(data) for data in map(Path.read_bytes, paths) if _BODY in data)
        if size:
            parts[glob] = size

    for folder in sorted(p for p in site.iterdir() if p.is_dir() and not p.name.startswith(BUNDLE)):
        if folder.name not in SITE_FOLDERS:
            add(organisations, f"{folder.name}/**/*.html", sorted(folder.rglob("*.html")))
            continue
        add(shared, f"{folder.name}/*.html", sorted(folder.glob("*.html")))
        ends: dict[str, list[Path]] = {}
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            ends.setdefault(sub.name[-1], []).extend(sorted(sub.rglob("*.html")))
        for end, paths in sorted(ends.items()):
            add(shared, f"{folder.name}/*{end}/**/*.html", paths)
    total = sum(organisations.values()) + sum(shared.values())
    count = max(1, min(len(organisations) + len(shared), -(-total // max(1, limit))))
    groups: list[list[str]] = [[] for _ in range(count)]
    for parts in (organisations, shared):  # each kind of page balanced on its own
        filled = [0] * count
        for glob in sorted(parts, key=lambda g: (-parts[g], g)):
            emptiest = min(range(count), key=lambda i: (filled[i], i))
            groups[emptiest].append(glob)
            filled[emptiest] += parts[glob]
    return [sorted(group) for group in groups if group] or [[]]


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


def normalize_bundle(bundle: Path) -> None:
    """Make Pagefind's output the same on every run.

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
        meta_path.unlink()
        info["hash"] = f"{language}_" + _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
