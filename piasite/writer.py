"""The one place that writes the site to disk, atomically: build beside, then swap."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .errors import BuildError
from .render import Page

log = logging.getLogger(__name__)


def write_site(
    pages: list[Page],
    assets: Path,
    out: Path,
    finish: Callable[[Path], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write all pages and static assets into `out`, replacing it only once everything is written.

    The new site is written to a temporary folder beside `out` and swapped in with renames, so a
    failure at any point (a full disk included) leaves the previous site exactly as it was.
    `finish` runs on the complete new folder before the swap; if it fails, nothing changes.
    Returns the number of files written.
    """
    out = Path(out).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        count = 0
        for page in pages:
            target = tmp / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            data = page.content.encode("utf-8") if isinstance(page.content, str) else page.content
            target.write_bytes(data)
            count += 1
            if progress:
                progress(count, len(pages))
        for src in sorted(assets.rglob("*")):
            if src.is_file():
                target = tmp / "assets" / src.relative_to(assets)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)
                count += 1
        if finish is not None:
            finish(tmp)  # e.g. the search index, built over the complete new site before it replaces the old one
        _fix_permissions(tmp)
        _swap(tmp, out)
        return count
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"出力フォルダに書き込めませんでした({exc.strerror or exc})。以前のサイトはそのままです。") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fix_permissions(folder: Path) -> None:
    """Make the output world-readable like a normal build (mkdtemp creates it 0700)."""
    os.chmod(folder, 0o755)


def _swap(new: Path, out: Path) -> None:
    """Replace `out` with `new` using renames; the old site is removed only after the swap."""
    if not out.exists():
        new.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except OSError:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
