"""The seeds' data kept whole (issues 10 and 12), in SQLite, InfluxDB 1.x and MariaDB at once:
Tasmota's zone-less `Time` read in --payload-timezone, text leaves as string fields, digits
with a leading zero kept as text, every hexaboard leaf kept, values that do not fit their
column counted as partial, and the SQL `time` column (also added to tables made without it)."""
import datetime
import json
import os
import re
import signal
import sqlite3

import pytest

from harness import iotctl, services, spawn, wait_until
from ingest_helpers import Workdir, stop, wait_ingest_ready
from sink_queries import influx_rows, mariadb_rows, sqlite_rows

SEOUL = datetime.timezone(datetime.timedelta(hours=9))  # Asia/Seoul has no DST
DB = "kept"
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
RECENT = NOW - datetime.timedelta(minutes=10)
OLD = NOW - datetime.timedelta(hours=3)


def seoul_text(t):
    """A Tasmota `Time`: the gateway's wall clock in Seoul, without a zone."""
    return t.astimezone(SEOUL).strftime("%Y-%m-%dT%H:%M:%S")


def ns(t):
    return int(t.timestamp()) * 10**9


MESSAGES = [
    ("tele/gw-new/SENSOR", {"Time": seoul_text(RECENT), "SHTC3": {"Temperature": 22.1}}),
    ("tele/gw-old/SENSOR", {"Time": seoul_text(OLD), "SHTC3": {"Temperature": 18.5}}),
    ("tele/gw-new/STATE", {"Time": seoul_text(RECENT), "Uptime": "0T00:05:00", "UptimeSec": 300,
                           "SleepMode": "Dynamic", "Wifi": {"SSId": "home", "RSSI": 76}}),
    ("tele/gw-new/SENSOR", {"Time": seoul_text(RECENT), "ZbReceived": {
        "0x6E5B": {"Device": "0x6E5B", "Name": "Kitchen", "0500<00": "010000000000",
                   "Power": 1}}}),
    # The same field as text next: SQL has a DOUBLE column for it by now.
    ("tele/gw-new/SENSOR", {"Time": seoul_text(RECENT + datetime.timedelta(seconds=1)),
                            "ZbReceived": {"0x6E5B": {"Device": "0x6E5B", "Power": "high",
                                                      "LinkQuality": 90}}}),
    ("hexaboard/A/sensor/data", {"board": "A", "temperature": 25, "humidity": 60,
                                 "pressure": 1013.2, "co2": 415, "battery": 87,
                                 "timestamp": int(RECENT.timestamp())}),
    ("hexaboard/B/sensor/data", {"board": "B", "temperature": 20, "humidity": "sixty",
                                 "timestamp": int(RECENT.timestamp())}),
]

# Tables as an older iotctl made them: no `time` column.
OLD_SQLITE = ('CREATE TABLE "hexaboard" ("ts_ns" BIGINT NOT NULL, "series_hash" BIGINT NOT NULL, '
              '"board" VARCHAR(255) NOT NULL DEFAULT \'\', "temperature" DOUBLE NULL, '
              'UNIQUE ("ts_ns", "series_hash"))')
OLD_MARIADB = OLD_SQLITE.replace('"', "`") + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
OLD_TS = 1795168800 * 10**9  # 2026-11-20T10:00:00Z, already in the old tables


def mariadb(env, sql):
    """mariadb_rows with the session in UTC, as the `time` column is."""
    return mariadb_rows(env, "SET time_zone = '+00:00'; " + sql)


@pytest.fixture(scope="module")
def servers():
    with services("influxdb", "mariadb") as started:
        yield started


@pytest.fixture(scope="module")
def ingested(broker, servers):
    work = Workdir()
    influx, maria = servers["influxdb"], servers["mariadb"]
    with sqlite3.connect(work.db) as c:
        c.execute(OLD_SQLITE)
        c.execute('INSERT INTO hexaboard VALUES (?, 1, \'old\', 19.0)', (OLD_TS,))
    mariadb_rows(maria.env, OLD_MARIADB + f"; INSERT INTO hexaboard VALUES ({OLD_TS}, 1, 'old', 19.0)")
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--preset", "tasmota",
                 "--payload-timezone", "Asia/Seoul",
                 "--influx", f"{influx['URL']}/?db={DB}", "--mysql", maria["URL"],
                 "--sqlite", work.db, "--state-dir", work.state,
                 "--dead-letter", os.path.join(work.path, "dead.jsonl"),
                 "--flush-interval", "0.2", "--stats-interval", "1")
    try:
        log = wait_ingest_ready(proc)
        # One message at a time, in order: the text Power comes after the DOUBLE column exists.
        for topic, payload in MESSAGES:
            iotctl("pub", "-p", broker.port, "-q", "1", "-t", topic, "-m", json.dumps(payload),
                   check=True)

        def done():
            finals = [l for l in log if "messages=" in l]
            counts = re.findall(r"messages=(\d+)", finals[-1]) if finals else []
            return len(counts) == 3 and all(int(c) == len(MESSAGES) for c in counts)

        wait_until(done, timeout=120, what="every sink through every message")
        assert stop(proc, signal.SIGTERM) == 0
        wait_until(lambda: any("final:" in l for l in log), timeout=30, what="the final stats")
        yield {"work": work, "log": log, "influx": influx, "maria": maria}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def by(rows, key):
    return {r[key]: r for r in rows}


def test_tasmota_time_is_read_in_the_payload_timezone(ingested):
    """19:00 in Seoul is 10:00 UTC: stored 9 h earlier than the text read as UTC."""
    want = {"gw-new": ns(RECENT), "gw-old": ns(OLD)}
    sqlite = by(sqlite_rows(ingested["work"].db, "gateway_climate"), "gateway")
    assert {g: r["ts_ns"] for g, r in sqlite.items()} == want
    influx = by(influx_rows(ingested["influx"]["URL"], DB, "gateway_climate"), "gateway")
    assert {g: r["time"] for g, r in influx.items()} == want
    maria = by(mariadb(ingested["maria"].env, "SELECT gateway, ts_ns FROM gateway_climate"),
               "gateway")
    assert {g: int(r["ts_ns"]) for g, r in maria.items()} == want
    naive_utc = datetime.datetime.fromisoformat(seoul_text(RECENT)).replace(
        tzinfo=datetime.timezone.utc)
    assert ns(naive_utc) - want["gw-new"] == 9 * 3600 * 10**9


def test_text_leaves_are_string_fields_in_every_sink(ingested):
    want = {"Uptime": "0T00:05:00", "SleepMode": "Dynamic", "Wifi_SSId": "home"}
    [sqlite] = sqlite_rows(ingested["work"].db, "gateway_state")
    assert {k: sqlite[k] for k in want} == want and sqlite["UptimeSec"] == 300
    [influx] = influx_rows(ingested["influx"]["URL"], DB, "gateway_state")
    assert {k: influx[k] for k in want} == want and influx["Wifi_RSSI"] == 76
    [maria] = mariadb(ingested["maria"].env, "SELECT * FROM gateway_state")
    assert {k: maria[k] for k in want} == want
    types = mariadb(ingested["maria"].env,
                    "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE "
                    f"TABLE_SCHEMA='{ingested['maria']['DB']}' AND TABLE_NAME='gateway_state'")
    assert by(types, "COLUMN_NAME")["Uptime"]["DATA_TYPE"] == "text"


def test_digits_with_a_leading_zero_stay_text(ingested):
    rows = sqlite_rows(ingested["work"].db, "zigbee")
    assert [r["n0500_00"] for r in rows if r["n0500_00"] is not None] == ["010000000000"]
    influx = influx_rows(ingested["influx"]["URL"], DB, "zigbee")
    assert [r["n0500_00"] for r in influx if "n0500_00" in r] == ["010000000000"]
    maria = mariadb(ingested["maria"].env, "SELECT n0500_00 FROM zigbee WHERE n0500_00 IS NOT NULL")
    assert [r["n0500_00"] for r in maria] == ["010000000000"]


def test_hexaboard_keeps_pressure_co2_and_battery(ingested):
    want = {"pressure": 1013.2, "co2": 415.0, "battery": 87.0, "temperature": 25.0}
    sqlite = by(sqlite_rows(ingested["work"].db, "hexaboard"), "board")
    assert {k: sqlite["A"][k] for k in want} == want
    influx = by(influx_rows(ingested["influx"]["URL"], DB, "hexaboard"), "board")
    assert {k: float(influx["A"][k]) for k in want} == want
    maria = by(mariadb(ingested["maria"].env, "SELECT * FROM hexaboard"), "board")
    assert {k: float(maria["A"][k]) for k in want} == want


def test_a_value_that_cannot_be_stored_is_counted_as_partial(ingested):
    final = [l for l in ingested["log"] if "final:" in l][-1]
    partial = re.search(r"partial=(\d+) \(([^)]*)\)", final)
    assert partial, final
    counts = dict(kv.split("=") for kv in partial.group(2).split())
    # "sixty" is no float (mapping); "high" does not fit the DOUBLE Power column (both SQL sinks).
    assert counts == {"hexaboard.humidity": "1", "zigbee.Power": "2"}, final
    # The rest of that row is stored, Power left NULL.
    rows = [r for r in sqlite_rows(ingested["work"].db, "zigbee") if r["LinkQuality"] == 90]
    assert len(rows) == 1 and rows[0]["Power"] is None


def test_sql_time_column_answers_last_hour_queries(ingested):
    maria = mariadb(ingested["maria"].env,
                    "SELECT gateway, time FROM gateway_climate WHERE time > NOW() - INTERVAL 1 HOUR")
    assert [r["gateway"] for r in maria] == ["gw-new"]
    assert maria[0]["time"] == RECENT.strftime("%Y-%m-%d %H:%M:%S.000000")
    with sqlite3.connect(ingested["work"].db) as c:
        rows = c.execute("SELECT gateway, time FROM gateway_climate "
                         "WHERE time > datetime('now', '-1 hour')").fetchall()
    assert rows == [("gw-new", RECENT.strftime("%Y-%m-%d %H:%M:%S.000000"))]
    indexes = mariadb(ingested["maria"].env, "SHOW INDEX FROM gateway_climate WHERE Column_name='time'")
    assert indexes


def test_tables_without_the_time_column_get_it(ingested):
    old_time = "2026-11-20 10:00:00.000000"
    with sqlite3.connect(ingested["work"].db) as c:
        rows = dict(c.execute("SELECT board, time FROM hexaboard").fetchall())
        indexes = [r[1] for r in c.execute("PRAGMA index_list('hexaboard')")]
    assert rows["old"] == old_time and rows["A"] == RECENT.strftime("%Y-%m-%d %H:%M:%S.000000")
    assert "hexaboard.time" in indexes
    maria = by(mariadb(ingested["maria"].env, "SELECT board, time FROM hexaboard"), "board")
    assert maria["old"]["time"] == old_time
    assert mariadb(ingested["maria"].env, "SHOW INDEX FROM hexaboard WHERE Column_name='time'")


def test_an_unknown_payload_timezone_is_a_usage_error(broker):
    out = iotctl("ingest", "-p", broker.port, "--payload-timezone", "Mars/Olympus")
    assert out.returncode == 2
    assert "--payload-timezone: unknown time zone 'Mars/Olympus'" in out.stderr
