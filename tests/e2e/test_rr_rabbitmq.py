"""`iotctl rr` against RabbitMQ's MQTT plugin (MQTT 3.1.1 only: no properties), matching replies
with --match-path: a responder that answers with the wrong id first, and a simulated board."""
import json
import re

from live_sub import JsonStream, LiveSub, pub, unique
from rr_helpers import reading_before, rr, rr_spawn, simulate


def test_match_path_ignores_another_id_and_prints_the_reply_with_ours(rabbitmq):
    t = unique("rrmq")
    requests = LiveSub(rabbitmq, "-t", f"{t}/req").wait_ready()
    proc = rr_spawn(rabbitmq, "-t", f"{t}/req", "-e", f"{t}/rep", "-m", '{"get":"reading"}',
                    "--match-path", "id", "-W", 30)
    request = json.loads(requests.wait_lines(1)[0])
    assert re.fullmatch(r"[0-9a-f]{16}", request["id"]), request
    pub(rabbitmq, "-t", f"{t}/rep", "-m", json.dumps({"id": "0" * 16, "t": 1}))
    pub(rabbitmq, "-t", f"{t}/rep", "-m", "not json")
    pub(rabbitmq, "-t", f"{t}/rep", "-m", json.dumps({"id": request["id"], "t": 2}))
    assert proc.wait(timeout=30) == 0
    assert json.loads(proc.stdout.read()) == {"id": request["id"], "t": 2}
    err = proc.stderr.read().decode()
    assert ("iotctl: rr: ignored 2 messages (1 not JSON, 1 with another --match-path value) on "
            f"{t}/rep") in err, err


def test_simulated_board_answers_through_rabbitmq(rabbitmq):
    p = unique("rrmqsim")
    data, reply = f"{p}/hexaboard/A/sensor/data", f"{p}/hexaboard/A/reply"
    simulate(rabbitmq, p, "--boards", "A", "--interval", 0.5)
    stream = JsonStream(rabbitmq, data, reply)
    stream.wait_for(data)  # the board subscribed to its control topic before it first reported
    r = rr(rabbitmq, "-t", f"{p}/hexaboard/A/control", "-e", reply, "-m", '{"get":"reading"}',
           "--match-path", "id", "-W", 10, "--count", 3)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(answers) == 3 and len({a["id"] for a in answers}) == 3
    assert re.search(r"3 of 3 requests answered: min \S+ ms", r.stderr), r.stderr
    stream.sync()
    reading, seen = reading_before(stream.all(), reply, data)
    assert seen["payload"] == answers[0]
    assert {k: v for k, v in answers[0].items() if k != "id"} == reading["payload"]


def test_mqtt5_is_refused_with_a_hint(rabbitmq):
    r = rr(rabbitmq, "-V", "mqttv5", "-t", "a", "-e", "b", "-m", "x", "-W", 1)
    assert r.returncode == 4, r.stderr
    assert "-V mqttv311" in r.stderr
