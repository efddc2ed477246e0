"""Shared helpers for end-to-end tests: the iotctl binary, real servers from scripts/services/.

Every server listens on 127.0.0.1 on a free port inside a temporary directory and is stopped
when the test module ends.

Nothing a test starts outlives it. Every process started here (spawn(), popen(), run(),
iotctl()) is the leader of its own process group and is tracked; every Service is tracked too.
conftest.py's autouse fixtures call clean_up_since() when a test (or a module) ends, pass or
fail, and pytest_sessionfinish and atexit clean up whatever is left. A pytest that is itself
killed (ctest's TIMEOUT sends SIGKILL) runs none of that, so each process also gets
PR_SET_PDEATHSIG=SIGKILL (the kernel kills it when pytest dies), and each server gets a
watchdog (scripts/services/lib.sh, IOTCTL_SERVICE_OWNER_PID) that stops it when pytest is gone.
"""
import atexit
import contextlib
import ctypes
import itertools
import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import threading
import time

IOTCTL = os.environ.get("IOTCTL_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "iotctl"))
SOURCE_DIR = pathlib.Path(os.environ.get("IOTCTL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
FIXTURES_DIR = SOURCE_DIR / "tests" / "fixtures"
SERVICES = SOURCE_DIR / "scripts" / "services"


def fixture_text(name):
    """The text of tests/fixtures/<name>; a missing file fails the test naming the file."""
    path = FIXTURES_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"test fixture {path} is missing (it ships in the repository)")
    return path.read_text()


def read_env(text):
    """Parses KEY=VALUE lines as printed by the service scripts."""
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


# --- Tracking: everything a test starts is stopped when the test, module or session ends ---

GRACE_S = 5.0  # SIGTERM first; SIGKILL when a process group is still there after this long

_lock = threading.Lock()
_serials = itertools.count(1)
_cleanups = {}  # serial -> (description, cleanup function), in start order
_cancels = {}  # serial -> function that tells a background thread to start nothing more


def _track(description, cleanup, cancel=None):
    with _lock:
        serial = next(_serials)
        _cleanups[serial] = (description, cleanup)
        if cancel is not None:
            _cancels[serial] = cancel
    return serial


def mark():
    """A point in time: clean_up_since(mark()) later stops only what was started after it."""
    with _lock:
        return next(_serials)


def on_clean_up(description, cleanup, cancel=None):
    """Tracks something else a test starts, e.g. a thread that runs processes: cleanup() stops
    it and returns True when it was still running; it runs in the same order as processes and
    servers (whatever was started after it is stopped first). cancel(), if given, runs before
    anything is stopped, so that a thread stops starting new processes first."""
    _track(description, cleanup, cancel)


def clean_up_since(since=0):
    """Stops every tracked process and server started at or after `since`, newest first.

    Returns a description of each one that was still running (a leak the test did not stop)."""
    with _lock:
        cancels = [_cancels.pop(s) for s in sorted(_cancels) if s >= since]
    for cancel in cancels:
        cancel()
    leaked = []
    while True:  # again if a background thread started something meanwhile
        with _lock:
            serials = sorted((s for s in _cleanups if s >= since), reverse=True)
            if not serials:
                return leaked
            serial = serials[0]
            description, cleanup = _cleanups.pop(serial)
        try:
            if cleanup():
                leaked.append(description)
        except Exception as e:  # one failed cleanup must not keep the others from running
            leaked.append(f"{description} (cleanup failed: {e!r})")


atexit.register(clean_up_since)

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
_prctl = _libc.prctl
_prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _die_with_parent():
    """preexec_fn: SIGKILL this child when the thread that started it (pytest's) dies.

    Runs in the child between fork and exec; prctl is looked up beforehand, so this calls no
    loader and takes no lock. If pytest died before the prctl, the child kills itself."""
    parent = os.getpid()

    def preexec():
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
    return preexec


def kill_group(proc, grace=GRACE_S):
    """Ends proc's process group (SIGTERM, then SIGKILL after `grace` s) and reaps proc.

    Returns True when proc was still running. proc must lead its own group (start_new_session);
    a leader already reaped is left alone, since its group id may then belong to someone else."""
    if proc.poll() is not None:
        return False
    for sig, wait_s in ((signal.SIGTERM, grace), (signal.SIGKILL, 30)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
    return True


def _popen_tracked(argv, **kwargs):
    if "preexec_fn" in kwargs or "start_new_session" in kwargs:
        raise ValueError("harness.popen sets preexec_fn and start_new_session itself")
    proc = subprocess.Popen(argv, start_new_session=True, preexec_fn=_die_with_parent(), **kwargs)
    serial = _track(f"pid {proc.pid}: {' '.join(map(str, argv))}", lambda: kill_group(proc))
    return proc, serial


def popen(argv, **kwargs):
    """subprocess.Popen in a new session (its own process group), killed with pytest, tracked:
    it is stopped when the test that started it ends (or the module, for a module fixture)."""
    return _popen_tracked(argv, **kwargs)[0]


def run(argv, input=None, capture_output=False, timeout=None, check=False, **kwargs):
    """subprocess.run through popen(): on a timeout (or any exception) the whole process group
    is killed before the exception goes on."""
    if capture_output:
        kwargs["stdout"] = subprocess.PIPE
        kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    proc, serial = _popen_tracked(argv, **kwargs)
    with proc:
        try:
            stdout, stderr = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc, grace=0)
            stdout, stderr = proc.communicate()
            raise subprocess.TimeoutExpired(proc.args, timeout, output=stdout, stderr=stderr)
        except BaseException:
            kill_group(proc, grace=0)
            raise
    with _lock:
        _cleanups.pop(serial, None)  # finished and reaped: nothing left to stop
    out = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    if check:
        out.check_returncode()
    return out


class Service:
    """A server started by scripts/services/<name> in its own temporary directory.

    Tracked from its first start until the end of the scope it was started in; the service
    script's watchdog stops it if this pytest process dies without stopping it."""

    def __init__(self, name, *args):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"iotctl-{name}-")
        self.args = list(args)
        self.env = {}
        self.running = False
        self._tracked = False

    def _script(self, command, *args, timeout):
        env = dict(os.environ, IOTCTL_SERVICE_OWNER_PID=str(os.getpid()))
        return run([str(SERVICES / self.name), command, self.dir, *args], capture_output=True,
                   text=True, timeout=timeout, env=env)

    def _launch(self, command):
        if not self._tracked:
            self._tracked = True
            _track(f"{self.name} server in {self.dir}", self._stop_if_running)
        self.running = True  # a failed start may have left a server behind: stop() it then
        try:
            out = self._script(command, *self.args, timeout=180)
        except BaseException:
            self.stop()
            raise
        if out.returncode != 0:
            self.stop()
            raise RuntimeError(f"{self.name} did not {command}: {out.stderr}")
        self.env = read_env(out.stdout)
        return self

    def start(self):
        return self._launch("start")

    def stop(self):
        self._script("stop", timeout=60)
        self.running = False

    def restart(self):
        self._launch("restart")

    def _stop_if_running(self):
        was_running = self.running
        self.stop()
        return was_running

    def __getitem__(self, key):
        return self.env[key]

    @property
    def port(self):
        return int(self.env["PORT"])


@contextlib.contextmanager
def services(*names):
    """Starts the named services (scripts/services/<name>) one after another; yields them by
    name, and stops every one that started however the block ends."""
    started = {}
    try:
        for name in names:
            started[name] = Service(name).start()
        yield started
    finally:
        for svc in started.values():
            svc.stop()


def iotctl(*args, input=None, timeout=60, env=None, cwd=None, check=False):
    """Runs iotctl to completion; returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    full_env.pop("MQTT_BROKER", None)
    full_env.pop("MQTT_PORT", None)
    if env:
        full_env.update(env)
    out = run([IOTCTL, *map(str, args)], input=input, capture_output=True,
              text=not isinstance(input, bytes), timeout=timeout, env=full_env, cwd=cwd)
    if check and out.returncode != 0:
        raise AssertionError(f"iotctl {' '.join(map(str, args))} exited {out.returncode}: {out.stderr}")
    return out


def spawn(*args, env=None, cwd=None, stdout=subprocess.PIPE, stdin=None):
    """Starts iotctl in the background (see popen()); the caller waits for or stops it, and
    whatever the caller leaves running is stopped when the test ends.

    Call it from the test's own thread: the kernel kills the child when the thread that started
    it exits (PR_SET_PDEATHSIG)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return popen([IOTCTL, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                 stdin=stdin, env=full_env, cwd=cwd)


def accepts(port):
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_until(predicate, timeout=20.0, interval=0.05, what="condition"):
    """Polls predicate() until it is true; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
