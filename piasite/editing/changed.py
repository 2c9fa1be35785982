"""Which content files are the editor's own: changed in git since the branch left main, or not yet committed.

`build` and `validate` print the warnings of these files in full and only count the others' (the
repository holds every organisation's files, whose warnings are not this editor's to fix).
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# where the editor's branch started: the newest of these that exists is compared with
_MAIN = ("origin/main", "main", "origin/master", "master")


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git %s: %s", " ".join(args), exc)
        return None
    return done.stdout if done.returncode == 0 else None


def changed_files(content: Path) -> set[Path] | None:
    """Return the files under `content` changed since the merge-base with main (committed or not) or untracked.

    Paths are absolute and resolved. None when git or the repository is not there (then every file counts).
    """
    content = Path(content)
    if not content.is_dir():
        return None
    top = _git(content, "rev-parse", "--show-toplevel")
    if top is None or _git(content, "rev-parse", "--verify", "--quiet", "HEAD") is None:
        return None  # not a repository, or one without a commit: nothing to compare with
    base = "HEAD"
    for ref in _MAIN:
        found = _git(content, "merge-base", "HEAD", ref)
        if found:
            base = found.strip()
            break
    changed = _git(content, "diff", "--name-only", "--no-renames", "-z", base, "--", ".")
    untracked = _git(content, "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", ".")
    if changed is None or untracked is None:
        return None
    root = Path(top.strip())
    return {(root / name).resolve() for name in (changed + untracked).split("\0") if name}


def is_mine(file: str, mine: set[Path]) -> bool:
    """Whether a problem's file (as shown, relative to the current folder) is one of `mine`."""
    return Path(file).resolve() in mine
