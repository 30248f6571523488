#!/usr/bin/env bash
# Idempotent, non-interactive install of every build, test and service dependency
# of mqtt2s3 from Debian 12's own repositories. Skips what is already installed.
#
#   scripts/install-deps.sh            install everything
#   scripts/install-deps.sh --check    list what is missing, install nothing (exit 1 if any)
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev git
  # libraries (see docs/decisions and ../shared/DESIGN.md's dependency table)
  libboost-dev libssl-dev libcurl4-openssl-dev libpugixml-dev libsimdjson-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev prometheus-cpp-dev
  libzstd-dev zlib1g-dev libsystemd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real services for integration tests and the demo
  mosquitto mosquitto-clients ceph-mon ceph-osd radosgw ceph-common
  uuid-runtime bc curl procps openssl
  # python side: reader module, cross-checks, plotting app
  python3 python3-boto3 python3-botocore python3-matplotlib python3-paho-mqtt s3cmd
  # bench/e2e.sh (configs) and bench/profile_converter.sh
  python3-yaml linux-perf
  # dashboard page (mqtt2s3 serve): npm installs uPlot; its test drives headless chromium
  nodejs chromium
)
# Debian's nodejs ships npm separately; NodeSource's nodejs bundles it (and conflicts with it).
command -v npm >/dev/null || PACKAGES+=(npm)

# The dashboard page's npm packages (web/package-lock.json) into .cache/web. Not fatal: the
# build does not need them (only the page and its browser test do, which say so).
web_deps() {
  if "$(dirname "${BASH_SOURCE[0]}")/install-web-deps.sh" >/dev/null; then
    echo "install-deps: web packages current in .cache/web"
  else
    echo "install-deps: WARNING: npm ci of web/ failed; the dashboard page will lack uPlot" >&2
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -eq 0 ]; then echo "install-deps: all ${#PACKAGES[@]} packages present"; exit 0; fi
  echo "install-deps: missing: ${missing[*]}"; exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  web_deps
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An apt list older than a day (or none at all) cannot be trusted to resolve names.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
web_deps
echo "install-deps: done"
