#!/usr/bin/env bash
# The project's one Python environment: .venv, built from Debian's /usr/bin/python3 with
# --system-site-packages (Debian's python3-boto3, -matplotlib, -paho-mqtt stay usable) plus the
# PyPI packages pinned with hashes in python/requirements.lock. The source tree's python/ is on
# its path (a .pth file), so `.venv/bin/python -m mqtt2s3.reader` works without PYTHONPATH.
# Used by the demo, the tests, the benchmarks and the apps; CMake finds it as MQTT2S3_PYTHON.
#
#   scripts/python-env.sh           create or update .venv (idempotent; rebuilt when the lock
#                                   file or the base interpreter changes); prints nothing else
#   scripts/python-env.sh --check   list the pinned packages and what is missing; exit 1 if any
#   MQTT2S3_VENV=/x scripts/python-env.sh    another location
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MQTT2S3_VENV:-$REPO/.venv}
LOCK=$REPO/python/requirements.lock
BASE=/usr/bin/python3
PY=$VENV/bin/python

# name==version of each pin, in lock order.
pins() { grep -oE '^[A-Za-z0-9_.-]+==[^ ]+' "$LOCK"; }
stamp() { printf '%s %s\n' "$(sha256sum "$LOCK" | cut -d' ' -f1)" "$("$BASE" -c 'import sys; print(sys.version.split()[0])')"; }

if [[ ${1:-} == --check ]]; then
  rc=0 missing=()
  if [[ ! -x $PY ]]; then
    echo "PyPI ($LOCK, into $VENV): venv MISSING"; rc=1
  fi
  mapfile -t all < <(pins)
  echo "PyPI: ${#all[@]} pinned packages: ${all[*]}"
  if [[ -x $PY ]]; then
    for p in "${all[@]}"; do
      have=$("$PY" -c "import importlib.metadata as m, sys
try: print(m.version(sys.argv[1]))
except m.PackageNotFoundError: print('')" "${p%%==*}")
      [[ $have == "${p#*==}" ]] || missing+=("$p${have:+ (have $have)}")
    done
  fi
  if [[ -x $PY && ${#missing[@]} -eq 0 ]]; then echo "  all present in $VENV"
  elif [[ ${#missing[@]} -gt 0 ]]; then echo "  MISSING: ${missing[*]}"; rc=1; fi
  exit $rc
fi

[[ -x $BASE ]] || { echo "python-env: $BASE not found (apt-get install python3 python3-venv)" >&2; exit 1; }
if [[ -x $PY && -f $VENV/.lock-stamp && $(<"$VENV/.lock-stamp") == "$(stamp)" ]]; then
  echo "python-env: $VENV current with $(basename "$LOCK")"
  exit 0
fi

echo "python-env: building $VENV from $BASE and $(basename "$LOCK")"
rm -rf "$VENV"
"$BASE" -m venv --system-site-packages "$VENV"
# --require-hashes: every wheel must match the lock's sha256; anything not pinned and not
# already provided by Debian is refused rather than fetched unpinned.
if ! "$PY" -m pip install --quiet --disable-pip-version-check --no-input --require-hashes \
      -r "$LOCK" >"$VENV/pip-install.log" 2>&1; then
  echo "python-env: pip install failed:" >&2; tail -20 "$VENV/pip-install.log" >&2
  rm -rf "$VENV"; exit 1
fi
site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$REPO/python" >"$site/mqtt2s3-source.pth"
# The venv must import both worlds: Debian's packages (built against NumPy 1.x) and the pins.
"$PY" -c 'import boto3, matplotlib.pyplot, paho.mqtt.client, pyarrow.parquet, duckdb, polars, fastparquet, mqtt2s3' \
  || { echo "python-env: $VENV does not import its packages" >&2; exit 1; }
stamp >"$VENV/.lock-stamp"
echo "python-env: $VENV ready ($(pins | wc -l) pinned packages)"
