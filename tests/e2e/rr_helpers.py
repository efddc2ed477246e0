"""Helpers of the `iotctl rr` tests (test_rr.py, test_rr_rabbitmq.py): rr itself, simulated
devices, and the reading a reply must equal."""
import subprocess

from harness import iotctl, spawn


def rr(broker, *args, timeout=90):
    return iotctl("rr", "-h", "127.0.0.1", "-p", broker.port, *args, timeout=timeout)


def rr_spawn(broker, *args):
    return spawn("rr", "-h", "127.0.0.1", "-p", broker.port, *args)


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
