"""InfluxDB stopped for 10 s in the middle of 20,000 QoS 1 messages, then started again on the
same port and data: ingest keeps receiving and spooling, the SQLite sink beside it keeps
storing, InfluxDB catches up, and nothing is lost."""
import re
import signal
import time

from harness import spawn, wait_until
from ingest_helpers import Workdir, counts, publish_ranges_in_background, stop, wait_ingest_ready
from sink_queries import influx_load_counts

N = 20000
DB = "outage"
OUTAGE_S = 10


def influx_counts(influx):
    return influx_load_counts(influx, DB)


def received(log):
    """The `received=` count of the latest stats line (0 before the first)."""
    stats = [l for l in log if "received=" in l]
    return int(re.search(r"received=(\d+)", stats[-1]).group(1)) if stats else 0


def publish_in_background(port, first, last, chunk=1000):
    """Publishes seq first..last-1 at QoS 1 in chunks on a thread; returns the thread."""
    return publish_ranges_in_background(port, first, last, chunk)


def test_influxdb_down_for_10s_mid_stream_loses_nothing(broker, influx):
    work = Workdir()
    proc = spawn("ingest", "-p", broker.port, "--map", work.map,
                 "--influx", f"{influx['URL']}/?db={DB}", "--sqlite", work.db, "--state-dir", work.state,
                 "--flush-interval", "0.2", "--stats-interval", "1")
    try:
        log = wait_ingest_ready(proc)
        first = publish_in_background(broker.port, 0, N // 2)
        wait_until(lambda: influx_counts(influx)[1] >= 3000, timeout=120,
                   what="a first part in InfluxDB")
        port_before = influx.port
        influx.stop()
        down_at = time.monotonic()
        received_at_stop = received(log)
        stored_at_stop = counts(work.db)[1]
        # The second half is sent while InfluxDB is down: ingest must go on receiving it.
        second = publish_in_background(broker.port, N // 2, N)
        wait_until(lambda: received(log) >= received_at_stop + 1000, timeout=OUTAGE_S,
                   what="ingest to keep receiving while InfluxDB is down")
        # One sink down does not stall the others: SQLite keeps up during the outage.
        wait_until(lambda: counts(work.db)[1] >= stored_at_stop + 1000, timeout=OUTAGE_S,
                   what="SQLite to keep storing while InfluxDB is down")
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))  # the outage itself
        assert proc.poll() is None, "".join(log)
        assert any("retrying" in l for l in log), "no retry logged while InfluxDB was down"
        print(f"while InfluxDB was down ingest received {received(log) - received_at_stop}")
        influx.start()
        assert influx.port == port_before
        for pub in (first, second):
            pub.join(timeout=600)
            assert not pub.is_alive()
        wait_until(lambda: influx_counts(influx)[1] >= N, timeout=240,
                   what=f"all {N} in InfluxDB")
        assert proc.poll() is None, "".join(log)
        assert stop(proc, signal.SIGTERM) == 0
        points, distinct = influx_counts(influx)
        print(f"InfluxDB holds {distinct} distinct seq of {N} in {points} points")
        assert (points, distinct) == (N, N)
        assert counts(work.db) == (N, N)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
