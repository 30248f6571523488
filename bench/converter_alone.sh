#!/usr/bin/env bash
# converter_alone.sh: the converter's own ceiling (docs/BENCHMARKS.md, "Converter alone"). Runs
# build/bench/m2s_converter_alone (fake broker + null S3, or --s3 URL) over a matrix of QoS, ack
# modes, formats and payloads, for one or more mqtt2s3 binaries interleaved (so that "before" and
# "after" share the machine's load), and prints every run and a table of medians.
#
#   bench/converter_alone.sh                                  # build/apps/mqtt2s3/mqtt2s3
#   bench/converter_alone.sh -n 1000000 --repeat 3 --cpu 1 \
#       --bin before=/tmp/old/mqtt2s3 --bin after=build/apps/mqtt2s3/mqtt2s3
#   bench/converter_alone.sh --cases "1:on-wal:jsonl:weld 1:on-wal:parquet:weld"
#   bench/converter_alone.sh --s3 "$S3_ENDPOINT"                # real RGW (keys from env)
#
# A case is QOS:ACK_MODE:FORMAT:PAYLOAD. --cpu N pins the converter to core N (one core).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOL=${M2S_CONVERTER_ALONE:-$REPO/build/bench/m2s_converter_alone}
N=300000
REPEAT=1
CPU=-1
S3=null
BINS=()
CASES="1:on-wal:jsonl:weld 0:on-wal:jsonl:weld 2:on-wal:jsonl:weld 1:on-receive:jsonl:weld
1:on-upload:jsonl:weld 1:on-wal:parquet:weld 0:on-wal:parquet:weld 1:on-wal:jsonl:machine
1:on-wal:parquet:machine"
while (($#)); do
  case $1 in
    -n) N=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --cpu) CPU=$2; shift ;;
    --s3) S3=$2; shift ;;
    --bin) BINS+=("$2"); shift ;;
    --cases) CASES=$2; shift ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "converter_alone.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
((${#BINS[@]})) || BINS=("build=$REPO/build/apps/mqtt2s3/mqtt2s3")
[[ -x $TOOL ]] || { echo "converter_alone.sh: build m2s_converter_alone first" >&2; exit 1; }
OUT=$(mktemp "${TMPDIR:-/tmp}/m2s-alone-XXXXXX.tsv")
echo "converter_alone.sh: N=$N repeat=$REPEAT cpu=$CPU s3=$S3 nproc=$(nproc) load $(cut -d' ' -f1-3 /proc/loadavg); rows in $OUT"
"$TOOL" --header -n 0 | tee "$OUT"
for ((r = 1; r <= REPEAT; r++)); do
  for c in $CASES; do
    IFS=: read -r qos mode format payload <<<"$c"
    for b in "${BINS[@]}"; do
      label=${b%%=*}
      bin=${b#*=}
      timeout 900 nice -n 0 "$TOOL" --bin "$bin" -n "$N" --qos "$qos" --ack-mode "$mode" \
        --format "$format" --payload "$payload" --cpu "$CPU" --s3 "$S3" --label "$label" \
        | tee -a "$OUT" || echo "converter_alone.sh: $label $c failed" >&2
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["qos"], r["ack_mode"], r["format"], r["payload"]), {}).setdefault(
        r["label"], []).append(r)
labels = list(dict.fromkeys(r["label"] for r in rows))
print("\n| QoS | ack mode | format | payload | " + " | ".join(
    f"{l} msgs/s | {l} CPU-µs/msg (stream / process)" for l in labels) + " |")
print("|---|---|---|---|" + "---:|---:|" * len(labels))
for (q, m, f, p), by in groups.items():
    cells = []
    for l in labels:
        rs = by.get(l, [])
        if not rs:
            cells += ["-", "-"]
            continue
        med = lambda k: statistics.median(float(x[k]) for x in rs)
        ok = "" if all(x["in_s3"] == "yes" for x in rs) else " (INCOMPLETE)"
        cells += [f"{med('msgs_per_s'):,.0f}{ok}",
                  f"{med('cpu_us_per_msg_stream'):.2f} / {med('cpu_us_per_msg_process'):.2f}"]
    print(f"| {q} | {m} | {f} | {p} | " + " | ".join(cells) + " |")
PY
