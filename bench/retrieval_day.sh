#!/usr/bin/env bash
# Retrieval of one day (issue 16): `mqtt2s3 get` one device and all devices, JSON Lines and
# Parquet buckets, RUNS fresh processes in a row (run 1 cold; later runs warm: the OS page
# cache, RGW and the OSD hold what run 1 read; no cache inside the process). Prints wall
# seconds and get's own request/byte counts (stderr) per run.
#
#   S3_ENDPOINT=... S3_ACCESS_KEY=... S3_SECRET_KEY=... \
#   bench/retrieval_day.sh BIN [RUNS] [BUCKET...]
# BIN: the mqtt2s3 binary; BUCKETs default to company-x-plant-1 company-x-plant-1-pq
# (examples/welding.yaml and examples/welding-parquet.yaml fed the same simulated day).
set -euo pipefail
bin=$1; runs=${2:-3}; shift $(( $# < 2 ? $# : 2 ))
buckets=("$@"); (( ${#buckets[@]} )) || buckets=(company-x-plant-1 company-x-plant-1-pq)
day=${DAY:-2018-10-01}; next=$(date -u -d "$day + 1 day" +%F); device=${DEVICE:-WELDING-STATION-3}
out=$(mktemp); trap 'rm -f "$out" "$out.err"' EXIT
for b in "${buckets[@]}"; do
  for q in one all; do
    dev=(); [[ $q == one ]] && dev=(--device "$device")
    for ((r = 1; r <= runs; r++)); do
      t0=$(date +%s.%N)
      "$bin" get --endpoint "$S3_ENDPOINT" -b "$b" --list-prefix "${day//-//}/" --from "$day" \
        --to "$next" "${dev[@]}" --payload-only -o "$out" 2> "$out.err"
      t1=$(date +%s.%N)
      printf '%s %s run %d: %.2f s, %d lines, %d bytes out; %s\n' "$b" "$q" "$r" \
        "$(echo "$t1 - $t0" | bc)" "$(wc -l < "$out")" "$(stat -c %s "$out")" \
        "$(tr '\n' ' ' < "$out.err")"
    done
  done
done
