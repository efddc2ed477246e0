"""`iotctl rr` against a real Mosquitto: a test responder built from `sub -F '%R %D'` and `pub -D`,
simulated hexaboards (MQTT 5 Response Topic and Correlation Data; MQTT 3.1.1 with --match-path id)
and a simulated Tasmota gateway (`Status`). Every exit code, the timeout line, --latency and the
--count statistics."""
import json
import re
import signal

from harness import iotctl, wait_until
from live_sub import JsonStream, LiveSub, pub, unique
from rr_helpers import reading_before, rr, rr_spawn, simulate, wait_online


# -- a responder made of sub and pub ---------------------------------------------------------

def test_v5_ignores_a_reply_with_other_correlation_data_and_prints_the_right_one(broker):
    t = unique("rr")
    responder = LiveSub(broker, "-V", "mqttv5", "-t", f"{t}/req", "-F", "%R %D").wait_ready()
    proc = rr_spawn(broker, "-V", "mqttv5", "-t", f"{t}/req", "-e", f"{t}/rep",
                    "-m", '{"get":"reading"}', "-W", 30)
    response_topic, correlation = responder.wait_lines(1)[0].split(" ", 1)
    assert response_topic == f"{t}/rep"
    assert re.fullmatch(r"[0-9a-f]{16}", correlation), correlation
    pub(broker, "-V", "mqttv5", "-t", response_topic, "-m", "wrong",
        "-D", "publish", "correlation-data", "0000000000000000")
    pub(broker, "-V", "mqttv5", "-t", response_topic, "-m", "right",
        "-D", "publish", "correlation-data", correlation)
    assert proc.wait(timeout=30) == 0
    assert proc.stdout.read().decode() == "right\n"
    err = proc.stderr.read().decode()
    assert f"iotctl: rr: ignored 1 message (1 with other correlation data) on {t}/rep" in err, err


def test_v5_timeout_exit_5_says_what_it_ignored(broker):
    t = unique("rr")
    responder = LiveSub(broker, "-V", "mqttv5", "-t", f"{t}/req", "-F", "%R").wait_ready()
    proc = rr_spawn(broker, "-V", "mqttv5", "-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x",
                    "-W", 3)
    responder.wait_lines(1)
    pub(broker, "-V", "mqttv5", "-t", f"{t}/rep", "-m", "no properties")
    pub(broker, "-V", "mqttv5", "-t", f"{t}/rep", "-m", "stale",
        "-D", "publish", "correlation-data", "abc")
    assert proc.wait(timeout=30) == 5
    assert proc.stdout.read() == b""
    assert proc.stderr.read().decode() == (
        f"iotctl: rr: timed out after 3 s: no reply on {t}/rep; ignored 2 messages "
        "(1 without correlation data, 1 with other correlation data)\n")


def test_timeout_with_nothing_on_the_response_topic(broker):
    t = unique("rr")
    r = rr(broker, "-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "-W", 1)
    assert r.returncode == 5
    assert r.stdout == ""
    assert r.stderr == f"iotctl: rr: timed out after 1 s: no reply on {t}/rep\n"


def test_count_timeout_names_the_request_that_went_unanswered(broker):
    t = unique("rr")
    r = rr(broker, "-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "-W", 0.5, "--count", 2)
    assert r.returncode == 5
    assert r.stderr == f"iotctl: rr: timed out after 0.5 s: no reply on {t}/rep to request 1 of 2\n"


def test_unreadable_request_file_exit_1(broker, tmp_path):
    r = rr(broker, "-t", "a", "-e", "b", "-f", tmp_path / "missing.json", "-W", 1)
    assert r.returncode == 1
    assert "cannot read file" in r.stderr and "missing.json" in r.stderr


def test_retained_message_on_the_response_topic_is_not_the_reply(broker):
    t = unique("rr")
    pub(broker, "-t", f"{t}/rep", "-m", "old reply", "-r")
    r = rr(broker, "-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "-W", 1)
    assert r.returncode == 5
    assert r.stderr == (f"iotctl: rr: timed out after 1 s: no reply on {t}/rep; "
                        "ignored 1 message (1 retained)\n")


def test_usage_errors_exit_2(broker):
    t = unique("rr")
    cases = [
        (["-t", f"{t}/req", "-m", "x"], "no response topic given: use -e TOPIC"),
        (["-t", f"{t}/req", "-e", f"{t}/rep"], "no request to send"),
        (["-t", f"{t}/req", "-e", f"{t}/+", "-m", "x"], "-e:"),
        (["-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "--count", 0], "--count must be 1"),
        (["-t", f"{t}/req", "-e", f"{t}/rep", "-m", "not json", "--match-path", "id"],
         "--match-path needs a request payload that is a JSON object"),
        (["-t", f"{t}/req", "-e", f"{t}/rep", "-m", "{}", "--match-path", "a..b"],
         "--match-path 'a..b'"),
        (["-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "--json", "-F", "%p"], "--json and -F"),
        (["-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x", "-D", "publish", "correlation-data",
          "c"], "rr sets the correlation-data and response-topic of each request itself"),
    ]
    for args, message in cases:
        r = rr(broker, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr, (args, r.stderr)


def test_unreachable_broker_exit_3_and_refused_exit_4(broker):
    r = iotctl("rr", "-h", "127.0.0.1", "-p", 1, "-t", "a", "-e", "b", "-m", "x", "-W", 1)
    assert r.returncode == 3, r.stderr
    r = iotctl("rr", "-h", "127.0.0.1", "-p", broker["AUTH_PORT"], "-u", "alice", "-P", "wrong",
               "-t", "a", "-e", "b", "-m", "x", "-W", 1)
    assert r.returncode == 4, r.stderr


def test_interrupted_exit_130(broker):
    t = unique("rr")
    requests = LiveSub(broker, "-t", f"{t}/req").wait_ready()
    proc = rr_spawn(broker, "-t", f"{t}/req", "-e", f"{t}/rep", "-m", "x")  # no -W: waits
    requests.wait_lines(1)  # the request is out, so rr is waiting for its reply
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130


# -- simulated boards ------------------------------------------------------------------------

def test_board_answers_v5_with_its_current_reading_and_latency(broker):
    """iotctl rr -V mqttv5 -t hexaboard/A/control -e hexaboard/A/reply -m '{"get":"reading"}' -W 5"""
    p = unique("rrsim")
    data, reply = f"{p}/hexaboard/A/sensor/data", f"{p}/hexaboard/A/reply"
    simulate(broker, p, "-V", "mqttv5", "--boards", "A", "--interval", 0.5)
    wait_online(broker, f"{p}/hexaboard/A/status")
    stream = JsonStream(broker, data, reply)
    stream.wait_for(data)
    r = rr(broker, "-V", "mqttv5", "-t", f"{p}/hexaboard/A/control", "-e", reply,
           "-m", '{"get":"reading"}', "-W", 5, "--latency")
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert re.fullmatch(r"iotctl: rr: round trip \d+\.\d\d ms\n", r.stderr), r.stderr
    stream.sync()
    reading, seen = reading_before(stream.all(), reply, data)
    assert seen["payload"] == answer
    assert set(answer) == {"board", "temperature", "humidity", "light", "timestamp", "led"}
    for field in answer:  # field by field: the reading the board published last
        assert answer[field] == reading["payload"][field], field


def test_board_answers_v311_with_match_path_id_echoed(broker):
    """-V mqttv311 --match-path id: no properties; the board answers on hexaboard/<id>/reply."""
    p = unique("rrsim")
    data, reply = f"{p}/hexaboard/B/sensor/data", f"{p}/hexaboard/B/reply"
    simulate(broker, p, "--boards", "A,B", "--interval", 0.5)
    wait_online(broker, f"{p}/hexaboard/B/status")
    stream = JsonStream(broker, data, reply)
    stream.wait_for(data)
    requests = LiveSub(broker, "-t", f"{p}/hexaboard/B/control").wait_ready()
    r = rr(broker, "-V", "mqttv311", "-t", f"{p}/hexaboard/B/control", "-e", reply,
           "-m", '{"get":"reading"}', "--match-path", "id", "-W", 5, "-v")
    assert r.returncode == 0, r.stderr
    topic, payload = r.stdout.rstrip("\n").split(" ", 1)
    assert topic == reply
    answer = json.loads(payload)
    request = json.loads(requests.wait_lines(1)[0])
    assert request["get"] == "reading" and re.fullmatch(r"[0-9a-f]{16}", request["id"])
    assert answer["id"] == request["id"]
    stream.sync()
    reading, _ = reading_before(stream.all(), reply, data)
    assert {k: v for k, v in answer.items() if k != "id"} == reading["payload"]


def test_count_prints_every_reply_and_the_round_trip_statistics(broker):
    p = unique("rrsim")
    simulate(broker, p, "-V", "mqttv5", "--boards", "C", "--interval", 1)
    wait_online(broker, f"{p}/hexaboard/C/status")
    r = rr(broker, "-V", "mqttv5", "-t", f"{p}/hexaboard/C/control", "-e", f"{p}/rr/C",
           "-m", '{"get":"reading"}', "-W", 5, "--count", 20, "--json")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(lines) == 20
    assert all(l["topic"] == f"{p}/rr/C" and l["payload"]["board"] == "C" for l in lines)
    m = re.fullmatch(r"iotctl: rr: 20 of 20 requests answered: min (\S+) ms, p50 (\S+) ms, "
                     r"p99 (\S+) ms, max (\S+) ms \(20 round trips\)\n", r.stderr)
    assert m, r.stderr
    lo, p50, p99, hi = map(float, m.groups())
    assert 0 < lo <= p50 <= p99 <= hi < 5000


def test_malformed_requests_are_counted_and_readings_go_on(broker):
    p = unique("rrsim")
    data = f"{p}/hexaboard/A/sensor/data"
    sim = simulate(broker, p, "-V", "mqttv5", "--boards", "A", "--interval", 0.2)
    wait_online(broker, f"{p}/hexaboard/A/status")
    stream = JsonStream(broker, data)
    for bad in ["{not json", '{"get":"everything"}', '{"get":"reading","id":', "[]", ""]:
        pub(broker, "-t", f"{p}/hexaboard/A/control", "-m", bad)
    r = rr(broker, "-V", "mqttv5", "-t", f"{p}/hexaboard/A/control", "-e", f"{p}/rr/A",
           "-m", '{"get":"reading"}', "-W", 5, "--count", 50)  # answered between reports
    assert r.returncode == 0, r.stderr
    before = len(stream.all())
    wait_until(lambda: len(stream.all()) >= before + 3, timeout=20, what="more readings")
    sim.send_signal(signal.SIGTERM)
    assert sim.wait(timeout=30) == 0
    err = sim.stderr.read().decode()
    assert "50 replies" in err, err
    assert int(re.search(r"\((\d+) ignored\)", err).group(1)) == 5, err
    assert float(re.search(r"max lag (\S+) s", err).group(1)) < 1.0, err  # readings on time


def test_tasmota_gateway_answers_status(broker):
    p = unique("rrtas")
    gw = "gw-1"
    sensor, state = f"{p}/tele/{gw}/SENSOR", f"{p}/tele/{gw}/STATE"
    simulate(broker, p, "--profile", "tasmota", "--count", 1, "--interval", 1)
    wait_online(broker, f"{p}/tele/{gw}/LWT", "Online")
    stream = JsonStream(broker, sensor, state, f"{p}/stat/{gw}/+")
    stream.wait_for(state)  # STATE comes every fifth cycle
    cmnd = f"{p}/cmnd/{gw}/Status"

    r = rr(broker, "-t", cmnd, "-e", f"{p}/stat/{gw}/STATUS0", "-m", "0", "-W", 5)
    assert r.returncode == 0, r.stderr
    status0 = json.loads(r.stdout)
    assert list(status0) == ["Status", "StatusPRM", "StatusFWR", "StatusLOG", "StatusMEM",
                             "StatusNET", "StatusMQT", "StatusTIM", "StatusSNS", "StatusSTS"]
    assert status0["Status"]["Topic"] == gw and status0["Status"]["DeviceName"] == gw
    assert status0["StatusLOG"]["TelePeriod"] == 1
    assert status0["StatusMQT"]["MqttPort"] == broker.port
    assert status0["StatusMQT"]["MqttClient"].endswith(f"-{gw}")
    stream.sync()
    messages = stream.all()
    climate, seen = reading_before(
        [m for m in messages if m["topic"] != sensor or "SHTC3" in m["payload"]],
        f"{p}/stat/{gw}/STATUS0", sensor)
    health, _ = reading_before(messages, f"{p}/stat/{gw}/STATUS0", state)
    assert seen["payload"] == status0
    assert status0["StatusSNS"]["SHTC3"] == climate["payload"]["SHTC3"]
    for field in ["Temperature", "Humidity", "DewPoint"]:
        assert status0["StatusSNS"]["SHTC3"][field] == climate["payload"]["SHTC3"][field]
    assert status0["StatusSTS"]["Wifi"] == health["payload"]["Wifi"]
    assert status0["StatusSTS"]["Heap"] == health["payload"]["Heap"]
    assert status0["StatusSTS"]["LoadAvg"] == health["payload"]["LoadAvg"]

    r = rr(broker, "-t", cmnd, "-e", f"{p}/stat/{gw}/STATUS", "-n", "-W", 5)  # `Status` alone
    assert r.returncode == 0, r.stderr
    assert list(json.loads(r.stdout)) == ["Status"]
    assert json.loads(r.stdout)["Status"]["FriendlyName"] == [gw]

    r = rr(broker, "-t", f"{p}/cmnd/{gw}/STATUS", "-e", f"{p}/stat/{gw}/STATUS10", "-m", "10",
           "-W", 5)
    assert r.returncode == 0, r.stderr
    assert list(json.loads(r.stdout)) == ["StatusSNS"]

    r = rr(broker, "-t", f"{p}/cmnd/{gw}/TelePeriod", "-e", f"{p}/stat/{gw}/RESULT", "-m", "7",
           "-W", 5)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"TelePeriod": 7}
    r = rr(broker, "-t", cmnd, "-e", f"{p}/stat/{gw}/STATUS3", "-m", "3", "-W", 5)
    assert json.loads(r.stdout)["StatusLOG"]["TelePeriod"] == 7
