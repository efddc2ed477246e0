"""`--where EXPR` on sub, csv-export (a capture and --live), replay (also --dry-run) and ingest,
against a real Mosquitto; a bad expression is a usage error with a caret, before connecting."""
import csv
import io
import json
import os
import re
import sqlite3

import pytest

from harness import iotctl, spawn, wait_until
from ingest_helpers import Workdir, stop, wait_ingest_ready
from live_sub import LiveSub, pub, sub, unique

READINGS = [  # (board, payload): temperatures above 30 on A (a number) and C (a number in text)
    ("A", {"board": "A", "temperature": 31.5, "humidity": 60}),
    ("B", {"board": "B", "temperature": 25, "humidity": 58}),
    ("C", {"board": "C", "temperature": "33.0", "humidity": 40}),
    ("D", "not json"),
]


def publish_retained(broker, prefix):
    for board, payload in READINGS:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        pub(broker, "-t", f"{prefix}/{board}/sensor/data", "-m", text, "-r")


def write_capture(path, prefix):
    with open(path, "w") as f:
        for i, (board, payload) in enumerate(READINGS):
            f.write(json.dumps({"ts": f"2026-11-20T10:00:0{i}.5Z",
                                "topic": f"{prefix}/{board}/sensor/data", "qos": 0,
                                "retain": False, "payload": payload}) + "\n")


def test_sub_threshold_filter(broker):
    """The course's exercise: iotctl sub -t 'hexaboard/+/sensor/data' --where 'temperature > 30' -v"""
    t = unique("hexaboard")
    publish_retained(broker, t)
    r = sub(broker, "-t", f"{t}/+/sensor/data", "--where", "temperature > 30", "-v", "-C", 2,
            "-W", 30)
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == [
        f"{t}/A/sensor/data " + json.dumps(READINGS[0][1]),
        f"{t}/C/sensor/data " + json.dumps(READINGS[2][1]),
    ]


def test_sub_where_is_repeatable_and_all_must_hold(broker):
    t = unique("hexaboard")
    publish_retained(broker, t)
    r = sub(broker, "-t", f"{t}/+/sensor/data", "--where", "temperature > 30",
            "--where", 'topic[2] == "C"', "-v", "-W", 3)
    assert r.returncode == 5, r.stderr  # -W ended it: only one message matched both
    assert r.stdout.splitlines() == [f"{t}/C/sensor/data " + json.dumps(READINGS[2][1])]
    r = sub(broker, "-t", f"{t}/+/sensor/data", "--where", 'payload == "not json"', "-C", 1,
            "-W", 30)
    assert (r.returncode, r.stdout) == (0, "not json\n")


def test_sub_where_live_messages(broker):
    """Live (not retained) messages: the probe passes by its topic, readings by temperature."""
    t = unique("live")
    s = LiveSub(broker, "-v", "-t", f"{t}/#", "--where",
                'topic[0] == "probe" or temperature > 30').wait_ready()
    for temperature in [10, 35, 20, 40]:
        pub(broker, "-t", f"{t}/x", "-m", json.dumps({"temperature": temperature}))
    lines = s.wait_lines(2)
    pub(broker, "-t", f"{t}/x", "-m", json.dumps({"temperature": 99}))
    lines = s.wait_lines(3)
    s.stop()
    assert lines == [f'{t}/x {{"temperature": {v}}}' for v in (35, 40, 99)]


@pytest.mark.parametrize("command", [
    ["sub", "-t", "x"],
    ["csv-export", "--live", "-t", "x"],
    ["replay", "capture.jsonl"],
    ["ingest", "--sqlite", "unused.db"],
    ["expect", "-t", "x", "-W", "5"],
])
def test_bad_expression_is_a_usage_error_with_a_caret_before_connecting(command, tmp_path):
    # Port 9: nothing listens there, so reaching the broker would be exit 3, not 2.
    r = iotctl(*command, "-p", 9, "--where", "temperature >", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [
        "iotctl: error: --where: expected a value after '>'",
        "    temperature >",
        "                 ^",
    ]
    assert not os.path.exists(tmp_path / "unused.db")


@pytest.mark.parametrize("expr, message, column", [
    ('status == online', 'expected a value after \'==\'', 10),
    ('board in ["A" "C"]', "expected ',' or ']' in the list", 14),
    ('Name ~ "(Kitchen"', "invalid regular expression", 7),
    ('(a > 1 or b < 2', "expected ')' to close the '(' at column 1", 15),
    ('temperature => 30', "'=' is not an operator", 12),
])
def test_parser_errors_point_at_the_first_bad_character(expr, message, column):
    r = iotctl("sub", "-t", "x", "-p", 9, "--where", expr)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith("iotctl: error: --where: " + message), lines
    assert lines[1] == "    " + expr
    assert lines[2] == " " * (4 + column) + "^"


def test_csv_export_where_on_a_capture(tmp_path):
    cap = str(tmp_path / "cap.jsonl")
    write_capture(cap, "hexaboard")
    r = iotctl("csv-export", cap, "--fields", "board,temperature", "--no-topic",
               "--where", "temperature > 30")
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert [row[1:] for row in rows] == [["board", "temperature"], ["A", "31.5"], ["C", "33.0"]]
    r = iotctl("csv-export", cap, "--where", "temperature > 100")
    assert r.returncode == 1
    assert "matching --where" in r.stderr


def test_csv_export_live_where_counts_only_matching_messages(broker, tmp_path):
    t = unique("hexaboard")
    publish_retained(broker, t)
    # -C 2: two matching messages end it; the two others are neither written nor counted.
    r = iotctl("csv-export", "--live", "-p", broker.port, "-t", f"{t}/+/sensor/data",
               "--fields", "board", "--no-topic", "--where", "temperature > 30", "-C", 2, "-W", 30)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["timestamp", "board"]
    assert sorted(row[1] for row in rows[1:]) == ["A", "C"]
    # Without --fields (record, then export): the same selection.
    r = iotctl("csv-export", "--live", "-p", broker.port, "-t", f"{t}/+/sensor/data",
               "--no-topic", "--where", "humidity < 59", "-C", 2, "-W", 30)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert sorted(row["board"] for row in rows) == ["B", "C"]


def test_replay_dry_run_where(tmp_path):
    cap = str(tmp_path / "cap.jsonl")
    write_capture(cap, "hexaboard")
    r = iotctl("replay", cap, "--dry-run", "--speed", 0, "--where", "temperature > 30")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert [l["payload"]["board"] for l in lines] == ["A", "C"]
    assert "printed 2 messages" in r.stderr
    r = iotctl("replay", cap, "--dry-run", "--where", "exists(nothing)")
    assert r.returncode == 1 and "matching --where" in r.stderr, r.stderr


def test_replay_publishes_only_matching_messages(broker, tmp_path):
    t = unique("replayed")
    cap = str(tmp_path / "cap.jsonl")
    write_capture(cap, "hexaboard")
    s = LiveSub(broker, "-v", "-t", f"{t}/#").wait_ready()
    r = iotctl("replay", cap, "-p", broker.port, "--speed", 0, "--topic-rewrite",
               f"hexaboard={t}", "--where", 'board != "A" and exists(humidity)')
    assert r.returncode == 0, r.stderr
    pub(broker, "-t", f"{t}/end", "-m", "end")
    lines = s.wait_lines(3)
    s.stop()
    assert len(lines) == 3 and lines[2] == f"{t}/end end", lines
    got = [(line.split(" ", 1)[0], json.loads(line.split(" ", 1)[1])) for line in lines[:2]]
    assert got == [(f"{t}/B/sensor/data", READINGS[1][1]), (f"{t}/C/sensor/data", READINGS[2][1])]


def test_ingest_where_skips_and_counts(broker):
    work = Workdir()
    dead = os.path.join(work.path, "dead.jsonl")
    proc = spawn("ingest", "-p", broker.port, "--preset", "hexaboard", "--sqlite", work.db,
                 "--state-dir", work.state, "--dead-letter", dead, "--flush-interval", "0.2",
                 "--where", "temperature > 30")
    lines = wait_ingest_ready(proc)
    messages = [{"board": b, "temperature": v, "humidity": 50}
                for b, v in [("A", 31), ("B", 20), ("C", "35.5"), ("D", 29.9), ("E", 12)]]
    jsonl = "".join(json.dumps({"topic": f"hexaboard/{m['board']}/sensor/data", "qos": 1,
                                "payload": m}) + "\n" for m in messages)
    iotctl("pub", "-p", broker.port, "--jsonl", input=jsonl, check=True)

    def boards():
        try:
            with sqlite3.connect(work.db, timeout=30) as c:
                return sorted(r[0] for r in c.execute("SELECT board FROM hexaboard"))
        except sqlite3.OperationalError:
            return []

    wait_until(lambda: boards() == ["A", "C"], timeout=60, what="the matching readings stored")
    assert stop(proc) == 0
    wait_until(lambda: any("final:" in l for l in lines), timeout=30, what="the final stats line")
    final = next(l for l in lines if "final:" in l)
    assert re.search(r"received=2 dead=0 dead_logged=0 skipped=3 ", final), final
    assert boards() == ["A", "C"]
    assert not os.path.exists(dead) or os.path.getsize(dead) == 0
