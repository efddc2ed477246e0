"""A running `iotctl sub` whose output is read by a thread, and a way to know it has subscribed.

Readiness without sleeping: the subscriber also listens on a probe topic; `wait_ready()`
publishes a retained probe there (delivered right after SUBACK) and waits until it is printed.
Probe lines are left out of `lines()`. Mosquitto delivers the probe exactly once; RabbitMQ's MQTT
plugin twice when the publish comes while it handles the SUBSCRIBE (once through the new binding,
once from its retained store), so every line naming the probe's id counts as a probe line.
"""
import json
import subprocess
import threading
import uuid

from harness import iotctl, spawn, wait_until


class LiveSub:
    """`iotctl sub ARGS -t probe/<id>` in the background, with its stdout collected line by line."""

    def __init__(self, broker, *args, env=None, probe=True, host_args=None):
        self.broker = broker
        self.probe_id = uuid.uuid4().hex
        self.probe_topic = f"probe/{self.probe_id}" if probe else None
        conn = host_args if host_args is not None else ["-h", "127.0.0.1", "-p", broker.port]
        extra = ["-t", self.probe_topic] if probe else []
        self.proc = spawn("sub", *conn, *args, *extra, env=env)  # stopped when the test ends
        self._lines = []
        self._probe_index = None
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            with self._lock:
                self._lines.append(raw)

    def raw_lines(self):
        """Every line printed so far (bytes, with newlines), probes included."""
        with self._lock:
            return list(self._lines)

    def lines(self):
        """Printed lines as text without newlines, the probe lines left out."""
        probe = self.probe_id.encode()
        return [raw.decode("utf-8", "replace").rstrip("\n")
                for i, raw in enumerate(self.raw_lines())
                if i != self._probe_index and not (self._probe_index is not None and probe in raw)]

    def wait_ready(self, timeout=30):
        """Publishes a retained probe and waits until this subscriber has printed it.

        The probe is the subscriber's first line, as long as the test has not left retained
        messages on the topics it subscribes to (tests of retained messages use probe=False)."""
        iotctl("pub", "-h", "127.0.0.1", "-p", self.broker.port, "-t", self.probe_topic,
               "-m", f"iotctl-probe {self.probe_id}", "-r", check=True)
        wait_until(lambda: self.raw_lines() or self.proc.poll() is not None,
                   timeout=timeout, what="subscriber to receive its probe")
        assert self.proc.poll() is None, f"sub exited early ({self.proc.returncode}): {self.stderr()}"
        self._probe_index = 0
        return self

    def wait_lines(self, n, timeout=30):
        """Waits until at least n non-probe lines were printed; returns them."""
        wait_until(lambda: len(self.lines()) >= n, timeout=timeout, what=f"{n} lines from sub")
        return self.lines()

    def wait(self, timeout=60):
        """Waits for the process to exit; returns its exit code."""
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return rc

    def stderr(self):
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode("utf-8", "replace")

    def stop(self):
        """Ends the subscriber (SIGTERM) if still running; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.wait(timeout=20)


class JsonStream(LiveSub):
    """`iotctl sub --json -q 1` on some filters, ready once subscribed, every message kept in
    arrival order (one publisher's messages in the order it sent them)."""

    def __init__(self, broker, *filters, version="mqttv311"):
        super().__init__(broker, "-V", version, "--json", "-q", 1,
                         *sum((["-t", f] for f in filters), []))
        self.wait_ready()

    def sync(self, timeout=30):
        """Publishes a token to the probe topic until it comes back: whatever was published
        before it has arrived too."""
        token = uuid.uuid4().hex

        def seen():
            pub(self.broker, "-t", self.probe_topic, "-m", f"iotctl-probe {self.probe_id} {token}")
            try:
                wait_until(lambda: any(token.encode() in raw for raw in self.raw_lines()),
                           timeout=1.0, interval=0.05)
                return True
            except AssertionError:
                return False
        wait_until(seen, timeout=timeout, what="the subscriber to see its probe")

    def all(self):
        """The messages so far (sub's JSON objects), probes left out."""
        return [json.loads(line) for line in self.lines()]

    def on(self, topic):
        """The messages so far on one topic."""
        return [m for m in self.all() if m["topic"] == topic]

    def wait_for(self, topic, timeout=30):
        """Waits until a message on `topic` has arrived."""
        wait_until(lambda: any(m["topic"] == topic for m in self.all()), timeout=timeout,
                   what=f"a message on {topic}")


def pub(broker, *args, input=None, check=True, timeout=120):
    """Runs `iotctl pub` against the broker's plain listener."""
    return iotctl("pub", "-h", "127.0.0.1", "-p", broker.port, *args, input=input, check=check,
                  timeout=timeout)


def sub(broker, *args, timeout=60, input=None, env=None, cwd=None):
    """Runs `iotctl sub` against the broker's plain listener to completion."""
    return iotctl("sub", "-h", "127.0.0.1", "-p", broker.port, *args, timeout=timeout, env=env, cwd=cwd)


def unique(prefix="t"):
    """A topic prefix no other test uses."""
    return f"{prefix}/{uuid.uuid4().hex[:12]}"
