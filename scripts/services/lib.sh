# shellcheck shell=bash
# Helpers shared by the service scripts: free ports, waiting for a port, stopping by pid file.
# Everything listens on 127.0.0.1 only.

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits (polling, up to $2 seconds, default 30) until 127.0.0.1:$1 accepts a TCP connection.
wait_port() {
  local port=$1 limit=${2:-30} start=$SECONDS
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then
      echo "service on port $port did not accept connections within ${limit}s" >&2
      return 1
    fi
    sleep 0.05
  done
}

# Stops the process whose pid is in file $1: TERM, then KILL after 10 s.
stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# The start time of process $1 (clock ticks since boot), which tells it from a later process
# given the same pid; fails when there is no such process.
process_start_time() {
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }  # the fields after "pid (name) "; the name may hold spaces
  # shellcheck disable=SC2086
  set -- $stat
  [ -n "${20:-}" ] || return 1
  echo "${20}"
}

# Test processes (tests/e2e/harness.py, tests/integration through ctest) set
# IOTCTL_SERVICE_OWNER_PID to their pid: then a watchdog runs `$1 stop $2` as soon as that
# process is gone, however it ended (a SIGKILL from ctest's TIMEOUT included), so no server
# outlives the tests that started it. Call before launching the server; `stop` ends it.
start_owner_watchdog() {
  local script=$1 dir=$2 owner=${IOTCTL_SERVICE_OWNER_PID:-} since lib
  [ -n "$owner" ] || return 0
  stop_owner_watchdog "$dir"
  if ! since=$(process_start_time "$owner"); then
    echo "IOTCTL_SERVICE_OWNER_PID=$owner: no such process" >&2
    return 1
  fi
  lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
  # Its own session: a signal to the process group that ran this script does not reach it.
  # shellcheck disable=SC2016  # the program is run by the new bash, with its own arguments
  setsid bash -c '
    lib=$1 script=$2 dir=$3 owner=$4 since=$5
    . "$lib"
    while [ -d "$dir" ] && [ "$(process_start_time "$owner")" = "$since" ]; do sleep 0.5; done
    [ -d "$dir" ] || exit 0
    rm -f "$dir/watchdog.pid"
    echo "$(date +%FT%T) owner $owner is gone: stopping the server"
    "$script" stop "$dir"
    # Once more in a while, for a server that was still starting (no pid file yet) just now.
    sleep 5
    [ -d "$dir" ] && "$script" stop "$dir"
  ' iotctl-service-watchdog "$lib" "$script" "$dir" "$owner" "$since" \
    </dev/null >>"$dir/watchdog.log" 2>&1 &
  echo $! > "$dir/watchdog.pid"
}

# Ends the watchdog of directory $1, if any (the server stopped the ordinary way).
stop_owner_watchdog() {
  local file=$1/watchdog.pid pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  rm -f "$file"
  # Only if that pid is still our watchdog; its session (it and its sleep) goes with it.
  if grep -qa iotctl-service-watchdog "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
}
