#!/usr/bin/env bash
# Installs the dashboard page's npm packages (web/package.json + web/package-lock.json, e.g.
# uPlot) with `npm ci` into .cache/web/node_modules. Never vendored into the repo: the tree is
# rebuilt from the lock file. Idempotent: skips when .cache/web matches the lock file.
#
#   scripts/install-web-deps.sh            install (or check it is current), print the dir
#   scripts/install-web-deps.sh --check    say whether .cache/web matches the lock; exit 1 if not
#   MQTT2S3_CACHE_DIR=/x scripts/install-web-deps.sh   install under /x/web instead
#
# `mqtt2s3 serve` reads uPlot from .cache/web/node_modules/uplot/dist (--lib-dir overrides).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${MQTT2S3_CACHE_DIR:-$REPO/.cache}
DEST=$CACHE/web
LOCK=$REPO/web/package-lock.json
want=$(sha256sum "$LOCK" | cut -d' ' -f1)

current() {
  [[ -f $DEST/.lock-sha256 && $(<"$DEST/.lock-sha256") == "$want" &&
     -f $DEST/node_modules/uplot/package.json ]]
}
if [[ ${1:-} == --check ]]; then
  echo "npm: web/package-lock.json (the dashboard page: uplot)"
  if current; then echo "  present in $DEST"; exit 0; fi
  echo "  MISSING: npm ci of web/ into $DEST"; exit 1
fi
if current; then
  echo "$DEST"
  exit 0
fi
command -v npm >/dev/null || { echo "install-web-deps: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$CACHE"
# Install into a temporary dir renamed into place: an interrupted or concurrent install never
# leaves a half tree where the server looks.
tmp=$(mktemp -d "$CACHE/.web-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$REPO/web/package.json" "$LOCK" "$tmp/"
if ! (cd "$tmp" && timeout 300 npm ci --omit=dev --no-audit --no-fund --loglevel=error >npm-ci.log 2>&1); then
  echo "install-web-deps: npm ci failed:" >&2; tail -20 "$tmp/npm-ci.log" >&2; exit 1
fi
echo "$want" >"$tmp/.lock-sha256"
old=$(mktemp -d "$CACHE/.web-old.XXXXXX")
[[ -d $DEST ]] && mv -T "$DEST" "$old/web"
mv -T "$tmp" "$DEST"
trap - EXIT
rm -rf "$old"
echo "$DEST"
