"""One ingest into InfluxDB 1.x, VictoriaMetrics (InfluxDB v2 API), MariaDB and SQLite at once
(issue 5, must-show 1 and 2): every fixture message and every bad payload, interleaved; then
each real server is queried for exactly what the fixtures say it must hold."""
import collections
import json
import os
import re
import signal

import pytest

from fixture_expectations import Text, expected_records, strict_json
from harness import fixture_text, iotctl, services, spawn, wait_until
from ingest_helpers import Workdir, stop, wait_ingest_ready
from sink_queries import (influx_rows, influx_tag_values, mariadb_rows, sql_record_rows,
                          sqlite_rows, sqlite_tables, vm_series)

# Each bad payload goes to one topic of each family (and the generic rule) between good ones.
BAD_TOPICS = ["hexaboard/A/sensor/data", "tele/gw-bad/SENSOR", "tele/gw-bad/STATE",
              "webos/bad/info"]
# Tag values line protocol must escape (a newline cannot be carried: it is stored as `\n`).
TRICKY_BOARDS = ["A, B=C", "two words=yes,no", "back\\slash", "end\\", "new\nline", "quo\"te"]
INFLUX_DB = "iot"


def payload_text(p):
    return p if isinstance(p, str) else json.dumps(p, separators=(",", ":"))


def traffic():
    """The messages to publish, in order: good fixture lines with bad payloads between them."""
    good = [json.loads(l) for l in fixture_text("payloads.jsonl").splitlines() if l]
    good = [(m["topic"], payload_text(m["payload"])) for m in good]
    good += [(f"hexaboard/T{i}/sensor/data", json.dumps({"board": b, "temperature": 100 + i}))
             for i, b in enumerate(TRICKY_BOARDS)]
    bad_lines = fixture_text("bad-payloads.txt").split("\n")
    if bad_lines and bad_lines[-1] == "":
        bad_lines = bad_lines[:-1]
    bad = [(t, b) for b in bad_lines for t in BAD_TOPICS]
    out = []
    per_good = -(-len(bad) // len(good))
    for i, g in enumerate(good):
        out.append(g)
        out.extend(bad[i * per_good:(i + 1) * per_good])
    assert len(out) == len(good) + len(bad)
    return out, bad


def expected_by_measurement(messages):
    want = collections.defaultdict(list)
    for topic, payload in messages:
        for measurement, rec in expected_records(topic, payload):
            want[measurement].append(rec)
    return want


def canon(records):
    """Records as comparable sorted item lists; numbers (and booleans) as floats."""
    def value(k, v):
        return v if k == "ts_ns" or isinstance(v, str) else float(v)
    return sorted((sorted((k, value(k, v)) for k, v in r.items()) for r in records), key=repr)


def same_records(expected, stored, what):
    """Exact match: tags, fields, and the payload's time where it gives one (else any time)."""
    fixed = {r["ts_ns"] for r in expected if "ts_ns" in r}
    assert all(isinstance(r.get("ts_ns"), int) for r in stored), what
    stored = [r if r["ts_ns"] in fixed else {k: v for k, v in r.items() if k != "ts_ns"}
              for r in stored]
    assert canon(stored) == canon(expected), what


def influx_form(rec):
    """A record as InfluxDB stores it: a newline in a tag is written as the two chars `\\n`
    (a string field keeps it: it is inside quotes)."""
    return {k: v.replace("\n", "\\n") if isinstance(v, str) and not isinstance(v, Text) else v
            for k, v in rec.items()}


def influx_v1_refuses(rec):
    """InfluxDB 1.x cannot parse a tag value ending in a backslash, however it is escaped
    (influxdata/influxdb#6154): it answers 400 and ingest dead-letters that one record."""
    return any(isinstance(v, str) and v.endswith("\\") for v in rec.values())


@pytest.fixture(scope="module")
def servers():
    with services("influxdb", "victoria-metrics", "mariadb") as started:
        yield started


@pytest.fixture(scope="module")
def run(broker, servers):
    """Runs one ingest over the whole traffic; returns what the tests read back."""
    work = Workdir()
    dead = os.path.join(work.path, "dead.jsonl")
    influx, vm, maria = servers["influxdb"], servers["victoria-metrics"], servers["mariadb"]
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--preset", "tasmota",
                 "--preset", "generic",
                 "--influx", f"{influx['URL']}/?db={INFLUX_DB}",
                 "--influx", f"{vm['URL']}/?org=iot-org&bucket=iot-bucket&strings=false",
                 "--mysql", maria["URL"], "--sqlite", work.db, "--dead-letter", dead,
                 "--state-dir", work.state, "--flush-interval", "0.2", "--stats-interval", "1",
                 env={"INFLUX_TOKEN": "e2e-token"})
    try:
        log = wait_ingest_ready(proc)
        messages, bad = traffic()
        lines = [json.dumps({"topic": t, "payload": p, "qos": 1}) for t, p in messages]
        iotctl("pub", "-p", broker.port, "--jsonl", input="\n".join(lines) + "\n", timeout=120,
               check=True)
        want = expected_by_measurement(messages)
        total = sum(len(v) for v in want.values())

        def stored():
            tables = sqlite_tables(work.db) if os.path.exists(work.db) else set()
            return sum(len(sqlite_rows(work.db, m)) for m in want if m in tables)

        # Then a stats line where each of the four sinks has finished with every message.
        def all_sinks_done():
            finals = [l for l in log if "messages=" in l]
            if not finals:
                return False
            counts = re.findall(r"messages=(\d+)", finals[-1])
            return len(counts) == 4 and all(int(c) == len(messages) for c in counts)

        wait_until(lambda: stored() == total, timeout=120, what="every record in SQLite")
        wait_until(all_sinks_done, timeout=120, what="every sink through every message")
        assert proc.poll() is None, "ingest stopped during bad traffic: " + "".join(log)
        assert stop(proc, signal.SIGTERM) == 0
        wait_until(lambda: any("final:" in l for l in log), timeout=30, what="the final stats")
        yield {"work": work, "dead": dead, "log": log, "messages": messages, "bad": bad,
               "want": want, "influx": influx, "vm": vm, "maria": maria}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ingest_keeps_running_and_counts_every_message(run):
    final = [l for l in run["log"] if "final:" in l]
    assert final, "".join(run["log"])
    received = int(re.search(r"received=(\d+)", final[-1]).group(1))
    assert received == len(run["messages"])
    assert not [l for l in run["log"] if " ERROR " in l], "".join(run["log"])


def test_every_unmappable_bad_payload_is_dead_lettered_with_a_reason(run):
    with open(run["dead"]) as f:
        letters = [json.loads(l) for l in f]
    for letter in letters:
        assert set(letter) >= {"ts", "topic", "payload", "reason"} and letter["reason"]
    refused = sorted((l["topic"], l["payload"]) for l in letters
                     if l["reason"].startswith("influx rejected the record"))
    want_refused = sorted((t, p) for t, p in run["messages"]
                          if any(influx_v1_refuses(r) for _, r in expected_records(t, p)))
    assert refused == want_refused
    assert all("invalid tag format" in l["reason"] for l in letters
               if l["reason"].startswith("influx rejected"))
    dead = sorted((l["topic"], l["payload"]) for l in letters
                  if not l["reason"].startswith(("partly stored", "influx rejected")))
    want_dead = sorted((t, p) for t, p in run["messages"]
                       if not expected_records(t, p) and not t.endswith("/LWT"))
    assert dead == want_dead
    # Every bad line that is not strict JSON is dead on every topic but none of the good ones.
    for t, p in run["bad"]:
        if strict_json(p) is None:
            assert (t, p) in dead
    partial = [(l["topic"], l["payload"]) for l in letters
               if l["reason"].startswith("partly stored")]
    assert ("hexaboard/A/sensor/data", '{"board":"A","temperature":"25.5","humidity":"sixty"}') \
        in partial


def test_influxdb_v1_holds_every_record_exactly(run):
    base = run["influx"]["URL"]
    for measurement, want in run["want"].items():
        rows = influx_rows(base, INFLUX_DB, measurement)
        stored = [{("ts_ns" if k == "time" else k): v for k, v in r.items()} for r in rows]
        want = [influx_form(r) for r in want if not influx_v1_refuses(r)]
        same_records(want, stored, f"influx {measurement}")


def test_influxdb_v1_reads_back_tags_with_commas_spaces_equals_and_newlines(run):
    boards = influx_tag_values(run["influx"]["URL"], INFLUX_DB, "hexaboard", "board")
    want = {r["board"] for r in run["want"]["hexaboard"]}
    assert set(TRICKY_BOARDS) <= want
    want = {b for b in want if not b.endswith("\\")}
    assert boards == {b.replace("\n", "\\n") for b in want}


def test_victoria_metrics_via_v2_api_holds_every_numeric_field(run):
    series = vm_series(run["vm"]["URL"], ".+")
    got = collections.Counter()
    for name, labels, values, stamps in series:
        for v, t in zip(values, stamps):
            got[(name, tuple(sorted(labels.items())), float(v), t)] += 1
    want = collections.Counter()
    for measurement, records in run["want"].items():
        for r in records:
            tags = tuple(sorted((k, v.replace("\n", "\\n")) for k, v in r.items()
                                if isinstance(v, str) and not isinstance(v, Text)))
            for k, v in r.items():
                if k != "ts_ns" and not isinstance(v, str):
                    key = (f"{measurement}_{k}", tags, float(v))
                    want[key + (r["ts_ns"] // 10**6 if "ts_ns" in r else None,)] += 1
    # Receive times are not known in advance: match those series on everything else.
    got_any = collections.Counter(k[:3] + (k[3] if k[:3] + (k[3],) in want else None,)
                                  for k in got.elements())
    assert got_any == want


def mariadb_records(env, table):
    types = mariadb_rows(env, "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                              f"WHERE TABLE_SCHEMA='{env['DB']}' AND TABLE_NAME='{table}'")
    text = {t["COLUMN_NAME"] for t in types if "char" in t["DATA_TYPE"] or "text" in t["DATA_TYPE"]}
    return sql_record_rows(mariadb_rows(env, f"SELECT * FROM `{table}`"), text)


def test_mariadb_holds_every_record_and_its_tables_are_intact(run):
    env = run["maria"]
    tables = {r[next(iter(r))] for r in mariadb_rows(env, "SHOW TABLES")}
    assert tables == set(run["want"])  # hexaboard among them: the injection line was not run
    for measurement, want in run["want"].items():
        same_records(want, mariadb_records(env, measurement), f"mariadb {measurement}")
    columns = {r["Field"] for r in mariadb_rows(env, "SHOW COLUMNS FROM webos_bad_info")}
    assert "DROP_TABLE_hexaboard" in columns  # stored as data, under a sanitised name


def test_sqlite_holds_every_record(run):
    db = run["work"].db
    assert sqlite_tables(db) == set(run["want"])
    for measurement, want in run["want"].items():
        rows = sqlite_rows(db, measurement)
        text = {k for r in rows for k, v in r.items() if isinstance(v, str)}
        same_records(want, sql_record_rows(rows, text), f"sqlite {measurement}")
