"""ingest loses nothing and stores nothing twice: SIGKILL, SIGTERM and broker restarts mid-stream
(20,000 QoS 1 messages), and a SUBSCRIBE cut off before its answer."""
import itertools
import signal

import pytest

from harness import Service, wait_until
from ingest_helpers import (Workdir, counts, ingest_duplicates, publish_in_background,
                            publish_range, start_ingest, stop, wait_ingest_ready)
from tcp_cut import CuttableRelay

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


def test_a_subscribe_cut_off_before_its_suback_is_sent_again_on_reconnect(broker):
    """The connection drops after SUBSCRIBE went out and before the SUBACK (a takeover or a
    broker restart at that moment, as CI met it): ingest subscribes again on the reconnect
    and stores what is published, instead of waiting for that SUBACK for good."""
    work = Workdir()
    with CuttableRelay(broker.port, cut_at_subscribe=1) as cutter:
        proc = start_ingest(cutter.port, work)
        try:
            log = wait_ingest_ready(proc, timeout=30)
            assert cutter.cut_at_subscribe == 1, cutter.cut_at_subscribe
            assert any("lost during SUBSCRIBE" in l for l in log), "".join(log)
            wait_until(lambda: any("reconnected to the broker" in l for l in log), timeout=30,
                       what="ingest to reconnect")
            # The SUBSCRIBE sent on reconnect is not waited for: publish probes (seq from 10**6
            # on) until one is stored, then the numbered stream.
            probes = itertools.count(10**6)

            def probe_stored():
                seq = next(probes)
                publish_range(broker.port, seq, seq + 1)
                return counts(work.db)[0] > 0

            wait_until(probe_stored, timeout=60, interval=0.2,
                       what="a probe stored after the reconnect")
            publish_range(broker.port, 0, 100)
            wait_until(lambda: counts(work.db, below=100)[0] >= 100, timeout=60, what="100 rows")
            assert stop(proc) == 0, "".join(log)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert counts(work.db, below=100) == (100, 100)
    assert ingest_duplicates(work.db) == 0
