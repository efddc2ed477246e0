"""The third device family: RabbitMQ's MQTT plugin (MQTT 3.1.1, QoS 0 and 1; topic a/b is routing
key a.b on amq.topic). sub and pub against it, AMQP (pika) to `iotctl sub` and `iotctl pub` to
AMQP, `-V mqttv5` refused with a hint, and what `retained` can do there: an exact topic is
listed and cleared; under a wildcard the plugin sends no retained message at all."""
import time

import pika
import pytest

from harness import iotctl
from live_sub import LiveSub, pub, sub, unique


def test_sub_receives_pub_at_qos_0_and_1(rabbitmq):
    t = unique("rmq")
    s = LiveSub(rabbitmq, "-v", "-q", "1", "-F", "%t %q %p", "-t", f"{t}/#").wait_ready()
    pub(rabbitmq, "-t", f"{t}/a", "-m", "zero", "-q", "0")
    pub(rabbitmq, "-t", f"{t}/b/c", "-m", "one", "-q", "1")
    lines = s.wait_lines(2)
    s.stop()
    assert lines == [f"{t}/a 0 zero", f"{t}/b/c 1 one"]


def test_pub_many_lines_at_qos_1_all_arrive(rabbitmq):
    t = unique("rmql")
    s = LiveSub(rabbitmq, "-q", "1", "-t", f"{t}/n").wait_ready()
    out = pub(rabbitmq, "-t", f"{t}/n", "-l", "-q", "1", input="".join(f"{i}\n" for i in range(500)))
    assert out.returncode == 0
    lines = s.wait_lines(500)
    s.stop()
    assert lines == [str(i) for i in range(500)]


def test_amqp_publish_to_amq_topic_reaches_iotctl_sub(rabbitmq):
    t = unique("rmqa")
    s = LiveSub(rabbitmq, "-v", "-t", f"{t}/+/temp").wait_ready()
    conn = pika.BlockingConnection(pika.URLParameters(rabbitmq["AMQP_URL"]))
    try:
        ch = conn.channel()
        ch.basic_publish(exchange="amq.topic", routing_key=t.replace("/", ".") + ".lab.temp",
                         body=b"21.5")
        ch.basic_publish(exchange="amq.topic", routing_key=t.replace("/", ".") + ".lab.hum",
                         body=b"40")
    finally:
        conn.close()
    s.wait_lines(1)
    time.sleep(0.2)  # a wrongly routed second message would show up by now
    s.stop()
    assert s.lines() == [f"{t}/lab/temp 21.5"]


def test_iotctl_pub_reaches_an_amqp_queue_bound_to_the_routing_key(rabbitmq):
    t = unique("rmqb")
    key = t.replace("/", ".")
    conn = pika.BlockingConnection(pika.URLParameters(rabbitmq["AMQP_URL"]))
    try:
        ch = conn.channel()
        queue = ch.queue_declare(queue="", exclusive=True).method.queue
        ch.queue_bind(queue=queue, exchange="amq.topic", routing_key=f"{key}.#")
        pub(rabbitmq, "-t", f"{t}/A/sensor/data", "-m", '{"temperature":21}', "-q", "1")
        got = []
        for method, _props, body in ch.consume(queue, inactivity_timeout=20):
            if method is None:
                break
            got.append((method.routing_key, body))
            ch.basic_ack(method.delivery_tag)
            break
        ch.cancel()
    finally:
        conn.close()
    assert got == [(f"{key}.A.sensor.data", b'{"temperature":21}')]


@pytest.mark.parametrize("command", [["sub", "-t", "a", "-C", "1"], ["pub", "-t", "a", "-m", "x"],
                                     ["expect", "-t", "a", "-W", "5"], ["retained", "ls", "a"],
                                     ["simulate-hexaboard", "--boards", "A", "--duration", "2"]])
def test_mqttv5_to_a_311_only_broker_says_refused_and_suggests_mqttv311(rabbitmq, command):
    out = iotctl(*command, "-h", "127.0.0.1", "-p", rabbitmq.port, "-V", "mqttv5", timeout=60)
    assert out.returncode == 4, out.stderr
    assert "refused the connection" in out.stderr
    assert "does not accept MQTT 5" in out.stderr and "-V mqttv311" in out.stderr


def test_retained_exact_topic_is_listed_and_cleared(rabbitmq):
    t = unique("rmqr")
    pub(rabbitmq, "-t", f"{t}/A/status", "-m", "online", "-r", "-q", "1")
    out = iotctl("retained", "ls", f"{t}/A/status", "-h", "127.0.0.1", "-p", rabbitmq.port)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [f"{t}/A/status", "6", "B", "-", "online"]
    cleared = iotctl("retained", "clear", f"{t}/A/status", "-h", "127.0.0.1", "-p", rabbitmq.port)
    assert cleared.returncode == 0, cleared.stderr
    assert "none left" in cleared.stderr
    again = sub(rabbitmq, "-t", f"{t}/A/status", "--retained-only", "-W", "3")
    assert again.stdout == ""


def test_retained_under_a_wildcard_rabbitmq_sends_none_so_clear_clears_nothing(rabbitmq):
    """RabbitMQ 3.10's MQTT plugin keeps one retained message per topic but delivers it only to a
    subscription to that exact topic: under 'x/#' or 'x/+/y' it sends nothing, so `retained`
    sees nothing there (and says why that may be), and the message stays."""
    t = unique("rmqw")
    pub(rabbitmq, "-t", f"{t}/A/status", "-m", "online", "-r", "-q", "1")
    for wildcard in (f"{t}/#", f"{t}/+/status"):
        out = iotctl("retained", "ls", wildcard, "-h", "127.0.0.1", "-p", rabbitmq.port)
        assert (out.returncode, out.stdout) == (0, ""), out.stderr
        assert "RabbitMQ" in out.stderr and "exact topic" in out.stderr
    cleared = iotctl("retained", "clear", f"{t}/#", "-h", "127.0.0.1", "-p", rabbitmq.port)
    assert (cleared.returncode, cleared.stdout) == (0, ""), cleared.stderr
    assert "nothing to clear" in cleared.stderr
    still = iotctl("retained", "ls", f"{t}/A/status", "-h", "127.0.0.1", "-p", rabbitmq.port)
    assert still.stdout.split()[0] == f"{t}/A/status"
    # sub --retained-only sees the same: nothing under the wildcard, the message on the exact topic.
    assert sub(rabbitmq, "-t", f"{t}/#", "--retained-only", "-W", "2").stdout == ""
    assert sub(rabbitmq, "-t", f"{t}/A/status", "--retained-only", "-W", "3").stdout == "online\n"
