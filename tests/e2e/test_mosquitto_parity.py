"""The mosquitto_sub and mosquitto_pub flags people type, run through iotctl and through
mosquitto's own clients against the same real Mosquitto: same output, same outcome.

Exit codes are compared by meaning: mosquitto says 1 for a bad command line where iotctl says
2, and 27 where iotctl says 5 (-W ran out)."""
import pathlib
import re

import pytest

from harness import iotctl, run
from live_sub import unique

# mosquitto's exit code -> iotctl's, where the two name the same outcome differently.
SAME_OUTCOME = {0: 0, 1: 2, 27: 5}


def mosquitto(tool, broker, *args, timeout=30):
    return run([tool, "-h", "127.0.0.1", "-p", str(broker.port), *map(str, args)],
               capture_output=True, text=True, timeout=timeout)


def ours(command, broker, *args, timeout=30):
    return iotctl(command, "-h", "127.0.0.1", "-p", broker.port, *args, timeout=timeout)


def retained(broker, topic, payload, *args):
    out = mosquitto("mosquitto_pub", broker, "-t", topic, "-m", payload, "-r", *args)
    assert out.returncode == 0, out.stderr


# sub: (id, flags; "{t}" is a topic holding retained "hello" and {t}/b "world" at QoS 1)
SUB_CASES = [
    ("plain", ["-t", "{t}", "-C", "1"]),
    ("-v", ["-t", "{t}", "-C", "1", "-v"]),
    ("-F fields", ["-t", "{t}", "-C", "1", "-F", "%t|%p|%q|%r|%l|%x|%X"]),
    ("-F widths", ["-t", "{t}", "-C", "1", "-F", "[%10t][%-8p][%05l][%.3t][%4.2t]"]),
    ("-F escapes", ["-t", "{t}", "-C", "1", "-F", "a\\tb\\\\c @@"]),
    ("-F v5 absent", ["-t", "{t}", "-C", "1", "-F", "%A|%C|%D|%E|%F|%S|%R|%P"]),
    ("-N", ["-t", "{t}", "-C", "1", "-N"]),
    ("-q 1", ["-t", "{t}/b", "-C", "1", "-q", "1", "-F", "%q %p"]),
    ("-R -W", ["-t", "{t}", "-R", "-W", "1"]),
    ("-T", ["-t", "{t}/#", "-t", "{t}", "-T", "{t}/b", "-C", "1"]),
    # -E on a topic with no retained message: mosquitto_sub also prints retained messages that
    # arrive in the same read as the SUBACK, which is a race.
    ("-E", ["-t", "{t}/none", "-E"]),
    ("-U -E", ["-t", "{t}/none", "-U", "{t}/none", "-E"]),
    ("-c -E", ["-t", "{t}/none", "-c", "-i", "{t_id}", "-E"]),
    ("-x", ["-t", "{t}", "-C", "1", "-V", "mqttv5", "-x", "30", "-i", "{t_id}x"]),
    ("-I", ["-t", "{t}", "-C", "1", "-I", "parity-"]),
    ("-M", ["-t", "{t}", "-C", "1", "-M", "5"]),
    ("--nodelay", ["-t", "{t}", "-C", "1", "--nodelay"]),
    ("-V mqttv31", ["-t", "{t}", "-C", "1", "-V", "mqttv31"]),
    ("-V mqttv5", ["-t", "{t}", "-C", "1", "-V", "mqttv5"]),
    ("-D twice", ["-t", "{t}", "-C", "1", "-D", "connect", "session-expiry-interval", "0",
                  "-D", "subscribe", "user-property", "who", "parity",
                  "-D", "connect", "user-property", "a", "b"]),
    ("-D connect", ["-t", "{t}", "-C", "1", "-D", "connect", "receive-maximum", "10",
                    "-D", "connect", "maximum-packet-size", "100000",
                    "-D", "connect", "topic-alias-maximum", "5",
                    "-D", "connect", "request-response-information", "1"]),
    ("--quiet", ["-t", "{t}", "-C", "1", "--quiet"]),
    ("-C 0", ["-t", "{t}", "-C", "0"]),
    ("-W 0.5", ["-t", "{t}", "-W", "0.5"]),
    ("-W 0", ["-t", "{t}", "-W", "0"]),
]


@pytest.mark.parametrize("name,flags", SUB_CASES, ids=[c[0] for c in SUB_CASES])
def test_sub_flag_matches_mosquitto_sub(broker, name, flags):
    t = unique("parity")
    retained(broker, t, "hello")
    retained(broker, f"{t}/b", "world", "-q", "1")
    args = [a.format(t=t, t_id=t.replace("/", "-")) for a in flags]
    ref = mosquitto("mosquitto_sub", broker, *args)
    got = ours("sub", broker, *args)
    assert got.returncode == SAME_OUTCOME[ref.returncode], (name, ref.stderr, got.stderr)
    assert got.stdout == ref.stdout, name
    if ref.returncode == 27:
        assert got.stderr == ref.stderr == "Timed out\n"
    if ref.returncode == 1:  # a bad command line: both say so before connecting
        assert got.stderr.startswith("iotctl: error: invalid ") and "Error: Invalid" in ref.stderr


def test_sub_debug_prints_packets_and_the_message(broker):
    """-d: mosquitto_sub logs packets on stdout; iotctl keeps stdout for data and logs on stderr."""
    t = unique("parity")
    retained(broker, t, "hello")
    ref = mosquitto("mosquitto_sub", broker, "-t", t, "-C", "1", "-d")
    got = ours("sub", broker, "-t", t, "-C", "1", "-d")
    assert ref.returncode == got.returncode == 0
    assert "\nhello\n" in ref.stdout and got.stdout == "hello\n"
    for packet in ("CONNECT", "CONNACK", "SUBSCRIBE", "SUBACK", "PUBLISH", "DISCONNECT"):
        assert packet in ref.stdout and f"{packet}" in got.stderr, packet


def test_sub_remove_retained_clears_like_mosquitto(broker):
    """What mosquitto_sub(1) says --remove-retained does, checked with mosquitto_sub as reader.
    (mosquitto_sub 2.0 itself with these flags did not end within 30 s here, so it is not run.)"""
    for tool in ("iotctl",):
        t = unique("parity")
        retained(broker, f"{t}/a", "one")
        retained(broker, f"{t}/b", "two")
        # mosquitto_sub's --retained-only waits for a live message to end; -C 1 ends both.
        args = ["-t", f"{t}/#", "--remove-retained", "-C", "1", "-v", "-T", f"{t}/b"]
        out = (mosquitto("mosquitto_sub", broker, *args) if tool == "mosquitto"
               else ours("sub", broker, *args))
        assert (out.returncode, out.stdout) == (0, f"{t}/a one\n"), tool
        left = mosquitto("mosquitto_sub", broker, "-t", f"{t}/#", "-v", "-W", "1")
        assert left.stdout == f"{t}/b two\n", tool  # -T's topic is left alone


def test_quiet_hides_runtime_errors_like_mosquitto(broker):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    ref = run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(closed), "-t", "x", "--quiet"],
              capture_output=True, text=True, timeout=30)
    got = iotctl("sub", "-h", "127.0.0.1", "-p", closed, "-t", "x", "--quiet")
    assert ref.stderr == got.stderr == ""
    assert ref.returncode != 0 and got.returncode == 3


# pub: flags, then what a reference mosquitto_sub (MQTT 5) reads back from the retained message.
READ_BACK = "%p|%q|%r|%C|%P|%R|%D|%F"
PUB_CASES = [
    ("-m", ["-m", "hello"]),
    ("-q 1", ["-m", "hello", "-q", "1"]),
    ("-q 2", ["-m", "hello", "-q", "2"]),
    ("-c", ["-m", "hello", "-q", "1", "-c", "-i", "{t_id}"]),
    ("-x", ["-m", "hello", "-V", "mqttv5", "-x", "60"]),
    ("-d", ["-m", "hello", "-d"]),
    ("--quiet", ["-m", "hello", "--quiet"]),
    ("-I", ["-m", "hello", "-I", "parity-"]),
    ("-M", ["-m", "hello", "-q", "1", "-M", "3"]),
    ("--nodelay", ["-m", "hello", "--nodelay"]),
    ("-V mqttv31", ["-m", "hello", "-V", "mqttv31"]),
    ("-D content-type", ["-m", "hello", "-D", "publish", "content-type", "text/plain"]),
    ("-D user-property twice", ["-m", "hello", "-D", "publish", "user-property", "k", "v",
                                "-D", "publish", "user-property", "k2", "v 2"]),
    ("-D response-topic", ["-m", "hello", "-D", "publish", "response-topic", "r/t"]),
    ("-D correlation-data", ["-m", "hello", "-D", "publish", "correlation-data", "c-1"]),
    ("-D payload-format-indicator", ["-m", "hello", "-D", "publish", "payload-format-indicator", "1"]),
    ("-D message-expiry-interval", ["-m", "hello", "-D", "publish", "message-expiry-interval", "3600"]),
    ("-D topic-alias", ["-m", "hello", "-D", "publish", "topic-alias", "1"]),
    ("-D connect and disconnect", ["-m", "hello", "-D", "connect", "session-expiry-interval", "10",
                                   "-D", "connect", "user-property", "a", "b",
                                   "-D", "disconnect", "session-expiry-interval", "0"]),
    ("-D will", ["-m", "hello", "--will-topic", "{t}/will", "-D", "will", "content-type", "x/y",
                 "-D", "will", "will-delay-interval", "5"]),
]


@pytest.mark.parametrize("name,flags", PUB_CASES, ids=[c[0] for c in PUB_CASES])
def test_pub_flag_matches_mosquitto_pub(broker, name, flags):
    seen = {}
    for tool in ("mosquitto", "iotctl"):
        t = unique("parity")
        args = [a.format(t=t, t_id=t.replace("/", "-")) for a in flags] + ["-t", t, "-r"]
        out = (mosquitto("mosquitto_pub", broker, *args) if tool == "mosquitto"
               else ours("pub", broker, *args))
        back = mosquitto("mosquitto_sub", broker, "-t", t, "-C", "1", "-W", "5", "-V", "mqttv5",
                         "-F", READ_BACK)
        seen[tool] = (out.returncode, back.stdout, out.stdout)
        if tool == "iotctl" and name == "-d":
            assert "sending CONNECT" in out.stderr and "sending PUBLISH" in out.stderr
    ref_code, ref_back, _ = seen["mosquitto"]
    code, back, stdout = seen["iotctl"]
    assert code == SAME_OUTCOME[ref_code], name
    assert back == ref_back, name
    assert stdout == "", name  # iotctl keeps -d's log off stdout


def _connections_from(broker, client_id):
    """The source addresses the broker logged for `client_id` ("New client connected from")."""
    log = pathlib.Path(broker.dir, "mosquitto.log").read_text()
    return re.findall(r"New client connected from ([0-9.]+):\d+ as " + re.escape(client_id), log)


@pytest.mark.parametrize("tool", ["sub", "pub"])
def test_bind_address(broker, tool):
    """-A binds the connection's local end, as mosquitto_sub/pub do: the broker sees the
    connection come from that address (127.0.0.2 and .3 are loopback addresses, so nothing
    leaves the machine)."""
    t = unique("parity/bind")
    for prog, address in (("mosquitto", "127.0.0.2"), ("iotctl", "127.0.0.3")):
        client_id = f"{t.replace('/', '-')}-{prog}"
        args = ["-A", address, "-i", client_id, "-t", t]
        args += ["-W", "1"] if tool == "sub" else ["-m", "y", "-q", "1"]
        if prog == "mosquitto":
            out = mosquitto(f"mosquitto_{tool}", broker, *args)
            want = {0: 0, 27: 5}[out.returncode]
        else:
            out = ours(tool, broker, *args)
            assert out.returncode == want, out.stderr
        assert _connections_from(broker, client_id) == [address], prog


def test_bind_address_that_cannot_be_bound(broker):
    """An address not on this machine, or a name that does not resolve: mosquitto_pub says so
    and exits 1; iotctl says which -A and why, before connecting, and exits 3 (could not
    connect, docs/exit-codes.md)."""
    ref = mosquitto("mosquitto_pub", broker, "-A", "192.0.2.1", "-t", "x", "-m", "y")
    assert ref.returncode == 1 and "Cannot assign requested address" in ref.stderr
    got = ours("pub", broker, "-A", "192.0.2.1", "-t", "x", "-m", "y")
    assert (got.returncode, got.stderr) == (
        3, "iotctl: error: -A 192.0.2.1: cannot bind to this local address: Cannot assign "
           "requested address\n")
    got = ours("sub", broker, "-A", "no-such-host.invalid", "-t", "x", "-W", "1")
    assert got.returncode == 3
    assert got.stderr.startswith("iotctl: error: -A no-such-host.invalid: the local address does "
                                 "not resolve: ")
