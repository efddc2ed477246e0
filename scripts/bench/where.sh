#!/usr/bin/env bash
# Benchmark: the CPU cost of `--where`. Three `iotctl sub` subscribe at once to the same stream
# of BENCH_N ~120-byte hexaboard JSON readings (published by iotctl pub -l, which drops nothing):
# plain, `--where 'temperature > 30'` (half of the readings match and are printed), and
# `--where 'temperature > -1000'` (every reading matches: the evaluation on top of the same
# output). Prints each one's CPU seconds (user+sys, /usr/bin/time) and the ratio to plain sub,
# per round and the median of BENCH_ROUNDS rounds (default 3: one run swings by about 10%);
# target <= 1.15x.
#   scripts/bench/where.sh [BUILD_DIR]      (env BENCH_N: messages, default 200000; BENCH_QOS: 0)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/scripts/bench/lib.sh"
build=${1:-$here/build}
iotctl=$build/iotctl
n=${BENCH_N:-200000}
q=${BENCH_QOS:-0}
start_bench_broker where

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

names=(plain "temperature > 30" "temperature > -1000")
counts=($((n + 1)) $((hot + 1)) $((n + 1)))
rounds=${BENCH_ROUNDS:-3}
declare -A ratios
echo "iotctl sub --where benchmark: $n messages of ~$avg bytes at QoS $q, $hot above 30;" \
     "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-32s %10s %8s %10s\n' "round" "subscriber" "CPU (s)" "ratio" "printed"
for round in $(seq "$rounds"); do
  topic=bench/where/$round
  # Retained, and above every threshold: each subscriber prints it first (it is subscribed then).
  "$iotctl" pub "${host[@]}" -t "$topic/ready" -m '{"temperature":99}' -r -q 1
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
  base=$(cpu "$work/cpu-0")
  for i in 0 1 2; do
    c=$(cpu "$work/cpu-$i")
    label="sub"; [ "$i" -gt 0 ] && label="sub --where '${names[$i]}'"
    r=$(ratio "$c" "$base")
    ratios[$i]+=" $r"
    printf '%-6s %-32s %10s %7sx %10d\n' "$round" "$label" "$c" "$r" \
      $(($(wc -l < "$work/out-$i") - 1))
  done
done
echo "medians of $rounds rounds: --where '${names[1]}' $(median "${ratios[1]}")x (target <= 1.15)," \
     "--where '${names[2]}' $(median "${ratios[2]}")x; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
