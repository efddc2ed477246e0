"""Three `ingest --share g` processes split one stream: everything stored once, no duplicates."""
import sqlite3

from harness import wait_until
from ingest_helpers import Workdir, counts, publish_range, start_ingest, stop, wait_ingest_ready

N = 20000


def missing_report(db, logs):
    """What is missing and what each process last said, for a failure message."""
    with sqlite3.connect(db, timeout=30) as c:
        have = {r[0] for r in c.execute("SELECT seq FROM load")}
    missing = sorted(set(range(N)) - have)
    tails = ["".join(log[-3:]) for log in logs]
    return f"{len(missing)} missing, first {missing[:10]}; logs:\n" + "\n".join(tails)


def test_three_shared_ingests_store_each_message_once(broker):
    work = Workdir()
    procs = [start_ingest(broker.port, work, "--share", "g") for _ in range(3)]
    try:
        logs = [wait_ingest_ready(p) for p in procs]
        ids = {next(l for l in log if "client id" in l).split("client id ")[1].split(",")[0]
               for log in logs}
        assert len(ids) == 3  # each process got its own slot and session
        publish_range(broker.port, 0, N)
        try:
            wait_until(lambda: counts(work.db)[1] >= N, timeout=240, what=f"all {N} stored")
        except AssertionError as e:
            raise AssertionError(f"{e}: {missing_report(work.db, logs)}")
        for p in procs:
            assert stop(p) == 0
    finally:
        for p in procs:  # never leave an ingest running into the next test
            if p.poll() is None:
                p.kill()
                p.wait()
    rows, distinct = counts(work.db)
    assert (rows, distinct) == (N, N)
