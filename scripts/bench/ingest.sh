#!/usr/bin/env bash
# Bench: one stream of N hexaboard messages at QoS 1 (default 200000), consumed by
#  (a) iotctl sub > /dev/null  (b) ingest -> InfluxDB 1.x  (c) -> MariaDB  (d) -> SQLite
#  (e) Python paho + one synchronous InfluxDB write per message (first N/20 only: it is slow).
# Prints messages/second, peak RSS of (b), and the ratios b/a and b/e.
#
# Usage: scripts/bench/ingest.sh [N]          the five consumers (about 2-4 minutes)
#        scripts/bench/ingest.sh --rss [N]    only (b), for its peak RSS on N (default 1000000)
#        scripts/bench/ingest.sh --metrics [N] [ROUNDS]   (b) without and with --metrics-listen
#             (scraped every second), alternating for ROUNDS (default 3) rounds of N (default
#             200000); prints the median of each and their ratio (target within 5%)
# Run it as `flock /tmp/iotctl-bench.lock scripts/bench/ingest.sh` so no other bench runs alongside.
#
# Method: every consumer first creates its persistent session (QoS 1), then the stream is
# published once, so the broker queues all of it for each of them (max_queued_messages 0: no
# cap). Each consumer is then started alone and timed from its launch until it has all N: sub
# until it exits after -C N; ingest until its stats line says every message is written to the
# sink (checked afterwards by counting rows/points in the sink itself). The publisher is outside
# every timed window, so it cannot be what limits (a) or (b).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
iotctl=${IOTCTL_BIN:-$here/build/iotctl}
rss_only=0 metrics_only=0
if [ "${1:-}" = "--rss" ]; then rss_only=1; shift; fi
if [ "${1:-}" = "--metrics" ]; then metrics_only=1; shift; fi
rounds=${2:-3}
n=${1:-$([ "$rss_only" = 1 ] && echo 1000000 || echo 200000)}
ne=$((n / 20))
tmp=$(mktemp -d -t iotctl-bench-XXXXXX)
svc="$here/scripts/services"
filter='hexaboard/+/sensor/data'
cleanup() {
  for s in mosquitto influxdb mariadb; do "$svc/$s" stop "$tmp/$s" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "ingest bench: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
rate() { python3 -c "print(round($1 / ($3 - $2)))"; }

port=$("$svc/mosquitto" start "$tmp/mosquitto" | sed -n 's/^PORT=//p')
influx_port=$("$svc/influxdb" start "$tmp/influxdb" | sed -n 's/^PORT=//p')
influx_url="http://127.0.0.1:$influx_port"
if [ "$rss_only" = 0 ] && [ "$metrics_only" = 0 ]; then
  "$svc/mariadb" start "$tmp/mariadb" > "$tmp/mariadb.env"
  mysql_url=$(sed -n 's/^URL=//p' "$tmp/mariadb.env")
fi

# Hexaboard payloads without "timestamp": ingest stamps the receive time (ns), so no two points
# of a board share a time and every message is one point/row.
python3 -c "
import json
for i in range($n):
    print(json.dumps({'board': 'B%d' % (i % 50), 'temperature': 20 + i % 100 / 10,
                      'humidity': 40 + i % 7, 'light': i % 1000, 'seq': i}))
" > "$tmp/stream.txt"

# ingest_cmd ID SINK-FLAGS...: sets cmd to the ingest command line of one consumer.
ingest_cmd() {
  local id=$1; shift
  cmd=("$iotctl" ingest -p "$port" -i "bench-$id" --preset hexaboard --state-dir "$tmp/state-$id"
    --stats-interval 0.1 "$@")
}

# register_ingest ID SINK-FLAGS...: runs ingest until subscribed, so its session queues the stream.
register_ingest() {
  local id=$1 log="$tmp/register-$1.log"
  ingest_cmd "$@"
  "${cmd[@]}" 2> "$log" & local pid=$!
  for _ in $(seq 600); do grep -q "ingest: client id" "$log" && break; sleep 0.1; done
  kill -TERM "$pid"; wait "$pid" || true
  grep -q "new session" "$log" || fail "ingest $id did not subscribe: $(tail -n 3 "$log")"
}

# log_time FILE PATTERN: Unix time of the first log line matching PATTERN (log lines start with
# an ISO-8601 UTC time in milliseconds).
log_time() {
  date -d "$(grep -m1 -- "$2" "$1" | cut -d' ' -f1)" +%s.%N
}

# drain_ingest ID SINK-FLAGS...: starts ingest on its queued stream and waits until the sink has
# all N; writes "RATE PEAK_RSS_KIB" to $tmp/result-ID.
drain_ingest() {
  local id=$1 log="$tmp/ingest-$1.log" t0 t1 pid
  t0=$(now)
  ingest_cmd "$@"
  /usr/bin/time -f "%M %U %S" -o "$tmp/rss-$id" "${cmd[@]}" 2> "$log" & pid=$!
  local scraper=""
  if [[ " ${cmd[*]} " == *" --metrics-listen "* ]]; then
    # Scrape /metrics every second while it drains, as Prometheus would.
    ( until mport=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2) && [ -n "$mport" ]; do sleep 0.05; done
      while kill -0 "$pid" 2>/dev/null; do
        curl -sf "http://127.0.0.1:$mport/metrics" > /dev/null || true; sleep 1
      done ) & scraper=$!
  fi
  until grep -q "messages=$n " "$log"; do
    kill -0 "$pid" 2>/dev/null || fail "ingest $id exited early: $(tail -n 3 "$log")"
    sleep 0.5  # the time comes from the log line, so a slow poll costs no precision
  done
  t1=$(log_time "$log" "messages=$n ")
  # SIGTERM to ingest itself (GNU time would die of it and leave ingest running).
  kill -TERM "$(pgrep -P "$pid")"
  wait "$pid" || fail "ingest $id exited non-zero: $(tail -n 3 "$log")"
  [ -n "$scraper" ] && wait "$scraper"
  local final; final=$(grep "final:" "$log")
  [[ "$final" == *"received=$n dead=0 dead_logged=0 skipped=0 partial=0 "* && "$final" == *"rejected=0 "* ]] ||
    fail "ingest $id: $final; its log: $(head -n 20 "$log")"
  local rss user sys; read -r rss user sys < <(tail -n 1 "$tmp/rss-$id")
  echo "$(rate "$n" "$t0" "$t1") $rss" > "$tmp/result-$id"
  python3 -c "print(round($user + $sys, 2))" > "$tmp/cpu-$id"  # CPU seconds (user + system)
}

influx_count() {  # influx_count DB MEASUREMENT
  curl -sfG "$influx_url/query" --data-urlencode "db=$1" \
    --data-urlencode "q=SELECT count(humidity) FROM $2" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["series"][0]["values"][0][1] if "series" in r else 0)'
}
expect_count() {  # expect_count WHAT GOT WANT
  [ "$2" = "$3" ] || fail "$1 holds $2 messages, expected $3"
}
publish() {
  local t0; t0=$(now)
  "$iotctl" pub -p "$port" -q 1 -t hexaboard/X/sensor/data -l < "$tmp/stream.txt" > /dev/null
  echo "published $n messages at QoS 1: $(rate "$n" "$t0" "$(now)") msg/s (not timed below)" >&2
}

influx_flags=(--influx "$influx_url" --influx-db bench)
if [ "$metrics_only" = 1 ]; then
  # The same stream drained by ingest -> InfluxDB without and with --metrics-listen, in
  # alternating order, ROUNDS times; the medians and their ratio.
  plain=(--influx "$influx_url" --influx-db bench_plain)
  scraped=(--influx "$influx_url" --influx-db bench_metrics --metrics-listen 127.0.0.1:0)
  register_ingest plain "${plain[@]}"
  register_ingest metrics "${scraped[@]}"
  : > "$tmp/rates-plain"; : > "$tmp/rates-metrics"; : > "$tmp/cpus-plain"; : > "$tmp/cpus-metrics"
  for r in $(seq "$rounds"); do
    publish
    order=(plain metrics); [ $((r % 2)) = 0 ] && order=(metrics plain)
    for id in "${order[@]}"; do
      if [ "$id" = plain ]; then drain_ingest plain "${plain[@]}"; else drain_ingest metrics "${scraped[@]}"; fi
      read -r rate_r _ < "$tmp/result-$id"; echo "$rate_r" >> "$tmp/rates-$id"
      cat "$tmp/cpu-$id" >> "$tmp/cpus-$id"
      echo "round $r: $id $rate_r msg/s, $(cat "$tmp/cpu-$id") s CPU" >&2
    done
  done
  python3 - "$tmp/rates-plain" "$tmp/rates-metrics" "$tmp/cpus-plain" "$tmp/cpus-metrics" <<'PY'
import statistics, sys
plain = [float(x) for x in open(sys.argv[1])]
scraped = [float(x) for x in open(sys.argv[2])]
cpu_p = statistics.median(float(x) for x in open(sys.argv[3]))
cpu_m = statistics.median(float(x) for x in open(sys.argv[4]))
p, m = statistics.median(plain), statistics.median(scraped)
print(f"ingest influx without --metrics-listen: median {p:.0f} msg/s of {plain}")
print(f"ingest influx with --metrics-listen (scraped every 1 s): median {m:.0f} msg/s of {scraped}")
print(f"with/without = {m / p:.3f} (target >= 0.95)")
# CPU time is steadier than wall time on a busy machine: ingest's own cost of the metrics.
print(f"ingest CPU seconds, median: without {cpu_p:.2f}, with {cpu_m:.2f} (ratio {cpu_m / cpu_p:.3f})")
PY
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
if [ "$rss_only" = 1 ]; then
  register_ingest influx "${influx_flags[@]}"
  publish
  drain_ingest influx "${influx_flags[@]}"
  read -r tb rss_b < "$tmp/result-influx"
  expect_count "InfluxDB" "$(influx_count bench hexaboard)" "$n"
  printf 'b ingest influx  %8.0f msg/s  peak RSS %d MiB (%d messages)\n' "$tb" $((rss_b / 1024)) "$n"
  exit 0
fi

# Sessions first, then one stream queued for all five consumers.
"$iotctl" sub -p "$port" -q 1 -c -i bench-sub -t "$filter" -W 1 > /dev/null || true
register_ingest influx "${influx_flags[@]}"
register_ingest mysql --mysql "$mysql_url"
register_ingest sqlite --sqlite "$tmp/bench.db"
/usr/bin/python3 "$here/scripts/bench/ingest_python_baseline.py" "$port" "$influx_port" pybench 0
publish

# (a) bare subscriber: from launch until it exits with N messages.
t0=$(now)
"$iotctl" sub -p "$port" -q 1 -c -i bench-sub -t "$filter" -C "$n" > "$tmp/sub.out" ||
  fail "sub exited $?"
ta=$(rate "$n" "$t0" "$(now)")

drain_ingest influx "${influx_flags[@]}"
read -r tb rss_b < "$tmp/result-influx"
expect_count "InfluxDB" "$(influx_count bench hexaboard)" "$n"
drain_ingest mysql --mysql "$mysql_url"
read -r tc rss_c < "$tmp/result-mysql"
. "$tmp/mariadb.env"
expect_count "MariaDB" "$(mariadb -N -h 127.0.0.1 -P "$PORT" -u "$USER" -p"$PASSWORD" "$DB" \
  -e 'SELECT COUNT(*) FROM hexaboard')" "$n"
drain_ingest sqlite --sqlite "$tmp/bench.db"
read -r td rss_d < "$tmp/result-sqlite"
expect_count "SQLite" "$(sqlite3 "$tmp/bench.db" 'SELECT COUNT(*) FROM hexaboard')" "$n"

# (e) the Python baseline on the first N/20 messages of its queue.
te=$(/usr/bin/python3 "$here/scripts/bench/ingest_python_baseline.py" "$port" "$influx_port" pybench "$ne")
expect_count "InfluxDB (python)" "$(influx_count pybench hexaboard_py)" "$ne"

printf 'a sub>/dev/null  %8.0f msg/s\n' "$ta"
printf 'b ingest influx  %8.0f msg/s  peak RSS %d MiB\n' "$tb" $((rss_b / 1024))
printf 'c ingest mariadb %8.0f msg/s  peak RSS %d MiB\n' "$tc" $((rss_c / 1024))
printf 'd ingest sqlite  %8.0f msg/s  peak RSS %d MiB\n' "$td" $((rss_d / 1024))
printf 'e python+influx  %8.0f msg/s (on its first %d messages)\n' "$te" "$ne"
python3 -c "print(f'b/a = {$tb/$ta:.2f} (target >= 0.8)   b/e = {$tb/$te:.1f} (target >= 50)')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
