"""simulate-hexaboard against a real Mosquitto: readings, determinism, control, Last Wills,
Tasmota shapes, and fault injection."""
import json
import signal
import subprocess
import time
import uuid

import pytest

from harness import fixture_text, iotctl, spawn, wait_until
from live_sub import JsonStream, LiveSub


@pytest.fixture
def prefix():
    return f"t/{uuid.uuid4().hex[:12]}"


def simulate(broker, prefix, *args, timeout=120):
    out = iotctl("simulate-hexaboard", "-p", broker.port, "--topic-prefix", prefix, *args, timeout=timeout)
    assert out.returncode == 0, out.stderr
    assert "messages sent" in out.stderr  # the summary
    return out


def readings(watcher, prefix, boards):
    return {b: [m["payload"] for m in watcher.on(f"{prefix}/hexaboard/{b}/sensor/data")] for b in boards}


def test_three_boards_publish_valid_readings(broker, prefix):
    w = JsonStream(broker, f"{prefix}/hexaboard/+/sensor/data")
    simulate(broker, prefix, "--boards", "A,B,C", "--interval", "0.2", "--messages", "15")
    wait_until(lambda: len(w.all()) >= 15, timeout=30, what="15 readings")
    w.sync()
    w.stop()
    got = readings(w, prefix, "ABC")
    assert {b: len(v) for b, v in got.items()} == {"A": 5, "B": 5, "C": 5}
    for board, payloads in got.items():
        for p in payloads:
            assert isinstance(p, dict), p
            assert p["board"] == board
            assert set(p) == {"board", "temperature", "humidity", "light", "timestamp", "led"}
            assert -10 <= p["temperature"] <= 45 and 5 <= p["humidity"] <= 95 and 0 <= p["light"] <= 4095
            assert isinstance(p["timestamp"], int) and p["timestamp"] > 1_700_000_000


def test_same_seed_gives_identical_payloads(broker, prefix):
    runs = []
    for seed in ("42", "42", "43"):
        w = JsonStream(broker, f"{prefix}/hexaboard/+/sensor/data")
        simulate(broker, prefix, "--boards", "A,B,C", "--interval", "0.1", "--messages", "12",
                 "--seed", seed, "--start-time", "1732500000", "--jitter", "0.3")
        wait_until(lambda: len(w.all()) >= 12, timeout=30, what="12 readings")
        w.sync()
        w.stop()
        runs.append(readings(w, prefix, "ABC"))
    assert sum(len(v) for v in runs[0].values()) == 12
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    assert runs[0]["A"][0]["timestamp"] == 1732500000


def test_control_commands_change_the_next_reading(broker, prefix):
    w = JsonStream(broker, f"{prefix}/hexaboard/A/sensor/data", f"{prefix}/hexaboard/A/status")
    sim = spawn("simulate-hexaboard", "-p", broker.port, "--topic-prefix", prefix, "--boards", "A",
                "--interval", "0.2", "--duration", "120")
    data = f"{prefix}/hexaboard/A/sensor/data"
    control = f"{prefix}/hexaboard/A/control"
    wait_until(lambda: len(w.on(data)) >= 2, timeout=30, what="first readings")
    assert all(m["payload"]["led"] == "off" for m in w.on(data))
    # Broken and unknown commands are logged and ignored; the board keeps going.
    iotctl("pub", "-p", broker.port, "-t", control, "-m", "{nope", "-q", "1", check=True)
    iotctl("pub", "-p", broker.port, "-t", control, "-m", '{"dance":true}', "-q", "1", check=True)
    iotctl("pub", "-p", broker.port, "-t", control, "-m", '{"led":"on"}', "-q", "1", check=True)
    wait_until(lambda: any(m["payload"]["led"] == "on" for m in w.on(data)), timeout=30, what="led on")
    readings_before = [m["payload"] for m in w.on(data)]
    first_on = next(i for i, p in enumerate(readings_before) if p["led"] == "on")
    assert all(p["led"] == "on" for p in readings_before[first_on:])
    # A longer interval: readings slow down (0.2 s -> 3 s between them).
    iotctl("pub", "-p", broker.port, "-t", control, "-m", '{"interval":3}', "-q", "1", check=True)
    wait_until(lambda: len(w.on(data)) >= len(readings_before) + 2, timeout=30, what="readings after interval")
    count = len(w.on(data))
    wait_until(lambda: len(w.on(data)) > count, timeout=30, what="one more reading")
    ts = [m["ts"] for m in w.on(data)[-2:]]
    sim.send_signal(signal.SIGTERM)
    assert sim.wait(timeout=30) == 0
    err = sim.stderr.read().decode()
    assert "not JSON" in err and "unknown command \"dance\"" in err
    assert "3 control commands (2 ignored)" in err or "control commands" in err
    w.stop()
    from datetime import datetime
    gap = (datetime.fromisoformat(ts[1].replace("Z", "+00:00")) -
           datetime.fromisoformat(ts[0].replace("Z", "+00:00"))).total_seconds()
    assert gap > 1.5, gap


def status_of(w, prefix, board):
    return [m["payload"] for m in w.on(f"{prefix}/hexaboard/{board}/status")]


def test_sigkill_fires_every_last_will(broker, prefix):
    w = JsonStream(broker, f"{prefix}/hexaboard/+/status")
    sim = spawn("simulate-hexaboard", "-p", broker.port, "--topic-prefix", prefix, "--boards", "A,B,C",
                "--interval", "0.5", "--duration", "120", stdout=subprocess.DEVNULL)
    wait_until(lambda: all("online" in status_of(w, prefix, b) for b in "ABC"), timeout=30, what="online x3")
    sim.kill()
    sim.wait(timeout=10)
    wait_until(lambda: all(status_of(w, prefix, b)[-1:] == ["offline"] for b in "ABC"), timeout=30,
               what="offline x3")
    w.stop()


def test_sigterm_disconnects_cleanly_without_last_will(broker, prefix):
    w = JsonStream(broker, f"{prefix}/hexaboard/+/status")
    sim = spawn("simulate-hexaboard", "-p", broker.port, "--topic-prefix", prefix, "--boards", "A,B,C",
                "--interval", "0.5", "--duration", "120", stdout=subprocess.DEVNULL)
    wait_until(lambda: all("online" in status_of(w, prefix, b) for b in "ABC"), timeout=30, what="online x3")
    sim.send_signal(signal.SIGTERM)
    assert sim.wait(timeout=30) == 0
    assert "3 devices (3 online at the end)" in sim.stderr.read().decode()
    w.sync()
    w.stop()
    assert all(status_of(w, prefix, b) == ["online"] for b in "ABC")
    retained = iotctl("sub", "-p", broker.port, "-t", f"{prefix}/hexaboard/+/status", "--retained-only",
                      "-v", "-W", "10", check=True).stdout.split("\n")
    assert sorted(filter(None, retained)) == [f"{prefix}/hexaboard/{b}/status online" for b in "ABC"]


def shape(value):
    """Keys and JSON types, recursively (int and float kept apart: Tasmota sends 45.0 as a float)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__


def fixture_payloads():
    lines = fixture_text("payloads.jsonl").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_tasmota_payloads_match_the_fixture_shapes(broker, prefix):
    fixtures = [f for f in fixture_payloads() if f["topic"].startswith("tele/")]
    want_climate = [shape(f["payload"]) for f in fixtures if f["topic"].endswith("/SENSOR") and "ZbReceived" not in f["payload"]]
    want_devices = [shape(d) for f in fixtures if "ZbReceived" in f["payload"] for d in f["payload"]["ZbReceived"].values()]
    want_state = [shape(f["payload"]) for f in fixtures if f["topic"].endswith("/STATE")]
    want_lwt = {f["payload"] for f in fixtures if f["topic"].endswith("/LWT")}
    w = JsonStream(broker, f"{prefix}/tele/+/+")
    simulate(broker, prefix, "--profile", "tasmota", "--boards", "gw-a,gw-b", "--interval", "0.2", "--messages", "40",
             "--seed", "9")
    wait_until(lambda: len([m for m in w.all() if not m["topic"].endswith("/LWT")]) >= 40, timeout=30,
               what="40 gateway messages")
    w.sync()
    w.stop()
    seen_devices, seen_state = [], 0
    for m in w.all():
        topic, p = m["topic"], m["payload"]
        if topic.endswith("/LWT"):
            assert p in want_lwt
        elif topic.endswith("/STATE"):
            assert shape(p) in want_state, p
            seen_state += 1
        elif "ZbReceived" in p:
            assert p["ZbReceived"], p
            for addr, dev in p["ZbReceived"].items():
                assert dev["Device"] == addr
                assert shape(dev) in want_devices, dev
                seen_devices.append(shape(dev))
        else:
            assert shape(p) in want_climate, p
    assert seen_state >= 2
    assert all(d in seen_devices for d in want_devices)  # every fixture device kind appears
    assert {m["topic"].split("/")[-2] for m in w.all()} == {"gw-a", "gw-b"}


def test_faults_break_the_asked_share_and_fire_last_wills(broker, prefix):
    rate = 0.1
    w = JsonStream(broker, f"{prefix}/hexaboard/+/sensor/data", f"{prefix}/hexaboard/+/status")
    out = simulate(broker, prefix, "--count", "20", "--interval", "0.05", "--messages", "400", "--faults",
                   str(rate), "--seed", "5", "-q", "1", timeout=180)
    w.sync()
    w.stop()
    data = [m for m in w.all() if m["topic"].endswith("/sensor/data")]
    broken = [m for m in data if not isinstance(m["payload"], dict)]
    assert len(data) >= 350, out.stderr  # a few QoS 1 messages may die with a dropped connection
    assert abs(len(broken) / len(data) - rate) < 0.05, (len(broken), len(data))
    for m in broken:
        with pytest.raises(ValueError):
            json.loads(m["payload"])
    offline = [m for m in w.all() if m["topic"].endswith("/status") and m["payload"] == "offline"]
    assert len(offline) >= 1 and "dropped on purpose" in out.stderr and " 0 dropped" not in out.stderr


def test_bad_flags_are_usage_errors(broker):
    for args in (["--boards", "A,,B"], ["--boards", "A,A"], ["--count", "2", "--boards", "A"],
                 ["--faults", "2"], ["--profile", "zigbee"], ["--jitter", "1.5"], ["-q", "3"]):
        out = iotctl("simulate-hexaboard", "-p", broker.port, *args)
        assert out.returncode == 2, (args, out.stderr)
        assert out.stderr.startswith("iotctl: error:"), out.stderr


def test_unreachable_broker_exits_3():
    out = iotctl("simulate-hexaboard", "-p", "1", "--connect-timeout", "3", "--boards", "A", timeout=60)
    assert out.returncode == 3, out.stderr
    # Not "refused the connection: reason code 0xff" (Paho's no-reason marker read as a refusal).
    assert "could not connect to localhost:1" in out.stderr and "refused the connection" not in out.stderr


def test_a_hundred_boards_are_online_within_a_second(broker, prefix):
    # Paho's receive thread sees a socket opened during its 1 s poll only when the poll ends, so
    # every board after the first used to wait ~2.1 s for its CONNACK; the fleet now nudges it.
    live = LiveSub(broker, "-F", "%U %t %p", "-t", f"{prefix}/hexaboard/+/status").wait_ready()
    started = time.time()
    simulate(broker, prefix, "--count", "100", "--interval", "10", "--duration", "2")
    online = {}
    wait_until(lambda: len([l for l in live.lines() if l.endswith(" online")]) >= 100,
               timeout=30, what="100 boards online")
    for line in live.lines():
        at, topic, payload = line.split(" ", 2)
        if payload == "online":
            online.setdefault(topic, float(at) - started)
    live.stop()
    assert len(online) == 100
    slowest = max(online.values())
    print(f"100 boards online, the last {slowest:.3f} s after start")
    assert slowest < 1.0, sorted(online.items(), key=lambda kv: kv[1])[-5:]


def test_a_fleet_larger_than_one_process_runs_in_slices(broker, prefix):
    """Past 2000 devices the fleet runs in child processes (Paho slows down with every socket
    one process holds): 4500 boards in 3 slices all come online, each publishes, the summary
    adds the slices up, and SIGTERM to iotctl stops every slice (no process left)."""
    n = 4500
    live = LiveSub(broker, "-F", "%t %p", "-t", f"{prefix}/hexaboard/+/status",
                   "-t", f"{prefix}/hexaboard/+/sensor/data").wait_ready()
    proc = spawn("simulate-hexaboard", "-p", broker.port, "--count", n, "--interval", "1",
                 "--duration", "600", "--topic-prefix", prefix, stdout=subprocess.DEVNULL)
    try:
        def counts():
            online, reporting = set(), set()
            for line in live.lines():
                topic, payload = line.split(" ", 1)
                board = topic.split("/")[-2] if topic.endswith("/status") else topic.split("/")[-3]
                (online if payload == "online" else reporting).add(board)
            return len(online), len(reporting)
        wait_until(lambda: counts() == (n, n), timeout=90, what=f"{n} boards online and reporting")
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        assert len(children.stdout.split()) == 3  # one process per slice of at most 2000
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        live.stop()
    assert proc.returncode == 0, err
    summary = err.decode().strip().splitlines()[-1]
    assert f"{n} devices ({n} online at the end)" in summary, summary
    assert subprocess.run(["pgrep", "-f", "--", f"--topic-prefix {prefix}"]).returncode == 1
