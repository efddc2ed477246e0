"""Input files that are not captures: replay, csv-export and sub --record exit 1 with one line
naming the file and what is wrong, and never abort (SIGABRT was exit 134)."""
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest

from harness import IOTCTL, iotctl

CAPTURE_DDL = ("CREATE TABLE messages(id INTEGER PRIMARY KEY, ts_ns INTEGER, topic TEXT, payload BLOB, "
               "qos INTEGER, retain INTEGER, properties TEXT)")
READERS = (("replay", "--dry-run", "--speed", "0"), ("csv-export",))


def workdir():
    path = tempfile.mkdtemp(prefix="iotctl-bad-")
    os.chmod(path, 0o755)  # the unreadable-file case runs as another user
    return path


def sqlite_file(path, *sql):
    db = sqlite3.connect(path)
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()
    return path


def real_capture(path, n=3000):
    sqlite_file(path, "PRAGMA journal_mode=WAL", CAPTURE_DDL)
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(?, ?, ?, 0, 0)",
                   [(i * 1000, f"t/{i % 7}", os.urandom(200)) for i in range(n)])
    db.commit()
    db.close()
    return path


def assert_one_line_error(r, path, *words):
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("iotctl: error: "), r.stderr
    assert f"'{path}'" in lines[0], r.stderr
    for w in words:
        assert w in lines[0], r.stderr


@pytest.mark.parametrize("args", READERS, ids=["replay", "csv-export"])
@pytest.mark.parametrize("sql,why", [
    ("CREATE TABLE messages(a, b)", "its messages table has no id, ts_ns, topic, payload, qos, retain columns"),
    ("CREATE TABLE messages(ts_ns, topic)", "its messages table has no id, payload, qos, retain columns"),
    ("CREATE TABLE users(name)", "it has no messages table (its tables: users)"),
], ids=["messages(a,b)", "messages(ts_ns,topic)", "users"])
def test_sqlite_database_that_is_not_a_capture(args, sql, why):
    path = sqlite_file(os.path.join(workdir(), "o.db"), sql)
    r = iotctl(args[0], path, *args[1:])
    assert r.stderr == f"iotctl: error: '{path}' is a SQLite database but not a capture: {why}\n"
    assert r.returncode == 1


@pytest.mark.parametrize("args", READERS, ids=["replay", "csv-export"])
def test_files_that_cannot_be_captures(args):
    work = workdir()
    real = real_capture(os.path.join(work, "real.db"))
    cases = {}
    cases["empty"] = os.path.join(work, "empty")
    open(cases["empty"], "w").close()
    cases["directory"] = os.path.join(work, "dir")
    os.mkdir(cases["directory"])
    with open(real, "rb") as f:
        data = f.read()
    for size in (16, 100, 4096, 20000, len(data) // 2):
        cases[f"truncated-{size}"] = os.path.join(work, f"cut{size}.db")
        with open(cases[f"truncated-{size}"], "wb") as f:
            f.write(data[:size])
    cases["garbage-jsonl"] = os.path.join(work, "garbage.jsonl")
    with open(cases["garbage-jsonl"], "wb") as f:
        f.write(b'{"topic":"a","payload":1}\n{\x1b[2J\xff\xfe' + bytes(range(256)) + b"\n")
    expected = {"empty": "holds no messages", "directory": "is a directory, not a capture file",
                "garbage-jsonl": "line 2: invalid JSON"}
    for name, path in cases.items():
        r = iotctl(args[0], path, *args[1:])
        assert_one_line_error(r, path, expected.get(name, ""))
        assert "\x1b" not in r.stderr  # bytes from the file are escaped, never sent to a terminal


def test_unreadable_file():
    work = workdir()
    path = real_capture(os.path.join(work, "secret.db"))
    os.chmod(path, 0)
    run_as = []
    if os.geteuid() == 0:  # root reads anything: run as nobody
        if not shutil.which("setpriv"):
            pytest.skip("needs setpriv to drop root")
        run_as = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    for args in READERS:
        r = subprocess.run([*run_as, IOTCTL, args[0], path, *args[1:]], capture_output=True, text=True,
                           timeout=60, env=dict(os.environ, HOME=work, XDG_CONFIG_HOME=work))
        assert_one_line_error(r, path, "Permission denied")


def test_capture_locked_by_another_writer():
    work = workdir()
    path = real_capture(os.path.join(work, "busy.db"), n=500)
    # A writer in the middle of a transaction (WAL): readers still read what is committed.
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(1, 'x', 'y', 0, 0)")
    r = iotctl("replay", path, "--dry-run", "--speed", "0")
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 500
    writer.execute("COMMIT")
    # A writer that keeps the file locked for itself (exclusive locking mode).
    writer.execute("PRAGMA locking_mode=EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO messages(ts_ns, topic, payload, qos, retain) VALUES(2, 'x', 'y', 0, 0)")
    writer.execute("COMMIT")
    for args in READERS:
        r = iotctl(args[0], path, *args[1:])
        assert_one_line_error(r, path, "locked")
    writer.close()


def test_sub_record_refuses_a_foreign_sqlite_database(broker):
    work = workdir()
    for name, sql in (("o.db", "CREATE TABLE messages(a, b)"), ("app.db", "CREATE TABLE users(name)")):
        path = sqlite_file(os.path.join(work, name), sql, "INSERT INTO %s VALUES(%s)" % (
            ("messages", "1, 2") if "messages" in sql else ("users", "'ann'")))
        with open(path, "rb") as f:
            before = f.read()
        r = iotctl("sub", "-p", broker.port, "-t", "x/#", "--record", path, "-C", 1, "-W", 5)
        assert_one_line_error(r, path, "is a SQLite database but not a capture", "not recording into it")
        with open(path, "rb") as f:
            assert f.read() == before  # not a byte changed
        assert not os.path.exists(path + "-wal")
