#!/usr/bin/env bash
# How many boards (one MQTT connection each, 1 reading/s each) one simulate-hexaboard process
# sustains against a local Mosquitto, with its CPU and peak RSS. Prints, per step, readings
# delivered/s (counted by mosquitto_sub) against intended/s: the ratio is the figure. ramp_s is
# the simulator's own ramp-up (start until every board has tried its first connect), stop_s the
# time it takes to disconnect every board after the run.
#   scripts/bench/simulate.sh [BOARDS...]      default: 1000 3000 10000; each step ~25 s
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${IOTCTL_BIN:-$here/build/iotctl}
if [ $# -gt 0 ]; then steps=("$@"); else steps=(1000 3000 10000); fi
duration=${DURATION:-15}

# Mosquitto (run as a daemon from this shell) and the simulator both need one fd per board.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n)"
dir=$(mktemp -d /tmp/iotctl-bench-sim-XXXXXX)
trap '"$here/scripts/services/mosquitto" stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
eval "$("$here/scripts/services/mosquitto" start "$dir")"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %-8s %-12s %-12s %-7s %-8s %-9s %s\n' boards ramp_s stop_s intended/s delivered/s ratio cpu_% rss_MB max_lag_s
for n in "${steps[@]}"; do
  count_file="$dir/count-$n"
  timeout $((duration + 120)) mosquitto_sub -p "$PORT" -t "bench$n/hexaboard/+/sensor/data" > "$count_file" &
  sub=$!
  sleep 0.5
  start=$(date +%s.%N)
  /usr/bin/time -f "%P %M" -o "$dir/time-$n" "$bin" simulate-hexaboard -p "$PORT" --count "$n" \
    --interval 1 --jitter 0.1 --duration "$duration" --topic-prefix "bench$n" --seed 1 \
    2> "$dir/err-$n" || { echo "simulator failed at $n boards:"; tail -3 "$dir/err-$n"; kill "$sub"; break; }
  end=$(date +%s.%N)
  sleep 1
  kill "$sub" 2>/dev/null; wait "$sub" 2>/dev/null || true
  delivered=$(wc -l < "$count_file")
  summary=$(grep 'messages sent' "$dir/err-$n") || { echo "no summary at $n boards:"; tail -3 "$dir/err-$n"; break; }
  secs=$(sed -E 's/.* messages sent in ([0-9.]+) s.*/\1/' <<<"$summary")
  lag=$(sed -E 's/.*max lag ([0-9.]+) s.*/\1/' <<<"$summary")
  ramp=$(sed -E 's/.*ramp-up ([0-9.]+) s.*/\1/' <<<"$summary")
  read -r cpu rss < "$dir/time-$n"
  stop=$(python3 -c "print(f'{$end - $start - $secs - $ramp:.1f}')")
  python3 - "$n" "$ramp" "$stop" "$delivered" "$secs" "${cpu%\%}" "$rss" "$lag" <<'PY'
import sys
n, ramp, stop, delivered, secs, cpu, rss, lag = sys.argv[1:]
intended = int(n) / 1.0
rate = int(delivered) / float(secs)
print(f"{n:<8} {ramp:<8} {stop:<8} {intended:<12.0f} {rate:<12.0f} {rate / intended:<7.2f} {cpu:<8} {int(rss) / 1024:<9.0f} {lag}")
PY
done
