"""csv-export: RFC 4180 output read back with Python's csv module, from both capture kinds."""
import json
import os
import sqlite3
import subprocess
import tempfile

import pytest

from csv_helpers import Run, rows_of
from harness import IOTCTL, iotctl, run, spawn, wait_until

T0 = 1795168800_000_000_000  # 2026-11-20T10:00:00Z
AWKWARD = [
    ("t/a", {"name": "comma, inside", "v": 1}),
    ("t/a", {"name": 'quote " inside', "v": 2.5}),
    ("t/b", {"name": "new\nline and\r\nCRLF", "nested": {"deep": True}}),
    ("t/b", {"name": "ünïcødé ☃ 温度", "v": None}),
    ("t/c", "plain text, not JSON"),
    ("t/c", {"other": "only this key"}),
]


def write_jsonl(path, messages):
    with open(path, "w") as f:
        for i, (topic, payload) in enumerate(messages):
            f.write(json.dumps({"ts": f"2026-11-20T10:00:0{i}.5Z", "topic": topic, "qos": 0,
                                "retain": False, "payload": payload}) + "\n")


def write_sqlite(path, messages):
    """A capture with exactly the docs/capture.md columns, as another tool might write it."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, payload BLOB, "
               "qos INTEGER, retain INTEGER)")
    for i, (topic, payload) in enumerate(messages):
        raw = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        db.execute("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(?,?,?,0,0)",
                   (T0 + i * 10**9 + 500_000_000, topic, raw))
    db.commit()


@pytest.fixture(params=["jsonl", "sqlite"])
def capture(request):
    path = os.path.join(tempfile.mkdtemp(), "cap." + request.param)
    (write_jsonl if request.param == "jsonl" else write_sqlite)(path, AWKWARD)
    return path


def test_default_columns_are_the_union_of_leaf_keys(capture):
    r = Run("csv-export", capture, "--time-format", "unix-ms")
    assert r.returncode == 0, r.stderr
    rows = rows_of(r.stdout)
    assert rows[0] == ["timestamp", "topic", "name", "v", "nested.deep", "payload", "other"]
    ms = [str((T0 + i * 10**9 + 500_000_000) // 10**6) for i in range(len(AWKWARD))]
    assert rows[1:] == [
        [ms[0], "t/a", "comma, inside", "1", "", "", ""],
        [ms[1], "t/a", 'quote " inside', "2.5", "", "", ""],
        [ms[2], "t/b", "new\nline and\r\nCRLF", "", "true", "", ""],
        [ms[3], "t/b", "ünïcødé ☃ 温度", "", "", "", ""],
        [ms[4], "t/c", "", "", "", "plain text, not JSON", ""],
        [ms[5], "t/c", "", "", "", "", "only this key"],
    ]


def test_fields_filter_window_and_time_formats(capture):
    r = Run("csv-export", capture, "--fields", "name,nested.deep", "-t", "t/b", "--time-format", "iso")
    assert r.returncode == 0, r.stderr
    assert rows_of(r.stdout) == [
        ["timestamp", "topic", "name", "nested.deep"],
        ["2026-11-20T10:00:02.500000Z", "t/b", "new\nline and\r\nCRLF", "true"],
        ["2026-11-20T10:00:03.500000Z", "t/b", "ünïcødé ☃ 温度", ""],
    ]
    r = Run("csv-export", capture, "--fields", "v", "--from", "2026-11-20T10:00:01Z", "--to",
               str(T0 // 10**9 + 2), "--time-format", "unix", "--no-topic")
    assert rows_of(r.stdout) == [["timestamp", "v"], [str(T0 // 10**9 + 1), "2.5"]]


def test_hexaboard_course_columns_and_zigbee_rows(tmp_path):
    path = str(tmp_path / "hex.jsonl")
    write_jsonl(path, [
        ("hexaboard/A/sensor/data", {"board": "A", "temperature": 25, "humidity": 60, "light": 800}),
        ("hexaboard/A/status", "online"),
        ("hexaboard/B/sensor/data", {"board": "B", "temperature": 24.5, "humidity": 58}),
        ("tele/gw/SENSOR", {"ZbReceived": {"0x1A2B": {"Name": "Door", "Contact": 1},
                                           "0x6E5B": {"Name": "Kitchen", "Temperature": 21.5}}}),
    ])
    out = str(tmp_path / "hex.csv")
    r = Run("csv-export", path, "--fields", "board,temperature,humidity,light", "--no-topic", "-o", out)
    assert r.returncode == 0, r.stderr
    rows = rows_of(open(out, newline="").read())
    assert rows == [["timestamp", "board", "temperature", "humidity", "light"],
                    ["2026-11-20T10:00:00.500000Z", "A", "25", "60", "800"],
                    ["2026-11-20T10:00:02.500000Z", "B", "24.5", "58", ""]]
    r = Run("csv-export", path, "--fields", "ZbReceived.*,ZbReceived.*.Name,ZbReceived.*.Temperature",
               "-t", "tele/+/SENSOR", "--no-topic")
    assert rows_of(r.stdout)[1:] == [["2026-11-20T10:00:03.500000Z", "0x1A2B", "Door", ""],
                                   ["2026-11-20T10:00:03.500000Z", "0x6E5B", "Kitchen", "21.5"]]


def test_binary_payload_is_base64(tmp_path):
    path = str(tmp_path / "bin.db")
    write_sqlite(path, [("b", b"\x00\xff\xfe")])
    r = Run("csv-export", path, "--no-topic", "--time-format", "unix")
    assert rows_of(r.stdout)[1][1] == "base64:AP/+"


def test_bad_inputs_have_one_line_errors(tmp_path):
    junk = str(tmp_path / "junk.csv")
    open(junk, "w").write("a,b,c\n1,2,3\n")
    r = Run("csv-export", junk)
    assert (r.returncode, r.stderr) == (
        1, f"iotctl: error: '{junk}' is neither a SQLite capture (sub --record) nor JSON lines (sub --json)\n")
    cut = str(tmp_path / "cut.jsonl")
    open(cut, "w").write('{"topic":"a","payload":1}\n{"topic":"a","pay')
    r = Run("csv-export", cut)
    assert (r.returncode, r.stderr) == (1, f"iotctl: error: capture '{cut}' line 2: invalid JSON at byte 18: syntax error while "
        "parsing object key - invalid string: missing closing quote; last read: '\"pay'; "
        "expected string literal\n")
    good = str(tmp_path / "good.jsonl")
    write_jsonl(good, AWKWARD)
    r = Run("csv-export", good, "-o", "/nonexistent-dir/out.csv")
    assert (r.returncode, r.stderr) == (1, "iotctl: error: cannot write '/nonexistent-dir/out.csv': No such file or directory\n")
    out = str(tmp_path / "future.csv")
    r = Run("csv-export", good, "--from", "2100-01-01", "-o", out)
    assert (r.returncode, r.stderr) == (1, f"iotctl: error: no messages in '{good}' from 2100-01-01T00:00:00Z to the end: "
                                           "it holds 6 messages from 2026-11-20T10:00:00Z to 2026-11-20T10:00:05Z\n")
    assert not os.path.exists(out)
    r = Run("csv-export", good, "--time-format", "excel")
    assert (r.returncode, r.stderr) == (2, "iotctl: error: invalid --time-format 'excel': expected iso, unix, unix-ms, local or "
        "a strftime pattern such as '%Y-%m-%d %H:%M:%S'\n")


def test_live_subscription_streams_rows(broker, tmp_path):
    iotctl("pub", "-p", broker.port, "-t", "live/A", "-m", '{"board":"A","temperature":20}', "-r", check=True)
    out = str(tmp_path / "live.csv")
    proc = spawn("csv-export", "--live", "-p", broker.port, "-t", "live/#", "-C", 3, "-W", 60,
                 "--fields", "board,temperature", "--no-topic", "-o", out)
    wait_until(lambda: os.path.exists(out) and open(out).read().count("\n") >= 2, timeout=30, what="first row")
    iotctl("pub", "-p", broker.port, "-t", "live/B", "-m", '{"board":"B","temperature":"x,y"}', check=True)
    iotctl("pub", "-p", broker.port, "-t", "live/C", "-m", 'not json', check=True)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    rows = rows_of(open(out, newline="").read())
    assert [r[1:] for r in rows] == [["board", "temperature"], ["A", "20"], ["B", "x,y"]]
    iotctl("pub", "-p", broker.port, "-t", "live/A", "-n", "-r", check=True)


def test_live_default_columns_after_the_run(broker, tmp_path):
    iotctl("pub", "-p", broker.port, "-t", "lived/A", "-m", '{"a":1}', "-r", check=True)
    r = Run("csv-export", "--live", "-p", broker.port, "-t", "lived/#", "-C", 1, "-W", 30, "--no-topic")
    assert r.returncode == 0, r.stderr
    assert [row[1:] for row in rows_of(r.stdout)] == [["a"], ["1"]]
    iotctl("pub", "-p", broker.port, "-t", "lived/A", "-n", "-r", check=True)


def test_a_full_disk_is_named_and_a_reader_that_stops_early_is_not_an_error(tmp_path):
    big = str(tmp_path / "big.jsonl")
    with open(big, "w") as f:  # 3,000 messages, one a second: far more than a pipe holds
        for i in range(3000):
            f.write(json.dumps({"ts": f"2026-11-20T10:{i // 60:02d}:{i % 60:02d}Z", "topic": "t/a",
                                "payload": {"v": i, "pad": "x" * 200}}) + "\n")
    with open("/dev/full", "w") as full:
        r = run([IOTCTL, "csv-export", big], stdout=full, stderr=subprocess.PIPE, text=True,
                timeout=60)
    assert (r.returncode, r.stderr) == (
        1, "iotctl: error: writing stdout failed: No space left on device\n")
    # `| head -1`: the reader goes away after the first line, as a pager or head does.
    proc = spawn("csv-export", big)
    assert proc.stdout.readline().startswith(b"timestamp,")
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
