"""Data at rest is private: every file that ingest, sub --record and csv-export -o create is 0600
and every directory 0700 (mode & ~umask: a stricter umask wins), while an existing file keeps its
mode. Payloads say where people are; other local users must not read them."""
import os
import stat
import tempfile

import pytest

from harness import iotctl, spawn, wait_until
from ingest_helpers import SEQ_MAP, counts, stop

OUTPUTS = ("ingest.db", "dead.jsonl", "ingest.log", "cap.db", "cap.csv")


def listing(root):
    """Every file and directory under root (root itself left out): {relative path: mode}."""
    modes = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            modes[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return modes


def show(modes):
    return "\n".join(f"{mode:04o} {path}" for path, mode in sorted(modes.items()))


def run_all(broker, umask, existing=()):
    """Runs ingest (SQLite sink, --dead-letter, --log-file, default state dir under
    XDG_STATE_HOME), sub --record and csv-export -o under `umask`; the files named in `existing`
    are made 0644 beforehand. Returns (listing while ingest and sub ran, listing after)."""
    work = tempfile.mkdtemp(prefix="iotctl-modes-")
    out = os.path.join(work, "out")
    os.mkdir(out, 0o755)
    path = {name: os.path.join(out, name) for name in OUTPUTS}
    for name in existing:
        with open(path[name], "w"):
            pass
        os.chmod(path[name], 0o644)
    with open(os.path.join(work, "seq.toml"), "w") as f:
        f.write(SEQ_MAP)
    env = {"XDG_STATE_HOME": os.path.join(work, "state"), "HOME": work}
    old_umask = os.umask(umask)
    try:
        ingest = spawn("ingest", "-p", broker.port, "--map", os.path.join(work, "seq.toml"),
                       "--sqlite", path["ingest.db"], "--dead-letter", path["dead.jsonl"],
                       "--log-file", path["ingest.log"], "--flush-interval", "0.2", env=env)
        topic = f"rec{umask:o}{len(existing)}"
        sub = spawn("sub", "-p", broker.port, "-t", topic + "/#", "--record", path["cap.db"], env=env)
        try:
            wait_until(lambda: "ingest: client id" in open(path["ingest.log"]).read()
                       if os.path.exists(path["ingest.log"]) else False, timeout=60, what="ingest started")
            state = os.path.join(work, "state", "iotctl")

            def stored():
                iotctl("pub", "-p", broker.port, "-q", "1", "-t", "load/s", "-m", '{"seq":1}', check=True)
                iotctl("pub", "-p", broker.port, "-q", "1", "-t", "load/s", "-m", "not json", check=True)
                iotctl("pub", "-p", broker.port, "-q", "1", "-t", topic + "/x", "-m", "kept", check=True)
                checkpoints = [p for p in listing(state) if os.path.basename(p).startswith("checkpoint.")]
                return (counts(path["ingest.db"])[0] > 0 and os.path.getsize(path["dead.jsonl"]) > 0
                        and checkpoints and os.path.exists(path["cap.db"] + "-wal"))
            wait_until(stored, timeout=60, interval=0.5, what="a row, a dead letter, a checkpoint, a capture")
            during = listing(work)
        finally:
            assert stop(sub) == 130
            assert stop(ingest) == 0
        r = iotctl("csv-export", path["cap.db"], "-o", path["cap.csv"], env=env)
        assert r.returncode == 0, r.stderr
        after = listing(work)
    finally:
        os.umask(old_umask)
    print(f"\numask {umask:03o}, existing 0644: {', '.join(existing) or 'none'}\n{show(during)}\n"
          f"after the runs:\n{show(after)}")
    return during, after


def created_by_us(path):
    return path not in ("out", "seq.toml")


@pytest.mark.parametrize("umask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_everything_created_is_owner_only(broker, umask):
    during, after = run_all(broker, umask)
    kinds = {"spool segment": ".seg", "checkpoint": "checkpoint.", "lock": "/lock",
             "SQLite -wal": "ingest.db-wal", "SQLite -shm": "ingest.db-shm", "capture -wal": "cap.db-wal"}
    for what, part in kinds.items():
        assert any(part in p for p in during), f"no {what} in\n{show(during)}"
    for modes in (during, after):
        for p, mode in modes.items():
            if not created_by_us(p):
                continue
            is_dir = p in ("state", "state/iotctl") or (p.startswith("state/iotctl/") and p.count("/") == 2)
            assert mode == (0o700 if is_dir else 0o600), f"{p} is {mode:04o}\n{show(modes)}"
    for name in OUTPUTS:
        assert f"out/{name}" in after


def test_existing_files_keep_their_mode(broker):
    during, after = run_all(broker, 0o022, existing=("ingest.db", "dead.jsonl", "ingest.log", "cap.db",
                                                     "cap.csv"))
    for name in OUTPUTS:
        assert after[f"out/{name}"] == 0o644, show(after)
    # SQLite gives its -wal and -shm files the mode of the database file.
    assert during["out/ingest.db-wal"] == 0o644 and during["out/cap.db-wal"] == 0o644, show(during)
    # What ingest made itself is still private.
    assert during["state/iotctl"] == 0o700 and all(
        mode == 0o600 for p, mode in during.items() if p.startswith("state/iotctl/") and p.count("/") == 3)
