"""ingest loses nothing and stores nothing twice: SIGKILL, SIGTERM and broker restarts mid-stream
(20,000 QoS 1 messages)."""
import signal

import pytest

from harness import Service, wait_until
from ingest_helpers import (Workdir, counts, ingest_duplicates, publish_in_background,
                            start_ingest, stop, wait_ingest_ready)

N = 20000


@pytest.fixture
def persistent_broker():
    svc = Service("mosquitto", "--persistence").start()
    yield svc
    svc.stop()


def run_with_interruption(broker, interrupt):
    work = Workdir()
    proc = start_ingest(broker.port, work)
    log = wait_ingest_ready(proc)
    pub = publish_in_background(broker.port, N)
    wait_until(lambda: counts(work.db)[1] >= 3000, timeout=120, what="a first part stored")
    proc = interrupt(proc, work)
    pub.join(timeout=600)
    assert not pub.is_alive()
    wait_until(lambda: counts(work.db)[1] >= N, timeout=240, what=f"all {N} stored")
    assert stop(proc) == 0
    rows, distinct = counts(work.db)
    ours = ingest_duplicates(work.db)
    redelivered = [l.split("redelivered=")[1].split()[0] for l in log if "redelivered=" in l]
    print(f"stored {distinct} distinct of {N}; {rows - distinct} duplicates, {ours} of them "
          f"ingest's (the rest: chunks the publisher sent again); the first process recognised "
          f"{redelivered[-1] if redelivered else 0} redeliveries")
    assert distinct == N
    return ours


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_ingest_killed_mid_stream_and_restarted_loses_nothing(broker, sig):
    def interrupt(proc, work):
        proc.send_signal(sig)
        rc = proc.wait(timeout=60)
        assert rc == (-9 if sig == signal.SIGKILL else 0)
        again = start_ingest(broker.port, work)
        wait_ingest_ready(again)
        return again

    # What the broker sends again with DUP after the kill was spooled already: not stored twice.
    assert run_with_interruption(broker, interrupt) == 0


def test_broker_restart_mid_stream_loses_nothing(persistent_broker):
    def interrupt(proc, work):
        persistent_broker.restart()
        return proc

    # The broker resends its unacknowledged messages with DUP and their packet ids after the
    # restart; ingest recognises those it spooled already.
    assert run_with_interruption(persistent_broker, interrupt) == 0
