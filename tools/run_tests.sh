#!/bin/sh
# Run the whole test suite, browser tests included. Installs what the browser and HTML-validator
# tests need from Debian when it is missing: chromium, a Java runtime (for the Nu Html Checker) and
# Japanese fonts (so that screenshots show the text).
set -eu
cd "$(dirname "$0")/.."
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$missing fonts-noto-cjk"
if [ -n "$missing" ]; then
  echo "Debian パッケージをインストールします:$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
exec .venv/bin/python -m pytest "$@"
