#!/usr/bin/env bash
# Unit test of the dependency scripts, offline: scripts/fetch-maven.sh against a local file://
# repository (a good artefact is fetched, unpacked and found; a tampered download and a
# tampered cache are refused or replaced; --check names what is missing), and
# scripts/install-deps.sh --check (lists the Debian, PyPI, Maven and npm sections).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/deps-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# A fake Maven repository with one tar.gz artefact.
mkdir -p "$WORK/remote/org/example/svc/1.0" "$WORK/src/svc-1.0/bin"
echo 'echo hello' >"$WORK/src/svc-1.0/bin/run"
tar -czf "$WORK/remote/org/example/svc/1.0/svc-1.0-bin.tar.gz" -C "$WORK/src" svc-1.0
sum=$(sha512sum "$WORK/remote/org/example/svc/1.0/svc-1.0-bin.tar.gz" | cut -d' ' -f1)
printf '# test lock\norg.example:svc:1.0:tar.gz:bin %s\n' "$sum" >"$WORK/good.lock"
printf 'org.example:svc:1.0:tar.gz:bin %s\n' "$(printf '0%.0s' {1..128})" >"$WORK/bad.lock"
fm() {  # lock, args...
  local lock=$1; shift
  MQTT2S3_CACHE_DIR=$WORK/cache MQTT2S3_MAVEN_REPO=file://$WORK/remote MQTT2S3_MAVEN_LOCK=$lock \
    "$REPO/scripts/fetch-maven.sh" "$@"
}

out=$(fm "$WORK/good.lock" --check 2>&1); rc=$?
[[ $rc == 1 && $out == *"MISSING: org.example:svc:1.0:tar.gz:bin"* ]] && ok "--check names a missing artefact" || bad "--check before fetch: rc=$rc: $out"

out=$(fm "$WORK/bad.lock" 2>&1); rc=$?
[[ $rc != 0 && $out == *"checksum mismatch for org.example:svc:1.0:tar.gz:bin"* && ! -e $WORK/cache/maven/org/example/svc/1.0/svc-1.0-bin.tar.gz ]] \
  && ok "a download that does not match the lock is refused and not kept" || bad "bad checksum: rc=$rc: $out"

out=$(fm "$WORK/good.lock" 2>&1); rc=$?
dist=$(fm "$WORK/good.lock" --path svc 2>&1)
[[ $rc == 0 && -f $dist/bin/run && $dist == "$WORK/cache/maven/dist/svc-1.0" ]] && ok "fetched, verified and unpacked into $dist" || bad "fetch: rc=$rc: $out / $dist"

out=$(fm "$WORK/good.lock" --check 2>&1); rc=$?
[[ $rc == 0 && $out == *"all present and verified"* ]] && ok "--check after fetch" || bad "--check after fetch: rc=$rc: $out"

echo corrupt >>"$WORK/cache/maven/org/example/svc/1.0/svc-1.0-bin.tar.gz"
out=$(fm "$WORK/good.lock" --check 2>&1); rc=$?
[[ $rc == 1 ]] && ok "--check notices a tampered cached file" || bad "tampered cache --check: rc=$rc: $out"
out=$(fm "$WORK/good.lock" 2>&1); rc=$?
[[ $rc == 0 && $out == *downloading* ]] && fm "$WORK/good.lock" --check >/dev/null && ok "a tampered cached file is fetched again" || bad "refetch: rc=$rc: $out"

out=$(MQTT2S3_JAVA_MIN=999 fm "$WORK/good.lock" 2>&1); rc=$?
[[ $rc != 0 && $out == *"need >= 999"* ]] && ok "a too-old Java is refused by name" || bad "java check: rc=$rc: $out"

out=$("$REPO/scripts/install-deps.sh" --check 2>&1); rc=$?
for section in "Debian:" "PyPI:" "Maven:" "Java:" "npm: web" "npm: aedes"; do
  [[ $out == *"$section"* ]] && ok "install-deps --check lists '$section'" || bad "install-deps --check lacks '$section': $out"
done
# make test installed everything before running this test: nothing may be missing.
[[ $rc == 0 && $out != *MISSING* ]] && ok "install-deps --check: nothing missing" || bad "install-deps --check rc=$rc: $out"

out=$("$REPO/scripts/install-deps.sh" --check bogus 2>&1); rc=$?
[[ $rc == 2 && $out == *"unknown argument 'bogus'"* ]] && ok "a bad profile is named" || bad "bad profile: rc=$rc: $out"

echo "deps_test: $passed passed, $failed failed"
[[ $failed == 0 ]]
