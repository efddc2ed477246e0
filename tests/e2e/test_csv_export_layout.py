"""csv-export in the course's shape (issue 12): a row per Zigbee device even without a Name,
local and strftime times in the zone TZ names, renamed header columns, LF or CRLF line ends."""
import csv
import io
import json
import os
import tempfile

import pytest

from harness import iotctl

SEOUL = {"TZ": "Asia/Seoul"}


@pytest.fixture(scope="module")
def capture():
    """A JSON-lines capture: one gateway message with a named and an unnamed device."""
    path = os.path.join(tempfile.mkdtemp(prefix="iotctl-csv-layout-"), "zb.jsonl")
    payload = {"ZbReceived": {"0x6E5B": {"Device": "0x6E5B", "Name": "Kitchen", "Temperature": 21.5},
                              "0x1A2B": {"Device": "0x1A2B", "Temperature": 19.0}}}
    with open(path, "w") as f:
        f.write(json.dumps({"ts": "2026-11-20T10:00:00.5Z", "topic": "tele/gw/SENSOR", "qos": 0,
                            "retain": False, "payload": payload}) + "\n")
    return path


def export(*args, env=None):
    out = iotctl("csv-export", *args, input=b"", env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode()


def rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_device_without_a_name_still_has_its_row(capture):
    text = export(capture, "--fields", "ZbReceived.*,ZbReceived.*.Name", "--no-topic",
                  "--time-format", "unix")
    assert rows(text) == [["timestamp", "ZbReceived.*", "ZbReceived.*.Name"],
                          ["1795168800", "0x1A2B", ""],
                          ["1795168800", "0x6E5B", "Kitchen"]]


def test_local_time_in_the_zone_tz_names(capture):
    text = export(capture, "--fields", "ZbReceived.*", "--no-topic", "--time-format", "local",
                  env=SEOUL)
    assert [r[0] for r in rows(text)[1:]] == ["2026-11-20T19:00:00.500000+09:00"] * 2
    utc = export(capture, "--fields", "ZbReceived.*", "--no-topic", "--time-format", "local",
                 env={"TZ": "UTC"})
    assert rows(utc)[1][0] == "2026-11-20T10:00:00.500000+00:00"


def test_strftime_pattern_as_the_course_csv_writes_it(capture):
    text = export(capture, "--fields", "ZbReceived.*.Temperature", "--no-topic",
                  "--time-format", "%Y-%m-%d %H:%M:%S", env=SEOUL)
    assert rows(text)[1:] == [["2026-11-20 19:00:00", "19.0"], ["2026-11-20 19:00:00", "21.5"]]


def test_bad_time_formats_are_usage_errors(capture):
    out = iotctl("csv-export", capture, "--time-format", "excel", input=b"")
    assert out.returncode == 2 and b"expected iso, unix, unix-ms, local or a strftime" in out.stderr
    out = iotctl("csv-export", capture, "--time-format", "local", input=b"",
                 env={"TZ": "Nowhere/Land"})
    assert out.returncode == 2 and b"unknown time zone 'Nowhere/Land'" in out.stderr


def test_header_renames_columns(capture):
    text = export(capture, "--fields", "ZbReceived.*,ZbReceived.*.Temperature",
                  "--header", "timestamp=time", "--header", "ZbReceived.*=device",
                  "--header", "ZbReceived.*.Temperature=temperature (°C)", "--time-format", "unix")
    assert rows(text)[0] == ["time", "topic", "device", "temperature (°C)"]
    out = iotctl("csv-export", capture, "--header", "nolabel", input=b"")
    assert out.returncode == 2 and b"expected NAME=LABEL" in out.stderr


def test_line_ends_crlf_by_default_lf_on_request(capture):
    crlf = export(capture, "--fields", "ZbReceived.*")
    assert crlf.count("\r\n") == 3 and crlf == export(capture, "--fields", "ZbReceived.*", "--crlf")
    lf = export(capture, "--fields", "ZbReceived.*", "--lf")
    assert "\r" not in lf and lf.count("\n") == 3 and lf == crlf.replace("\r\n", "\n")
    # Default columns too (the header is written after the rows were spooled).
    lf_all = export(capture, "--lf")
    assert "\r" not in lf_all and lf_all.count("\n") == 2
    out = iotctl("csv-export", capture, "--crlf", "--lf", input=b"")
    assert out.returncode == 2
