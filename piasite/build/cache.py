"""The build cache beside the output folder: each unit's result by key, and the manifest of the current output."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..output.search import Made, store_folders
from .fingerprints import CACHE_FORMAT
from .units import PageRecord, UnitResult

log = logging.getLogger(__name__)

# what reading a cache written by another version of the program (or cut short) can raise: such a cache
# is not used, and the build is a full one. ImportError: a class it holds has moved to another module.
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, ImportError, KeyError, AttributeError, TypeError, ValueError)


class Cache:
    """Unit results of earlier builds, beside the output folder (.<out>.cache/), by key.

    `manifest` lists the units whose pages the current output folder holds; only those can be
    reused, and only while their files are still the ones written (same size and mtime).
    """

    def __init__(self, out: Path):
        out = Path(out).absolute()
        self.folder = out.parent / f".{out.name}.cache"
        self.manifest_file = self.folder / "manifest.pickle"
        self.search_store = self.folder / "search"  # the search index's bundles (output/search.py)

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
        except _UNREADABLE:
            return {}

    def site_pages(self) -> dict[str, tuple[str, PageRecord]]:
        """Return the site-wide pages of the current output: path → (fingerprint, record)."""
        try:
            with open(self.manifest_file, "rb") as f:
                manifest = pickle.load(f)
            return manifest.get("site_pages", {}) if manifest.get("format") == CACHE_FORMAT else {}
        except _UNREADABLE:
            return {}

    def search_bundles(self) -> dict[str, Made]:
        """Return the search index's bundles in the current output, by name ({} when unknown)."""
        try:
            with open(self.manifest_file, "rb") as f:
                manifest = pickle.load(f)
            return manifest.get("search", {}) if manifest.get("format") == CACHE_FORMAT else {}
        except _UNREADABLE:
            return {}

    def save(
        self,
        results: Iterable[UnitResult],
        new: Iterable[UnitResult],
        site_pages: dict[str, tuple[str, PageRecord]] | None = None,
        search: dict[str, Made] | None = None,
    ) -> None:
        """Store the new results and make `results` (with `site_pages` and the `search` bundles) the manifest;
        drop results no longer listed."""
        try:
            units = self.folder / "units"
            units.mkdir(parents=True, exist_ok=True)
            for result in new:
                _atomic_write(units / f"{result.key}.pickle", pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            keys = sorted({r.key for r in results})
            manifest = {"format": CACHE_FORMAT, "units": keys, "site_pages": site_pages or {}, "search": search or {}}
            _atomic_write(self.manifest_file, pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
            keep = {f"{k}.pickle" for k in keys}
            for path in units.iterdir():
                if path.name not in keep:
                    path.unlink(missing_ok=True)
            self._prune_search(store_folders(search or {}))
        except OSError as exc:
            # the site is already published; without a cache the next build is simply a full one
            log.warning("ビルドのキャッシュを保存できませんでした(%s)。次回はすべてを生成し直します。", exc)
            self.clear()

    def clear(self) -> None:
        try:
            self.manifest_file.unlink(missing_ok=True)
        except OSError:
            pass
        self._prune_search(set())

    def _prune_search(self, keep: set[str]) -> None:
        """Remove the search bundles (and unfinished ones) that the manifest does not list."""
        if self.search_store.is_dir():
            for path in self.search_store.iterdir():
                if path.name not in keep:
                    shutil.rmtree(path, ignore_errors=True)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
