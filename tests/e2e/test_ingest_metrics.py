"""ingest --metrics-listen and --metrics-file against real Mosquitto, InfluxDB and SQLite: the
counters scraped during a 20,000-message run agree with what was sent and stored (parsed by
prometheus_client's own text parser), the textfile is never seen half written, and /healthz
turns 503 while InfluxDB is stopped and 200 once it is back."""
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from harness import spawn, wait_until
from ingest_helpers import Workdir, counts, publish_in_background, stop, wait_ingest_ready
from sink_queries import influx_load_counts

N = 20000
DB = "metrics"


def influx_counts(influx):
    return influx_load_counts(influx, DB)


def metrics_port(log):
    """The port ingest logged for --metrics-listen 127.0.0.1:0."""
    for line in log:
        m = re.search(r"metrics: listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            return int(m.group(1))
    raise AssertionError("no 'metrics: listening on' line: " + "".join(log))


def get(port, path):
    """(status, body) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode(), r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Content-Type")


def parse(text):
    """{(sample name, frozenset(labels)): value} via prometheus_client's parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples, name, **labels):
    return samples[(name, frozenset(labels.items()))]


def start(work, broker, influx, *extra):
    proc = spawn("ingest", "-p", broker.port, "--map", work.map,
                 "--influx", f"{influx['URL']}/?db={DB}", "--sqlite", work.db,
                 "--state-dir", work.state, "--flush-interval", "0.2", "--stats-interval", "0.5",
                 "--metrics-listen", "127.0.0.1:0", *extra)
    return proc, wait_ingest_ready(proc)


def test_counters_match_what_was_sent_and_stored_and_the_textfile_is_never_torn(broker, influx):
    work = Workdir()
    textfile = os.path.join(work.path, "ingest.prom")
    proc, log = start(work, broker, influx, "--metrics-file", textfile)
    torn, reads = [], [0]
    done = threading.Event()

    def read_textfile():
        # Reads as fast as it can while ingest rewrites the file every 0.5 s.
        while not done.is_set():
            try:
                with open(textfile) as f:
                    text = f.read()
            except FileNotFoundError:
                continue
            reads[0] += 1
            try:
                samples = parse(text)
                # The last family written must be there: the file is whole.
                assert any(k[0] == "iotctl_ingest_filter_last_message_age_seconds" for k in samples)
                assert text.endswith("\n")
            except Exception as e:  # noqa: BLE001 - any parse failure is what we look for
                torn.append(f"{e!r}: {text[-200:]!r}")

    reader = threading.Thread(target=read_textfile, daemon=True)
    try:
        port = metrics_port(log)
        status, body, ctype = get(port, "/metrics")
        assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
        assert value(parse(body), "iotctl_ingest_messages_received_total") == 0
        reader.start()
        pub = publish_in_background(broker.port, N)
        # Scrape during the run: counters never go down and never pass what was sent.
        last = {}
        scrapes = 0
        while pub.is_alive() or scrapes < 3:
            samples = parse(get(port, "/metrics")[1])
            scrapes += 1
            for key in (("iotctl_ingest_messages_received_total", frozenset()),
                        ("iotctl_ingest_messages_spooled_total", frozenset()),
                        ("iotctl_ingest_sink_records_written_total", frozenset({("sink", "sqlite")})),
                        ("iotctl_ingest_sink_records_written_total", frozenset({("sink", "influx")}))):
                assert samples[key] >= last.get(key, 0)
                assert samples[key] <= N
                last[key] = samples[key]
            time.sleep(0.2)
        pub.join(timeout=600)
        wait_until(lambda: counts(work.db)[1] >= N and influx_counts(influx)[1] >= N, timeout=240,
                   what=f"all {N} in SQLite and InfluxDB")
        # The counters catch up with the stores (the checkpoint follows the write).
        wait_until(lambda: value(parse(get(port, "/metrics")[1]),
                                 "iotctl_ingest_sink_lag_bytes", sink="influx") == 0
                   and value(parse(get(port, "/metrics")[1]),
                             "iotctl_ingest_sink_lag_bytes", sink="sqlite") == 0,
                   timeout=30, what="both sinks to report no lag")
        s = parse(get(port, "/metrics")[1])
        print(f"{scrapes} scrapes during the run; textfile read {reads[0]} times")
        assert value(s, "iotctl_ingest_messages_received_total") == N
        assert value(s, "iotctl_ingest_messages_spooled_total") == N
        assert value(s, "iotctl_ingest_filter_messages_total", filter="load/#") == N
        assert value(s, "iotctl_ingest_filter_last_message_age_seconds", filter="load/#") < 60
        for sink in ("sqlite", "influx"):
            assert value(s, "iotctl_ingest_sink_messages_written_total", sink=sink) == N
            assert value(s, "iotctl_ingest_sink_records_written_total", sink=sink) == N
            assert value(s, "iotctl_ingest_sink_records_rejected_total", sink=sink) == 0
            assert value(s, "iotctl_ingest_sink_lag_seconds", sink=sink) == 0
            assert value(s, "iotctl_ingest_sink_up", sink=sink) == 1
            batches = value(s, "iotctl_ingest_sink_batches_total", sink=sink)
            retries = value(s, "iotctl_ingest_sink_retries_total", sink=sink)
            assert batches >= 1
            # One histogram observation per write attempt; the +Inf bucket holds them all.
            attempts = value(s, "iotctl_ingest_sink_write_duration_seconds_count", sink=sink)
            assert attempts == batches + retries
            assert value(s, "iotctl_ingest_sink_write_duration_seconds_bucket",
                         sink=sink, le="+Inf") == attempts
        assert value(s, "iotctl_ingest_messages_dead_lettered_total") == 0
        assert value(s, "iotctl_ingest_broker_connected") == 1
        assert value(s, "iotctl_ingest_spool_oldest_unwritten_age_seconds") == 0
        assert counts(work.db) == (N, N)
        assert influx_counts(influx) == (N, N)
        # /healthz: all is well.
        assert get(port, "/healthz")[:2] == (200, "ok\n")
        time.sleep(1.2)  # at least two more rewrites of the textfile while it is read
        done.set()
        reader.join(timeout=10)
        assert reads[0] > 50, "the textfile was hardly read"
        assert not torn, f"{len(torn)} of {reads[0]} reads were not a whole exposition: {torn[:3]}"
        assert stop(proc, signal.SIGTERM) == 0
        # The final textfile holds the final counts.
        with open(textfile) as f:
            final = parse(f.read())
        assert value(final, "iotctl_ingest_messages_spooled_total") == N
        assert not os.path.exists(textfile + ".tmp")
    finally:
        done.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_healthz_is_503_with_the_reason_while_influxdb_is_stopped_and_200_after(broker, influx):
    work = Workdir()
    proc, log = start(work, broker, influx)
    try:
        port = metrics_port(log)
        wait_until(lambda: get(port, "/healthz")[0] == 200, timeout=10, what="/healthz 200")
        publish_in_background(broker.port, 100).join(timeout=120)
        wait_until(lambda: influx_counts(influx)[1] >= 100, timeout=60, what="100 in InfluxDB")
        influx.stop()
        # Writes fail once there is something to write.
        publish_in_background(broker.port, 200, first=100).join(timeout=120)
        wait_until(lambda: get(port, "/healthz")[0] == 503, timeout=30,
                   what="/healthz 503 while InfluxDB is down")
        status, body, _ = get(port, "/healthz")
        print("healthz while down:", body.strip())
        assert re.fullmatch(r"influx: write failing since \d+ s: .+\n", body), body
        assert "\n" not in body.rstrip("\n")
        s = parse(get(port, "/metrics")[1])
        assert value(s, "iotctl_ingest_sink_up", sink="influx") == 0
        assert value(s, "iotctl_ingest_sink_up", sink="sqlite") == 1
        assert value(s, "iotctl_ingest_sink_last_error_timestamp_seconds", sink="influx") > 0
        assert value(s, "iotctl_ingest_sink_lag_seconds", sink="influx") > 0
        assert value(s, "iotctl_ingest_sink_lag_bytes", sink="influx") > 0
        influx.start()
        wait_until(lambda: get(port, "/healthz")[0] == 200, timeout=120,
                   what="/healthz 200 once InfluxDB is back")
        wait_until(lambda: influx_counts(influx)[1] >= 200, timeout=60, what="200 in InfluxDB")
        assert stop(proc, signal.SIGTERM) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_metrics_listen_binds_exactly_the_address_given(broker):
    work = Workdir()
    # A port in use is an error at start (exit 1), not a run without metrics.
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        out = spawn("ingest", "-p", broker.port, "--map", work.map, "--sqlite", work.db,
                    "--state-dir", work.state, "--metrics-listen", f"127.0.0.1:{busy}")
        assert out.wait(timeout=60) == 1
        err = out.stderr.read().decode()
        assert f"cannot listen on 127.0.0.1:{busy}" in err, err
    bad = spawn("ingest", "-p", broker.port, "--metrics-listen", "9108")
    assert bad.wait(timeout=60) == 2
    assert "expected HOST:PORT" in bad.stderr.read().decode()
