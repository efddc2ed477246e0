"""`iotctl sub` against a real Mosquitto: filters, output formats, counts, timeouts, retained
messages, QoS, MQTT 5 properties, shared subscriptions, the Last Will, and a SUBSCRIBE cut off."""
import base64
import json
import re
import signal
import subprocess
import time

import pytest

from harness import IOTCTL, iotctl, run, wait_until
from live_sub import LiveSub, pub, sub, unique
from tcp_cut import CuttableRelay


def test_wildcards_plus_and_hash_with_verbose(broker):
    t = unique("wild")
    s = LiveSub(broker, "-v", "-t", f"{t}/+/temp", "-t", f"{t}/x/#").wait_ready()
    for topic, payload in [(f"{t}/a/temp", "1"), (f"{t}/a/hum", "2"), (f"{t}/b/temp", "3"),
                           (f"{t}/x", "4"), (f"{t}/x/1/2", "5"), (f"{t}/y/z/temp", "6"),
                           (f"{t}/end/temp", "end")]:
        pub(broker, "-t", topic, "-m", payload)
    lines = s.wait_lines(5)
    s.stop()
    assert lines == [f"{t}/a/temp 1", f"{t}/b/temp 3", f"{t}/x 4", f"{t}/x/1/2 5", f"{t}/end/temp end"]


def test_format_specifiers(broker):
    t = unique("fmt")
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#",
                "-F", "%t|%p|%q|%r|%l|%I|%j").wait_ready()
    pub(broker, "-t", f"{t}/a", "-m", "hello world", "-q", "1")
    line = s.wait_lines(1)[0]
    s.stop()
    topic, payload, qos, retain, length, iso, j = line.split("|", 6)
    assert (topic, payload, qos, retain, length) == (f"{t}/a", "hello world", "1", "0", "11")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", iso), iso
    obj = json.loads(j)
    assert obj["topic"] == f"{t}/a" and obj["payload"] == "hello world"
    assert obj["qos"] == 1 and obj["retain"] == 0 and obj["payloadlen"] == 11
    assert obj["tst"] == iso


def test_message_id_is_the_packet_id_as_mosquitto_sub_prints_it(broker):
    """%m is the packet id the broker gave the message (0 at QoS 0), as mosquitto_sub's %m."""
    t = unique("mid")
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#", "-F", "%m %q %p").wait_ready()
    for i in range(3):
        pub(broker, "-t", f"{t}/a", "-m", f"m{i}", "-q", "1")
    pub(broker, "-t", f"{t}/a", "-m", "zero", "-q", "0")
    lines = s.wait_lines(4)
    s.stop()
    ids = [int(l.split()[0]) for l in lines[:3]]
    assert all(i > 0 for i in ids) and ids == sorted(ids) and len(set(ids)) == 3, lines
    assert lines[3] == "0 0 zero"


def test_format_no_eol_and_widths(broker):
    t = unique("fmtw")
    s = LiveSub(broker, "-t", f"{t}/#", "-N", "-F", "[%-25t][%5l][%05l][%.3p]\\n").wait_ready()
    pub(broker, "-t", f"{t}/ab", "-m", "abcdef")
    wait_until(lambda: any(b"abc]" in l for l in s.raw_lines()), what="formatted line")
    s.stop()
    text = b"".join(s.raw_lines()).decode()
    topic = f"{t}/ab"
    assert f"[{topic:<25}][    6][00006][abc]\n" in text, text


def test_json_payload_parsed_string_or_base64(broker):
    t = unique("json")
    s = LiveSub(broker, "--json", "-t", f"{t}/#").wait_ready()
    pub(broker, "-t", f"{t}/j", "-m", '{"temperature":25,"ok":true}')
    pub(broker, "-t", f"{t}/s", "-m", "online")
    pub(broker, "-t", f"{t}/b", "-s", input=b"\xff\x00\x01binary")
    lines = s.wait_lines(3)
    s.stop()
    objs = [json.loads(l) for l in lines]
    assert [o["topic"] for o in objs] == [f"{t}/j", f"{t}/s", f"{t}/b"]
    assert objs[0]["payload"] == {"temperature": 25, "ok": True} and "payload_encoding" not in objs[0]
    assert objs[1]["payload"] == "online" and "payload_encoding" not in objs[1]
    assert objs[2]["payload_encoding"] == "base64"
    assert base64.b64decode(objs[2]["payload"]) == b"\xff\x00\x01binary"
    for o in objs:
        assert o["qos"] == 0 and o["retain"] is False
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", o["ts"]), o["ts"]


def test_count_exits_zero_after_n(broker):
    t = unique("count")
    s = LiveSub(broker, "-t", f"{t}/#", "-C", "4").wait_ready()  # the probe is message 1
    for i in range(5):
        pub(broker, "-t", f"{t}/n", "-m", str(i))
        if s.proc.poll() is not None:
            break
    assert s.wait(timeout=30) == 0
    assert s.lines() == ["0", "1", "2"]


def test_timeout_exits_5(broker):
    t = unique("timeout")
    start = time.monotonic()
    out = sub(broker, "-t", f"{t}/#", "-W", "1.5")
    elapsed = time.monotonic() - start
    assert out.returncode == 5, out.stderr
    assert out.stdout == "" and out.stderr == "Timed out\n"  # as mosquitto_sub prints it
    assert elapsed >= 1.5 and elapsed < 20


def test_count_reached_before_timeout_exits_zero(broker):
    t = unique("countw")
    pub(broker, "-t", f"{t}/r", "-m", "kept", "-r")
    out = sub(broker, "-t", f"{t}/#", "-C", "1", "-W", "30")
    assert (out.returncode, out.stdout) == (0, "kept\n"), out.stderr


def test_retained_delivered_and_no_stale_skips_them(broker):
    t = unique("ret")
    pub(broker, "-t", f"{t}/old", "-m", "stale", "-r")
    out = sub(broker, "-t", f"{t}/#", "-v", "-C", "1", "-F", "%t %p %r")
    assert (out.returncode, out.stdout) == (0, f"{t}/old stale 1\n"), out.stderr

    s = LiveSub(broker, "-R", "-v", "-t", f"{t}/#", probe=False)
    # Ready once a live message shows; the retained one must never show.
    def got_live():
        pub(broker, "-t", f"{t}/live", "-m", "fresh")
        return any(b"fresh" in l for l in s.raw_lines())
    wait_until(got_live, timeout=30, interval=0.3, what="live message")
    s.stop()
    assert s.lines() and all(l == f"{t}/live fresh" for l in s.lines())


def test_retained_only_prints_retained_then_exits(broker):
    t = unique("retonly")
    pub(broker, "-t", f"{t}/a", "-m", "A", "-r")
    pub(broker, "-t", f"{t}/b", "-m", "B", "-r")
    out = sub(broker, "-t", f"{t}/#", "-v", "--retained-only", timeout=60)
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.splitlines()) == [f"{t}/a A", f"{t}/b B"]


def test_filter_out(broker):
    t = unique("filt")
    s = LiveSub(broker, "-v", "-t", f"{t}/#", "-T", f"{t}/noisy/#").wait_ready()
    pub(broker, "-t", f"{t}/noisy/x", "-m", "no")
    pub(broker, "-t", f"{t}/quiet", "-m", "yes")
    lines = s.wait_lines(1)
    pub(broker, "-t", f"{t}/quiet2", "-m", "yes2")
    lines = s.wait_lines(2)
    s.stop()
    assert lines == [f"{t}/quiet yes", f"{t}/quiet2 yes2"]


def test_qos_levels(broker):
    t = unique("qos")
    for sub_qos in (0, 1, 2):
        s = LiveSub(broker, "-q", sub_qos, "-t", f"{t}/{sub_qos}/#", "-F", "%t %q %p").wait_ready()
        for pub_qos in (0, 1, 2):
            pub(broker, "-t", f"{t}/{sub_qos}/p{pub_qos}", "-q", pub_qos, "-m", f"m{pub_qos}")
        lines = s.wait_lines(3)
        s.stop()
        assert lines == [f"{t}/{sub_qos}/p{q} {min(q, sub_qos)} m{q}" for q in (0, 1, 2)]


def test_mqtt5_user_property(broker):
    t = unique("v5")
    s = LiveSub(broker, "-V", "mqttv5", "-t", f"{t}/#", "-F", "%t %P %p").wait_ready()
    j = LiveSub(broker, "-V", "mqttv5", "-t", f"{t}/#", "--json").wait_ready()
    pub(broker, "-V", "mqttv5", "-t", f"{t}/a", "-m", "x", "-D", "publish", "user-property", "site", "lab 1")
    assert s.wait_lines(1) == [f"{t}/a site:lab 1 x"]
    obj = json.loads(j.wait_lines(1)[0])
    s.stop()
    j.stop()
    assert obj["user_properties"] == [["site", "lab 1"]] and obj["payload"] == "x"


def test_shared_subscription_splits_without_duplicates(broker):
    t = unique("share")
    a = LiveSub(broker, "-q", "1", "-t", f"$share/g/{t}/#").wait_ready()
    b = LiveSub(broker, "-q", "1", "-t", f"$share/g/{t}/#").wait_ready()
    pub(broker, "-q", "1", "-t", f"{t}/n", "-l", input="".join(f"{i}\n" for i in range(40)))
    wait_until(lambda: len(a.lines()) + len(b.lines()) >= 40, what="40 shared messages")
    a.stop()
    b.stop()
    got = a.lines() + b.lines()
    assert sorted(got, key=int) == [str(i) for i in range(40)]
    assert a.lines() and b.lines()


def test_last_will_on_sigkill(broker):
    t = unique("will")
    watcher = LiveSub(broker, "-v", "-t", f"{t}/status").wait_ready()
    dying = LiveSub(broker, "-t", f"{t}/other", "--will-topic", f"{t}/status",
                    "--will-payload", "offline", "--will-qos", "1").wait_ready()
    dying.proc.send_signal(signal.SIGKILL)
    assert dying.wait() == -signal.SIGKILL
    lines = watcher.wait_lines(1, timeout=60)
    watcher.stop()
    assert lines == [f"{t}/status offline"]


def test_sigterm_exits_130(broker):
    t = unique("sigterm")
    s = LiveSub(broker, "-t", f"{t}/#").wait_ready()
    s.proc.send_signal(signal.SIGTERM)
    assert s.wait(timeout=30) == 130


@pytest.mark.parametrize("session", [[], ["-c", "-i", "iotctl-cut-sub"]], ids=["clean", "persistent"])
def test_a_subscribe_cut_off_before_its_suback_ends_sub_with_an_error(broker, session):
    """sub never waits for good for a SUBACK that cannot come (Paho keeps a persistent session's
    request pending across the reconnect): it says the connection was lost and exits 1."""
    with CuttableRelay(broker.port, cut_at_subscribe=1) as cutter:
        out = iotctl("sub", "-p", cutter.port, *session, "-t", unique("cut") + "/#", timeout=30)
    assert cutter.cut_at_subscribe == 1
    assert out.returncode == 1, out.stderr
    last = out.stderr.splitlines()[-1]
    assert last == "iotctl: error: subscribe failed: the connection was lost before the " \
        "broker's SUBACK", out.stderr


def test_a_full_disk_on_stdout_ends_sub_with_the_reason(broker):
    """mosquitto_sub goes on writing into nothing; sub ends with exit 1 and says why (a closed
    pipe, as `| head` leaves, is still a quiet exit 0)."""
    t = unique("fullout")
    pub(broker, "-t", f"{t}/a", "-m", "kept", "-r")
    with open("/dev/full", "w") as full:
        r = run([IOTCTL, "sub", "-p", str(broker.port), "-t", f"{t}/#", "-C", "1"], stdout=full,
                stderr=subprocess.PIPE, text=True, timeout=30)
    assert (r.returncode, r.stderr) == (
        1, "iotctl: error: writing stdout failed: No space left on device\n")
    pub(broker, "-t", f"{t}/a", "-n", "-r")
