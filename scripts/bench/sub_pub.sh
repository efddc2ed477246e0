#!/usr/bin/env bash
# Benchmark: `iotctl sub` and `iotctl pub -l` against mosquitto_sub / mosquitto_pub, one Mosquitto.
#   scripts/bench/sub_pub.sh [BUILD_DIR]      (env BENCH_N: messages per run, default 200000)
# Subscribers: iotctl sub and mosquitto_sub subscribe at once and receive the same stream of
# BENCH_N ~100-byte JSON messages (published by iotctl pub -l, which drops nothing); prints each
# one's CPU seconds (user+sys, /usr/bin/time) and the ratio, at QoS 0 and 1.
# Publishers: iotctl pub -l vs mosquitto_pub -l on the same lines: wall time, CPU seconds and the
# count a mosquitto_sub received, at QoS 0 and 1; iotctl's ratios to mosquitto_pub (targets: QoS 0
# wall <= 1.2x and CPU <= 2x; QoS 1 all delivered in <= 2x iotctl's QoS 0 wall). The counting
# mosquitto_sub subscribes at QoS 0, so that it costs the broker the same whatever the publisher's
# QoS (a count of all BENCH_N still proves that all arrived); "iotctl-e2e" is iotctl at QoS 1 with
# the counter at QoS 1 too (the broker then also waits for the counter's PUBACKs), printed beside.
# "iotctl-async" is the same binary on Paho's asynchronous client (IOTCTL_PUBLISHER=async), for
# comparison. Each publisher runs BENCH_ROUNDS times (default 3), in turn; the ratios use the
# medians. The broker's own CPU is printed beside: its one thread bounds the QoS 1 wall from below.
# BENCH_PARTS: "sub pub" (default), or one of them.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/scripts/bench/lib.sh"
build=${1:-$here/build}
iotctl=$build/iotctl
n=${BENCH_N:-200000}
start_bench_broker subpub

python3 - "$n" > "$work/lines" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"board": "ABCDEFGH"[i % 8], "seq": i, "temperature": 20 + i % 100 / 10,
                      "humidity": 40 + i % 30, "light": 800 + i % 50, "timestamp": 1732500000 + i},
                     separators=(",", ":")))
PY
avg=$(( $(wc -c < "$work/lines") / n ))

# Waits until the line count of file $1 stops changing for 3 s (or reaches $2).
wait_settled() {
  local file=$1 want=$2 last=-1 same=0 now
  while true; do
    now=$(wc -l < "$file")
    [ "$now" -ge "$want" ] && return 0
    if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; last=$now; fi
    [ "$same" -ge 30 ] && return 0
    sleep 0.1
  done
}

parts=${BENCH_PARTS:-sub pub}
echo "iotctl sub/pub benchmark: $n messages of ~$avg bytes, Mosquitto $(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$PORT"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
if [[ " $parts " == *" sub "* ]]; then
echo
printf '%-5s %14s %16s %8s\n' "QoS" "iotctl sub CPU" "mosquitto_sub CPU" "ratio"
for q in 0 1; do
  topic=bench/sub/$q
  "$iotctl" pub "${host[@]}" -t "$topic/ready" -m ready -r -q 1
  /usr/bin/time -f "%U %S" -o "$work/cpu-iotctl-$q" \
    "$iotctl" sub "${host[@]}" -q "$q" -t "$topic/#" -C $((n + 1)) -W 600 > "$work/out-iotctl-$q" &
  pids+=($!); p1=$!
  /usr/bin/time -f "%U %S" -o "$work/cpu-mosq-$q" \
    mosquitto_sub "${host[@]}" -q "$q" -t "$topic/#" -C $((n + 1)) > "$work/out-mosq-$q" &
  pids+=($!); p2=$!
  wait_lines "$work/out-iotctl-$q" 1 60
  wait_lines "$work/out-mosq-$q" 1 60
  "$iotctl" pub "${host[@]}" -t "$topic/data" -q "$q" -l < "$work/lines"
  wait "$p1" || echo "iotctl sub exited $?" >&2
  wait "$p2" || echo "mosquitto_sub exited $?" >&2
  got1=$(($(wc -l < "$work/out-iotctl-$q") - 1)); got2=$(($(wc -l < "$work/out-mosq-$q") - 1))
  c1=$(cpu "$work/cpu-iotctl-$q"); c2=$(cpu "$work/cpu-mosq-$q")
  printf '%-5s %13ss %16ss %7.2fx   (received %d / %d)\n' "$q" "$c1" "$c2" \
    "$(ratio "$c1" "$c2")" "$got1" "$got2"
done

fi

[[ " $parts " == *" pub "* ]] || exit 0
echo
# The broker's own CPU seconds while each publisher ran: at QoS 1 Mosquitto (one thread) also
# sends a PUBACK per message and delivers at QoS 1 to the counting subscriber.
broker_pid=$(cat "$work/broker/mosquitto.pid")
broker_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$broker_pid/stat"; }
rounds=${BENCH_ROUNDS:-3}
printf '%-6s %-5s %-14s %10s %9s %12s %12s %14s\n' "round" "QoS" "publisher" "wall (s)" "CPU (s)" "delivered" "broker CPU" \
  "TCP segments"
declare -A walls cpuss gots brokers
for round in $(seq "$rounds"); do
for q in 0 1; do
  publishers="iotctl iotctl-async mosquitto_pub"
  [ "$q" = 1 ] && publishers+=" iotctl-e2e"
  for who in $publishers; do
    topic=bench/pub/$round/$q/$who
    "$iotctl" pub "${host[@]}" -t "$topic/ready" -m ready -r -q 1
    count_qos=0
    [ "$who" = iotctl-e2e ] && count_qos=1
    mosquitto_sub "${host[@]}" -q "$count_qos" -t "$topic/#" > "$work/count" &
    pids+=($!); counter=$!
    wait_lines "$work/count" 1 60
    b0=$(broker_cpu); s0=$(tcp_segments)
    start=$(date +%s.%N)
    case $who in
      iotctl|iotctl-e2e) /usr/bin/time -f "%U %S" -o "$work/cpu-pub" \
        "$iotctl" pub "${host[@]}" -t "$topic/data" -q "$q" -l < "$work/lines" ;;
      iotctl-async) IOTCTL_PUBLISHER=async /usr/bin/time -f "%U %S" -o "$work/cpu-pub" \
        "$iotctl" pub "${host[@]}" -t "$topic/data" -q "$q" -l < "$work/lines" ;;
      *) /usr/bin/time -f "%U %S" -o "$work/cpu-pub" \
        mosquitto_pub "${host[@]}" -t "$topic/data" -q "$q" -l < "$work/lines" ;;
    esac
    end=$(date +%s.%N)
    wait_settled "$work/count" $((n + 1))
    kill "$counter"; wait "$counter" 2>/dev/null || true
    bcpu=$(awk -v a="$b0" -v b="$(broker_cpu)" 'BEGIN{printf "%.2f", b - a}')
    segs=$(( $(tcp_segments) - s0 ))
    w=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b - a}')
    c=$(cpu "$work/cpu-pub")
    g=$(($(wc -l < "$work/count") - 1))
    walls[$q,$who]+=" $w"; cpuss[$q,$who]+=" $c"; gots[$q,$who]+=" $g"; brokers[$q,$who]+=" $bcpu"
    printf '%-6s %-5s %-14s %10s %9s %12d %12s %14d\n' "$round" "$q" "$who" "$w" "$c" "$g" "$bcpu" "$segs"
  done
done
done
# The median of the rounds (the fewest delivered), so that one disturbed run does not decide.
least() { tr ' ' '\n' <<< "$1" | grep . | sort -g | head -1; }
declare -A wall cpus got broker
for key in "${!walls[@]}"; do
  wall[$key]=$(median "${walls[$key]}"); cpus[$key]=$(median "${cpuss[$key]}")
  got[$key]=$(least "${gots[$key]}"); broker[$key]=$(median "${brokers[$key]}")
done
echo
echo "medians of $rounds rounds:"
echo "pub -l QoS 0 vs mosquitto_pub: wall $(ratio "${wall[0,iotctl]}" "${wall[0,mosquitto_pub]}")x (target <= 1.2)," \
     "CPU $(ratio "${cpus[0,iotctl]}" "${cpus[0,mosquitto_pub]}")x (target <= 2)"
echo "pub -l QoS 1: at least ${got[1,iotctl]} of $n delivered in ${wall[1,iotctl]} s = $(ratio "${wall[1,iotctl]}" "${wall[0,iotctl]}")x its QoS 0 wall (target: all, <= 2)"
# Mosquitto handles each connection in one thread: its CPU seconds bound the wall time from below.
# Its CPU per message swings from run to run with the TCP segments on loopback (both connections,
# both ways): when the kernel coalesces many messages into one segment, each process wakes less.
echo "  Mosquitto's own CPU meanwhile: ${broker[1,iotctl]} s = $(ratio "${broker[1,iotctl]}" "${wall[0,iotctl]}")x iotctl's QoS 0 wall" \
     "(${broker[0,iotctl]} s at QoS 0): at QoS 1 it also writes a PUBACK per message"
echo "  with the counter at QoS 1 too: at least ${got[1,iotctl-e2e]} of $n delivered in ${wall[1,iotctl-e2e]} s" \
     "= $(ratio "${wall[1,iotctl-e2e]}" "${wall[0,iotctl]}")x; Mosquitto's CPU ${broker[1,iotctl-e2e]} s (it also reads the counter's PUBACKs)"
echo "async client for comparison: QoS 0 wall $(ratio "${wall[0,iotctl-async]}" "${wall[0,mosquitto_pub]}")x, CPU $(ratio "${cpus[0,iotctl-async]}" "${cpus[0,mosquitto_pub]}")x mosquitto_pub's; QoS 1 ${wall[1,iotctl-async]} s"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
