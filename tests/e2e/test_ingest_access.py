"""ingest refuses to start when a database refuses its account, and never prints the password."""
import pytest

from harness import Service, iotctl
from ingest_helpers import Workdir


@pytest.fixture(scope="module")
def mariadb():
    svc = Service("mariadb").start()
    yield svc
    svc.stop()


def test_wrong_mysql_password_ends_ingest_at_start_with_a_clear_error(broker, mariadb):
    work = Workdir()
    wrong = "wrong-" + mariadb["PASSWORD"]
    url = f"mysql://{mariadb['USER']}:{wrong}@127.0.0.1:{mariadb['PORT']}/{mariadb['DB']}"
    out = iotctl("ingest", "-p", broker.port, "--preset", "hexaboard", "--mysql", url,
                 "--state-dir", work.state, timeout=60)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("iotctl: error: MySQL at 127.0.0.1:")
    assert "Access denied" in lines[0] and "refuses this account" in lines[0]
    assert wrong not in out.stderr and out.stdout == ""


def test_unknown_mysql_user_ends_ingest_at_start(broker, mariadb):
    work = Workdir()
    url = f"mysql://nobody:x@127.0.0.1:{mariadb['PORT']}/{mariadb['DB']}"
    out = iotctl("ingest", "-p", broker.port, "--preset", "hexaboard", "--mysql", url,
                 "--state-dir", work.state, timeout=60)
    assert out.returncode == 1
    assert "'nobody'" in out.stderr and "refuses this account" in out.stderr


def test_missing_mysql_database_is_named_with_the_servers_reason(broker, mariadb):
    """A database that does not exist (and the account may not create) is said to be so, with
    MariaDB's own text; it used to print an empty reason (the text was read after the
    connection that held it was closed)."""
    work = Workdir()
    url = f"mysql://{mariadb['USER']}:{mariadb['PASSWORD']}@127.0.0.1:{mariadb['PORT']}/no_such_db"
    out = iotctl("ingest", "-p", broker.port, "--preset", "hexaboard", "--mysql", url,
                 "--state-dir", work.state, timeout=60)
    assert out.returncode == 1
    assert out.stderr == (
        f"iotctl: error: MySQL at 127.0.0.1:{mariadb['PORT']}/no_such_db: database 'no_such_db' "
        "does not exist or this account may not use it: Access denied for user "
        f"'{mariadb['USER']}'@'127.0.0.1' to database 'no_such_db' (1044)\n")
    assert mariadb["PASSWORD"] not in out.stderr
