"""csv-export --every/--agg (the course's moving average) and sub --json --rolling N, against a
real Mosquitto for the live parts."""
import csv
import io
import json
import os
import signal
import sqlite3
import time

import pytest

from csv_helpers import Run, rows_of
from harness import spawn, wait_until
from live_sub import LiveSub, pub, unique

T0 = 1795168800_000_000_000  # 2026-11-20T10:00:00Z, a whole hour
S = 10**9
# (seconds after T0, topic, payload)
READINGS = [
    (5, "hb/A", {"board": "A", "temperature": 20, "humidity": 40}),
    (10, "hb/B", {"board": "B", "temperature": 10}),
    (30, "hb/A", {"board": "A", "temperature": 22.5, "humidity": "41"}),
    (59.999999, "hb/A", {"board": "A", "temperature": 27, "humidity": None}),  # last of window 0
    (60, "hb/A", {"board": "A", "temperature": 30}),                            # first of window 1
    (185, "hb/A", {"board": "A", "temperature": 1, "note": "after a gap"}),     # no row at 120
]


@pytest.fixture(params=["sqlite", "jsonl"])
def capture(request, tmp_path):
    path = str(tmp_path / ("cap." + request.param))
    if request.param == "sqlite":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, "
                   "payload BLOB, qos INTEGER, retain INTEGER)")
        for sec, topic, payload in READINGS:
            db.execute("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(?,?,?,0,0)",
                       (T0 + round(sec * S), topic, json.dumps(payload).encode()))
        db.commit()
    else:
        with open(path, "w") as f:
            for sec, topic, payload in READINGS:
                whole, frac = divmod(round(sec * S), S)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(T0 // S + whole))
                f.write(json.dumps({"ts": f"{stamp}.{frac:09d}Z", "topic": topic,
                                    "payload": payload}) + "\n")
    return path


def test_every_minute_all_aggregates_per_topic(capture):
    r = Run("csv-export", capture, "--every", "1m", "--time-format", "unix")
    assert r.returncode == 0, r.stderr
    rows = rows_of(r.stdout)
    cols = ["board", "temperature", "humidity", "note"]
    assert rows[0] == ["timestamp", "topic"] + [f"{c}_{a}" for c in cols
                                                for a in ("mean", "min", "max", "count", "last")]
    t = T0 // S
    assert rows[1:] == [
        # window 10:00: A has 20, 22.5, 27; humidity 40, "41" (text numbers count) and a null
        [str(t), "hb/A", "", "", "", "0", "A", "23.166666666666668", "20", "27", "3", "27",
         "40.5", "40", "41", "2", "", "", "", "", "0", ""],
        [str(t), "hb/B", "", "", "", "0", "B", "10", "10", "10", "1", "10",
         "", "", "", "0", "", "", "", "", "0", ""],
        # 10:01 starts exactly at 60 s; 10:02 had no message: no row
        [str(t + 60), "hb/A", "", "", "", "0", "A", "30", "30", "30", "1", "30",
         "", "", "", "0", "", "", "", "", "0", ""],
        [str(t + 180), "hb/A", "", "", "", "0", "A", "1", "1", "1", "1", "1",
         "", "", "", "0", "", "", "", "", "0", "after a gap"],
    ]


def test_agg_subset_fields_where_and_iso_window_start(capture):
    r = Run("csv-export", capture, "--every", "2m", "--agg", "max,mean", "--fields", "temperature",
            "--where", "temperature > 15")
    assert r.returncode == 0, r.stderr
    # B's 10 and A's 1 (10:03) do not pass --where: 10:02 has no row, 10:00 averages A's four.
    assert rows_of(r.stdout) == [
        ["timestamp", "topic", "temperature_max", "temperature_mean"],
        ["2026-11-20T10:00:00.000000Z", "hb/A", "30", "24.875"],
    ]


def test_no_topic_one_row_per_window(capture):
    r = Run("csv-export", capture, "--every", "1h", "--agg", "count,min", "--fields", "temperature",
            "--no-topic", "--lf")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("timestamp,temperature_count,temperature_min\n"
                        "2026-11-20T10:00:00.000000Z,6,1\n")


def test_hour_windows_start_at_the_hour_of_the_local_zone(capture):
    # Asia/Kolkata is UTC+05:30: its 15:00 hour began at 09:30 UTC, so 10:00-10:03 UTC is in it.
    r = Run("csv-export", capture, "--every", "1h", "--agg", "count", "--fields", "temperature",
            "--time-format", "local", env={"TZ": "Asia/Kolkata"})
    assert r.returncode == 0, r.stderr
    assert rows_of(r.stdout)[1:] == [["2026-11-20T15:00:00.000000+05:30", "hb/A", "5"],
                                     ["2026-11-20T15:00:00.000000+05:30", "hb/B", "1"]]
    r = Run("csv-export", capture, "--every", "30s", "--agg", "count", "--fields", "temperature",
            "--time-format", "%H:%M:%S", "--no-topic", env={"TZ": "Asia/Kolkata"})
    assert [row[0] for row in rows_of(r.stdout)[1:]] == ["15:30:00", "15:30:30", "15:31:00", "15:33:00"]


@pytest.mark.parametrize("args,message", [
    (["--every", "0s"], "invalid --every '0s': expected a whole number of seconds, minutes, hours "
                        "or days above 0, e.g. 10s, 1m, 1h"),
    (["--every", "5"], "invalid --every '5': expected a whole number of seconds, minutes, hours "
                       "or days above 0, e.g. 10s, 1m, 1h"),
    (["--every", "1.5m"], "invalid --every '1.5m': expected a whole number of seconds, minutes, "
                          "hours or days above 0, e.g. 10s, 1m, 1h"),
    (["--agg", "mean"], "--agg needs --every"),
    (["--every", "1m", "--agg", "avg"], "invalid --agg 'avg': 'avg' is not one of mean, min, max, "
                                        "count, last"),
    (["--every", "1m", "--agg", "max,max"], "invalid --agg 'max,max': 'max' is given twice"),
])
def test_every_and_agg_errors(capture, args, message):
    r = Run("csv-export", capture, *args)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"iotctl: error: {message}\n")


def published_rows(path):
    if not os.path.exists(path):
        return []
    text = open(path, newline="").read()
    return list(csv.reader(io.StringIO(text, newline=""))) if text.endswith("\r\n") else []


def test_live_every_writes_a_window_when_it_closes_and_the_open_one_on_sigint(broker, tmp_path):
    t = unique("livewin")
    out = str(tmp_path / "win.csv")
    proc = spawn("csv-export", "--live", "-p", broker.port, "-t", f"{t}/#", "--every", "2s",
                 "--fields", "temperature", "--agg", "count,mean,last", "--time-format", "unix-ms",
                 "-o", out)
    wait_until(lambda: len(published_rows(out)) == 1, timeout=30, what="header")
    assert published_rows(out) == [["timestamp", "topic", "temperature_count", "temperature_mean",
                                    "temperature_last"]]
    # Subscribed once a probe message comes back through a window row of its own.
    wait_until(lambda: (pub(broker, "-t", f"{t}/probe", "-m", '{"temperature":0}') or True)
               and any(r[1] == f"{t}/probe" for r in published_rows(out)[1:]),
               timeout=30, interval=0.5, what="a probe row")
    # Two readings in one window (published at its start), then the window closes on the clock.
    start = time.time()
    wait_until(lambda: time.time() % 2 < 0.5, timeout=5, what="the start of a 2 s window")
    pub(broker, "-t", f"{t}/A", "-m", '{"temperature":20}')
    pub(broker, "-t", f"{t}/A", "-m", '{"temperature":23}')
    wait_until(lambda: any(r[1] == f"{t}/A" for r in published_rows(out)[1:]), timeout=10,
               what="the window row written while the export runs")
    assert proc.poll() is None
    row = [r for r in published_rows(out) if r[1] == f"{t}/A"][0]
    assert row[2:] == ["2", "21.5", "23"], row
    assert int(row[0]) % 2000 == 0 and int(row[0]) / 1000 <= time.time()
    assert int(row[0]) / 1000 >= start - 2
    # A reading of an open window is written when the export is interrupted.
    wait_until(lambda: time.time() % 2 < 0.3, timeout=5, what="the start of a 2 s window")
    window = int(time.time() // 2)
    pub(broker, "-t", f"{t}/B", "-m", '{"temperature":"7.5"}')
    # Nothing shows when the export has received it; a moment is ample on 127.0.0.1.
    time.sleep(0.3)
    assert int(time.time() // 2) == window, "the machine was too slow to test an open window"
    assert not any(r[1] == f"{t}/B" for r in published_rows(out))
    n = len(published_rows(out))
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130, proc.stderr.read()
    rows = published_rows(out)
    assert len(rows) >= n
    assert [r[1:] for r in rows if r[1] == f"{t}/B"] == [[f"{t}/B", "1", "7.5", "7.5"]]


def test_live_every_count_ends_and_flushes_default_columns(broker, tmp_path):
    t = unique("livecnt")
    pub(broker, "-t", f"{t}/A", "-m", '{"v":4,"s":"x"}', "-r")
    r = Run("csv-export", "--live", "-p", broker.port, "-t", f"{t}/#", "--every", "1h", "-C", 1,
            "-W", 30, "--agg", "mean,last")
    pub(broker, "-t", f"{t}/A", "-n", "-r")
    assert r.returncode == 0, r.stderr
    rows = rows_of(r.stdout)
    assert rows[0] == ["timestamp", "topic", "v_mean", "v_last", "s_mean", "s_last"]
    assert rows[1][1:] == [f"{t}/A", "4", "4", "", "x"]
    assert rows[1][0].endswith(":00:00.000000Z")


def test_sub_rolling_means_over_a_known_sequence(broker):
    t = unique("roll")
    s = LiveSub(broker, "--json", "--rolling", "3", "-t", f"{t}/#").wait_ready()
    for topic, v in [("A", 10), ("A", 20), ("B", 100), ("A", "30"), ("A", 40), ("A", 41)]:
        pub(broker, "-t", f"{t}/{topic}", "-m", json.dumps({"temperature": v, "board": topic}))
    pub(broker, "-t", f"{t}/A", "-m", "offline")
    lines = s.wait_lines(7)
    s.stop()
    objs = [json.loads(l) for l in lines]
    assert [(o["topic"][-1], o["rolling"]) for o in objs] == [
        ("A", {"temperature": 10}), ("A", {"temperature": 15}), ("B", {"temperature": 100}),
        ("A", {"temperature": 20}), ("A", {"temperature": 30}), ("A", {"temperature": 37}),
        ("A", {}),
    ]
    assert objs[0]["payload"] == {"temperature": 10, "board": "A"}


@pytest.mark.parametrize("args,message", [
    (["--rolling", "3", "-v"], '--rolling needs --json (it adds a "rolling" member to each JSON line)'),
    (["--json", "--rolling", "0"], "invalid --rolling '0': expected 1 or more readings"),
])
def test_sub_rolling_errors(broker, args, message):
    r = Run("sub", "-p", broker.port, "-t", "x", *args)
    assert (r.returncode, r.stderr) == (2, f"iotctl: error: {message}\n")
