"""Two ingests never silently split one stream: derived client ids differ per state dir, and two
processes forced onto one client id end in an error that says what to do."""
import os
import socket

from harness import spawn, wait_until
from ingest_helpers import (Workdir, counts, publish_range, read_stderr, start_ingest, stop,
                            wait_ingest_ready)

N = 5000


def start(port, work, name, *extra):
    """An ingest of load/# with its own state dir and SQLite file under work/<name>."""
    db = os.path.join(work.path, name + ".db")
    proc = spawn("ingest", "-p", port, "--map", work.map, "--sqlite", db, "--state-dir",
                 os.path.join(work.path, name), "--flush-interval", "0.2", *extra)
    return proc, db


def client_id(log):
    return next(l for l in log if "ingest: client id" in l).split("client id ")[1].split(",")[0]


def test_two_state_dirs_get_two_sessions_and_every_message(broker):
    work = Workdir()
    first, first_db = start(broker.port, work, "st")
    second, second_db = start(broker.port, work, "st2")
    try:
        logs = [wait_ingest_ready(first), wait_ingest_ready(second)]
        assert client_id(logs[0]) != client_id(logs[1]), logs
        publish_range(broker.port, 0, N)
        wait_until(lambda: counts(first_db)[1] >= N and counts(second_db)[1] >= N, timeout=120,
                   what=f"{N} rows in both databases")
        assert first.poll() is None and second.poll() is None
        assert not any("taken over" in l for log in logs for l in log), logs
        assert stop(first) == 0 and stop(second) == 0
    finally:
        for p in (first, second):
            if p.poll() is None:
                p.kill()
                p.wait()
    assert counts(first_db) == (N, N)
    assert counts(second_db) == (N, N)


def test_one_client_id_twice_is_reported_and_one_process_exits(broker):
    work = Workdir()
    procs = [start(broker.port, work, name, "-i", "shared-ingest-id")[0] for name in ("a", "b")]
    try:
        logs = [read_stderr(p) for p in procs]
        wait_until(lambda: any(p.poll() is not None for p in procs), timeout=90,
                   what="one of two ingests with one client id to give up")
        loser = next(p for p in procs if p.poll() is not None)
        text = "".join(logs[procs.index(loser)].complete())
        assert loser.returncode == 1, text
        assert "session taken over" in text and "-i ID" in text, text
        assert "iotctl: error:" in text, text
        survivor = next(p for p in procs if p is not loser)
        survivor_log = logs[procs.index(survivor)]
        try:
            wait_until(lambda: any("ingest: client id" in l for l in survivor_log), timeout=30,
                       what="the other ingest to subscribe")
        except AssertionError as e:
            raise AssertionError(f"{e}: {''.join(survivor_log)}") from None
        assert survivor.poll() is None, "".join(survivor_log)
        assert stop(survivor) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def legacy_client_id(port, filters):
    """The id versions up to 0.1.0 derived: FNV-1a of host, broker, share group and filters."""
    key = "\n".join([socket.gethostname(), f"localhost:{port}", ""] + sorted(filters))
    h = 1469598103934665603  # the offset the project has always used
    for byte in key.encode():
        h = ((h ^ byte) * 1099511628211) % 2**64
    return f"iotctl-ingest-{h:016x}"


def test_a_state_dir_of_the_earlier_id_keeps_its_id_and_its_spool(broker):
    """After an upgrade, the state dir made under the earlier derived id (its spool, its broker
    session) is used, not abandoned for the new id."""
    work = Workdir()
    legacy = legacy_client_id(broker.port, ["load/#"])
    os.makedirs(os.path.join(work.state, legacy))
    proc = start_ingest(broker.port, work)
    try:
        log = wait_ingest_ready(proc)
        assert client_id(log) == legacy, log
        assert any(f"keeping client id {legacy}" in l for l in log), log
        publish_range(broker.port, 0, 100)
        wait_until(lambda: counts(work.db)[1] >= 100, timeout=60, what="100 rows")
        assert stop(proc) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
