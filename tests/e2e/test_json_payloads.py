"""Hostile and large JSON payloads against a real Mosquitto: JSON nested 100,000 deep stops no
command, `sub --json | pub --jsonl` copies payloads byte for byte, csv-export keeps digits, and
--max-json-bytes carries large payloads as bytes with the reason."""
import binascii
import json
import os
import signal
import subprocess
import tempfile

from harness import IOTCTL, iotctl, spawn, wait_until
from ingest_helpers import stop, wait_ingest_ready
from live_sub import LiveSub, pub, unique

DEEP = "[" * 100000 + "]" * 100000
DEPTH_NOTE = "not decoded as JSON: nested deeper than 512 levels"

# Payloads whose bytes a JSON re-serialisation would change.
EXACT = [
    '{"n":123456789012345678901234567890,"f":1.10,"e":1E+2,"z":-0}',
    '{"z":1,"a":2,"m":{"y":[1,2,{"x":null}],"b":true}}',
    '{"s":"\\u00e9\\ud83d\\ude00 \\"q\\" \\\\ \\/","raw":"\u00e9\U0001F600"}',
    '{ "spaced" : [ 1.50 , 2 ] }',
    '123456789012345678901234567890',
    '"a JSON string"',
    '{"pretty": 1}\n',
]


def tmpdir():
    return tempfile.mkdtemp(prefix="iotctl-json-")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def record(broker, topic_prefix, payloads, path):
    """A SQLite capture (sub --record) of the payloads, published in order to topic_prefix/<i>
    (it also holds the subscriber's probe: read it with -t topic_prefix/#)."""
    s = LiveSub(broker, "-t", f"{topic_prefix}/#", "--record", path, "-F", "%t",
                "-C", len(payloads) + 1).wait_ready()  # the probe is a message too
    for i, payload in enumerate(payloads):
        pub(broker, "-t", f"{topic_prefix}/{i}", "-f", write(os.path.join(tmpdir(), "p"), payload))
    assert s.wait() == 0
    return path


def test_json_nested_100000_deep_stops_no_subscriber(broker):
    """mosquitto_pub -f of `[[[...]]]` 100,000 deep used to kill `sub --json` (SIGSEGV)."""
    t = unique("deep")
    s = LiveSub(broker, "--json", "-t", f"{t}/#").wait_ready()
    deep_file = write(os.path.join(tmpdir(), "deep.json"), DEEP)
    out = iotctl("pub", "-p", broker.port, "-t", f"{t}/x", "-f", deep_file)
    assert out.returncode == 0, out.stderr
    pub(broker, "-t", f"{t}/after", "-m", '{"ok":1}')
    lines = s.wait_lines(2)
    assert s.proc.poll() is None, f"sub --json died: {s.proc.returncode}"
    assert s.stop() == 130  # SIGTERM: interrupted, not a crash
    deep, after = (json.loads(l) for l in lines)
    assert deep["topic"] == f"{t}/x" and deep["payload"] == DEEP
    assert deep["payload_note"] == DEPTH_NOTE
    assert after["payload"] == {"ok": 1} and "payload_note" not in after


def test_deep_json_in_captures_lines_and_ingest_is_bytes_with_a_reason(broker):
    work = tmpdir()
    t = unique("deepall")
    capture = record(broker, t, [DEEP, '{"t":1}'], os.path.join(work, "deep.db"))
    # A JSON-lines capture and `pub --jsonl` input that embed the deep payload as JSON.
    lines = write(os.path.join(work, "deep.jsonl"),
                  '{"topic":"%s/line","payload":%s}\n{"topic":"%s/line","payload":{"t":2}}\n'
                  % (t, DEEP, t))

    for source in (capture, lines):
        out = iotctl("csv-export", source, "-t", f"{t}/#")
        assert out.returncode == 0, out.stderr
        rows = out.stdout.splitlines()
        assert rows[0] == "timestamp,topic,payload,t"
        assert rows[1].endswith("," + DEEP + ",")
        assert rows[2].split(",")[2:] in (["", "1"], ["", "2"])
        assert "1 payload was not decoded as JSON" in out.stderr
        assert "nested deeper than 512 levels" in out.stderr
        out = iotctl("csv-export", source, "-t", f"{t}/#", "--fields", "t")
        assert out.returncode == 0, out.stderr
        assert len(out.stdout.splitlines()) == 2  # the header and the one row with `t`
        out = iotctl("replay", source, "-t", f"{t}/#", "--dry-run", "--speed", "0")
        assert out.returncode == 0, out.stderr
        printed = [json.loads(l) for l in out.stdout.splitlines()]
        assert printed[0]["payload"] == DEEP and printed[0]["payload_note"] == DEPTH_NOTE

    # pub --jsonl publishes the deep payload as the bytes it is.
    s = LiveSub(broker, "-t", f"{t}/line", "-F", "%l").wait_ready()
    with open(lines) as f:
        out = iotctl("pub", "-p", broker.port, "--jsonl", input=f.read())
    assert out.returncode == 0, out.stderr
    assert s.wait_lines(2) == [str(len(DEEP)), '7']
    s.stop()

    # ingest: a dead letter with the reason, and it goes on storing.
    dead = os.path.join(work, "dead.jsonl")
    db = os.path.join(work, "ingest.db")
    proc = spawn("ingest", "-p", broker.port, "-t", f"{t}/ingest/#", "--sqlite", db,
                 "--state-dir", os.path.join(work, "state"), "--dead-letter", dead,
                 "--flush-interval", "0.2")
    wait_ingest_ready(proc)
    pub(broker, "-q", "1", "-t", f"{t}/ingest/a", "-f", write(os.path.join(work, "d"), DEEP))
    pub(broker, "-q", "1", "-t", f"{t}/ingest/b", "-m", '{"temperature":21.5}')
    wait_until(lambda: os.path.exists(dead) and os.path.getsize(dead) > len(DEEP),
               timeout=60, what="the dead letter")
    assert proc.poll() is None
    assert stop(proc, signal.SIGTERM) == 0
    with open(dead) as f:
        letters = [json.loads(l) for l in f]
    assert [l["reason"] for l in letters] == ["payload not decoded as JSON: nested deeper than 512 levels"]
    assert letters[0]["payload"] == DEEP


def test_sub_json_then_pub_jsonl_reproduces_payload_bytes(broker):
    t = unique("exact")
    s = LiveSub(broker, "--json", "-t", f"{t}/in/#").wait_ready()
    for i, payload in enumerate(EXACT):
        pub(broker, "-t", f"{t}/in/{i}", "-f", write(os.path.join(tmpdir(), "p"), payload))
    lines = s.wait_lines(len(EXACT))
    s.stop()
    # JSON payloads (not strings, on one line) stand in the line as they are.
    assert lines[0].endswith(',"payload":' + EXACT[0] + "}")
    assert lines[1].endswith(',"payload":' + EXACT[1] + "}")
    assert json.loads(lines[5])["payload"] == EXACT[5]
    # Into pub --jsonl, the topics renamed as text: the payload bytes are untouched.
    out_lines = [l.replace(f'"topic":"{t}/in/', f'"topic":"{t}/out/', 1) for l in lines]
    copy = LiveSub(broker, "-t", f"{t}/out/#", "-F", "%t %x").wait_ready()
    out = iotctl("pub", "-p", broker.port, "--jsonl", input="\n".join(out_lines) + "\n")
    assert out.returncode == 0, out.stderr
    got = dict(l.split(" ", 1) for l in copy.wait_lines(len(EXACT)))
    copy.stop()
    for i, payload in enumerate(EXACT):
        assert binascii.unhexlify(got[f"{t}/out/{i}"]) == payload.encode(), payload


def test_csv_export_keeps_the_digits(broker):
    work = tmpdir()
    t = unique("digits")
    payload = '{"n":123456789012345678901234567890,"f":1.10,"o":{"x":2.50}}'
    capture = record(broker, t, [payload], os.path.join(work, "digits.db"))
    s = LiveSub(broker, "--json", "-t", f"{t}/#").wait_ready()
    pub(broker, "-t", f"{t}/0", "-m", payload)
    jsonl = write(os.path.join(work, "digits.jsonl"), s.wait_lines(1)[0] + "\n")
    s.stop()
    for source in (capture, jsonl):
        out = iotctl("csv-export", source, "-t", f"{t}/#", "--no-topic", "--time-format", "unix")
        assert out.returncode == 0, out.stderr
        header, row = out.stdout.splitlines()
        assert header == "timestamp,n,f,o.x"
        assert row.split(",")[1:] == ["123456789012345678901234567890", "1.10", "2.50"]
        out = iotctl("csv-export", source, "-t", f"{t}/#", "--no-topic", "--fields", "n,f,o")
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines()[1].split(",", 1)[1] == \
            '123456789012345678901234567890,1.10,"{""x"":2.50}"'


def test_max_json_bytes_carries_larger_payloads_as_bytes(broker):
    work = tmpdir()
    t = unique("maxjson")
    big = json.dumps({"readings": list(range(600))}, separators=(",", ":"))  # about 2.3 KB
    note = f"not decoded as JSON: larger than --max-json-bytes ({len(big)} > 1024 bytes)"

    s = LiveSub(broker, "--json", "--max-json-bytes", "1KiB", "-t", f"{t}/#").wait_ready()
    pub(broker, "-t", f"{t}/big", "-m", big)
    pub(broker, "-t", f"{t}/small", "-m", '{"a":1}')
    big_line, small_line = (json.loads(l) for l in s.wait_lines(2))
    s.stop()
    assert big_line["payload"] == big and big_line["payload_note"] == note
    assert small_line["payload"] == {"a": 1}
    # The default (8 MiB) decodes it.
    s = LiveSub(broker, "--json", "-t", f"{t}/#").wait_ready()
    pub(broker, "-t", f"{t}/big", "-m", big)
    assert json.loads(s.wait_lines(1)[0])["payload"] == json.loads(big)
    s.stop()

    capture = record(broker, f"{t}/rec", [big], os.path.join(work, "big.db"))
    out = iotctl("csv-export", capture, "-t", f"{t}/rec/#", "--max-json-bytes", "1024")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "timestamp,topic,payload"
    assert f"larger than --max-json-bytes ({len(big)} > 1024 bytes)" in out.stderr
    out = iotctl("replay", capture, "-t", f"{t}/rec/#", "--dry-run", "--max-json-bytes", "1K")
    assert json.loads(out.stdout)["payload_note"] == note

    dead = os.path.join(work, "dead.jsonl")
    proc = spawn("ingest", "-p", broker.port, "-t", f"{t}/ingest/#", "--max-json-bytes", "1KiB",
                 "--sqlite", os.path.join(work, "ingest.db"), "--dead-letter", dead,
                 "--state-dir", os.path.join(work, "state"), "--flush-interval", "0.2")
    wait_ingest_ready(proc)
    pub(broker, "-q", "1", "-t", f"{t}/ingest/x", "-m", big)
    wait_until(lambda: os.path.exists(dead) and os.path.getsize(dead) > 0, timeout=60,
               what="the dead letter")
    assert stop(proc, signal.SIGTERM) == 0
    with open(dead) as f:
        letter = json.loads(f.readline())
    assert letter["payload"] == big
    assert letter["reason"] == f"payload not decoded as JSON: larger than --max-json-bytes ({len(big)} > 1024 bytes)"

    out = iotctl("sub", "-p", broker.port, "-t", "x", "--max-json-bytes", "lots")
    assert out.returncode == 2
    assert "invalid size 'lots' for --max-json-bytes" in out.stderr


def peak_rss(args, run):
    """Runs `iotctl ARGS` under /usr/bin/time through run(argv) and returns its peak RSS in bytes."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as f:
        run(["/usr/bin/time", "-f", "%M", "-o", f.name, IOTCTL, *map(str, args)])
        return int(open(f.name).read().split()[-1]) * 1024


def test_peak_memory_of_one_big_message_is_at_most_3x_the_payload(broker):
    """One 40 MB JSON message (more than --max-json-bytes): each command that decodes JSON needs
    at most about three times the payload above what it needs for a small message. (The bench
    scripts/bench/big_payload.sh measures the same with 100 MB.)"""
    work = tmpdir()
    t = unique("bigmem")
    size = 40_000_000
    item = '{"seq":1,"temperature":21.5,"note":"reading"},'
    big = '{"readings":[' + item * (size // len(item)) + '{}]}'
    payloads = {"small": '{"t":1}', "big": big}
    files = {k: write(os.path.join(work, k + ".json"), v) for k, v in payloads.items()}

    def sub_json(name):
        out = os.path.join(work, name + ".out")

        def run(argv):
            pub(broker, "-t", f"{t}/{name}/ready", "-m", "ready", "-r")
            with open(out, "wb") as f:
                proc = subprocess.Popen(argv, stdout=f)
            wait_until(lambda: os.path.getsize(out) > 0, what="sub --json to subscribe")
            pub(broker, "-q", "1", "-t", f"{t}/{name}/data", "-f", files[name])
            assert proc.wait(timeout=120) == 0
        return peak_rss(["sub", "-p", broker.port, "-t", f"{t}/{name}/#", "--json", "-C", 2], run)

    def ingest(name):
        dead = os.path.join(work, name + ".dead")

        def run(argv):
            proc = subprocess.Popen(argv + ["--dead-letter", dead], stderr=subprocess.PIPE)
            wait_ingest_ready(proc)
            pub(broker, "-q", "1", "-t", f"{t}/ingest/{name}", "-f", files[name])
            wait_until(lambda: os.path.exists(dead) and os.path.getsize(dead) > len(payloads[name]),
                       timeout=120, what="the dead letter")
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                os.kill(int(f.read().split()[0]), signal.SIGTERM)  # ingest, not /usr/bin/time
            assert proc.wait(timeout=120) == 0
        # A map whose rule wants a field the payloads lack: both are dead letters.
        rules = write(os.path.join(work, "map.toml"),
                      f'[[rule]]\nfilter = "{t}/ingest/#"\nmeasurement = "m"\nfields.absent = "float"\n')
        return peak_rss(["ingest", "-p", broker.port, "-i", f"bigmem-{name}", "--map", rules,
                         "--sqlite", os.path.join(work, name + ".sqlite"),
                         "--state-dir", os.path.join(work, "state"), "--flush-interval", "0.2"], run)

    captures = {k: record(broker, f"{t}/rec/{k}", [v], os.path.join(work, k + ".db"))
                for k, v in payloads.items()}

    def csv_export(name):
        return peak_rss(["csv-export", captures[name], "-t", f"{t}/rec/#", "-o",
                         os.path.join(work, name + ".csv")], lambda argv: subprocess.run(argv, check=True))

    def replay(name):
        return peak_rss(["replay", captures[name], "-t", f"{t}/rec/#", "-p", broker.port,
                         "--speed", "0", "--topic-rewrite", f"{t}/rec/=replayed/"],
                        lambda argv: subprocess.run(argv, check=True, stderr=subprocess.DEVNULL))

    ratios = {}
    for command in (sub_json, csv_export, replay, ingest):
        ratios[command.__name__] = (command("big") - command("small")) / len(big)
    print("(peak - small-message peak) / payload:", ratios)
    assert all(r <= 3.25 for r in ratios.values()), ratios
