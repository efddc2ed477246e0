"""`iotctl expect` against a real Mosquitto and simulated boards: each example of the README,
every exit code (0 met, 1 --absent saw a match, 2 usage, 5 timed out) and the timeout line."""
import json
import re
import subprocess
import time

from harness import iotctl, spawn
from live_sub import pub, unique


def expect(broker, *args, timeout=90):
    return iotctl("expect", "-h", "127.0.0.1", "-p", broker.port, *args, timeout=timeout)


def simulate(broker, prefix, *args):
    """Simulated devices under `prefix/` (stopped when the test ends)."""
    return spawn("simulate-hexaboard", "-p", broker.port, "--topic-prefix", prefix, "--duration",
                 120, *args, stdout=subprocess.DEVNULL)


def publish_until_done(broker, proc, messages, limit_s=60):
    """Publishes (topic, payload) pairs again and again until `proc` exits (no readiness race:
    whatever was published before it subscribed is simply published again)."""
    deadline = time.monotonic() + limit_s
    while proc.poll() is None and time.monotonic() < deadline:
        for topic, payload in messages:
            pub(broker, "-t", topic, "-m", payload)
        time.sleep(0.2)
    return proc.wait(timeout=30)


def test_distinct_board_status_online(broker):
    """iotctl expect -t 'hexaboard/+/status' --payload online --distinct-topics 3 -W 10"""
    p = unique("smoke")
    simulate(broker, p, "--boards", "A,B,C", "--interval", 1)
    r = expect(broker, "-t", f"{p}/hexaboard/+/status", "--payload", "online",
               "--distinct-topics", 3, "-W", 30, "-v")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert {l.split()[0] for l in lines} == {f"{p}/hexaboard/{b}/status" for b in "ABC"}
    assert all(l.split()[1] == "online" for l in lines), lines


def test_threshold_reading_arrives(broker):
    """iotctl expect -t 'hexaboard/+/sensor/data' --where 'temperature > 30' -W 60"""
    t = unique("hexaboard")
    proc = spawn("expect", "-p", broker.port, "-t", f"{t}/+/sensor/data",
                 "--where", "temperature > 30", "-W", 60)
    rc = publish_until_done(broker, proc, [
        (f"{t}/A/sensor/data", json.dumps({"board": "A", "temperature": 21.5})),
        (f"{t}/B/sensor/data", json.dumps({"board": "B", "temperature": 30.5})),
    ])
    assert rc == 0, proc.stderr.read()
    assert proc.stdout.read().decode().splitlines() == ['{"board": "B", "temperature": 30.5}']


def test_tasmota_zigbee_count_as_json(broker):
    """iotctl expect -t 'tele/+/SENSOR' --where 'exists(ZbReceived)' --count 5 -W 30 --json"""
    p = unique("zb")
    simulate(broker, p, "--profile", "tasmota", "--count", 2, "--interval", 0.2)
    r = expect(broker, "-t", f"{p}/tele/+/SENSOR", "--where", "exists(ZbReceived)",
               "--count", 5, "-W", 30, "--json")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(lines) == 5
    for line in lines:
        assert re.fullmatch(rf"{p}/tele/[^/]+/SENSOR", line["topic"]), line
        assert "ZbReceived" in line["payload"], line


def test_timeout_names_the_topics_without_a_match(broker):
    t = unique("hexaboard")
    for board, status in [("A", "online"), ("B", "online"), ("C", "offline")]:
        pub(broker, "-t", f"{t}/{board}/status", "-m", status, "-r")
    r = expect(broker, "-t", f"{t}/+/status", "--payload", "online", "--distinct-topics", 3,
               "-W", 2)
    assert r.returncode == 5, r.stderr
    assert sorted(r.stdout.splitlines()) == ["online", "online"]  # the matches are printed
    assert re.fullmatch(
        rf"iotctl: expect: timed out after 2 s: 3 messages on {t}/\+/status, 2 of 3 topics "
        rf"matched \(missing: {t}/C/status\); last: (online|offline)\n", r.stderr), r.stderr


def test_timeout_says_how_many_topics_were_never_seen(broker):
    t = unique("hexaboard")
    pub(broker, "-t", f"{t}/A/status", "-m", "online", "-r")
    r = expect(broker, "-t", f"{t}/+/status", "--payload", "online", "--distinct-topics", 3,
               "-W", 1.5)
    assert r.returncode == 5
    assert r.stderr == (f"iotctl: expect: timed out after 1.5 s: 1 message on {t}/+/status, "
                        "1 of 3 topics matched (missing: 2 more topics not seen); last: online\n")


def test_timeout_with_count_shows_the_last_payload_cut_to_200_bytes(broker):
    t = unique("big")
    payload = json.dumps({"temperature": 20, "pad": "x" * 300})
    pub(broker, "-t", t, "-m", payload, "-r")
    r = expect(broker, "-t", t, "--where", "temperature > 30", "-W", 1)
    assert r.returncode == 5 and r.stdout == ""
    assert r.stderr == (f"iotctl: expect: timed out after 1 s: 1 message on {t}, 0 of 1 matched; "
                        f"last: {payload[:200]}...\n")
    r = expect(broker, "-t", f"{t}/nothing", "-W", 0.5)
    assert r.returncode == 5
    assert r.stderr == (f"iotctl: expect: timed out after 0.5 s: 0 messages on {t}/nothing, "
                        "0 of 1 matched\n")


def test_retained_messages_count_unless_no_stale(broker):
    t = unique("ret")
    pub(broker, "-t", t, "-m", "online", "-r")
    r = expect(broker, "-t", t, "--payload", "online", "-W", 30)
    assert (r.returncode, r.stdout) == (0, "online\n"), r.stderr
    r = expect(broker, "-t", t, "--payload", "online", "-W", 1, "-R")
    assert r.returncode == 5
    assert "0 messages on" in r.stderr


def test_absent(broker):
    t = unique("absent")
    pub(broker, "-t", f"{t}/A/status", "-m", "offline", "-r")
    r = expect(broker, "-t", f"{t}/+/status", "--payload", "online", "--absent", "-W", 1)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == f"iotctl: expect: nothing matched in 1 s (1 message on {t}/+/status)\n"

    pub(broker, "-t", f"{t}/B/status", "-m", "online", "-r")
    r = expect(broker, "-t", f"{t}/+/status", "--payload", "online", "--absent", "-W", 30, "-v")
    assert r.returncode == 1
    assert r.stdout == f"{t}/B/status online\n"
    assert r.stderr == (f"iotctl: expect: --absent, but a message matched: {t}/B/status "
                        "online\n")


def test_usage_errors(broker):
    for args, message in [
        (["--absent"], "--absent needs -W SECONDS"),
        (["--absent", "-W", 1, "--count", 2], "--count and --distinct-topics do not apply"),
        (["--count", 2, "--distinct-topics", 2], "give --count or --distinct-topics, not both"),
        (["--json", "-F", "%t"], "--json and -F cannot be used together"),
        ([], None),
    ]:
        topic = [] if message is None else ["-t", "x"]
        r = expect(broker, *topic, *map(str, args))
        assert r.returncode == 2, (args, r.stderr)
        assert (message or "no topic given") in r.stderr, r.stderr


def test_unreachable_broker_is_exit_3():
    r = iotctl("expect", "-p", 9, "-t", "x", "-W", 5, "--connect-timeout", 2)
    assert r.returncode == 3, r.stderr
