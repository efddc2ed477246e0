"""`iotctl pub` against a real Mosquitto: sources (-m -f -s -n -l --jsonl), retain, repeat, rate,
no lost lines at QoS 1, lines of any length, and bad input with exact messages and exit codes."""
import base64
import json
import subprocess
import threading
import time

from harness import IOTCTL, Service, iotctl, popen, run, spawn, wait_until
from live_sub import LiveSub, pub, sub, unique
from tcp_cut import CuttableRelay


def test_file_stdin_and_null_message(broker, tmp_path):
    t = unique("src")
    blob = bytes(range(256)) * 4
    (tmp_path / "blob.bin").write_bytes(blob)
    s = LiveSub(broker, "--json", "-t", f"{t}/#").wait_ready()
    pub(broker, "-t", f"{t}/file", "-f", tmp_path / "blob.bin")
    pub(broker, "-t", f"{t}/stdin", "-s", input=b"line one\nline two\n")
    pub(broker, "-t", f"{t}/null", "-n")
    pub(broker, "-t", f"{t}/empty", "-m", "")  # as mosquitto_pub: an empty payload, not an error
    lines = s.wait_lines(4)
    s.stop()
    objs = [json.loads(l) for l in lines]
    assert [o["topic"] for o in objs] == [f"{t}/file", f"{t}/stdin", f"{t}/null", f"{t}/empty"]
    assert objs[3]["payload"] == ""
    assert base64.b64decode(objs[0]["payload"]) == blob
    assert objs[1]["payload"] == "line one\nline two\n"
    assert objs[2]["payload"] == ""


def test_retain_flag(broker):
    t = unique("retain")
    pub(broker, "-t", f"{t}/a", "-m", "kept", "-r")
    out = sub(broker, "-t", f"{t}/#", "-C", "1", "-F", "%r %p")
    assert (out.returncode, out.stdout) == (0, "1 kept\n"), out.stderr


def test_repeat_and_rate(broker):
    t = unique("rate")
    s = LiveSub(broker, "-t", f"{t}/#").wait_ready()
    start = time.monotonic()
    pub(broker, "-t", f"{t}/r", "-m", "tick", "--repeat", "10", "--rate", "20/s")
    elapsed = time.monotonic() - start
    assert s.wait_lines(10) == ["tick"] * 10
    # 10 messages at 20/s: the last one is due 0.45 s after the first.
    assert elapsed >= 0.45, elapsed
    pub(broker, "-t", f"{t}/r", "-m", "tock", "--repeat", "3")
    assert s.wait_lines(13)[10:] == ["tock"] * 3
    s.stop()


def test_lines_qos1_none_lost(broker):
    t = unique("lines")
    n = 20000
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#").wait_ready()
    data = "".join(f'{{"seq":{i},"board":"A","temperature":25.5}}\n' for i in range(n))
    out = pub(broker, "-t", f"{t}/bulk", "-q", "1", "-l", input=data, timeout=300)
    assert out.returncode == 0 and out.stderr == ""
    lines = s.wait_lines(n, timeout=180)
    s.stop()
    assert len(lines) == n
    assert [json.loads(l)["seq"] for l in lines] == list(range(n))


def test_lines_huge_line_and_no_final_newline(broker):
    t = unique("huge")
    big = "x" * (1 << 20)
    s = LiveSub(broker, "-t", f"{t}/#", "-F", "%l %.10p").wait_ready()
    pub(broker, "-t", f"{t}/big", "-l", input=f"first\n{big}\n\nlast-without-newline")
    lines = s.wait_lines(4)
    s.stop()
    assert lines == ["5 first", f"{1 << 20} xxxxxxxxxx", "0 ", "20 last-witho"]


def test_big_lines_at_qos_1_are_all_acknowledged(broker):
    # An 8 MB publish does not fit the socket at once; Paho C's synchronous client then reads
    # packets until it is written, and the broker's PUBACK for it could arrive meanwhile: Paho
    # freed the message and then read its packet id from it (pub crashed, SIGSEGV, every time).
    t = unique("bigq1")
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#", "-F", "%l").wait_ready()
    big = "y" * (8 << 20)
    out = pub(broker, "-t", f"{t}/big", "-q", "1", "-l", input=f"{big}\n" * 6, check=False)
    assert out.returncode == 0, out.stderr
    assert s.wait_lines(6, timeout=120) == [str(8 << 20)] * 6
    s.stop()


def test_lines_from_pipe_until_eof(broker):
    t = unique("pipe")
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#").wait_ready()
    proc = popen([IOTCTL, "pub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", f"{t}/p",
                  "-q", "1", "-l"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"one\n")
    proc.stdin.flush()
    assert s.wait_lines(1) == ["one"]  # sent while the pipe is still open
    proc.stdin.write(b"two\nthree")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert s.wait_lines(3) == ["one", "two", "three"]
    s.stop()


def test_lines_from_a_slow_pipe_are_not_held_back(broker):
    """pub -l in a pipeline sends each line as it comes: a line written alone is not held back
    for more to come (as a TCP cork or a batching writer would, up to 200 ms in the kernel)."""
    t = unique("slowpipe")
    s = LiveSub(broker, "-t", f"{t}/#").wait_ready()
    proc = popen([IOTCTL, "pub", "-h", "127.0.0.1", "-p", str(broker.port), "-t", f"{t}/p",
                  "-l"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    start = time.monotonic()
    for i in range(10):
        proc.stdin.write(b"line %d\n" % i)
        proc.stdin.flush()
        s.wait_lines(i + 1)
    elapsed = time.monotonic() - start
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert s.lines() == [f"line {i}" for i in range(10)]
    # Held back 200 ms each, the ten would take 2 s.
    assert elapsed < 1.2, f"10 lines, each sent once the previous arrived, took {elapsed:.2f} s"
    s.stop()


def test_idle_stdin_keeps_the_connection_alive(broker):
    # pub writes in its own thread (Paho C's synchronous client, which sends nothing unless
    # called); with nothing to send for several keepalive periods it must still ping, or a broker
    # drops the connection (after 1.5 keepalives) and the next line needs a reconnect.
    t = unique("idle")
    s = LiveSub(broker, "-q", "1", "-t", f"{t}/#").wait_ready()
    relay = CuttableRelay(broker.port)
    proc = popen([IOTCTL, "pub", "-h", "127.0.0.1", "-p", str(relay.port), "-t", f"{t}/p",
                  "-q", "1", "-l", "-k", "1"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(b"before\n")
    proc.stdin.flush()
    assert s.wait_lines(1) == ["before"]
    wait_until(lambda: relay.forwarded_from_clients > 0, timeout=10, what="pub's bytes")
    sent_before_idle = relay.forwarded_from_clients
    try:  # stdin stays open and quiet for 3.5 keepalive periods: pub must simply wait
        proc.wait(timeout=3.5)
        raise AssertionError("pub exited while stdin was still open")
    except subprocess.TimeoutExpired:
        pass
    # Only PINGREQs (2 bytes each) go out while idle: one per keepalive period.
    assert relay.forwarded_from_clients - sent_before_idle >= 4
    proc.stdin.write(b"after\n")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    err = proc.stderr.read().decode()
    assert "lost the broker" not in err and "reconnect" not in err, err
    assert s.wait_lines(2) == ["before", "after"]
    s.stop()


def test_jsonl_round_trip_from_sub_json(broker):
    src, dst = unique("rt-src"), unique("rt-dst")
    payloads = [(f"{src}/a", b'{"board":"A","temperature":25}'), (f"{src}/b/c", b"online"),
                (f"{src}/bin", b"\x00\xff\xfe raw"), (f"{src}/empty", b"")]
    capture = LiveSub(broker, "--json", "-q", "1", "-t", f"{src}/#").wait_ready()
    for topic, payload in payloads:
        pub(broker, "-t", topic, "-q", "1", "-s", input=payload)
    recorded = capture.wait_lines(len(payloads))
    capture.stop()
    # Rewrite the topics so the replay lands under dst/, then publish all lines over one connection.
    replay_lines = []
    for line in recorded:
        obj = json.loads(line)
        obj["topic"] = obj["topic"].replace(src, dst, 1)
        replay_lines.append(json.dumps(obj))
    check = LiveSub(broker, "--json", "-q", "1", "-t", f"{dst}/#").wait_ready()
    pub(broker, "--jsonl", input="\n".join(replay_lines) + "\n")
    got = [json.loads(l) for l in check.wait_lines(len(payloads))]
    check.stop()
    assert [o["topic"] for o in got] == [t.replace(src, dst, 1) for t, _ in payloads]
    for obj, (_, payload) in zip(got, payloads):
        if obj.get("payload_encoding") == "base64":
            assert base64.b64decode(obj["payload"]) == payload
        elif isinstance(obj["payload"], str):
            assert obj["payload"].encode() == payload
        else:
            assert obj["payload"] == json.loads(payload)
        assert obj["qos"] == 1


def test_jsonl_broken_line_is_reported_and_the_rest_published(broker):
    t = unique("broken")
    s = LiveSub(broker, "-v", "-t", f"{t}/#").wait_ready()
    lines = [json.dumps({"topic": f"{t}/a", "payload": "1"}), '{"topic": "x", "payload":',
             json.dumps({"payload": "no topic"}), json.dumps({"topic": f"{t}/b", "payload": "2"})]
    out = pub(broker, "--jsonl", input="\n".join(lines) + "\n", check=False)
    assert out.returncode == 1
    assert out.stderr == ("iotctl: warning: stdin line 2 skipped: invalid JSON at byte 26: syntax error while parsing "
                          "value - unexpected end of input; expected '[', '{', or a literal\n"
                          "iotctl: warning: stdin line 3 skipped: missing string \"topic\"\n"
                          "iotctl: error: 2 of 4 stdin lines were not valid messages and were not published\n")
    assert s.wait_lines(2) == [f"{t}/a 1", f"{t}/b 2"]
    s.stop()


def test_bad_input_exact_errors(broker):
    cases = [
        (["-t", "a", "-f", "/nonexistent"], 1,
         "iotctl: error: cannot read file '/nonexistent': No such file or directory\n"),
        (["-t", "a", "-m", "x", "-q", "3"], 2, "iotctl: error: invalid QoS 3 for -q: expected 0, 1 or 2\n"),
        (["-t", "a/+", "-m", "x"], 2,
         "iotctl: error: invalid topic 'a/+': wildcards are not allowed when publishing\n"),
        (["-t", "a"], 2, "iotctl: error: nothing to publish: give one of -m, -f, -s, -l, -n or --jsonl\n"),
        (["-m", "x"], 2, "iotctl: error: no topic given: use -t TOPIC\n"),
        (["-t", "a", "-m", "x", "--bogus"], 2,
         "iotctl: error: The following argument was not expected: --bogus\nRun 'iotctl pub --help' for usage.\n"),
        (["-t", "a", "-m", "x", "-V", "mqttv311", "-D", "publish", "user-property", "k", "v"], 2,
         "iotctl: error: -D needs MQTT 5, but -V asks for mqttv311: leave -V out or give -V mqttv5\n"),
        (["-t", "a", "-m", "x", "-D", "subscribe", "user-property", "k", "v"], 2,
         "iotctl: error: invalid -D command 'subscribe': expected one of connect, disconnect, "
         "publish, will\n"),
        (["-t", "a", "-m", "x", "-D", "publish", "topic-alias", "0"], 2,
         "iotctl: error: invalid -D topic-alias value '0': expected 1 to 65535\n"),
        (["-t", "a", "-m", "x", "--rate", "1e-10"], 2,
         "iotctl: error: invalid rate '1e-10' for --rate: too slow, at most one day between "
         "messages\n"),
        (["-t", "a", "-m", "x", "--rate", "0x10"], 2,
         "iotctl: error: invalid rate '0x10' for --rate: expected a positive number\n"),
        (["-t", "a", "-m", "x", "--rate", " 5"], 2,
         "iotctl: error: invalid rate ' 5' for --rate: expected a positive number\n"),
        (["-t", "a", "-m", "x", "-D", "publish", "receive-maximum", "5"], 2,
         "iotctl: error: invalid -D publish property 'receive-maximum': publish takes content-type, "
         "correlation-data, message-expiry-interval, payload-format-indicator, response-topic, "
         "topic-alias, user-property\n"),
    ]
    for args, code, stderr in cases:
        out = pub(broker, *args, check=False)
        assert (out.returncode, out.stderr) == (code, stderr), args


def test_sigterm_during_a_rate_wait_ends_pub_at_once_and_sends_nothing_more(broker):
    t = unique("ratewait")
    s = LiveSub(broker, "-t", f"{t}/#").wait_ready()
    p = spawn("pub", "-h", "127.0.0.1", "-p", broker.port, "-t", f"{t}/x", "-l", "--rate", "1/h",
              stdin=subprocess.PIPE)
    p.stdin.write(b"first\nsecond\n")
    p.stdin.flush()
    assert s.wait_lines(1) == ["first"]
    time.sleep(0.3)  # pub is now waiting an hour for the second line's turn
    started = time.monotonic()
    p.terminate()
    _, err = p.communicate(timeout=10)
    assert time.monotonic() - started < 2, err
    assert p.returncode == 130, err
    assert "interrupted after 1 messages were delivered" in err.decode()
    time.sleep(0.3)
    s.stop()
    assert s.lines() == ["first"]


def test_a_broker_that_drops_the_link_after_each_send_is_given_up_on(broker):
    """Mosquitto closes the connection of a client that publishes to a $SYS topic; pub used to
    reconnect and send the message again for good, each reconnect "successful"."""
    started = time.monotonic()
    out = pub(broker, "-t", "$SYS/iotctl-test", "-m", "hi", "-q", "1", check=False, timeout=60)
    assert time.monotonic() - started < 20
    assert out.returncode == 1, out.stderr
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("iotctl: error: the broker closed the connection 6 times in a row with "
                           "nothing acknowledged in between (oldest unacknowledged: "
                           "'$SYS/iotctl-test'); it may refuse what is sent"), out.stderr


def test_a_publish_the_broker_refuses_with_a_reason_code_fails(broker):
    """MQTT 5: Mosquitto answers a publish to $SYS with PUBACK 135 (Not authorized), then
    closes the connection; the refusal must not end in exit 0."""
    out = pub(broker, "-t", "$SYS/iotctl-test", "-m", "hi", "-q", "1", "-V", "mqttv5", check=False,
              timeout=60)
    assert out.returncode == 1, out.stderr
    assert out.stderr.strip().splitlines()[-1] == (
        "iotctl: error: publish failed: the broker refused it (Not authorized), 0 not sent"), out.stderr


def test_non_utf8_topic_refused(broker):
    out = run([IOTCTL.encode(), b"pub", b"-p", str(broker.port).encode(), b"-t", b"bad\xfftopic",
               b"-m", b"x"], capture_output=True, timeout=30)
    assert (out.returncode, out.stderr) == (2, b"iotctl: error: topic is not valid UTF-8\n")


def test_pub_goes_on_through_two_broker_restarts():
    # mosquitto_pub reconnects and goes on; pub used to exit 1 with "[-3]: Disconnected" at the
    # first restart. Lines not acknowledged before the restart are sent again afterwards.
    broker = Service("mosquitto", "--persistence").start()
    try:
        counter = popen(["mosquitto_sub", "-p", str(broker.port), "-t", "load/restart", "-q", "1",
                         "-c", "-i", "pub-restart-counter"], stdout=subprocess.PIPE)
        received = []
        threading.Thread(target=lambda: received.extend(counter.stdout), daemon=True).start()
        wait_until(lambda: iotctl("pub", "-p", broker.port, "-t", "load/restart", "-q", "1",
                                  "-m", "0").returncode == 0 and len(received) > 0,
                   timeout=30, what="the counting subscriber")
        pub = spawn("pub", "-p", broker.port, "-t", "load/restart", "-l", "-q", "1",
                    "--rate", "500/s", stdin=subprocess.PIPE)
        pub.stdin.write("".join(f"{i}\n" for i in range(1, 3001)).encode())
        pub.stdin.close()
        for part in (800, 1600):
            wait_until(lambda: len(received) >= part, timeout=60, what=f"{part} lines")
            broker.restart()
        assert pub.wait(timeout=120) == 0, pub.stderr.read().decode()
        log = pub.stderr.read().decode()
        assert log.count("reconnected after") == 2, log
        wait_until(lambda: {l.strip() for l in received} >= {str(i).encode() for i in range(1, 3001)},
                   timeout=60, what="every line at the subscriber")
    finally:
        broker.stop()


def test_pub_gives_up_after_the_reconnect_timeout_and_says_what_was_sent():
    broker = Service("mosquitto").start()
    try:
        live = LiveSub(broker, "-t", "load/gone").wait_ready()
        pub = spawn("pub", "-p", broker.port, "-t", "load/gone", "-l", "-q", "1",
                    "--rate", "200/s", "--reconnect-timeout", "2", stdin=subprocess.PIPE)
        pub.stdin.write("".join(f"{i}\n" for i in range(1, 2001)).encode())
        pub.stdin.flush()
        live.wait_lines(20)  # some lines went out; then the broker stops for good
        live.stop()
    finally:
        broker.stop()
    pub.stdin.close()
    assert pub.wait(timeout=60) == 1
    err = pub.stderr.read().decode()
    assert "gave up after 2 s without the broker" in err, err
    assert "messages acknowledged" in err and "sent but not acknowledged" in err, err
    assert "and the rest of stdin not sent" in err, err
