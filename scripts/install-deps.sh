#!/usr/bin/env bash
# Idempotent, non-interactive install of every dependency of mqtt2s3, from the registries the
# project's machines reach: Debian packages (C++ libraries, toolchain, services), PyPI (pinned in
# python/requirements.lock, into the project venv .venv), Maven Central (pinned with checksums in
# java/artifacts.lock, into .cache/maven) and npm (lock files under web/ and scripts/devstack/).
# Skips what is already present.
#
#   scripts/install-deps.sh [PROFILE]          install PROFILE (default: all)
#   scripts/install-deps.sh --check [PROFILE]  list every dependency and what is missing; installs
#                                              nothing; exit 1 if anything is missing
#
# Profiles:
#   demo  what `make demo` needs: compiler, libraries, mosquitto, Ceph, Python venv, web bundle
#   all   also what `make test` and `make bench` need: clang (fuzzers), Google Benchmark,
#         valgrind, perf, Chromium (dashboard test), systemd-analyze, Java + Maven artefacts
#         (Artemis), aedes (interop broker)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

CHECK=0
PROFILE=all
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    demo|all) PROFILE=$arg ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-deps: unknown argument '$arg' (expected --check, demo or all)" >&2; exit 2 ;;
  esac
done

DEMO_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (see docs/decisions and ../shared/DESIGN.md's dependency table)
  libboost-dev libssl-dev libcurl4-openssl-dev libpugixml-dev libsimdjson-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev prometheus-cpp-dev
  libzstd-dev zlib1g-dev libsystemd-dev
  # the build tree is configured with its tests (only the binary is built for the demo)
  libgtest-dev libgmock-dev
  # real services
  mosquitto mosquitto-clients ceph-mon ceph-osd radosgw ceph-common
  uuid-runtime bc curl procps openssl ca-certificates
  # python side: the venv's base, reader module (boto3), plotting app (matplotlib)
  python3 python3-venv python3-pip python3-boto3 python3-botocore python3-matplotlib
  python3-paho-mqtt python3-yaml
  # dashboard page: npm installs uPlot (NodeSource's nodejs bundles npm; Debian's does not)
  nodejs
)
TEST_PACKAGES=(
  # fuzzers and sanitizer runtime
  clang libclang-rt-14-dev
  # benchmarks and profiles
  libbenchmark-dev valgrind linux-perf
  # tests that use these tools: s3cmd (cross-check), chromium (dashboard page), systemd-analyze
  # (the unit file), Java 17 (Artemis, from Maven Central)
  s3cmd chromium systemd openjdk-17-jre-headless
)

PACKAGES=("${DEMO_PACKAGES[@]}")
[[ $PROFILE == all ]] && PACKAGES+=("${TEST_PACKAGES[@]}")
# Debian's nodejs ships npm separately; NodeSource's nodejs bundles it (and conflicts with it).
if ! command -v npm >/dev/null && ! dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
  PACKAGES+=(npm)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

if [[ $CHECK == 1 ]]; then
  rc=0
  echo "install-deps --check ($PROFILE)"
  missing=()
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  echo "Debian: ${#PACKAGES[@]} packages: ${PACKAGES[*]}"
  if [[ ${#missing[@]} -eq 0 ]]; then echo "  all present"; else echo "  MISSING: ${missing[*]}"; rc=1; fi
  "$REPO/scripts/python-env.sh" --check || rc=1
  "$REPO/scripts/install-web-deps.sh" --check || rc=1
  if [[ $PROFILE == all ]]; then
    "$REPO/scripts/fetch-maven.sh" --check || rc=1
    "$REPO/scripts/dev-stack.sh" deps --check || rc=1
  fi
  exit $rc
fi

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages ($PROFILE) already installed"
else
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "install-deps: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # An apt list older than a day (or none at all) cannot be trusted to resolve names.
  if [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1) ]]; then
    $SUDO apt-get update -qq
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$REPO/scripts/python-env.sh"
"$REPO/scripts/install-web-deps.sh" >/dev/null
echo "install-deps: web packages current in .cache/web"
if [[ $PROFILE == all ]]; then
  "$REPO/scripts/fetch-maven.sh"
  "$REPO/scripts/dev-stack.sh" deps >/dev/null
  echo "install-deps: aedes current in .cache"
fi
echo "install-deps: done ($PROFILE)"
