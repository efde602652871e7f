#!/bin/sh
# fonts.sh - installs the 仿宋 and 楷体 of GB/T 9704-2012 PDFs (FandolFang,
# FandolKai) into /usr/local/share/fonts/shuniu, a directory of fontconfig's
# default configuration, so src/kernel/gbt9704.c finds them by family name.
#
# They ship in Debian's texlive-lang-chinese; only its .deb is fetched
# (apt-get download, no install, no TeX) and the OTFs are taken out with
# dpkg-deb -x.  Idempotent: nothing is fetched when the fonts are there.
# Called by scripts/deps.sh; SHUNIU_FONT_DIR overrides the directory.
set -eu
dest=${SHUNIU_FONT_DIR:-/usr/local/share/fonts/shuniu}
want="FandolFang-Regular.otf FandolKai-Regular.otf"

have=1
for f in $want; do
    [ -f "$dest/$f" ] || have=0
done
[ "$have" = 1 ] && exit 0

if [ "$(id -u)" != 0 ] && [ ! -w "$(dirname "$dest")" ]; then
    echo "fonts: FandolFang missing in $dest (run as root to install)" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cd "$tmp"
echo "fonts: fetching texlive-lang-chinese (.deb only) for FandolFang/FandolKai"
if ! apt-get download texlive-lang-chinese >/dev/null 2>&1; then
    apt-get update -qq || true
    apt-get download texlive-lang-chinese >/dev/null
fi
dpkg-deb -x texlive-lang-chinese_*.deb x
mkdir -p "$dest"
for f in $want; do
    src=$(find x -name "$f" | head -n 1)
    if [ -z "$src" ]; then
        echo "fonts: $f not in texlive-lang-chinese" >&2
        exit 1
    fi
    install -m 0644 "$src" "$dest/$f"
done
fc-cache -f "$dest" >/dev/null 2>&1 || true
echo "fonts: installed FandolFang and FandolKai in $dest"
