"""Read a 概要 (summary of an assessment) out of its extracted text. Not written yet."""

from __future__ import annotations

from .errors import BuildError


def import_summary(text: str):
    """Refuse for now: the 概要 has no fixed form to read labels from."""
    raise BuildError("概要(--form summary)の読み取りはまだできません。build.py new で下書きを作ってください。")
