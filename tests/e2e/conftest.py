"""pytest fixtures: a real Mosquitto (plain, TLS and password listeners) per test module, a real
RabbitMQ with its MQTT plugin (`rabbitmq`) for the modules that ask for it, and the clean-up that stops whatever a test, a module or the session left running (harness.py)."""
import signal
import sys

import pytest

import harness
from harness import Service


def _report(leaked, where):
    if leaked:
        print(f"\n[harness] {where} left running, now stopped: " + "; ".join(leaked),
              file=sys.stderr)


_module_marks = {}  # module node id -> harness.mark() taken before its first test's setup


def _module_of(item):
    return item.getparent(pytest.Module).nodeid if item is not None else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _module_marks.setdefault(_module_of(item), harness.mark())
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a module's last test, once every one of its fixtures has been torn down (pytest
    tears the module down inside this hook when the next test is elsewhere): what the module
    and its fixtures started and did not stop."""
    yield
    module = _module_of(item)
    if _module_of(nextitem) != module and module in _module_marks:
        _report(harness.clean_up_since(_module_marks.pop(module)), module)


@pytest.fixture(autouse=True)
def _stop_what_the_test_started(request):
    """Processes and servers started by the test or its function fixtures: stopped when it ends,
    whether it passed, failed or timed out. Autouse fixtures are set up first in their scope and
    after every wider-scoped fixture, so this one marks the time after the module fixtures were
    set up, and its teardown runs after the other function fixtures' teardowns."""
    since = harness.mark()
    yield
    _report(harness.clean_up_since(since), request.node.nodeid)


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"pytest got signal {signum}")


def pytest_configure(config):
    """SIGTERM (e.g. `kill`, or a CI runner giving up) ends the run like Ctrl-C: pytest then
    still runs every fixture's teardown and pytest_sessionfinish. A SIGKILL runs nothing: see
    harness.py for what covers that."""
    signal.signal(signal.SIGTERM, _terminated)


def pytest_sessionfinish(session, exitstatus):
    """A backstop: anything still tracked at the end (atexit in harness.py is the last one)."""
    _report(harness.clean_up_since(0), "the session")


@pytest.fixture(scope="module")
def broker():
    svc = Service("mosquitto").start()
    yield svc
    svc.stop()


@pytest.fixture
def influx():
    """A real InfluxDB 1.x of its own for one test (scripts/services/influxdb)."""
    svc = Service("influxdb").start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def rabbitmq():
    """Debian's RabbitMQ with the MQTT plugin (MQTT 3.1.1 on .port, AMQP 0-9-1 on ["AMQP_PORT"],
    ["AMQP_URL"]), a node of its own in a temporary directory (scripts/services/rabbitmq); it
    takes several seconds to start, so one per module. Same interface as `broker`: LiveSub,
    pub() and sub() of live_sub.py take it as they take Mosquitto."""
    svc = Service("rabbitmq").start()
    yield svc
    svc.stop()
