"""`iotctl retained ls|clear` against a real Mosquitto: what ls lists and how it knows it has seen
everything (-W, a quiet period), clear with --dry-run, exit 0 when nothing is left, exit 1 naming
what an ACL kept, exit 2 for '#' without --yes and for bad filters. RabbitMQ: test_rabbitmq.py."""
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time

from harness import accepts, iotctl, popen, wait_until
from live_sub import pub, unique


def retained(broker, *args, timeout=60):
    return iotctl("retained", *args, "-h", "127.0.0.1", "-p", broker.port, timeout=timeout)


def _board_topics(broker, t):
    pub(broker, "-t", f"{t}/A/status", "-m", "online", "-r", "-q", "1")
    pub(broker, "-t", f"{t}/B/status", "-m", "offline", "-r", "-q", "1")
    pub(broker, "-t", f"{t}/A/sensor/data", "-m", '{"temperature":21.5,"humidity":40}', "-r", "-q", "1")


def _topics(out):
    return [line.split()[0] for line in out.splitlines()]


def test_ls_lists_topic_size_expiry_and_first_bytes_sorted(broker):
    t = unique("ret")
    _board_topics(broker, t)
    out = retained(broker, "ls", f"{t}/#")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert _topics(out.stdout) == [f"{t}/A/sensor/data", f"{t}/A/status", f"{t}/B/status"]
    assert lines[1].split() == [f"{t}/A/status", "6", "B", "-", "online"]
    assert lines[0].split()[1:4] == ["34", "B", "-"]
    assert lines[0].endswith('{"temperature":21.5,"humidity":40}')
    plus = retained(broker, "ls", f"{t}/+/status")
    assert _topics(plus.stdout) == [f"{t}/A/status", f"{t}/B/status"]


def test_ls_json_lines_and_mqtt5_expiry_shown_as_time_left_not_age(broker):
    t = unique("retj")
    pub(broker, "-t", f"{t}/plain", "-m", '{"v":1}', "-r", "-q", "1")
    pub(broker, "-V", "mqttv5", "-t", f"{t}/expiring", "-m", "soon", "-r", "-q", "1",
        "-D", "publish", "message-expiry-interval", "3600")
    out = retained(broker, "ls", f"{t}/#", "--json", "-V", "mqttv5")
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["topic"] for o in objs] == [f"{t}/expiring", f"{t}/plain"]
    assert objs[1]["payload"] == {"v": 1} and objs[1]["size"] == 7 and objs[1]["retain"] in (1, True)
    assert "expires_in" not in objs[1]
    assert 3500 < objs[0]["expires_in"] <= 3600
    text = retained(broker, "ls", f"{t}/expiring", "-V", "mqttv5").stdout.split()
    assert text[3].endswith("s") and 3500 < int(text[3][:-1]) <= 3600


def test_ls_wait_is_a_quiet_period_after_the_last_retained_message(broker):
    t = unique("retw")
    # 2000 retained messages on 2000 topics, over one connection.
    jsonl = "".join(json.dumps({"topic": f"{t}/n/{i}", "payload": f"v{i}", "qos": 1, "retain": True}) + "\n"
                    for i in range(2000))
    pub(broker, "--jsonl", input=jsonl)
    start = time.monotonic()
    out = retained(broker, "ls", f"{t}/#", "-W", "0.3")
    fast = time.monotonic() - start
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 2000
    start = time.monotonic()
    slow = retained(broker, "ls", f"{t}/n/1", "-W", "2")
    took = time.monotonic() - start
    assert _topics(slow.stdout) == [f"{t}/n/1"]
    assert took >= 2.0 and fast < took, (fast, took)


def test_ls_nothing_retained_prints_nothing_and_exits_0(broker):
    t = unique("retn")
    pub(broker, "-t", f"{t}/live", "-m", "not retained")
    out = retained(broker, "ls", f"{t}/#")
    assert (out.returncode, out.stdout) == (0, "")


def test_clear_dry_run_lists_and_changes_nothing(broker):
    t = unique("retd")
    _board_topics(broker, t)
    out = retained(broker, "clear", f"{t}/+/status", "--dry-run")
    assert out.returncode == 0, out.stderr
    assert _topics(out.stdout) == [f"{t}/A/status", f"{t}/B/status"]
    assert "would clear 2 retained messages" in out.stderr and "nothing changed" in out.stderr
    after = retained(broker, "ls", f"{t}/#")
    assert len(after.stdout.splitlines()) == 3


def test_clear_plus_filter_clears_only_what_matches_and_checks(broker):
    t = unique("retp")
    _board_topics(broker, t)
    out = retained(broker, "clear", f"{t}/+/status")
    assert out.returncode == 0, out.stderr
    assert _topics(out.stdout) == [f"{t}/A/status", f"{t}/B/status"]
    assert f"cleared 2 retained messages under '{t}/+/status'; none left" in out.stderr
    assert _topics(retained(broker, "ls", f"{t}/#").stdout) == [f"{t}/A/sensor/data"]


def test_clear_hash_filter_leaves_nothing_under_it(broker):
    t = unique("test")
    _board_topics(broker, t)
    other = unique("keep")
    pub(broker, "-t", f"{other}/x", "-m", "stays", "-r")
    out = retained(broker, "clear", f"{t}/#")
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 3
    assert retained(broker, "ls", f"{t}/#").stdout == ""
    assert _topics(retained(broker, "ls", f"{other}/#").stdout) == [f"{other}/x"]


def test_clear_everything_needs_yes_and_bad_filters_are_usage_errors(broker):
    t = unique("rety")
    pub(broker, "-t", f"{t}/x", "-m", "stays", "-r")
    for args, text in [(["clear", "#"], "add --yes"), (["clear", "+/#"], "add --yes"),
                       (["ls", "a/#/b"], "'#' must be a whole level"),
                       (["clear", "$share/g/a"], "shared subscription"),
                       (["ls"], "no topic filter given"),
                       (["ls", "x", "--dry-run"], "--dry-run and --yes are for retained clear"),
                       (["ls", "x", "-W", "0"], "-W must be")]:
        out = retained(broker, *args)
        assert out.returncode == 2, (args, out.stderr)
        assert text in out.stderr, (args, out.stderr)
    assert _topics(retained(broker, "ls", f"{t}/#").stdout) == [f"{t}/x"]


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _OwnMosquitto:
    """A plain Mosquitto of this test alone (no TLS listener to set up, so it starts at once).
    With acl=True its anonymous clients may read everything but write only acl/open/#, and user
    admin (password adminpw) may write anywhere."""

    def __init__(self, acl=False):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="iotctl-retained-"))
        self.port = _free_port()
        conf = ("user root\n" if os.geteuid() == 0 else "")  # else it drops to user mosquitto
        conf += f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
        if acl:
            (self.dir / "acl").write_text(
                "topic read #\ntopic write acl/open/#\n\nuser admin\ntopic readwrite #\n")
            passwd = self.dir / "passwd"
            passwd.write_text("")
            subprocess.run(["mosquitto_passwd", "-b", str(passwd), "admin", "adminpw"], check=True)
            passwd.chmod(0o644)
            (self.dir / "acl").chmod(0o644)
            conf += f"acl_file {self.dir / 'acl'}\npassword_file {passwd}\n"
        (self.dir / "mosquitto.conf").write_text(conf)
        self.proc = popen(["mosquitto", "-c", str(self.dir / "mosquitto.conf")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_until(self._accepts, timeout=20, what="the test's own Mosquitto to accept connections")

    def _accepts(self):
        assert self.proc.poll() is None, f"mosquitto exited: {self.proc.stderr.read().decode()}"
        return accepts(self.port)


def test_clear_everything_with_yes_on_a_broker_of_its_own():
    own = _OwnMosquitto()
    for i in range(3):
        pub(own, "-t", f"any/{i}", "-m", "x", "-r", "-q", "1")
    out = retained(own, "clear", "#", "--yes")
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 3
    assert retained(own, "ls", "#").stdout == ""


def test_clear_exits_1_naming_what_an_acl_kept():
    acl = _OwnMosquitto(acl=True)
    admin = ["-u", "admin", "-P", "adminpw"]
    for topic in ("acl/open/a", "acl/locked"):
        iotctl("pub", "-h", "127.0.0.1", "-p", acl.port, *admin, "-t", topic, "-m", "v", "-r", "-q", "1",
               check=True)
    out = retained(acl, "clear", "acl/#")
    assert out.returncode == 1, out.stderr
    assert _topics(out.stdout) == ["acl/locked", "acl/open/a"]
    assert "1 retained message still under 'acl/#' after clearing: acl/locked" in out.stderr
    assert _topics(retained(acl, "ls", "acl/#").stdout) == ["acl/locked"]
    # MQTT 5: the broker says "not authorised" in the PUBACK; still exit 1 naming what is left.
    v5 = retained(acl, "clear", "acl/#", "-V", "mqttv5")
    assert v5.returncode == 1, v5.stderr
    assert _topics(v5.stdout) == ["acl/locked"]
    assert "still under 'acl/#' after clearing: acl/locked" in v5.stderr
