"""Running ingest unattended: InfluxDB refusing the credentials ends it at start (exit 1) while
an InfluxDB that is down is retried; --max-silence; systemd's notify protocol on a NOTIFY_SOCKET
the test listens on; `iotctl ingest status` on a running, a stopped and a sink-down ingest."""
import json
import os
import socket
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest

from harness import Service, iotctl, spawn, wait_until
from ingest_helpers import (Workdir, counts, publish_range, start_ingest, stop,
                            wait_ingest_ready)


def influx_admin_query(svc, q):
    data = urllib.parse.urlencode({"q": q}).encode()
    req = urllib.request.Request(f"{svc['URL']}/query", data=data)
    auth = f"{svc['ADMIN_USER']}:{svc['ADMIN_PASSWORD']}"
    import base64
    req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(req, timeout=30) as r:
        body = json.loads(r.read())
    assert "error" not in json.dumps(body), body
    return body


@pytest.fixture(scope="module")
def influx_auth():
    svc = Service("influxdb", "--auth").start()
    influx_admin_query(svc, "CREATE DATABASE iot")
    influx_admin_query(svc, "CREATE USER reader WITH PASSWORD 'reader-pw'")
    yield svc
    svc.stop()


def ingest_into_influx(broker, url, work):
    return spawn("ingest", "-p", broker.port, "--map", work.map, "--influx", url,
                 "--state-dir", work.state)


@pytest.mark.parametrize("who,code", [("admin:wrong-password", 401), ("reader:reader-pw", 403)])
def test_influxdb_refusing_the_credentials_ends_ingest_at_start(broker, influx_auth, who, code):
    work = Workdir()
    port = influx_auth.port
    proc = ingest_into_influx(broker, f"http://{who}@127.0.0.1:{port}/?db=iot", work)
    assert proc.wait(timeout=60) == 1
    err = proc.stderr.read().decode()
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("iotctl: error: InfluxDB at http://127.0.0.1:")
    assert f"refuses the credentials ({code}" in lines[0]
    assert "wrong-password" not in err and "reader-pw" not in err


def test_influxdb_that_is_down_at_start_is_retried(broker):
    work = Workdir()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    proc = ingest_into_influx(broker, f"http://127.0.0.1:{dead}/?db=iot", work)
    try:
        wait_ingest_ready(proc)
        time.sleep(1)
        assert proc.poll() is None
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_max_silence_exit_without_traffic_exits_1_within_3s(broker):
    work = Workdir()
    proc = start_ingest(broker.port, work, "--max-silence", "2", "--max-silence-exit")
    log = wait_ingest_ready(proc)
    subscribed = time.monotonic()
    code = proc.wait(timeout=30)
    took = time.monotonic() - subscribed
    print(f"exited {code} {took:.2f}s after subscribing")
    assert code == 1
    assert took < 3.0, "".join(log)
    wait_until(lambda: any("iotctl: error: no message on any filter for 2 s" in l for l in log),
               timeout=5, what="the error line")


def test_max_silence_exit_with_traffic_keeps_running(broker):
    work = Workdir()
    proc = start_ingest(broker.port, work, "--max-silence", "2", "--max-silence-exit")
    try:
        wait_ingest_ready(proc)
        end = time.monotonic() + 6
        i = 0
        while time.monotonic() < end:
            publish_range(broker.port, i, i + 1)
            i += 1
            time.sleep(0.5)
            assert proc.poll() is None, "ingest exited although messages kept coming"
        assert stop(proc) == 0
        assert counts(work.db)[1] == i
    finally:
        if proc.poll() is None:
            proc.kill()


def test_max_silence_without_exit_reports_and_resubscribes(broker):
    work = Workdir()
    proc = start_ingest(broker.port, work, "--max-silence", "1")
    try:
        log = wait_ingest_ready(proc)
        wait_until(lambda: sum("subscribing again" in l for l in log) >= 2, timeout=10,
                   what="two silences reported")
        assert proc.poll() is None
        publish_range(broker.port, 0, 5)  # still subscribed after resubscribing
        wait_until(lambda: counts(work.db)[1] == 5, timeout=30, what="5 stored")
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


class NotifySocket:
    """A unix datagram socket standing in for systemd's; collects what is sent to it."""

    def __init__(self):
        self.path = os.path.join(tempfile.mkdtemp(prefix="iotctl-notify-"), "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while not self.closed.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            self.messages.append((time.monotonic(), data.decode()))

    def close(self):
        self.closed.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def having(self, prefix):
        return [(t, m) for t, m in self.messages if any(l.startswith(prefix) for l in m.split("\n"))]


def test_sd_notify_ready_watchdog_status_stopping(broker):
    work = Workdir()
    notify = NotifySocket()
    env = {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "600000"}
    proc = start_ingest(broker.port, work, env=env)
    try:
        log = wait_ingest_ready(proc)
        wait_until(lambda: notify.having("READY=1"), timeout=10, what="READY=1")
        ready_at, ready = notify.having("READY=1")[0]
        assert "STATUS=received=" in ready
        assert any("subscribed" in l or "ingest: client id" in l for l in log)
        wait_until(lambda: len(notify.having("WATCHDOG=1")) >= 4, timeout=10,
                   what="WATCHDOG=1 every 300 ms")
        beats = [t for t, _ in notify.having("WATCHDOG=1")]
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        print("watchdog gaps", gaps)
        assert max(gaps) < 0.6, gaps  # WATCHDOG_USEC=600000: at least every 0.6 s
        publish_range(broker.port, 0, 10)
        wait_until(lambda: any("received=10" in m for _, m in notify.having("STATUS=")),
                   timeout=15, what="STATUS= with received=10")
        assert stop(proc) == 0
        wait_until(lambda: notify.having("STOPPING=1"), timeout=5, what="STOPPING=1")
    finally:
        if proc.poll() is None:
            proc.kill()
        notify.close()


def status(state, *extra):
    return iotctl("ingest", "status", "--state-dir", state, *extra)


def test_ingest_status_running_sink_down_and_stopped(broker):
    influx = Service("influxdb").start()
    work = Workdir()
    proc = spawn("ingest", "-p", broker.port, "--map", work.map, "--sqlite", work.db,
                 "--influx", f"{influx['URL']}/?db=st", "--state-dir", work.state,
                 "--flush-interval", "0.2")
    try:
        wait_ingest_ready(proc)
        publish_range(broker.port, 0, 50)
        wait_until(lambda: counts(work.db)[1] == 50, timeout=30, what="50 stored")
        # The status file is rewritten every second: wait for one written after the messages.
        wait_until(lambda: status(work.state).returncode == 0 and
                   json.loads(status(work.state, "--json").stdout)[0]["last_message"] is not None,
                   timeout=10, what="status to report healthy, with the last message")
        out = status(work.state)
        print(out.stdout)
        assert f"running (pid {proc.pid}), healthy" in out.stdout
        assert "filters: load/#" in out.stdout
        assert "sink sqlite: checkpoint" in out.stdout and "sink influx: checkpoint" in out.stdout
        assert "dead letters: 0" in out.stdout
        j = json.loads(status(work.state, "--json").stdout)
        assert len(j) == 1 and j[0]["running"] and j[0]["healthy"] and j[0]["pid"] == proc.pid
        assert j[0]["filters"] == ["load/#"]
        assert j[0]["client_id"].startswith("iotctl-ingest-")
        assert j[0]["last_message"] is not None
        # A sink down: InfluxDB stopped while messages come.
        influx.stop()
        publish_range(broker.port, 50, 60)
        wait_until(lambda: status(work.state).returncode == 1, timeout=30,
                   what="status to report the sink down")
        out = status(work.state)
        print(out.stdout)
        assert "NOT HEALTHY: influx: write failing since" in out.stdout
        assert "sink influx:" in out.stdout and "DOWN:" in out.stdout
        j = json.loads(status(work.state, "--json").stdout)
        influx_sink = [s for s in j[0]["sinks"] if s["name"] == "influx"][0]
        assert influx_sink["down"] and influx_sink["lag_bytes"] > 0
        # Stopped: exit 1, the checkpoints and spool still described.
        assert stop(proc, timeout=60) == 0
        out = status(work.state)
        print(out.stdout)
        assert out.returncode == 1
        assert f"stopped (pid {proc.pid}), NOT HEALTHY: not running" in out.stdout
        assert "sink sqlite: checkpoint" in out.stdout
        j = json.loads(status(work.state, "--json").stdout)
        assert not j[0]["running"]
        assert [s for s in j[0]["sinks"] if s["name"] == "influx"][0]["lag_bytes"] > 0
        assert [s for s in j[0]["sinks"] if s["name"] == "sqlite"][0]["lag_bytes"] == 0
        # Nothing there at all: exit 1 with a message.
        empty = status(tempfile.mkdtemp())
        assert empty.returncode == 1 and "no ingest state directory" in empty.stderr
    finally:
        if proc.poll() is None:
            proc.kill()
        influx.stop()


def session_present(port, client_id):
    """Connects as client_id without a clean session; True when the broker still had one."""
    import paho.mqtt.client as mqtt
    got = {}
    c = mqtt.Client(client_id=client_id, clean_session=False)
    c.on_connect = lambda client, userdata, flags, rc: got.update(flags=flags, rc=rc)
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        wait_until(lambda: "rc" in got, timeout=10, what="CONNACK")
    finally:
        c.disconnect()
        c.loop_stop()
    assert got["rc"] == 0
    return bool(got["flags"].get("session present"))


def test_changed_filters_leave_a_session_behind_found_at_start_and_forgotten(broker):
    work = Workdir()
    old = start_ingest(broker.port, work, "-t", "load/#")
    wait_ingest_ready(old)
    publish_range(broker.port, 0, 5)
    wait_until(lambda: counts(work.db)[1] == 5, timeout=30, what="5 stored")
    old_id = json.loads(status(work.state, "--json").stdout)[0]["client_id"]
    assert stop(old) == 0
    # The filters change: a new derived id, and the old session is named at start.
    new = start_ingest(broker.port, work, "-t", "load/#", "-t", "other/#")
    try:
        log = wait_ingest_ready(new)
        warning = [l for l in log if "belongs to a stopped ingest on this broker" in l]
        assert len(warning) == 1, "".join(log)
        assert f"client id {old_id}" in warning[0] and "(load/#)" in warning[0]
        assert f"iotctl ingest forget {old_id} --state-dir {work.state}" in warning[0]
        # While the other one runs, its own directory cannot be forgotten.
        new_id = [s["client_id"] for s in json.loads(status(work.state, "--json").stdout)
                  if s["running"]][0]
        busy = iotctl("ingest", "-p", broker.port, "forget", new_id, "--state-dir", work.state)
        assert busy.returncode == 1 and "in use" in busy.stderr
    finally:
        assert stop(new) == 0
    assert session_present(broker.port, old_id)  # the broker kept the old session
    out = iotctl("ingest", "forget", old_id, "--state-dir", work.state, "-p", broker.port)
    assert out.returncode == 0, out.stderr
    assert not os.path.exists(os.path.join(work.state, old_id))
    assert not session_present(broker.port, old_id)
