"""Shared helpers for end-to-end tests: the iotctl binary, real servers from scripts/services/.

Every server listens on 127.0.0.1 on a free port inside a temporary directory and is stopped
when the test module ends.
"""
import os
import pathlib
import subprocess
import tempfile
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


class Service:
    """A server started by scripts/services/<name> in its own temporary directory."""

    def __init__(self, name, *args):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"iotctl-{name}-")
        self.args = list(args)
        self.env = {}

    def start(self):
        out = subprocess.run([str(SERVICES / self.name), "start", self.dir, *self.args],
                             capture_output=True, text=True, timeout=180)
        if out.returncode != 0:
            raise RuntimeError(f"{self.name} did not start: {out.stderr}")
        self.env = read_env(out.stdout)
        return self

    def stop(self):
        subprocess.run([str(SERVICES / self.name), "stop", self.dir], capture_output=True, timeout=60)

    def restart(self):
        out = subprocess.run([str(SERVICES / self.name), "restart", self.dir, *self.args],
                             capture_output=True, text=True, timeout=180)
        if out.returncode != 0:
            raise RuntimeError(f"{self.name} did not restart: {out.stderr}")
        self.env = read_env(out.stdout)

    def __getitem__(self, key):
        return self.env[key]

    @property
    def port(self):
        return int(self.env["PORT"])


def iotctl(*args, input=None, timeout=60, env=None, cwd=None, check=False):
    """Runs iotctl to completion; returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    full_env.pop("MQTT_BROKER", None)
    full_env.pop("MQTT_PORT", None)
    if env:
        full_env.update(env)
    if isinstance(input, bytes):
        out = subprocess.run([IOTCTL, *map(str, args)], input=input, capture_output=True,
                             timeout=timeout, env=full_env, cwd=cwd)
    else:
        out = subprocess.run([IOTCTL, *map(str, args)], input=input, capture_output=True, text=True,
                             timeout=timeout, env=full_env, cwd=cwd)
    if check and out.returncode != 0:
        raise AssertionError(f"iotctl {' '.join(map(str, args))} exited {out.returncode}: {out.stderr}")
    return out


def spawn(*args, env=None, cwd=None, stdout=subprocess.PIPE, stdin=None):
    """Starts iotctl in the background; the caller waits for or kills it."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.Popen([IOTCTL, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                            stdin=stdin, env=full_env, cwd=cwd)


def wait_until(predicate, timeout=20.0, interval=0.05, what="condition"):
    """Polls predicate() until it is true; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


