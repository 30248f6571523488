#!/usr/bin/env bash
# Fetches the project's Maven Central artefacts (java/artifacts.lock: coordinates + sha512) once
# into .cache/maven/ in the repository layout, verifies each against the committed checksum, and
# unpacks archives into .cache/maven/dist/<artifactId>-<version>/. Nothing is committed but the
# lock file. Checks for a Java runtime first (the artefacts are Java services, e.g. Artemis).
#
#   scripts/fetch-maven.sh               fetch/verify/unpack everything (idempotent)
#   scripts/fetch-maven.sh --check       list the artefacts and the Java runtime, and what is
#                                        missing; fetches nothing; exit 1 if anything is missing
#   scripts/fetch-maven.sh --path ARTIFACT_ID
#                                        print the unpacked directory (or the file) of an artefact
# Environment: MQTT2S3_CACHE_DIR (default .cache), MQTT2S3_MAVEN_REPO (default Maven Central),
# MQTT2S3_MAVEN_LOCK (default java/artifacts.lock), MQTT2S3_JAVA_MIN (default 17).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${MQTT2S3_CACHE_DIR:-$REPO/.cache}/maven
REMOTE=${MQTT2S3_MAVEN_REPO:-https://repo1.maven.org/maven2}
LOCK=${MQTT2S3_MAVEN_LOCK:-$REPO/java/artifacts.lock}
JAVA_MIN=${MQTT2S3_JAVA_MIN:-17}

err() { echo "fetch-maven: $*" >&2; }

# Java major version on PATH, or empty.
java_major() {
  command -v java >/dev/null || return 0
  java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[0-9]+)?.*/\1/p'
}

java_check() {
  local major
  major=$(java_major)
  if [[ -z $major ]]; then echo "Java: no java on PATH (need >= $JAVA_MIN: apt-get install openjdk-17-jre-headless)"; return 1; fi
  if (( major < JAVA_MIN )); then echo "Java: java $major on PATH, need >= $JAVA_MIN"; return 1; fi
  echo "Java: java $major ($(command -v java))"
}

# Lock lines: group:artifact:version:type[:classifier] sha512. Sets the artefact's relative path.
parse() {
  local coord=$1 g a v t c
  IFS=: read -r g a v t c <<<"$coord"
  [[ -n $g && -n $a && -n $v && -n $t ]] || { err "$LOCK: bad coordinates '$coord' (group:artifact:version:type[:classifier])"; exit 2; }
  ART_ID=$a ART_VER=$v ART_TYPE=$t
  ART_PATH="${g//.//}/$a/$v/$a-$v${c:+-$c}.$t"
}

entries() { grep -vE '^\s*(#|$)' "$LOCK"; }

verified() {  # file sha512 -> 0 if it exists and matches
  [[ -f $1 ]] && [[ $(sha512sum "$1" | cut -d' ' -f1) == "$2" ]]
}

dist_dir() { echo "$CACHE/dist/$ART_ID-$ART_VER"; }

fetch_one() {
  local coord=$1 sum=$2 file tmp got
  parse "$coord"
  file=$CACHE/$ART_PATH
  if ! verified "$file" "$sum"; then
    mkdir -p "$(dirname "$file")"
    tmp=$(mktemp "$file.part.XXXXXX")
    echo "fetch-maven: downloading $coord"
    if ! curl -fsSL --retry 3 --connect-timeout 20 --max-time 600 -o "$tmp" "$REMOTE/$ART_PATH"; then
      rm -f "$tmp"; err "download of $REMOTE/$ART_PATH failed"; return 1
    fi
    got=$(sha512sum "$tmp" | cut -d' ' -f1)
    if [[ $got != "$sum" ]]; then
      rm -f "$tmp"
      err "checksum mismatch for $coord: $LOCK says sha512 ${sum:0:16}..., downloaded ${got:0:16}...; refused"
      return 1
    fi
    mv -f "$tmp" "$file"
  fi
  if [[ $ART_TYPE == tar.gz || $ART_TYPE == zip ]]; then
    local dest stampv
    dest=$(dist_dir)
    stampv="$sum"
    if [[ ! -f $dest/.sha512 || $(<"$dest/.sha512") != "$stampv" ]]; then
      tmp=$(mktemp -d "$CACHE/.unpack.XXXXXX")
      if [[ $ART_TYPE == tar.gz ]]; then tar -xzf "$file" -C "$tmp"; else (cd "$tmp" && unzip -q "$file"); fi
      # Archives hold one top directory; the dist dir is that directory.
      local top
      top=$(find "$tmp" -mindepth 1 -maxdepth 1)
      [[ $(wc -l <<<"$top") == 1 && -d $top ]] || top=$tmp
      echo "$stampv" >"$top/.sha512"
      mkdir -p "$CACHE/dist"
      rm -rf "$dest"
      mv -T "$top" "$dest"
      rm -rf "$tmp"
    fi
  fi
}

case "${1:-}" in
  --check)
    rc=0 missing=()
    java_check || rc=1
    mapfile -t lines < <(entries)
    names=()
    for l in "${lines[@]}"; do
      read -r coord sum <<<"$l"; parse "$coord"; names+=("$coord")
      verified "$CACHE/$ART_PATH" "$sum" || missing+=("$coord")
    done
    echo "Maven: ${#names[@]} artefacts: ${names[*]}"
    if [[ ${#missing[@]} -eq 0 ]]; then echo "  all present and verified in $CACHE"
    else echo "  MISSING: ${missing[*]}"; rc=1; fi
    exit $rc ;;
  --path)
    want=${2:?--path needs an artifactId}
    while read -r coord sum; do
      parse "$coord"
      if [[ $ART_ID == "$want" ]]; then
        if [[ $ART_TYPE == tar.gz || $ART_TYPE == zip ]]; then dist_dir; else echo "$CACHE/$ART_PATH"; fi
        exit 0
      fi
    done < <(entries)
    err "no artefact '$want' in $LOCK"; exit 1 ;;
  "") ;;
  *) err "unknown argument '$1' (expected --check or --path ARTIFACT_ID)"; exit 2 ;;
esac

java_check >/dev/null || { err "$(java_check)"; exit 1; }
command -v curl >/dev/null || { err "curl not found"; exit 1; }
n=0
while read -r coord sum; do
  [[ ${#sum} == 128 ]] || { err "$LOCK: '$coord' needs a sha512 (128 hex digits)"; exit 2; }
  fetch_one "$coord" "$sum"
  n=$((n + 1))
done < <(entries)
echo "fetch-maven: $n artefact(s) verified in $CACHE"
