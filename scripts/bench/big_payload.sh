#!/usr/bin/env bash
# Bench: peak memory (RSS) of the commands that decode JSON, for one big JSON message.
#   sub --json, csv-export (of a capture holding it), replay (publishing it), ingest (to SQLite)
# Prints each command's peak RSS (/usr/bin/time -v), and the ratio of (peak - baseline) to the
# payload size, where baseline is the same command's peak RSS for one small message.
# Target: (peak - baseline) <= 3 x the payload.
#
# Usage: scripts/bench/big_payload.sh [MB]      (default 100: a 100 MB JSON object)
# Run it as `flock /tmp/iotctl-bench.lock scripts/bench/big_payload.sh` so no other bench runs alongside.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
iotctl=${IOTCTL_BIN:-$here/build/iotctl}
mb=${1:-100}
work=$(mktemp -d -t iotctl-bench-big-XXXXXX)
trap '"$here/scripts/services/mosquitto" stop "$work/mq" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$("$here/scripts/services/mosquitto" start "$work/mq" | sed -n 's/^PORT=//p')
fail() { echo "big_payload bench: FAILED: $*" >&2; exit 1; }

# A JSON object of about MB megabytes: readings with numbers and strings, as a device might batch.
python3 - "$mb" > "$work/big.json" <<'PY'
import sys
target = int(float(sys.argv[1]) * 1_000_000)
out, size, i = ['{"board":"A","readings":['], 0, 0
while size < target:
    item = '{"seq":%d,"temperature":%d.%d,"humidity":%d,"note":"reading number %d"},' % (
        i, 20 + i % 10, i % 10, 40 + i % 50, i)
    out.append(item)
    size += len(item)
    i += 1
out[-1] = out[-1].rstrip(',')
out.append(']}')
sys.stdout.write(''.join(out))
PY
printf '{"board":"A","temperature":21.5}' > "$work/small.json"
payload_bytes=$(stat -c %s "$work/big.json")

peak_kb() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }
# wait_for FILE PATTERN SECONDS: polls until FILE holds a line matching PATTERN.
wait_for() {
  local start=$SECONDS
  until grep -q -- "$2" "$1" 2>/dev/null; do
    [ $((SECONDS - start)) -lt "$3" ] || fail "no '$2' in $1 after $3 s"
    sleep 0.1
  done
}

# run_sub NAME PAYLOAD: `sub --json` receiving one message; also records the capture NAME.db.
run_sub() {
  local name=$1 file=$2
  "$iotctl" pub -p "$port" -t "bench/$name/ready" -m ready -r
  /usr/bin/time -v -o "$work/sub-$name.time" "$iotctl" sub -p "$port" -t "bench/$name/#" --json \
    -C 2 -W 300 > "$work/sub-$name.out" &
  local pid=$!
  wait_for "$work/sub-$name.out" ready 30
  "$iotctl" pub -p "$port" -t "bench/$name/data" -q 1 -f "$file"
  wait "$pid" || fail "sub --json exited $?"
  "$iotctl" pub -p "$port" -t "bench/$name/ready" -n -r
  # The capture for csv-export and replay, recorded without --json (not measured).
  "$iotctl" pub -p "$port" -t "rec/$name/ready" -m ready -r
  "$iotctl" sub -p "$port" -t "rec/$name/#" -C 2 -W 300 --record "$work/$name.db" > "$work/rec-$name.out" &
  pid=$!
  wait_for "$work/rec-$name.out" ready 30
  "$iotctl" pub -p "$port" -t "rec/$name/data" -q 1 -f "$file"
  wait "$pid" || fail "sub --record exited $?"
  "$iotctl" pub -p "$port" -t "rec/$name/ready" -n -r
}

run_csv() {
  /usr/bin/time -v -o "$work/csv-$1.time" "$iotctl" csv-export "$work/$1.db" -o "$work/csv-$1.out" 2> "$work/csv-$1.err" ||
    fail "csv-export exited $?"
}

run_replay() {
  /usr/bin/time -v -o "$work/replay-$1.time" "$iotctl" replay "$work/$1.db" -p "$port" --speed 0 \
    --topic-rewrite rec/=replayed/ 2> /dev/null || fail "replay exited $?"
}

# run_ingest NAME PAYLOAD: ingest (generic preset, SQLite) until its stats say the message is done.
run_ingest() {
  local name=$1 file=$2
  /usr/bin/time -v -o "$work/ingest-$name.time" "$iotctl" ingest -p "$port" -i "bench-$name" \
    -t "ingest/$name/#" --sqlite "$work/ingest-$name.sqlite" --state-dir "$work/state" \
    --dead-letter "$work/dead-$name.jsonl" --stats-interval 0.2 --log-file "$work/ingest-$name.log" &
  local pid=$!
  wait_for "$work/ingest-$name.log" "received=0" 30
  "$iotctl" pub -p "$port" -t "ingest/$name/data" -q 1 -f "$file"
  wait_for "$work/ingest-$name.log" "received=1 .*lag=0B" 300
  kill -TERM "$(pgrep -P "$pid")"  # ingest, the child of /usr/bin/time
  wait "$pid" || fail "ingest exited $?"
}

for name in small big; do
  run_sub "$name" "$work/$name.json"
  run_csv "$name"
  run_replay "$name"
  run_ingest "$name" "$work/$name.json"
done

echo "payload: $payload_bytes bytes of JSON ($(python3 -c "print(f'{$payload_bytes/2**20:.1f}')") MiB)"
printf '%-12s %14s %14s %22s\n' command "peak RSS" "baseline" "(peak-baseline)/payload"
for cmd in sub csv replay ingest; do
  big=$(peak_kb "$work/$cmd-big.time")
  small=$(peak_kb "$work/$cmd-small.time")
  printf '%-12s %11s MiB %11s MiB %22s\n' "$cmd" "$((big / 1024))" "$((small / 1024))" \
    "$(python3 -c "print(f'{($big - $small) * 1024 / $payload_bytes:.2f}')")"
done
if [ -s "$work/dead-big.jsonl" ]; then
  echo "ingest dead letter reason: $(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline()).get("reason"))' "$work/dead-big.jsonl")"
fi
