#!/usr/bin/env bash
# Bench: one stream of N hexaboard messages at QoS 1 (default 200000):
#  (a) iotctl sub > /dev/null  (b) ingest -> InfluxDB 1.x  (c) -> MariaDB  (d) -> SQLite
#  (e) Python paho + one synchronous InfluxDB write per message (on N/20, rate extrapolated).
# Prints messages/second, peak RSS of (b), and the ratios b/a and b/e.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
iotctl=${IOTCTL_BIN:-$here/build/iotctl}
n=${1:-200000}
tmp=$(mktemp -d -t iotctl-bench-XXXXXX)
svc="$here/scripts/services"
cleanup() { for s in mosquitto influxdb mariadb; do "$svc/$s" stop "$tmp/$s" >/dev/null 2>&1 || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
port=$("$svc/mosquitto" start "$tmp/mosquitto" --persistence | sed -n 's/^PORT=//p')
influx_port=$("$svc/influxdb" start "$tmp/influxdb" | sed -n 's/^PORT=//p')
mysql_url=$("$svc/mariadb" start "$tmp/mariadb" | sed -n 's/^URL=//p')
python3 -c "
import json
for i in range($n):
    print(json.dumps({'board': 'B%d' % (i % 50), 'temperature': 20 + i % 100 / 10, 'humidity': 50, 'seq': i}))
" > "$tmp/stream.txt"
publish() { "$iotctl" pub -p "$port" -q 1 -t hexaboard/X/sensor/data -l < "$tmp/stream.txt" >/dev/null; }
now() { date +%s.%N; }

# (a) bare subscriber: time from first publish until it has N messages.
t0=$(now); "$iotctl" sub -p "$port" -q 1 -t 'hexaboard/+/sensor/data' -C "$n" > /dev/null & sp=$!
sleep 1; t0=$(now); publish; wait "$sp"; ta=$(python3 -c "print($n/($(now)-$t0))")

# (b)(c)(d) ingest: from first publish until the sink holds N records and ingest has exited.
run_ingest() {  # args: sink flags...; prints rate and peak RSS (KiB)
  local st="$tmp/state-$RANDOM"
  /usr/bin/time -f "%M" -o "$tmp/rss" "$iotctl" ingest -p "$port" --preset hexaboard --state-dir "$st" "$@" \
    --stats-interval 1 2> "$tmp/ingest.log" & local ip=$!
  for _ in $(seq 300); do grep -q "ingest: client id" "$tmp/ingest.log" && break; sleep 0.1; done
  local t0; t0=$(now); publish
  while ! grep "messages=$n " "$tmp/ingest.log" >/dev/null; do sleep 0.2; done
  local t1; t1=$(now); kill -TERM $ip; wait $ip || true
  echo "$(python3 -c "print(round($n/($t1-$t0)))") $(cat "$tmp/rss")"
}
read -r tb rss_b < <(run_ingest --influx "http://127.0.0.1:$influx_port" --influx-db bench)
read -r tc _ < <(run_ingest --mysql "$mysql_url")
read -r td _ < <(run_ingest --sqlite "$tmp/bench.db")

# (e) the Python baseline on a subset (it is too slow for the whole stream).
ne=$((n / 20)); head -n "$ne" "$tmp/stream.txt" > "$tmp/sub.txt"
/usr/bin/python3 "$here/scripts/bench/ingest_python_baseline.py" "$port" "$influx_port" pybench "$ne" > "$tmp/py" & pp=$!
sleep 2; "$iotctl" pub -p "$port" -q 1 -t hexaboard/X/sensor/data -l < "$tmp/sub.txt" >/dev/null; wait $pp
te=$(cat "$tmp/py")

printf 'a sub>/dev/null  %8.0f msg/s\n' "$ta"
printf 'b ingest influx  %8.0f msg/s  peak RSS %d MiB\n' "$tb" $((rss_b / 1024))
printf 'c ingest mariadb %8.0f msg/s\n' "$tc"
printf 'd ingest sqlite  %8.0f msg/s\n' "$td"
printf 'e python+influx  %8.0f msg/s (on %d messages)\n' "$te" "$ne"
python3 -c "print(f'b/a = {$tb/$ta:.2f}   b/e = {$tb/$te:.1f}')"
