"""The one place that writes the site to disk, atomically: build beside, then swap.

A build stages the new site in a temporary folder beside the output folder. Pages are written into
it as they are rendered (by the build's worker processes too), files that did not change since the
previous build are hard-linked from the current site instead of written again, and only when
everything is in place is the staging folder swapped in with renames. A failure at any point (a
full disk included) removes the staging folder and leaves the previous site exactly as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from ..model.errors import BuildError
from .pages import Page

log = logging.getLogger(__name__)


class Stage:
    """A temporary folder beside `out` that becomes `out` on commit(), or disappears on abort()."""

    def __init__(self, out: Path):
        self.out = Path(out).absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.new-", dir=self.out.parent))
        self._folders: set[str] = set()  # folders known to exist in the new site
        self._removal: threading.Thread | None = None

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.abort()
            if isinstance(exc, OSError):
                raise BuildError(
                    f"出力フォルダに書き込めませんでした({exc.strerror or exc})。以前のサイトはそのままです。"
                ) from exc

    def write(self, page: Page) -> tuple[int, int]:
        """Write one page; return its (size, mtime_ns), by which a later build knows it is unchanged."""
        return write_page(self.folder, page)

    def link_unchanged(self, paths: list[str]) -> None:
        """Hard-link files of the current site into the new one (they are never written through)."""
        old, new = str(self.out), str(self.folder)
        for path in paths:
            folder = os.path.dirname(path)
            if folder not in self._folders:
                os.makedirs(os.path.join(new, folder), exist_ok=True)
                self._folders.add(folder)
            source, target = os.path.join(old, path), os.path.join(new, path)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)  # another file system, or links not allowed

    def copy_assets(self, assets: Path) -> None:
        """Copy the static assets into assets/."""
        for src in sorted(assets.rglob("*")):
            if src.is_file():
                target = self.folder / "assets" / src.relative_to(assets)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, target)

    def commit(self) -> None:
        """Swap the new site in for the old one, which is then removed in the background (see wait)."""
        os.chmod(self.folder, 0o755)  # world-readable like a normal folder (mkdtemp makes it 0700)
        old = _swap(self.folder, self.out)
        if old is not None:
            self._removal = threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True})
            self._removal.start()

    def wait(self) -> None:
        """Wait until the old site is removed (a build returns only then, leaving nothing beside `out`)."""
        if self._removal is not None:
            self._removal.join()
            self._removal = None

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def write_page(folder: Path, page: Page) -> tuple[int, int]:
    """Write a page under `folder` as a new file; return its (size, mtime_ns)."""
    target = folder / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    data = page.content.encode("utf-8") if isinstance(page.content, str) else page.content
    if target.exists():
        target.unlink()  # it may be a hard link to the current site's file, which must stay as it is
    target.write_bytes(data)
    st = target.stat()
    return st.st_size, st.st_mtime_ns


def unchanged(out: Path, path: str, size: int, mtime_ns: int) -> bool:
    """Whether a file of the current site is still the one a previous build wrote."""
    try:
        st = os.stat(os.path.join(out, path))
    except OSError:
        return False
    return st.st_size == size and st.st_mtime_ns == mtime_ns


def _swap(new: Path, out: Path) -> Path | None:
    """Replace `out` with `new` using renames; return where the old site now is, for removal."""
    if not out.exists():
        new.rename(out)
        return None
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        new.rename(out)
    except OSError:
        old.rename(out)
        raise
    return old
