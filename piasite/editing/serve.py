"""Local preview: build, serve on 127.0.0.1, rebuild when content, templates, static or schema change.

The served HTML gets a same-origin script (allowed by the pages' Content-Security-Policy) that polls
/__preview/state and reloads the page after each build; a build with errors keeps the last good
site served, with the errors listed in a banner at the top of every page. None of this is written
to the output folder: it is added to responses only.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

from ..build.pipeline import build
from ..model.errors import BuildError, ContentErrors

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
WATCHED = ("templates", "static", "schema")
PREFIX = "/__preview/"

RELOAD_JS = """\
// Preview only (build.py serve): reload the page when a new build is ready.
(function () {
  var script = document.currentScript;
  var seen = script ? script.getAttribute("data-generation") : null;
  function poll() {
    fetch("/__preview/state", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (seen === null) { seen = String(state.generation); }
        else if (String(state.generation) !== seen) {
          try { sessionStorage.setItem("preview-reloaded", "1"); } catch (e) {}
          location.reload(); return;
        }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  // After an automatic reload the browser keeps the scroll position: the error box stays at the top of
  // the window (position: sticky) and takes the focus, so that it is seen and read out.
  var reloaded = false;
  try {
    reloaded = sessionStorage.getItem("preview-reloaded") === "1";
    sessionStorage.removeItem("preview-reloaded");
  } catch (e) {}
  var box = document.getElementById("preview-errors");
  if (box && reloaded) { box.focus({preventScroll: true}); }
  poll();
})();
"""

PREVIEW_CSS = """\
.preview-errors { background: #fff0f0; color: #5c0000; border: 3px solid #c00; padding: 1rem; margin: 0;
  position: sticky; top: 0; z-index: 1000; max-height: 40vh; overflow-y: auto; }
.preview-errors:focus { outline: 3px solid #000; outline-offset: -6px; }
.preview-errors h2 { margin: 0 0 .5rem; font-size: 1.1rem; }
.preview-errors ul { margin: 0; padding-left: 1.2rem; }
.preview-errors li { font-family: monospace; white-space: pre-wrap; word-break: break-all; }
"""

ERROR_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>プレビュー: 内容に誤りがあります</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'">
</head><body></body></html>
"""


@dataclass
class State:
    """What the preview serves: the build generation, the last errors, whether a good build exists."""

    generation: int = 0
    errors: list[str] = field(default_factory=list)
    built: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(SimpleHTTPRequestHandler):
    """Serves the built site, adding the reload script (and the error banner) to HTML responses."""

    state: State

    def __init__(self, *args, state: State, **kwargs):
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        log.debug("%s - %s", self.address_string(), format % args)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - name fixed by the base class
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(PREFIX):
            return self._preview(path[len(PREFIX) :])
        if not self.state.built:
            return self._send(ERROR_PAGE.encode("utf-8"), "text/html; charset=utf-8", inject=True)
        local = Path(self.translate_path(path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if local.is_file() and local.suffix == ".html":
            return self._send(local.read_bytes(), "text/html; charset=utf-8", inject=True)
        return super().do_GET()

    def _preview(self, name: str) -> None:
        with self.state.lock:
            body = {"generation": self.state.generation, "errors": list(self.state.errors)}
        if name == "state":
            return self._send(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json")
        if name == "reload.js":
            return self._send(RELOAD_JS.encode("utf-8"), "text/javascript; charset=utf-8")
        if name == "preview.css":
            return self._send(PREVIEW_CSS.encode("utf-8"), "text/css; charset=utf-8")
        self.send_error(404)

    def _send(self, data: bytes, ctype: str, inject: bool = False) -> None:
        if inject:
            data = inject_preview(data.decode("utf-8"), self.state).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def inject_preview(page: str, state: State) -> str:
    """Add the reload script, and the error banner when the last build failed, to one HTML page."""
    with state.lock:
        generation, errors, built = state.generation, list(state.errors), state.built
    head = (
        f'<link rel="stylesheet" href="{PREFIX}preview.css">'
        f'<script src="{PREFIX}reload.js" data-generation="{generation}" defer></script>'
    )
    page = page.replace("</head>", head + "</head>", 1)
    if errors:
        kept = "最後に成功した生成の内容を表示しています。" if built else "まだ一度も生成できていません。"
        items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
        banner = (
            '<div class="preview-errors" id="preview-errors" role="alert" tabindex="0">'
            f"<h2>内容に誤りがあります({len(errors)} 件)。{kept}"
            f"直して保存すると、自動で作り直します。</h2><ul>{items}</ul></div>"
        )
        at = page.find(">", page.find("<body")) + 1
        page = page[:at] + banner + page[at:]
    return page


def _rebuild(content: Path, out: Path, state: State, jobs: int | None = None) -> None:
    """Build once; on errors keep the last good site and record the errors for the banner.

    Once the server's thread runs, rebuilds stay in this process (`jobs` 1): forking beside a
    running thread is not safe, and a rebuild after an edit makes only the changed assessments.
    """
    t0 = time.perf_counter()
    errors: list[str] = []
    try:
        result = build(content, out, search=False, jobs=jobs)
        print(
            f"生成しました: {result.files} ファイル、警告 {len(result.warnings)} 件、"
            f"{time.perf_counter() - t0:.1f} 秒。",
            file=sys.stderr,
            flush=True,
        )
    except ContentErrors as exc:
        errors = [p.format() for p in exc.problems]
    except BuildError as exc:
        errors = [f"エラー: {exc}"]
    except Exception as exc:  # noqa: BLE001 - keep serving the last good site whatever went wrong
        log.debug("preview build failed", exc_info=True)
        errors = [f"エラー: 予期しない問題が起きました({type(exc).__name__}: {exc})"]
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        print(
            f"エラー {len(errors)} 件。最後に成功した生成の内容を配信したままにしています。",
            file=sys.stderr,
            flush=True,
        )
    with state.lock:
        state.errors = errors
        state.built = state.built or not errors
        state.generation += 1


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the preview the way Ctrl-C does


def serve(content: Path, port: int = 8000, out: Path | None = None) -> int:
    """Build, serve on 127.0.0.1:`port` and rebuild on every change until Ctrl-C; return the exit status."""
    from watchfiles import watch

    content = Path(content)
    if not content.is_dir():
        raise BuildError(
            f"コンテンツのフォルダ {content} が見つかりません。--content で正しいフォルダを指定してください。"
        )
    temp = None if out else Path(tempfile.mkdtemp(prefix="pia-preview-"))
    site = Path(out) if out else temp / "site"  # type: ignore[operator]
    state = State()
    signal.signal(signal.SIGTERM, _stop)
    httpd = None
    started = False
    try:
        handler = functools.partial(_Handler, directory=str(site.absolute()), state=state)
        try:
            httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError as exc:
            raise BuildError(
                f"ポート {port} を使えません({exc.strerror})。--port で別の番号を指定してください。"
            ) from None
        _rebuild(content, site, state)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started = True
        print(
            f"プレビュー: http://127.0.0.1:{httpd.server_address[1]}/ をブラウザで開いてください。"
            "内容を保存すると自動で作り直します。終わるときは Ctrl-C を押します。",
            file=sys.stderr,
            flush=True,
        )
        paths = [content, *(ROOT / name for name in WATCHED)]
        for changes in watch(*paths, debounce=300, raise_interrupt=True):
            names = sorted({Path(p).name for _, p in changes})
            print(
                f"変更を検出しました({'、'.join(names[:3])}{' ほか' if len(names) > 3 else ''})。作り直します…",
                file=sys.stderr,
                flush=True,
            )
            _rebuild(content, site, state, jobs=1)
    except KeyboardInterrupt:
        print("プレビューを終了しました。", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if httpd is not None:
            if started:
                httpd.shutdown()  # waits for serve_forever to return: only once it runs
            httpd.server_close()
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0
