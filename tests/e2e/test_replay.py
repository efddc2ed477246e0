"""replay: timing against a real Mosquitto, filters and rewrites, and bad captures."""
import json
import os
import subprocess
import tempfile

from harness import iotctl, popen, spawn, wait_until

GAPS = [0.05, 0.3, 0.1, 2.0, 0.5, 0.05]  # seconds between recorded messages
T0 = 1795168800_000_000_000  # 2026-11-20T10:00:00Z


def line_count(path):
    """Non-empty lines in a file (the JSON lines a `sub --json` wrote so far)."""
    with open(path) as f:
        return sum(1 for line in f if line.strip())


def iso(ns):
    import datetime
    return datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_capture(path, prefix):
    ts = [T0]
    for g in GAPS:
        ts.append(ts[-1] + int(g * 1e9))
    with open(path, "w") as f:
        for i, t in enumerate(ts):
            frac = f"{t % 10**9:09d}"
            stamp = iso(t)[:-1] + "." + frac + "Z"
            f.write(json.dumps({"ts": stamp, "topic": f"{prefix}/{i}", "qos": 1, "retain": False,
                                "payload": {"n": i}}) + "\n")
    return ts


def received_gaps(broker, workdir, speed):
    """Replays the capture at `speed`; returns the gaps between the messages as received.

    The receiver is mosquitto_sub (%U: its receive time in ns), not `iotctl sub`: Paho C, under
    iotctl sub, reads nothing for 100 ms after each second in which nothing arrived (its receive
    thread's poll times out after 1000 ms, then MQTTAsync_cycle sleeps 100 ms), so a message
    that comes 1.0-1.1 s after the subscriber's last traffic is stamped up to 100 ms late,
    however punctual replay is: --speed 2's 1.0 s gap came 103 ms late, and when replay's
    first message came 1.0-1.1 s after the probe, the first two arrived together."""
    prefix = f"timing{speed}"
    capture = os.path.join(workdir, f"{prefix}.jsonl")
    write_capture(capture, prefix)
    outpath = os.path.join(workdir, f"{prefix}.out")
    with open(outpath, "w") as out:
        sub = popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1",
                     "-F", "%U %t", "-t", f"{prefix}/#", "-t", "probe/" + prefix, "-W", "60"],
                    stdout=out, stderr=subprocess.PIPE)

    def received():
        with open(outpath) as f:
            return [line.split() for line in f if line.strip()]

    def ready():
        # QoS 1 like the replayed messages (the probe is acknowledged before replay starts).
        iotctl("pub", "-p", broker.port, "-q", "1", "-t", "probe/" + prefix, "-m", "p", check=True)
        assert sub.poll() is None, sub.stderr.read().decode()
        return len(received()) >= 1
    wait_until(ready, timeout=30, what="subscriber")
    r = iotctl("replay", capture, "-p", broker.port, "--speed", speed)
    assert r.returncode == 0, r.stderr
    wait_until(lambda: sum(1 for _, topic in received() if topic.startswith(prefix + "/"))
               == len(GAPS) + 1, timeout=30, what="replayed messages")
    sub.kill()
    sub.wait()
    got = [(float(t), topic) for t, topic in received() if topic.startswith(prefix + "/")]
    assert [topic for _, topic in got] == [f"{prefix}/{i}" for i in range(len(GAPS) + 1)]
    times = [t for t, _ in got]
    return [b - a for a, b in zip(times, times[1:])]


def test_speed_1_keeps_the_recorded_gaps(broker):
    gaps = received_gaps(broker, tempfile.mkdtemp(), "1")
    for want, got in zip(GAPS, gaps):
        assert abs(got - want) < 0.040, (want, got)  # loose: a loaded 2-core machine; the bench is strict


def test_speed_2_halves_the_gaps(broker):
    gaps = received_gaps(broker, tempfile.mkdtemp(), "2")
    for want, got in zip(GAPS, gaps):
        assert abs(got - want / 2) < 0.040, (want / 2, got)


def dry_run(capture, *args):
    r = iotctl("replay", capture, "--dry-run", "--speed", "0", *args)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_filters_window_rewrite_overrides_and_loop():
    workdir = tempfile.mkdtemp()
    capture = os.path.join(workdir, "c.jsonl")
    ts = write_capture(capture, "a/b")
    got = dry_run(capture, "-t", "a/b/+", "--from", str(ts[2] // 10**9) + "." + f"{ts[2] % 10**9:09d}",
                  "--to", iso(ts[4])[:-1] + f".{ts[4] % 10**9:09d}Z", "--topic-rewrite", "a/b/=x/", "-q", "0", "-r")
    assert [(m["topic"], m["qos"], m["retain"]) for m in got] == [(f"x/{i}", 0, True) for i in (2, 3, 4)]
    assert len(dry_run(capture, "--loop", "3")) == 3 * len(ts)
    assert [m["topic"] for m in dry_run(capture, "-t", "a/b/1", "--topic-rewrite", "=pre/")] == ["pre/a/b/1"]


def test_capture_that_is_neither_sqlite_nor_json_lines():
    path = os.path.join(tempfile.mkdtemp(), "capture.bin")
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n not a capture")
    r = iotctl("replay", path, "--dry-run")
    assert r.returncode == 1
    assert r.stderr == f"iotctl: error: '{path}' is neither a SQLite capture (sub --record) nor JSON lines (sub --json)\n"


def test_truncated_json_line():
    path = os.path.join(tempfile.mkdtemp(), "cut.jsonl")
    good = json.dumps({"topic": "a", "payload": 1})
    cut = '{"topic":"a","payload":{"x":1'
    with open(path, "w") as f:
        f.write(good + "\n" + good + "\n" + cut + "\n")
    r = iotctl("replay", path, "--dry-run")
    assert r.returncode == 1
    assert r.stdout == ""  # checked before anything is sent
    assert r.stderr == (
        f"iotctl: error: capture '{path}' line 3: invalid JSON at byte {len(cut) + 1}: "
        "syntax error while parsing object - unexpected end of input; expected '}'\n")


def test_from_after_the_end_of_the_capture():
    path = os.path.join(tempfile.mkdtemp(), "old.jsonl")
    ts = write_capture(path, "old")
    r = iotctl("replay", path, "--dry-run", "--from", "2100-01-01T00:00:00Z")
    assert r.returncode == 1
    assert r.stderr == (f"iotctl: error: no messages in '{path}' from 2100-01-01T00:00:00Z to the end: "
                        f"it holds {len(ts)} messages from {iso(ts[0])} to {iso(ts[-1])}\n")


def test_bad_time_and_rewrite_are_usage_errors():
    r = iotctl("replay", "x", "--dry-run", "--from", "yesterday")
    assert r.returncode == 2
    assert r.stderr.startswith("iotctl: error: --from: invalid time 'yesterday'")
    r = iotctl("replay", "x", "--dry-run", "--topic-rewrite", "nothing")
    assert (r.returncode, r.stderr) == (2, "iotctl: error: invalid --topic-rewrite 'nothing': expected FROM=TO\n")
    # A speed this small made the waits overflow into none at all.
    r = iotctl("replay", "x", "--dry-run", "--speed", "1e-12")
    assert (r.returncode, r.stderr) == (
        2, "iotctl: error: --speed 1e-12 is too slow: 0 (no waiting) or at least 1e-06\n")


def test_unreachable_broker_is_exit_3():
    path = os.path.join(tempfile.mkdtemp(), "c.jsonl")
    write_capture(path, "c")
    r = iotctl("replay", path, "-p", "1", "--speed", "0")
    assert r.returncode == 3, r.stderr


def test_progress_bar_only_on_a_terminal():
    import pty
    from harness import IOTCTL, run
    path = os.path.join(tempfile.mkdtemp(), "p.jsonl")
    write_capture(path, "p")
    master, slave = pty.openpty()
    proc = run([IOTCTL, "replay", path, "--dry-run", "--speed", "0"], stdout=subprocess.DEVNULL,
               stderr=slave, timeout=30)
    os.close(slave)
    tty_text = os.read(master, 65536).decode()
    os.close(master)
    assert proc.returncode == 0
    assert "msg/s" in tty_text and "ETA" in tty_text and "%" in tty_text
    r = iotctl("replay", path, "--dry-run", "--speed", "0")
    assert r.stderr.count("\n") == 1 and "ETA" not in r.stderr  # not a terminal: summary only


def test_each_skipped_topic_is_named_for_its_own_problem():
    """A NUL first must not label the long, non-UTF-8, wildcard and empty topics after it."""
    import sqlite3
    path = os.path.join(tempfile.mkdtemp(), "bad-topics.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, payload BLOB, "
               "qos INTEGER, retain INTEGER)")
    topics = ["nul\x00here", "a" * 80002, "bad\udcffutf8", "ok/1", "wild/+", "", "nul\x00again", "ok/2"]
    for i, t in enumerate(topics):
        # Topic bytes exactly as given (sqlite3 would refuse to encode the lone surrogate).
        raw = t.encode("utf-8", "surrogateescape") if "\udcff" in t else t.encode()
        db.execute("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(?, CAST(? AS TEXT), 'p', 0, 0)",
                   (T0 + i, raw))
    db.commit()
    r = iotctl("replay", path, "--dry-run", "--speed", "0")
    assert r.returncode == 1
    assert [json.loads(line)["topic"] for line in r.stdout.splitlines()] == ["ok/1", "ok/2"]
    assert r.stderr.splitlines()[-1] == (
        "iotctl: error: 6 messages were not replayed: topic is empty (1); "
        "topic is longer than MQTT's limit of 65,535 bytes (1); topic contains a NUL character (2); "
        "topic is not valid UTF-8 (1); topic contains a wildcard (+ or #), not allowed when publishing (1)")


def loop_received(broker, workdir, prefix, capture_lines, wanted, *args):
    """Runs `replay --loop 0 ARGS` of the capture until a subscriber got `wanted` messages, then
    stops it with SIGINT; returns (receive times in seconds, replay's stderr)."""
    import datetime
    import signal
    capture = os.path.join(workdir, f"{prefix}.jsonl")
    with open(capture, "w") as f:
        for line in capture_lines:
            f.write(json.dumps(line) + "\n")
    outpath = os.path.join(workdir, f"{prefix}.out")
    out = open(outpath, "w")
    sub = spawn("sub", "-p", broker.port, "-q", "1", "--json", "-t", f"{prefix}/#", "-t", "probe/" + prefix,
                "-W", 120, stdout=out)
    out.close()

    def ready():
        iotctl("pub", "-p", broker.port, "-q", "1", "-t", "probe/" + prefix, "-m", "p", check=True)
        return line_count(outpath) >= 1
    wait_until(ready, timeout=30, what="subscriber")

    def got():
        return [m for m in map(json.loads, open(outpath)) if m["topic"].startswith(prefix + "/")]
    replay = spawn("replay", capture, "-p", broker.port, "--loop", "0", *args)
    try:
        wait_until(lambda: len(got()) >= wanted, timeout=30, what=f"{wanted} replayed messages")
    finally:
        replay.send_signal(signal.SIGINT)
        rc = replay.wait(timeout=30)
        stderr = replay.stderr.read().decode()
        sub.kill()
        sub.wait()
    assert rc == 130, stderr
    times = [(m["topic"], datetime.datetime.fromisoformat(m["ts"].replace("Z", "+00:00")).timestamp())
             for m in got()]
    return times, stderr


def test_loop_of_a_one_message_capture_sends_one_message_per_second(broker):
    got, stderr = loop_received(broker, tempfile.mkdtemp(), "loop1",
                                [{"ts": "2026-11-20T10:00:00Z", "topic": "loop1/x", "payload": "hi"}], 4)
    times = [t for _, t in got]
    # About one per second (the default --loop-gap), not thousands: the loop keeps a timing.
    assert len(times) <= 6, f"{len(times)} messages: the loop is not waiting"
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert all(0.75 < g < 1.25 for g in gaps[:3]), gaps  # one late delivery is made up next time
    assert abs((times[3] - times[0]) / 3 - 1.0) < 0.05, gaps  # sent on a schedule: no drift
    # On schedule: not 'thousands of ms behind' as when every pass was due at once.
    late_ms = float(stderr.rsplit("at worst ", 1)[1].split(" ms")[0])
    assert late_ms < 100, stderr


def test_loop_gap_separates_the_passes_of_a_longer_capture(broker):
    lines = [{"ts": "2026-11-20T10:00:00.000Z", "topic": "loop2/a", "payload": 1},
             {"ts": "2026-11-20T10:00:00.400Z", "topic": "loop2/b", "payload": 2}]
    got, _ = loop_received(broker, tempfile.mkdtemp(), "loop2", lines, 7, "--loop-gap", "0.2")
    assert [topic for topic, _ in got[:7]] == ["loop2/a", "loop2/b"] * 3 + ["loop2/a"]
    starts = [t for topic, t in got[:7] if topic == "loop2/a"]
    # A pass takes the recorded 0.4 s plus the 0.2 s gap: one starts every 0.6 s (0.4 without).
    assert abs((starts[3] - starts[0]) / 3 - 0.6) < 0.05, starts
    assert all(0.45 < b - a < 0.75 for a, b in zip(starts, starts[1:])), starts


def test_loop_gap_must_be_a_sane_number():
    r = iotctl("replay", "x", "--dry-run", "--loop-gap", "-1")
    assert (r.returncode, r.stderr) == (2, "iotctl: error: --loop-gap must be 0 to 86400 seconds\n")


def test_dry_run_into_a_reader_that_stops_early_ends_with_0():
    """`replay --dry-run | head -1`: the reader going away ends the run, as for sub; it used to
    be reported as an interruption (130)."""
    path = os.path.join(tempfile.mkdtemp(), "many.jsonl")
    with open(path, "w") as f:  # far more than a pipe holds
        for i in range(3000):
            f.write(json.dumps({"ts": f"2026-11-20T10:{i // 60:02d}:{i % 60:02d}Z", "topic": "t/a",
                                "payload": {"v": i, "pad": "x" * 200}}) + "\n")
    proc = spawn("replay", path, "--dry-run", "--speed", "0")
    assert json.loads(proc.stdout.readline())["topic"] == "t/a"
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
