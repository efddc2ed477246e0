#!/usr/bin/env bash
# Benchmark: the CPU cost of `--where`. Three `iotctl sub` subscribe at once to the same stream
# of BENCH_N ~120-byte hexaboard JSON readings (published by iotctl pub -l, which drops nothing):
# plain, `--where 'temperature > 30'` (half of the readings match and are printed), and
# `--where 'temperature > -1000'` (every reading matches: the evaluation on top of the same
# output). Prints each one's CPU seconds (user+sys, /usr/bin/time) and the ratio to plain sub;
# target <= 1.15x.
#   scripts/bench/where.sh [BUILD_DIR]      (env BENCH_N: messages, default 200000; BENCH_QOS: 0)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
iotctl=$build/iotctl
n=${BENCH_N:-200000}
q=${BENCH_QOS:-0}
work=$(mktemp -d /tmp/iotctl-bench-where.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$here/scripts/services/mosquitto" stop "$work/broker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

eval "$("$here/scripts/services/mosquitto" start "$work/broker" | grep -E '^PORT=')"
host=(-h 127.0.0.1 -p "$PORT")

# Temperatures 20.0 .. 39.9: half of them above 30. The last line is the number above 30.
python3 - "$n" > "$work/lines" <<'PY'
import json, sys
n = int(sys.argv[1])
hot = 0
for i in range(n):
    t = 20 + i % 200 / 10
    hot += t > 30
    print(json.dumps({"board": "ABCDEFGH"[i % 8], "seq": i, "temperature": t,
                      "humidity": 40 + i % 30, "light": 800 + i % 50, "timestamp": 1732500000 + i},
                     separators=(",", ":")))
print(hot)
PY
hot=$(tail -1 "$work/lines")
sed -i '$d' "$work/lines"
avg=$(( $(wc -c < "$work/lines") / n ))

wait_lines() {  # file, count, seconds
  local file=$1 want=$2 limit=$3 start=$SECONDS
  while [ "$(wc -l < "$file" 2>/dev/null || echo 0)" -lt "$want" ]; do
    [ $((SECONDS - start)) -ge "$limit" ] && return 1
    sleep 0.1
  done
}
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }

topic=bench/where
# Retained, and above every threshold: each subscriber prints it first (it is subscribed then).
"$iotctl" pub "${host[@]}" -t "$topic/ready" -m '{"temperature":99}' -r -q 1
names=(plain "temperature > 30" "temperature > -1000")
counts=($((n + 1)) $((hot + 1)) $((n + 1)))
for i in 0 1 2; do
  args=()
  [ "$i" -gt 0 ] && args=(--where "${names[$i]}")
  /usr/bin/time -f "%U %S" -o "$work/cpu-$i" \
    "$iotctl" sub "${host[@]}" -q "$q" -t "$topic/#" "${args[@]}" -C "${counts[$i]}" -W 600 \
    > "$work/out-$i" &
  pids+=($!)
done
for i in 0 1 2; do wait_lines "$work/out-$i" 1 60; done
"$iotctl" pub "${host[@]}" -t "$topic/data" -q "$q" -l < "$work/lines"
for p in "${pids[@]}"; do wait "$p" || echo "a subscriber exited $?" >&2; done
pids=()

echo "iotctl sub --where benchmark: $n messages of ~$avg bytes at QoS $q, $hot above 30"
printf '%-32s %10s %8s %10s\n' "subscriber" "CPU (s)" "ratio" "printed"
base=$(cpu "$work/cpu-0")
for i in 0 1 2; do
  c=$(cpu "$work/cpu-$i")
  label="sub"; [ "$i" -gt 0 ] && label="sub --where '${names[$i]}'"
  printf '%-32s %10s %7.2fx %10d\n' "$label" "$c" \
    "$(awk -v a="$c" -v b="$base" 'BEGIN{print (b > 0 ? a / b : 0)}')" \
    $(($(wc -l < "$work/out-$i") - 1))
done
