"""ingest on a full disk loses nothing. The sink is down (the SQLite file locked) while 20,000
QoS 1 messages of ~110 bytes arrive, and the state directory's disk fills: ingest stops
acknowledging and says why; a SIGTERM and a restart while the disk is still full cut nothing
and lose nothing; once the sink is back and space with it, all 20,000 of 20,000 are stored.

The disk is a 2 MiB tmpfs mounted for the test (space then comes back on its own: the sink
catches up and the written-out segment is deleted; the tmpfs is never grown), or, where
mounting is not permitted, an LD_PRELOAD shim (enospc_shim.c) that makes write(2) to the state
directory stop short and then fail with ENOSPC while a flag file exists. A second test fills the
spool to --spool-max-bytes instead, and stops ingest there. Real Mosquitto with persistence,
the real ingest binary."""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from harness import SOURCE_DIR, Service, wait_until
from ingest_helpers import (Workdir, counts, publish_in_background, publish_range, read_stderr,
                            start_ingest, stop, wait_ingest_ready)

N = 20000
FIRST = 1000     # stored before the sink goes down (creates the table)
PAD = 95         # {"seq":12345,"pad":"xxx..."}: ~110-byte payloads, as in the field report


@pytest.fixture
def persistent_broker():
    svc = Service("mosquitto", "--persistence").start()
    yield svc
    svc.stop()


class TmpfsDisk:
    """The state directory on a 2 MiB tmpfs: it fills by itself and empties as segments go."""
    kind = "tmpfs"
    env = None

    def __init__(self, work):
        out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", work.state],
                             capture_output=True, text=True)
        if out.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({out.stderr.strip()}); the shim case runs")
        self.state = work.state

    def fill(self):
        pass

    def free(self):
        pass

    def close(self):
        subprocess.run(["umount", "-l", self.state], capture_output=True)


class ShimDisk:
    """write(2) to the state directory stops short, then fails with ENOSPC, while a flag exists."""
    kind = "shim"

    def __init__(self, work):
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            pytest.fail("no C compiler (cc) to build the ENOSPC shim")
        self.flag = os.path.join(work.path, "disk-full")
        lib = os.path.join(work.path, "enospc_shim.so")
        subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", lib,
                        str(SOURCE_DIR / "tests" / "e2e" / "enospc_shim.c"), "-ldl"], check=True)
        self.env = {"LD_PRELOAD": lib, "IOTCTL_TEST_FULL_FLAG": self.flag,
                    "IOTCTL_TEST_FULL_DIR": work.state + "/"}

    def fill(self):
        open(self.flag, "w").close()

    def free(self):
        os.remove(self.flag)

    def close(self):
        pass


@pytest.fixture(params=[TmpfsDisk, ShimDisk], ids=["tmpfs", "shim"])
def small_disk(request):
    """(Workdir, disk) with the state directory on a disk that can be made full."""
    work = Workdir()
    os.makedirs(work.state)
    disk = request.param(work)
    try:
        yield work, disk
    finally:
        disk.close()
        shutil.rmtree(work.path, ignore_errors=True)


class SqliteLock:
    """Holds the SQLite file's write lock, so every write of ingest's sink is retried."""

    def __init__(self, db):
        self.conn = sqlite3.connect(db, timeout=30, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self):
        if self.conn:
            self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


def received(log):
    """The `received=` count of the latest stats line, -1 before the first."""
    lines = [l for l in log if "INFO received=" in l]
    return int(re.search(r"received=(\d+)", lines[-1]).group(1)) if lines else -1


def segment_bytes(state):
    """Bytes of the spool segments under the state directory."""
    return sum(os.path.getsize(os.path.join(root, f))
               for root, _, files in os.walk(state) for f in files if f.endswith(".seg"))


def test_disk_full_then_restart_then_space_back_loses_nothing(persistent_broker, small_disk):
    work, disk = small_disk
    port = persistent_broker.port
    procs = []
    lock = None
    try:
        proc = start_ingest(port, work, env=disk.env)
        procs.append(proc)
        log = wait_ingest_ready(proc)
        publish_range(port, 0, FIRST, pad=PAD)
        wait_until(lambda: counts(work.db)[1] >= FIRST, timeout=120, what="the first part stored")

        lock = SqliteLock(work.db)  # the sink is down from here on
        pub = publish_in_background(port, N, first=FIRST, pad=PAD)
        wait_until(lambda: received(log) >= 5000, timeout=120, what="5000 received")
        disk.fill()
        wait_until(lambda: any("No space left on device" in l for l in log), timeout=300,
                   what="the spool to fill the disk")
        assert proc.poll() is None, "".join(log)
        # It says so, and stops acknowledging: nothing more is taken while the disk is full.
        assert any("cut back to the last whole record" in l for l in log), "".join(log)
        assert any("not acknowledging messages until the spool can be written again" in l
                   for l in log), "".join(log)
        wait_until(lambda: any("(DISK FULL)" in l for l in log), timeout=30,
                   what="a stats line showing DISK FULL")
        held = received(log)
        time.sleep(3)
        assert received(log) == held, "messages were taken while the disk was full"
        assert held < N
        print(f"{disk.kind}: disk full after {held} received")

        # SIGTERM while the disk is full and the sink down, then start again: nothing is cut.
        assert stop(proc) == 0, "".join(log)
        first_log = "".join(log)
        assert "final: received=" in first_log
        assert "could not be spooled" in first_log and "not acknowledged" in first_log
        segments_before = segment_bytes(work.state)
        proc = start_ingest(port, work, env=disk.env)
        procs.append(proc)
        # Not wait_ingest_ready: the resumed session's backlog comes before the SUBACK, and the
        # first message already meets the full disk, so the start line waits for space.
        log = read_stderr(proc)
        wait_until(lambda: any("spooled by an earlier run to write first" in l for l in log),
                   timeout=60, what="the restarted ingest to open its spool")
        assert not any("dropped" in l for l in log), "".join(log)
        assert segment_bytes(work.state) == segments_before  # the validity scan cut nothing
        wait_until(lambda: any("No space left on device" in l for l in log), timeout=120,
                   what="the restarted ingest to meet the full disk too")
        assert proc.poll() is None, "".join(log)

        # The sink comes back, and the space: on the tmpfs it is never added, it returns as the
        # sink catches up and the written-out segment is deleted.
        lock.release()
        disk.free()
        pub.join(timeout=600)
        assert not pub.is_alive()
        wait_until(lambda: counts(work.db)[1] >= N, timeout=600, what=f"all {N} stored")
        assert any("spool written again after" in l for l in log), "".join(log)
        assert segment_bytes(work.state) < 1 << 20
        assert stop(proc) == 0, "".join(log)
        final = [l for l in log if "final: " in l][-1]
        assert "spool_dropped" not in final and "DISK FULL" not in final, final
        assert not any("corrupt" in l for l in log), "".join(log)
        rows, distinct = counts(work.db)
        print(f"stored {distinct} distinct of {N} ({rows - distinct} duplicates); {final.strip()}")
        assert distinct == N
        with sqlite3.connect(work.db) as c:
            assert c.execute("SELECT min(seq), max(seq) FROM load").fetchone() == (0, N - 1)
    finally:
        if lock:
            lock.release()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()


def test_sigterm_while_the_spool_is_at_its_limit_stops_and_loses_nothing(persistent_broker):
    """The callback waiting for room under --spool-max-bytes holds Paho's lock: SIGTERM must
    release it before closing the session, or ingest never exits."""
    work = Workdir()
    port = persistent_broker.port
    procs = []
    lock = None
    try:
        proc = start_ingest(port, work, "--spool-max-bytes", "1MiB")
        procs.append(proc)
        log = wait_ingest_ready(proc)
        publish_range(port, 0, FIRST, pad=PAD)
        wait_until(lambda: counts(work.db)[1] >= FIRST, timeout=120, what="the first part stored")
        lock = SqliteLock(work.db)
        pub = publish_in_background(port, N, first=FIRST, pad=PAD)
        wait_until(lambda: any("spool full" in l for l in log), timeout=300,
                   what="the spool to reach 1MiB")
        assert stop(proc, timeout=60) == 0, "".join(log)
        proc = start_ingest(port, work)
        procs.append(proc)
        log = read_stderr(proc)
        wait_until(lambda: any("spooled by an earlier run to write first" in l for l in log),
                   timeout=60, what="the restarted ingest to open its spool")
        lock.release()
        pub.join(timeout=600)
        assert not pub.is_alive()
        wait_until(lambda: counts(work.db)[1] >= N, timeout=600, what=f"all {N} stored")
        assert stop(proc) == 0, "".join(log)
        assert counts(work.db)[1] == N
    finally:
        if lock:
            lock.release()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        shutil.rmtree(work.path, ignore_errors=True)
