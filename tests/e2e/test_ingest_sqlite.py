"""ingest into SQLite: fixture traffic stored, bad payloads dead-lettered, ingest keeps running."""
import json
import os
import signal
import sqlite3

from harness import fixture_text, iotctl, spawn, wait_until
from ingest_helpers import Workdir, stop, wait_ingest_ready


def test_bad_payloads_in_good_traffic_are_dead_lettered_and_good_ones_stored(broker):
    work = Workdir()
    dead = os.path.join(work.path, "dead.jsonl")
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--sqlite", work.db,
                 "--state-dir", work.state, "--dead-letter", dead, "--flush-interval", "0.2")
    wait_ingest_ready(proc)
    bad = fixture_text("bad-payloads.txt").split("\n")
    if bad and bad[-1] == "":
        bad = bad[:-1]
    lines = []
    for i, payload in enumerate(bad):
        lines.append(json.dumps({"topic": "hexaboard/G/sensor/data", "qos": 1,
                                 "payload": {"board": "G", "temperature": i, "humidity": 50}}))
        lines.append(json.dumps({"topic": "hexaboard/A/sensor/data", "qos": 1, "payload": payload}))
    lines.append(json.dumps({"topic": "hexaboard/G/sensor/data", "qos": 1,
                             "payload": {"board": "G", "temperature": 99, "humidity": 50}}))
    iotctl("pub", "-p", broker.port, "--jsonl", input="\n".join(lines) + "\n", check=True)

    def good_rows():
        try:
            with sqlite3.connect(work.db, timeout=30) as c:
                return c.execute("SELECT count(*) FROM hexaboard WHERE board='G'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0

    wait_until(lambda: good_rows() == len(bad) + 1, timeout=60, what="every good message stored")
    assert proc.poll() is None
    assert stop(proc, signal.SIGTERM) == 0
    with open(dead) as f:
        letters = [json.loads(l) for l in f]
    assert letters, "no dead letters"
    for letter in letters:
        assert set(letter) >= {"ts", "topic", "payload", "reason"} and letter["reason"]
    dead_payloads = {l["payload"] for l in letters}
    assert "{\"board\":\"A\",\"temperature\":" in dead_payloads
    assert "[1,2,3]" in dead_payloads
    with sqlite3.connect(work.db) as c:
        assert c.execute("SELECT count(*) FROM hexaboard WHERE board='G'").fetchone()[0] == len(bad) + 1


def test_database_passwords_never_reach_the_log(broker):
    work = Workdir()
    secret = "s3cret-Pa55"
    # Nothing listens on port 9: the MySQL sink retries and logs why, and must still not say it.
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--sqlite", work.db,
                 "--mysql", f"mysql://ingest:{secret}@127.0.0.1:9/telemetry",
                 "--influx", f"http://admin:{secret}@127.0.0.1:9", "--influx-db", "x",
                 "--state-dir", work.state, "--flush-interval", "0.2", "--stats-interval", "0.5")
    lines = wait_ingest_ready(proc)
    iotctl("pub", "-p", broker.port, "-q", "1", "-t", "hexaboard/A/sensor/data",
           "-m", '{"board":"A","temperature":1}', check=True)
    wait_until(lambda: any("retry" in l or "down" in l or "fail" in l for l in lines),
               timeout=60, what="a sink failure to be logged")
    assert stop(proc) == 0
    text = "".join(lines)
    assert "mysql://127.0.0.1:9/telemetry" in text
    assert secret not in text
