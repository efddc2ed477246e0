"""Round trip through a real Mosquitto: pub -> sub --record -> replay -> sub --json, byte for byte."""
import base64
import json
import os
import signal
import sqlite3
import tempfile

import pytest

from harness import fixture_text, iotctl, spawn, wait_until

FIXTURE_LINES = fixture_text("payloads.jsonl").splitlines()
BINARY = bytes([0, 0xFF, 0xFE, 0x80]) + "é\n,\"".encode() + bytes(range(256))


def json_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def line_count(path):
    try:
        with open(path) as f:
            return sum(1 for line in f if line.strip())
    except FileNotFoundError:
        return 0


def start_sub(broker, workdir, name, *args):
    out = open(os.path.join(workdir, name), "w")
    proc = spawn("sub", "-p", broker.port, "-q", "2", "--json", *args, stdout=out)
    out.close()
    return proc, os.path.join(workdir, name)


def record_traffic(broker, workdir):
    """Publishes the fixtures (QoS 0/1/2), a binary payload and a retained one; returns
    (capture path, the recording sub's own --json lines)."""
    iotctl("pub", "-p", broker.port, "-t", "src/ret/x", "-m", "kept", "-r", "-q", "1", check=True)
    capture = os.path.join(workdir, "cap.db")
    total = 1 + len(FIXTURE_LINES) + 1
    sub, printed = start_sub(broker, workdir, "src.jsonl", "-t", "src/#", "--record", capture,
                             "-C", total, "-W", 60)
    # The retained message arrives right after SUBACK: once printed, the subscription is live.
    wait_until(lambda: line_count(printed) >= 1, timeout=30, what="retained message")
    lines = []
    for i, line in enumerate(FIXTURE_LINES):
        obj = json.loads(line)
        obj["topic"] = "src/" + obj["topic"]
        obj["qos"] = i % 3
        lines.append(json.dumps(obj))
    iotctl("pub", "-p", broker.port, "--jsonl", input="\n".join(lines) + "\n", check=True)
    binfile = os.path.join(workdir, "bin")
    with open(binfile, "wb") as f:
        f.write(BINARY)
    iotctl("pub", "-p", broker.port, "-t", "src/bin", "-f", binfile, "-q", "2", check=True)
    assert sub.wait(timeout=60) == 0, sub.stderr.read().decode()
    return capture, json_lines(printed)


@pytest.fixture(scope="module")
def recorded(broker):
    workdir = tempfile.mkdtemp(prefix="iotctl-capture-")
    capture, printed = record_traffic(broker, workdir)
    return workdir, capture, printed


def test_record_writes_the_design_table(recorded):
    workdir, capture, printed = recorded
    db = sqlite3.connect(capture)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cols = [r[1] for r in db.execute("PRAGMA table_info(messages)")]
    assert cols == ["id", "ts_ns", "topic", "payload", "qos", "retain", "properties"]
    rows = db.execute("SELECT topic, payload, qos, retain FROM messages ORDER BY id").fetchall()
    # The capture holds what the recording sub printed, in the order it printed it.
    assert [r[0] for r in rows] == [m["topic"] for m in printed]
    assert rows[0] == ("src/ret/x", b"kept", 1, 1)
    assert ("src/bin", BINARY, 2, 0) in rows
    # Each fixture with the QoS it was published at (the broker may pass QoS 2 on later).
    published = sorted((json.loads(line)["topic"], json.dumps(json.loads(line)["payload"], sort_keys=True), i % 3)
                       for i, line in enumerate(FIXTURE_LINES))
    def decoded(payload):
        try:
            return json.loads(payload)
        except ValueError:
            return payload.decode()
    got = sorted((r[0][len("src/"):], json.dumps(decoded(r[1]), sort_keys=True), r[2])
                 for r in rows if r[0] not in ("src/ret/x", "src/bin"))
    assert got == published
    assert all(r[3] == 0 for r in rows[1:])
    assert dict(db.execute("SELECT key, value FROM meta"))["protocol_version"] == "mqttv311"


def test_record_appends_to_an_existing_capture(broker, recorded):
    workdir, capture, printed = recorded
    copy = os.path.join(workdir, "append.db")
    src = sqlite3.connect(capture)
    src.backup(sqlite3.connect(copy))
    sub, out = start_sub(broker, workdir, "append.jsonl", "-t", "src/ret/x", "--record", copy, "-C", 1, "-W", 30)
    assert sub.wait(timeout=40) == 0
    n = sqlite3.connect(copy).execute("SELECT count(*) FROM messages").fetchone()[0]
    assert n == len(printed) + 1


def subscribe_ready(broker, workdir, name, prefix, count):
    """A `sub --json` on prefix/# that is known to be subscribed: a retained `ready` message
    is its first line, then the empty message that clears it. It exits after `count` more."""
    iotctl("pub", "-p", broker.port, "-t", prefix + "ready", "-m", "ready", "-r", check=True)
    sub, out = start_sub(broker, workdir, name, "-t", prefix + "#", "-C", count + 2, "-W", 60)
    wait_until(lambda: line_count(out) >= 1, timeout=30, what="subscriber ready")
    iotctl("pub", "-p", broker.port, "-t", prefix + "ready", "-n", "-r", check=True)
    return sub, out


@pytest.mark.parametrize("kind", ["sqlite", "jsonl"])
def test_replay_reproduces_the_recorded_traffic(broker, recorded, kind):
    workdir, capture, printed = recorded
    source = capture if kind == "sqlite" else os.path.join(workdir, "src.jsonl")
    prefix = f"dst-{kind}/"
    sub, out = subscribe_ready(broker, workdir, f"{kind}.jsonl", prefix, len(printed))
    r = iotctl("replay", source, "-p", broker.port, "--speed", "0", "--topic-rewrite", f"src/={prefix}")
    assert r.returncode == 0, r.stderr
    assert f"published {len(printed)} messages" in r.stderr
    assert sub.wait(timeout=60) == 0
    got = [m for m in json_lines(out) if m["topic"] != prefix + "ready"]
    keys = ("topic", "payload", "payload_encoding", "qos")
    expected = [dict(m, topic=prefix + m["topic"][len("src/"):]) for m in printed]
    # Same order for each QoS (Mosquitto forwards a QoS 2 message only after PUBREL, so it may
    # overtake or fall behind messages of other QoS levels; MQTT orders per QoS level).
    for qos in (0, 1, 2):
        assert [{k: m.get(k) for k in keys} for m in got if m["qos"] == qos] == [
            {k: m.get(k) for k in keys} for m in expected if m["qos"] == qos]
    assert len(got) == len(expected)
    binary = [m for m in got if m["topic"] == prefix + "bin"][0]
    assert base64.b64decode(binary["payload"]) == BINARY
    # Live delivery clears the retain flag (MQTT 3.1.1); what the broker kept shows it was set.
    kept = iotctl("sub", "-p", broker.port, "-t", prefix + "#", "--retained-only", "--json", timeout=30)
    assert [(m["topic"], m["payload"], m["retain"]) for m in map(json.loads, kept.stdout.splitlines())] == [
        (prefix + "ret/x", "kept", True)]
    iotctl("pub", "-p", broker.port, "-t", prefix + "ret/x", "-n", "-r", check=True)


def test_dry_run_prints_recorded_flags_without_a_broker(recorded):
    workdir, capture, printed = recorded
    r = iotctl("replay", capture, "--dry-run", "--speed", "0", "-p", "1", "--topic-rewrite", "=copy/")
    assert r.returncode == 0, r.stderr
    got = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(m["topic"], m["qos"], m["retain"], m["payload"]) for m in got] == [
        ("copy/" + m["topic"], m["qos"], m["retain"], m["payload"]) for m in printed]
    assert got[0]["retain"] is True


def test_record_survives_sigterm(broker, recorded):
    """The last batch is committed when the subscriber is stopped by a signal."""
    workdir, _, _ = recorded
    capture = os.path.join(workdir, "term.db")
    sub, out = start_sub(broker, workdir, "term.jsonl", "-t", "term/#", "--record", capture)
    def ready():
        iotctl("pub", "-p", broker.port, "-t", "term/probe", "-m", "p", check=True)
        return line_count(out) >= 1
    wait_until(ready, timeout=30, what="subscriber")
    lines = "".join(f"{i}\n" for i in range(500))
    iotctl("pub", "-p", broker.port, "-t", "term/n", "-l", "-q", "1", input=lines, check=True)
    wait_until(lambda: line_count(out) >= 501, timeout=30, what="500 messages printed")
    sub.send_signal(signal.SIGTERM)
    assert sub.wait(timeout=30) == 130
    db = sqlite3.connect(capture)
    got = [r[0] for r in db.execute("SELECT payload FROM messages WHERE topic = 'term/n' ORDER BY id")]
    assert got == [str(i).encode() for i in range(500)]


def test_mqtt5_user_properties_are_recorded_and_replayed(broker, recorded):
    workdir, _, _ = recorded
    capture = os.path.join(workdir, "v5.db")
    # A retained probe, sent once, arrives exactly once when the subscription is made: one probe
    # published per poll could arrive twice and use up -C 2 before the message under test.
    iotctl("pub", "-p", broker.port, "-t", "v5src/probe", "-m", "p", "-r", check=True)
    iotctl("pub", "-p", broker.port, "-t", "v5dst/probe", "-m", "p", "-r", check=True)
    sub, out = start_sub(broker, workdir, "v5.jsonl", "-V", "mqttv5", "-t", "v5src/#", "--record", capture,
                         "-C", 2, "-W", 60)
    wait_until(lambda: line_count(out) >= 1, timeout=30, what="v5 subscriber")
    iotctl("pub", "-p", broker.port, "-V", "mqttv5", "-t", "v5src/m", "-m", "hi", "-D", "publish",
           "user-property", "site", "b1", check=True)
    assert sub.wait(timeout=60) == 0
    db = sqlite3.connect(capture)
    assert dict(db.execute("SELECT key, value FROM meta"))["protocol_version"] == "mqttv5"
    props = db.execute("SELECT properties FROM messages WHERE topic = 'v5src/m'").fetchone()[0]
    assert json.loads(props) == {"user_properties": [["site", "b1"]]}
    # Replayed over MQTT 5 without being told (the capture says so), properties included.
    r = iotctl("replay", capture, "--dry-run", "--speed", "0", "-t", "v5src/m")
    assert json.loads(r.stdout)["user_properties"] == [["site", "b1"]]
    sub2, out2 = start_sub(broker, workdir, "v5dst.jsonl", "-V", "mqttv5", "-t", "v5dst/#", "-C", 2, "-W", 60)
    wait_until(lambda: line_count(out2) >= 1, timeout=30, what="v5 receiver")
    r = iotctl("replay", capture, "-p", broker.port, "--speed", "0", "-t", "v5src/m", "--topic-rewrite", "v5src/=v5dst/")
    assert r.returncode == 0, r.stderr
    assert "(MQTT 5, as recorded)" in r.stderr
    assert sub2.wait(timeout=60) == 0
    got = [m for m in json_lines(out2) if m["topic"] == "v5dst/m"]
    assert got[0]["user_properties"] == [["site", "b1"]]
