"""Shared fixtures: paths, a built site of the real content, and a copy of the sample content."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from piasite.pipeline import build  # noqa: E402

CONTENT = ROOT / "content"
FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the real content once per test session into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "site"
    build(CONTENT, out)
    return out


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """Build the small sample content once per test session."""
    out = tmp_path_factory.mktemp("sample") / "site"
    build(FIXTURE_CONTENT, out)
    return out


@pytest.fixture
def sample_content(tmp_path) -> Path:
    """Return a writable copy of the sample content tree."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target
