"""The search index: Pagefind (extended build, which segments Japanese) over the finished site.

Pagefind splits compounds when it indexes Japanese (ガバメントクラウド → ガバメント / クラウド, folded
without dakuten) but does not split a query the same way, so the browser would look for the whole
compound and find nothing. The build therefore also writes the index's own vocabulary of Japanese
words; the search page splits a query into the longest words of that vocabulary (the same pieces
the index holds), and ranks pages that contain the exact phrase first (assets/search.js).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import cbor2

from .errors import BuildError

BUNDLE = "pagefind"
VOCABULARY = "pagefind/vocabulary.json"
_HEADER = b"pagefind_dcd"


def build_index(site: Path, timeout: int = 600) -> None:
    """Index `site` with Pagefind and write the Japanese vocabulary beside the index."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", BUNDLE, "--silent"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"検索インデックスを作成できませんでした({exc})。") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["不明なエラー"]
        raise BuildError(f"検索インデックスを作成できませんでした({detail[0]})。")
    normalize_bundle(site / BUNDLE)
    words = sorted(index_words(site / BUNDLE))
    (site / VOCABULARY).write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")


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
