"""A message the broker sends again (DUP, same packet id) after ingest spooled it is stored once.

A relay between ingest and a real Mosquitto holds back ingest's PUBACKs and then cuts the link:
the broker still has every message in flight and sends all of them again, with DUP, when the
session resumes (after an automatic reconnect, or after ingest is killed and started again)."""
import signal

import pytest

from harness import Service, wait_until
from ingest_helpers import Workdir, counts, publish_range, start_ingest, stop, wait_ingest_ready
from tcp_cut import CuttableRelay

N = 500  # under the test broker's max_inflight_messages (1000): all are in flight at once


def last_count(log, key):
    """The last value of key= in ingest's stats lines (0 when it never appeared)."""
    values = [l.split(key + "=")[1].split()[0] for l in log if key + "=" in l]
    return int(values[-1]) if values else 0


def arrived(log):
    """Messages ingest has taken from the broker: spooled plus recognised as sent again."""
    return last_count(log, "received") + last_count(log, "redelivered")


def held_and_stored(broker, relay, work, proc, pad=0):
    relay.hold()
    publish_range(broker.port, 0, N, pad=pad)
    wait_until(lambda: counts(work.db)[1] >= N, timeout=60, what=f"{N} stored")
    assert proc.poll() is None
    assert relay.held > 0  # ingest's PUBACKs, kept from the broker


def test_redelivery_after_a_reconnect_is_not_stored_twice():
    broker = Service("mosquitto").start()
    try:
        relay = CuttableRelay(broker.port)
        work = Workdir()
        proc = start_ingest(relay.port, work)
        log = wait_ingest_ready(proc)
        held_and_stored(broker, relay, work, proc)
        relay.cut()
        wait_until(lambda: any("reconnected to the broker" in l for l in log), timeout=60,
                   what="ingest to reconnect")
        # Every message arrives twice: once spooled, once recognised (or, without the check,
        # spooled and stored a second time).
        wait_until(lambda: arrived(log) >= 2 * N, timeout=60,
                   what=f"{N} messages sent again:\n" + "".join(log[-5:]))
        assert stop(proc) == 0
        rows, distinct = counts(work.db)
        assert (rows, distinct) == (N, N)
        assert last_count(log, "redelivered") == N
        assert last_count(log, "received") == N
    finally:
        broker.stop()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_redelivery_to_a_restarted_ingest_is_not_stored_twice(sig):
    """The payloads are padded so that the spool's segment passes the size at which a caught-up
    segment is given back (64 KiB): by the kill (or the clean stop) the sinks have written
    everything and the spool holds none of it. The given-back segment is kept as the seed of
    the next run's filter; before, a SIGTERM stored 1000 rows for 500 (and so did a SIGKILL
    after the segment was given back)."""
    broker = Service("mosquitto").start()
    try:
        relay = CuttableRelay(broker.port)
        work = Workdir()
        proc = start_ingest(relay.port, work)
        wait_ingest_ready(proc)
        held_and_stored(broker, relay, work, proc, pad=200)
        proc.send_signal(sig)
        assert proc.wait(timeout=60) == (-9 if sig == signal.SIGKILL else 0)
        relay.cut()
        again = start_ingest(relay.port, work)
        log = wait_ingest_ready(again)
        wait_until(lambda: arrived(log) >= N, timeout=60,
                   what=f"{N} messages sent again:\n" + "".join(log[-5:]))
        assert stop(again) == 0
        assert last_count(log, "redelivered") == N
        assert counts(work.db) == (N, N)
        assert last_count(log, "received") == 0
    finally:
        broker.stop()
