"""Helpers for the ingest end-to-end tests: a numbered stream, an ingest process, counts."""
import os
import signal
import sqlite3
import tempfile
import threading

from harness import IOTCTL, accepts, on_clean_up, run, spawn, wait_until

SEQ_MAP = """
[[rule]]
filter = "load/#"
measurement = "load"
fields.seq = "int"
fields.attempt = "int"
"""


class Workdir:
    """A temporary directory with the numbered-stream map file."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="iotctl-ingest-")
        self.map = os.path.join(self.path, "seq.toml")
        with open(self.map, "w") as f:
            f.write(SEQ_MAP)
        self.db = os.path.join(self.path, "ingest.db")
        self.state = os.path.join(self.path, "state")


def start_ingest(port, work, *extra, env=None):
    """Starts ingest for load/# into the SQLite file; returns the process (stderr piped)."""
    return spawn("ingest", "-p", port, "--map", work.map, "--sqlite", work.db,
                 "--state-dir", work.state, "--flush-interval", "0.2", "--stats-interval", "1",
                 *extra, env=env)


class StderrLines(list):
    """The lines a process wrote to stderr so far, read by a background thread."""

    def __init__(self):
        super().__init__()
        self.closed = threading.Event()

    def complete(self, timeout=30):
        """Waits until the process closed stderr (it exited), so no line is still in the pipe."""
        assert self.closed.wait(timeout), "stderr still open: " + "".join(self)
        return self


def read_stderr(proc):
    """Starts reading the process's stderr in the background; returns the lines read so far."""
    lines = StderrLines()

    def reader():
        try:
            for line in proc.stderr:
                lines.append(line.decode(errors="replace"))
        finally:
            lines.closed.set()

    threading.Thread(target=reader, daemon=True).start()
    proc.stderr_lines = lines  # stop() reads them to the end
    return lines


def wait_ingest_ready(proc, timeout=90):
    """Waits until ingest logs its start line (subscribed)."""
    lines = read_stderr(proc)
    try:
        wait_until(lambda: any("ingest: client id" in l for l in lines) or proc.poll() is not None,
                   timeout=timeout, what="ingest to subscribe")
    except AssertionError:
        raise AssertionError("ingest did not subscribe: " + "".join(lines))
    assert proc.poll() is None, "".join(lines)
    return lines


class Cancelled(Exception):
    """The test ended while its background publisher was still at work."""


def publish_range(port, first, last, topic="load/s", cancel=None, pad=0):
    """Publishes {"seq":i,"attempt":n} for i in [first, last) at QoS 1 (with a "pad" string of
    `pad` characters when pad > 0, which the map ignores); retries a chunk until pub exits 0,
    counting the attempts in "attempt" (a retry publishes the chunk again: those are the
    publisher's duplicates, told apart from ingest's by that field).

    Stops (raising Cancelled) once the threading.Event `cancel` is set."""
    extra = ',"pad":"%s"' % ("x" * pad) if pad else ""
    for attempt in range(60):
        data = "".join('{"seq":%d,"attempt":%d%s}\n' % (i, attempt, extra)
                       for i in range(first, last))
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        # --reconnect-timeout 0: a broker restart ends this attempt, and the next one numbers
        # its messages anew, so a publisher's resend is never taken for a duplicate of ingest's.
        out = run([IOTCTL, "pub", "-p", str(port), "-q", "1", "-t", topic, "-l",
                   "--reconnect-timeout", "0"],
                  input=data, text=True, capture_output=True, timeout=300)
        if out.returncode == 0:
            return
        if out.returncode == 3:
            # Nothing listens (the broker is restarting): pub fails at once then, so wait until
            # the port accepts again instead of spending the attempts in a few milliseconds.
            wait_until(lambda: accepts(port) or (cancel is not None and cancel.is_set()),
                       timeout=120, what=f"the broker on port {port} to accept again")
    raise AssertionError(f"pub kept failing: {out.stderr}")


def publish_ranges_in_background(port, first, last, chunk=1000, pad=0):
    """Publishes seq first..last-1 in chunks on a thread; returns the thread. The thread stops
    when the test ends (its `pub` is killed and no further chunk starts)."""
    cancel = threading.Event()

    def publish():
        try:
            for start in range(first, last, chunk):
                publish_range(port, start, min(last, start + chunk), cancel=cancel, pad=pad)
        except Cancelled:
            pass

    t = threading.Thread(target=publish, daemon=True)

    def stop_thread():
        t.join(timeout=60)
        return False  # the thread itself is not a process; its `pub`s are tracked on their own

    on_clean_up(f"publisher of seq {first}..{last - 1} on port {port}", stop_thread,
                cancel=cancel.set)
    t.start()
    return t


def publish_in_background(port, total, chunk=1000, first=0, pad=0):
    """Publishes first..total-1 in chunks on a thread; returns the thread."""
    return publish_ranges_in_background(port, first, total, chunk, pad)


def counts(db, table="load", below=None):
    """(rows, distinct seq) in the SQLite table, (0, 0) before it exists; only the rows with
    seq < below when below is given."""
    if not os.path.exists(db):
        return (0, 0)
    where = "" if below is None else f" WHERE seq < {int(below)}"
    try:
        with sqlite3.connect(db, timeout=30) as c:
            return c.execute(f"SELECT count(*), count(DISTINCT seq) FROM {table}{where}").fetchone()
    except sqlite3.OperationalError:
        return (0, 0)


def ingest_duplicates(db, table="load"):
    """Rows stored twice for one publish (same seq and attempt): duplicates made by ingest, not
    by a publisher that sent a chunk again."""
    with sqlite3.connect(db, timeout=30) as c:
        return c.execute(f"SELECT count(*) - count(DISTINCT seq || '/' || attempt) "
                         f"FROM {table}").fetchone()[0]


def stop(proc, sig=signal.SIGTERM, timeout=60):
    """Sends sig and waits; returns the exit code. Lines read by read_stderr are then complete."""
    proc.send_signal(sig)
    code = proc.wait(timeout=timeout)
    if getattr(proc, "stderr_lines", None) is not None:
        proc.stderr_lines.complete()
    return code
