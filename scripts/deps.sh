#!/bin/sh
# Installs the Debian packages shuniu needs to build, test and benchmark.
# Idempotent: packages already present are not fetched again, and the npm
# harness for browser tests is installed only when its lock changes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

pkgs="build-essential cmake pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev postgresql
libjansson-dev libsodium-dev libssl-dev libxlsxwriter-dev libcmocka-dev
libcurl4-openssl-dev libopencc-dev libopencc-data
curl wrk chromium fonts-noto-cjk unzip valgrind
libcairo2-dev libpango1.0-dev libfontconfig-dev poppler-utils
fonts-noto-cjk-extra fonts-arphic-ukai"
# Node.js and npm come from Debian unless the machine already has them
# (a NodeSource nodejs bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing packages:$missing (run as root to install)" >&2
        exit 1
    fi
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 仿宋/楷体 of the GB/T 9704 PDFs, taken from texlive-lang-chinese's .deb.
sh "$top/scripts/fonts.sh"

# Browser-test harness (playwright-core drives Debian's chromium).
if [ "${SHUNIU_SKIP_NPM:-0}" != 1 ] && [ -f "$top/tests/e2e/package.json" ]; then
    cd "$top/tests/e2e"
    stamp=node_modules/.shuniu-stamp
    if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] ||
       { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; }; then
        echo "deps: installing browser-test harness (npm)"
        if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent
        else npm install --no-audit --no-fund --silent; fi
        touch "$stamp"
    fi
fi
