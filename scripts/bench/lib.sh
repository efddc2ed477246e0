# shellcheck shell=bash
# Shell functions the benchmarks share; sourced, not run.

# Waits (polling) until file $1 has at least $2 lines, or $3 seconds pass.
wait_lines() {
  local file=$1 want=$2 limit=$3 start=$SECONDS
  while [ "$(wc -l < "$file" 2>/dev/null || echo 0)" -lt "$want" ]; do
    [ $((SECONDS - start)) -ge "$limit" ] && return 1
    sleep 0.1
  done
}

# CPU seconds (user + system) from a `/usr/bin/time -f "%U %S"` output file.
cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }

# $1 / $2 with two decimals (0 when $2 is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }

# The median of the space-separated numbers in $1 (the lower middle one of an even count).
median() { tr ' ' '\n' <<< "$1" | grep . | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# TCP segments sent in this network namespace so far (/proc/net/snmp, Tcp OutSegs). On loopback
# every segment is also received, and each one can cost its receiver a wake-up: the broker's CPU
# per message follows how many messages the kernel coalesces into one segment, which depends on
# the pace of publisher, broker and subscriber together.
tcp_segments() { awk '$1 == "Tcp:" && $12 ~ /^[0-9]+$/ {print $12}' /proc/net/snmp; }

# Makes $work (a temporary folder named after $1) and starts a Mosquitto in it ($here is the
# project); sets PORT and host (-h/-p for the clients). On exit: kills the pids in `pids`, stops
# the broker and removes $work.
start_bench_broker() {
  work=$(mktemp -d "/tmp/iotctl-bench-$1.XXXXXX")
  pids=()
  trap stop_bench_broker EXIT
  eval "$("${here:?}/scripts/services/mosquitto" start "$work/broker" | grep -E '^PORT=')"
  # shellcheck disable=SC2034 # used by the scripts that source this
  host=(-h 127.0.0.1 -p "$PORT")
}

# The EXIT trap of start_bench_broker.
stop_bench_broker() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  "$here/scripts/services/mosquitto" stop "$work/broker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
