#!/usr/bin/env bash
# Capture, replay and csv-export throughput against their peers, measured in the same run:
#   record  (sub --record > /dev/null)   vs bare `sub > /dev/null`   target >= 0.8x
#   replay --speed 0                     msg/s delivered, vs mosquitto_pub -l in the same run
#                                        target >= 1.0x (and >= 100k msg/s)
#   replay --speed 1 timing error        p50/p99 (subscriber-measured) target p99 <= 2 ms, with
#                                        the machine loaded by a parallel build (one compile loop
#                                        of the project's sources per core, in a session of its
#                                        own as from another terminal; BENCH_BUILD_LOAD=0: none);
#                                        the subscriber is a separate consumer (its own session);
#                                        replay in the bench's session, then in a session of its
#                                        own (as when run from its own terminal: its own scheduler
#                                        autogroup); each with replay's own p99/max behind
#                                        schedule and the load average
#   csv-export of the capture            vs `sqlite3 -csv`            target >= 0.6x (default
#                                        columns), >= 0.8x (--fields); medians of 3 runs each
# Usage: scripts/bench/capture.sh [N]   (default 1000000 messages; bounded to < 5 minutes)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/scripts/bench/lib.sh"
bin=${IOTCTL_BIN:-$here/build/iotctl}
n=${1:-1000000}
work=$(mktemp -d /tmp/iotctl-bench-capture.XXXXXX)
load_pid=
stop_build_load() {
  if [ -n "$load_pid" ]; then
    kill -TERM -- "-$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
  fi
  load_pid=
}
trap 'stop_build_load; "$here/scripts/services/mosquitto" stop "$work/mq" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
eval "$("$here/scripts/services/mosquitto" start "$work/mq" | grep '^PORT=')"
now() { date +%s.%N; }

# Hexaboard-like payloads, one per line.
python3 - "$n" > "$work/lines" <<'PY'
import random, sys
random.seed(1)
for i in range(int(sys.argv[1])):
    print('{"board":"%s","temperature":%.1f,"humidity":%d,"light":%d,"timestamp":%d}'
          % ("ABCDEFGH"[i % 8], 15 + random.random() * 15, random.randint(20, 80), random.randint(0, 1000), 1732500000 + i))
PY

# A subscriber that is ready (it got the retained marker) and exits after COUNT more messages.
subscribe_to() {  # subscribe_to PREFIX COUNT NAME EXTRA_ARGS...
  local prefix=$1 count=$2 name=$3; shift 3
  "$bin" pub -p "$PORT" -t "$prefix/ready" -m ready -r
  /usr/bin/time -f "%U %S" -o "$work/$name.cpu" \
    "$bin" sub -p "$PORT" -t "$prefix/#" -C $((count + 1)) -W 280 "$@" > "$work/$name.out" &
  sub_pid=$!
  while [ ! -s "$work/$name.out" ]; do sleep 0.05; done
}
timed_run() {  # timed_run NAME EXTRA_ARGS...: seconds from the first publish to the sub's exit
  subscribe_to bench "$n" "$@"
  local t0; t0=$(now)
  "$bin" pub -p "$PORT" -t bench/hexaboard/A/sensor/data -l < "$work/lines"
  wait "$sub_pid"
  python3 -c "print($(now) - $t0)"
}

echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg) ($(nproc) cores)"
bare=$(timed_run bare)
rec=$(timed_run rec --record "$work/cap.db")
rows=$(sqlite3 "$work/cap.db" "SELECT count(*) FROM messages")
size=$(du -b "$work/cap.db" | cut -f1)
cpu_us() { awk -v n="$n" '{printf "%.1f", ($1 + $2) * 1e6 / n}' "$work/$1.cpu"; }
echo "record CPU: bare sub $(cpu_us bare) us/msg, sub --record $(cpu_us rec) us/msg (the publisher, pub -l, may be" \
     "the bottleneck of the rates below; CPU per message is the cost of recording)"
echo "record:  bare sub $(python3 -c "print(f'{$n/$bare:,.0f}')") msg/s, sub --record $(python3 -c "print(f'{$n/$rec:,.0f}')") msg/s" \
     "-> ratio $(ratio "$bare" "$rec") (target >= 0.8); $rows rows (with the ready marker), capture $(python3 -c "print(f'{$size/1e6:.1f}')") MB"

# replay --speed 0, counted where it matters: a subscriber to the rewritten topics gets every row.
subscribe_to replayed "$rows" replay_sub > /dev/null
s0=$(tcp_segments)
t0=$(now)
/usr/bin/time -f "%U %S" -o "$work/replay.cpu" \
  "$bin" replay "$work/cap.db" -p "$PORT" --speed 0 --topic-rewrite bench/=replayed/ 2> "$work/replay.err"
t_pub=$(python3 -c "print($(now) - $t0)")
wait "$sub_pid"
t=$(python3 -c "print($(now) - $t0)")
got=$(($(wc -l < "$work/replay_sub.out") - 1))
segs=$(( $(tcp_segments) - s0 ))
cpu=$(awk '{print $1 + $2}' "$work/replay.cpu")
echo "replay --speed 0: $(python3 -c "print(f'{$got/$t:,.0f}')") msg/s delivered ($got of $rows messages received by a" \
     "subscriber, from replay's start incl. its checking pass to the last one received; target >= 100000);" \
     "replay alone $(python3 -c "print(f'{$rows/$t_pub:,.0f}')") msg/s until it exited (all acknowledged);" \
     "$(python3 -c "print(f'{$rows/max($cpu, 0.001):,.0f}')") msg per CPU-second of iotctl; $segs TCP segments;" \
     "load average $(cut -d' ' -f1 /proc/loadavg)"
echo "  $(cat "$work/replay.err")"
# The peer on this machine: mosquitto_pub -l sending the same payloads, counted the same way.
subscribe_to peer "$n" peer_sub > /dev/null
s0=$(tcp_segments)
t0=$(now)
mosquitto_pub -p "$PORT" -t peer/hexaboard/A/sensor/data -l < "$work/lines"
wait "$sub_pid"
t_peer=$(python3 -c "print($(now) - $t0)")
got_peer=$(($(wc -l < "$work/peer_sub.out") - 1))
segs_peer=$(( $(tcp_segments) - s0 ))
echo "  peer: mosquitto_pub -l $(python3 -c "print(f'{$got_peer/$t_peer:,.0f}')") msg/s delivered ($got_peer of $n," \
     "$segs_peer TCP segments);" \
     "replay --speed 0 / mosquitto_pub = $(python3 -c "print(f'{($got/$t)/($got_peer/$t_peer):.2f}')") (target >= 1.0)"

# --speed 1: 1500 messages with gaps of 1-12 ms, received by a subscriber that stamps them.
python3 - > "$work/timing.jsonl" <<'PY'
import json, random
random.seed(2)
t = 1795168800_000_000_000
for i in range(1500):
    t += random.randint(1_000_000, 12_000_000)
    s, ns = divmod(t, 10**9)
    import datetime
    stamp = datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ns:09d}Z"
    print(json.dumps({"ts": stamp, "topic": f"timing/{i}", "payload": i}))
PY
"$bin" pub -p "$PORT" -t timing/ready -m ready -r
# The parallel build: one loop per core compiling the project's own sources, in a session of its
# own (a build in another terminal), until the timing passes end. `setsid` execs (a background job
# of this script leads no group), so its pid is the group to stop.
if [ "${BENCH_BUILD_LOAD:-1}" != 0 ]; then
  setsid bash -c 'for i in $(seq "$(nproc)"); do
      while :; do for f in core/broker/session.cpp core/capture/replay_runner.cpp core/ingest/runner.cpp; do
        c++ -std=gnu++20 -O2 -I"$1" -c "$1/$f" -o /dev/null 2>/dev/null; done; done &
    done; wait' build-load "$here" &
  load_pid=$!
  # The build loads the machine at once; its 1-minute average takes a while to show it.
  for _ in $(seq 600); do
    awk -v n="$(nproc)" '{exit !($1 >= 0.75 * n)}' /proc/loadavg && break
    sleep 0.1
  done
  echo "parallel build running ($(nproc) compile loops): load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
for how in "in the bench's session" "in a session of its own"; do
rm -f "$work/timing.out"  # the wait below must see this pass's subscriber, not the last one's
# The subscriber stands for the consumer of the replayed stream, another program: its own session.
setsid "$bin" sub -p "$PORT" -t 'timing/#' --json -C 1501 -W 120 > "$work/timing.out" &
sub_pid=$!
while [ ! -s "$work/timing.out" ]; do sleep 0.05; done
load=$(cut -d' ' -f1 /proc/loadavg)
if [ "$how" = "in the bench's session" ]; then
  "$bin" replay "$work/timing.jsonl" -p "$PORT" --speed 1 2> "$work/timing.err"
else
  setsid -w "$bin" replay "$work/timing.jsonl" -p "$PORT" --speed 1 2> "$work/timing.err"
fi
wait "$sub_pid"
echo "  replay $how, load average $load: $(sed 's/.*pass, //' "$work/timing.err") (replay's own view: send time vs schedule)"
python3 - "$work/timing.jsonl" "$work/timing.out" <<'PY'
import datetime, json, sys
def ns(stamp):
    base, frac = stamp.rstrip("Z").split(".")
    d = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9 + int(frac.ljust(9, "0"))
sent = {m["topic"]: ns(m["ts"]) for m in map(json.loads, open(sys.argv[1]))}
got = [(m["topic"], ns(m["ts"])) for m in map(json.loads, open(sys.argv[2])) if m["topic"] in sent]
# The two clocks' constant offset (recorded vs received) is the median; the error is the rest.
offsets = sorted(g - sent[t] for t, g in got)
median = offsets[len(offsets) // 2]
err = sorted(abs(g - sent[t] - median) / 1e6 for t, g in got)
p = lambda q: err[min(len(err) - 1, int(q * len(err)))]
print(f"replay --speed 1: {len(got)} messages, timing error p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, "
      f"max {err[-1]:.2f} ms (target p99 <= 2 ms; receive times seen by a subscriber, constant offset removed)")
PY
done
stop_build_load

# csv-export against its peer on the same capture: each of the three is run 3 times, in turn,
# and the medians are compared, of the elapsed time and of the CPU time (user + system, which
# moves less when the machine is shared).
timed() {  # prints "elapsed cpu" seconds of the command
  /usr/bin/time -f "%e %U %S" -o "$work/csv.time" "$@" > /dev/null
  awk '{printf "%s %.3f", $1, $2 + $3}' "$work/csv.time"
}
declare -A runs
for _ in 1 2 3; do
  runs[s]+="$(timed sqlite3 -csv "$work/cap.db" "SELECT * FROM messages");"
  runs[c]+="$(timed "$bin" csv-export "$work/cap.db" -o "$work/out.csv");"
  runs[f]+="$(timed "$bin" csv-export "$work/cap.db" --fields board,temperature,humidity,light -o "$work/out2.csv");"
done
median() {  # median KEY FIELD: the middle of the 3 runs' FIELD (1 elapsed, 2 CPU)
  tr ';' '\n' <<< "${runs[$1]}" | awk -v f="$2" 'NF {print $f}' | sort -g | sed -n 2p
}
line() {  # line FIELD WHAT
  local s c f; s=$(median s "$1"); c=$(median c "$1"); f=$(median f "$1")
  echo "  $2: sqlite3 -csv $s s; default columns $c s -> ratio $(ratio "$s" "$c") (target >= 0.6);" \
       "--fields $f s -> ratio $(ratio "$s" "$f") (target >= 0.8)"
}
echo "csv-export vs sqlite3 -csv, medians of 3 runs (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
line 1 "elapsed"
line 2 "CPU    "
