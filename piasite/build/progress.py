"""Progress of a long build on a terminal: one line on stderr, rewritten in place, per stage."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Shows 「ページを生成中 120/480」 while a stage runs; silent unless the stream is a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.interval = interval
        self._label = ""
        self._shown = 0.0
        self._dirty = False

    def stage(self, label: str) -> None:
        """Start a stage: show its label at once."""
        self._label = label
        self._draw(label, force=True)

    def update(self, done: int, total: int | None = None) -> None:
        """Show how far the current stage has come (at most ten times a second)."""
        self._draw(f"{self._label} {done}/{total}" if total else f"{self._label} {done}")

    def clear(self) -> None:
        """Erase the progress line, so the messages that follow start on a clean line."""
        if self._dirty:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._dirty = False

    def _draw(self, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < self.interval:
            return
        self._shown = now
        self.stream.write(f"\r\x1b[2K{text}")
        self.stream.flush()
        self._dirty = True


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
