"""ingest never counts as stored what is not where it belongs: a SQLite file deleted while ingest
runs is created again and gets the later messages; a dead letter the dead-letter file cannot take
goes whole (payload in base64) into the log."""
import base64
import json
import os
import re
import sqlite3

from harness import iotctl, spawn, wait_until
from ingest_helpers import (Workdir, counts, publish_range, start_ingest, stop,
                            wait_ingest_ready)

LOG_MARKER = "(payload in base64): "


def test_sqlite_file_deleted_while_running_is_recreated_and_gets_the_later_messages(broker):
    work = Workdir()
    proc = start_ingest(broker.port, work)
    try:
        lines = wait_ingest_ready(proc)
        publish_range(broker.port, 0, 1000)
        wait_until(lambda: counts(work.db) == (1000, 1000), timeout=120,
                   what="the first 1,000 stored")
        for suffix in ("", "-wal", "-shm"):  # rm X.db X.db-wal X.db-shm
            if os.path.exists(work.db + suffix):
                os.remove(work.db + suffix)
        publish_range(broker.port, 1000, 2000)
        wait_until(lambda: counts(work.db)[1] >= 1000, timeout=90,
                   what="the second 1,000 stored in a new file at the same path")
        assert proc.poll() is None, "".join(lines)
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with sqlite3.connect(work.db) as c:
        rows, distinct, low, high = c.execute(
            "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM load").fetchone()
    assert (rows, distinct, low, high) == (1000, 1000, 1000, 1999)
    log = "".join(lines)
    assert re.search(r"WARN sqlite: SQLite file " + re.escape(work.db) +
                     r" was deleted while open: closed it and recreated it", log), log


def jsonl(topic, payload):
    """A `pub --jsonl` line publishing the bytes `payload` at QoS 1."""
    return json.dumps({"topic": topic, "qos": 1, "payload_encoding": "base64",
                       "payload": base64.b64encode(payload).decode()})


def logged_letters(lines):
    """The dead letters the log holds, as parsed JSON objects."""
    out = []
    for line in list(lines):
        if LOG_MARKER in line and " ERROR " in line:
            out.append(json.loads(line.split(LOG_MARKER, 1)[1]))
    return out


def test_dead_letters_the_file_cannot_take_go_whole_into_the_log(broker):
    work = Workdir()
    # /dev/full: opening works, every write fails with ENOSPC.
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--sqlite", work.db,
                 "--state-dir", work.state, "--dead-letter", "/dev/full",
                 "--flush-interval", "0.2", "--stats-interval", "1")
    bad = [b"not json at all", b'{"board":"A","temperature":', b"[1,2,3]",
           b"\xff\xfe\x00\x01 not UTF-8", b'{"board":"A"}']
    try:
        lines = wait_ingest_ready(proc)
        pub = []
        for i, payload in enumerate(bad):
            pub.append(jsonl("hexaboard/G/sensor/data",
                             json.dumps({"board": "G", "temperature": i}).encode()))
            pub.append(jsonl("hexaboard/A/sensor/data", payload))
        pub.append(jsonl("hexaboard/G/sensor/data", b'{"board":"G","temperature":99}'))
        iotctl("pub", "-p", broker.port, "--jsonl", input="\n".join(pub) + "\n", check=True)

        def good_rows():
            try:
                with sqlite3.connect(work.db, timeout=30) as c:
                    return c.execute(
                        "SELECT count(*) FROM hexaboard WHERE board='G'").fetchone()[0]
            except sqlite3.OperationalError:
                return 0

        wait_until(lambda: good_rows() == len(bad) + 1, timeout=60,
                   what="every good message stored")
        wait_until(lambda: len(logged_letters(lines)) >= len(bad), timeout=30,
                   what="every bad message's dead letter in the log")
        assert proc.poll() is None, "".join(lines)
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    letters = logged_letters(lines)
    assert sorted(base64.b64decode(l["payload"]) for l in letters) == sorted(bad)
    for letter in letters:
        assert letter["topic"] == "hexaboard/A/sensor/data"
        assert letter["payload_encoding"] == "base64"
        assert letter["reason"] and letter["ts"]
    log = "".join(lines)
    assert "cannot write dead-letter file /dev/full: No space left on device" in log
    final = [l for l in lines if "final: " in l]
    assert final and f"dead={len(bad)} dead_logged={len(bad)} " in final[-1], log
