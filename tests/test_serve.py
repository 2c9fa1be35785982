"""`build.py serve`: serves a build on 127.0.0.1, rebuilds on a change, keeps the last good site with the
errors shown after a bad edit, never writes the preview script into the output, and stops cleanly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

VERSION = "sample-city/01-sample/2019-02-08.yaml"
PAGE = "sample-city/01-sample/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60.0):
    """Poll until `predicate` returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError as exc:  # the server is not up yet
            last_error = exc
        time.sleep(0.3)
    pytest.fail(f"timed out waiting ({last_error})")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def preview(sample_content, tmp_path):
    """Start `build.py serve` on a free port over a copy of the sample content; stop it afterwards."""
    port = free_port()
    out = tmp_path / "preview-site"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--content",
            str(sample_content),
            "--port",
            str(port),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: fetch(base))
        yield proc, base, sample_content, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def state(base: str) -> dict:
    return json.loads(fetch(base + "__preview/state"))


def test_serve_rebuilds_keeps_the_last_good_site_on_errors_and_stops_cleanly(preview):
    proc, base, content, out = preview
    index = BeautifulSoup(fetch(base), "html.parser")
    script = index.select_one('script[src="/__preview/reload.js"]')
    assert script is not None and script.get("data-generation")
    assert "location.reload" in fetch(base + "__preview/reload.js")
    # the preview's additions are served, never written into the output
    assert "__preview" not in (out / "index.html").read_text(encoding="utf-8")
    assert not list(out.rglob("reload.js"))
    first = state(base)["generation"]

    edit(
        content / VERSION,
        "title: 見本市 住民基本台帳事務 重点項目評価書",
        "title: 見本市 住民基本台帳事務 重点項目評価書 改訂版",
    )
    wait_for(lambda: state(base)["generation"] > first)
    page = BeautifulSoup(fetch(base + PAGE), "html.parser")
    assert "改訂版" in page.select_one("h1").get_text()
    assert page.select_one(".preview-errors") is None

    good = state(base)["generation"]
    edit(content / VERSION, "form: 重点項目評価書", "form: 重点項目評価")
    wait_for(lambda: state(base)["generation"] > good)
    assert state(base)["errors"]
    page = BeautifulSoup(fetch(base + PAGE), "html.parser")
    assert "改訂版" in page.select_one("h1").get_text()  # the last good build is still served
    banner = page.select_one(".preview-errors[role=alert]")
    assert banner is not None
    assert "2019-02-08.yaml:2:7" in banner.get_text() and "評価書の種類" in banner.get_text()
    assert page.select_one('link[href="/__preview/preview.css"]') is not None  # same origin: allowed by the CSP

    edit(content / VERSION, "form: 重点項目評価", "form: 重点項目評価書")
    wait_for(lambda: not state(base)["errors"])
    assert BeautifulSoup(fetch(base + PAGE), "html.parser").select_one(".preview-errors") is None

    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)  # a hang guard: a rebuild under way finishes first
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "2019-02-08.yaml:2:7" in stderr  # the error was printed in the terminal too
    assert "プレビューを終了しました" in stderr


def test_serve_stops_cleanly_on_ctrl_c(preview):
    proc, base, _, _ = preview
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)  # a hang guard: a rebuild under way finishes first
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


def test_the_error_box_stays_in_view_and_takes_the_focus_after_an_automatic_reload(preview, browser):
    """A reload keeps the scroll position: the box sticks to the top of the window, scrolls inside
    itself when long, and is focused (role=alert) so that it is seen and read out."""
    _, base, content, _ = preview
    css = fetch(base + "__preview/preview.css")
    rule = css[css.index(".preview-errors {") : css.index("}", css.index(".preview-errors {"))]
    assert "position: sticky" in rule and "top: 0" in rule and "overflow-y: auto" in rule
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    try:
        page.goto(base + PAGE)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 500
        generation = state(base)["generation"]
        with page.expect_navigation(timeout=60_000):
            edit(content / VERSION, "form: 重点項目評価書", "form: 重点項目評価")
        wait_for(lambda: state(base)["generation"] > generation)
        box = page.wait_for_selector("#preview-errors[role=alert]")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'preview-errors'")
        assert page.evaluate("window.scrollY") > 500  # the reader stays where they were reading …
        top = box.evaluate("e => e.getBoundingClientRect().top")
        assert 0 <= top < 5  # … and the box is at the top of the window
        assert "評価書の種類" in box.inner_text()
    finally:
        context.close()
