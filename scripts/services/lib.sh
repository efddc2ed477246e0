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
