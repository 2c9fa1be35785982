"""Shared fixtures: paths, a built site of the real content, and a copy of the sample content.

The content the content-dependent tests read is content/, or the folder PIA_TEST_CONTENT names: run
them against a copy with an organisation added (tests/test_new_organisation.py does) to show that
their expectations come from the content, not from today's documents.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from piasite.build.pipeline import build  # noqa: E402

CONTENT = Path(os.environ.get("PIA_TEST_CONTENT") or ROOT / "content").resolve()
FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"


def pytest_collection_modifyitems(items):
    """Mark every test that uses the browser, so `-m "not browser"` runs without Chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


# --- the browser: Debian's Chromium through Playwright, and the built site served on 127.0.0.1 ---

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass


@pytest.fixture(scope="session")
def server(built_site):
    """Serve the built site on a loopback port for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "chromium が見つかりません。tools/run_tests.sh で実行してください。"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
