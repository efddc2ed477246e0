"""Helpers of the `iotctl rr` tests (test_rr.py, test_rr_rabbitmq.py): rr itself, an ordered
stream of what a subscriber sees, simulated devices, and the reading a reply must equal."""
import json
import subprocess
import threading
import uuid

from harness import iotctl, spawn, wait_until
from live_sub import pub


def rr(broker, *args, timeout=90):
    return iotctl("rr", "-h", "127.0.0.1", "-p", broker.port, *args, timeout=timeout)


def rr_spawn(broker, *args):
    return spawn("rr", "-h", "127.0.0.1", "-p", broker.port, *args)


class Stream:
    """`iotctl sub --json` on some topics, every message kept in arrival order."""

    def __init__(self, broker, *filters, version="mqttv311"):
        self.broker = broker
        self.probe = f"probe/{uuid.uuid4().hex}"
        args = sum((["-t", f] for f in filters), [])
        self.proc = spawn("sub", "-h", "127.0.0.1", "-p", broker.port, "-V", version, "--json",
                          "-q", 1, *args, "-t", self.probe)
        self.messages = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.sync()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.messages.append(json.loads(line))

    def sync(self):
        """Publishes a probe until it comes back: what was published before it has arrived."""
        token = uuid.uuid4().hex

        def seen():
            pub(self.broker, "-t", self.probe, "-m", token)
            with self.lock:
                return any(m["payload"] == token for m in self.messages)
        wait_until(seen, timeout=30, interval=0.3, what="the stream to see its probe")

    def wait_for(self, topic, timeout=30):
        wait_until(lambda: any(m["topic"] == topic for m in self.all()), timeout=timeout,
                   what=f"a message on {topic}")

    def all(self):
        with self.lock:
            return [m for m in self.messages if m["topic"] != self.probe]


def simulate(broker, prefix, *args):
    """Simulated devices under `prefix/` for up to two minutes (stopped when the test ends)."""
    return spawn("simulate-hexaboard", "-h", "127.0.0.1", "-p", broker.port, "--topic-prefix",
                 prefix, "--duration", 120, *args, stdout=subprocess.DEVNULL)


def wait_online(broker, status_topic, payload="online"):
    r = iotctl("expect", "-h", "127.0.0.1", "-p", broker.port, "-t", status_topic,
               "--payload", payload, "-W", 30)
    assert r.returncode == 0, r.stderr


def reading_before(messages, reply_topic, data_topic):
    """The last message on data_topic before the first one on reply_topic (one publisher's
    messages arrive in the order it sent them), and that reply."""
    last = None
    for m in messages:
        if m["topic"] == reply_topic:
            return last, m
        if m["topic"] == data_topic:
            last = m
    raise AssertionError(f"no message on {reply_topic} in {messages}")
