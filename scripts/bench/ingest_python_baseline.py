#!/usr/bin/python3
"""The approach iotctl ingest replaces: paho-mqtt + one synchronous InfluxDB write per message.
Usage: ingest_python_baseline.py PORT INFLUX_PORT DB COUNT
Consumes COUNT messages of its persistent session (client id py-baseline) and prints
messages/second from the first message to the last. COUNT 0 only creates the session: it
subscribes and disconnects, so that the broker queues the stream for a later run."""
import json
import sys
import time

import paho.mqtt.client as mqtt
from influxdb import InfluxDBClient

port, influx_port, db, count = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
influx = InfluxDBClient("127.0.0.1", influx_port, database=db)
influx.create_database(db)
state = {"n": 0, "start": None, "end": None}


def on_message(client, userdata, msg):
    if state["n"] >= count:
        return
    d = json.loads(msg.payload)
    if state["start"] is None:
        state["start"] = time.monotonic()
    influx.write_points([{"measurement": "hexaboard_py", "tags": {"board": d["board"]},
                          "fields": {"temperature": float(d["temperature"]),
                                     "humidity": float(d["humidity"])}}])
    state["n"] += 1
    if state["n"] >= count:
        state["end"] = time.monotonic()
        client.disconnect()


def on_subscribe(client, userdata, mid, granted_qos):
    if count == 0:
        client.disconnect()


client = mqtt.Client(client_id="py-baseline", clean_session=False)
client.on_message = on_message
client.on_subscribe = on_subscribe
client.on_connect = lambda c, u, f, rc: c.subscribe("hexaboard/+/sensor/data", qos=1)
client.connect("127.0.0.1", port)
client.loop_forever()
if count > 0:
    print(f"{state['n'] / (state['end'] - state['start']):.0f}")
