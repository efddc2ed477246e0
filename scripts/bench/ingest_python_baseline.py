#!/usr/bin/python3
"""The approach iotctl ingest replaces: paho-mqtt + one synchronous InfluxDB write per message.
Usage: ingest_python_baseline.py PORT INFLUX_PORT DB COUNT  (prints messages/second)"""
import json
import sys
import time

import paho.mqtt.client as mqtt
from influxdb import InfluxDBClient

port, influx_port, db, count = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
influx = InfluxDBClient("127.0.0.1", influx_port, database=db)
influx.create_database(db)
state = {"n": 0, "start": None}


def on_message(client, userdata, msg):
    d = json.loads(msg.payload)
    if state["start"] is None:
        state["start"] = time.monotonic()
    influx.write_points([{"measurement": "hexaboard_py", "tags": {"board": d["board"]},
                          "fields": {"temperature": float(d["temperature"]),
                                     "humidity": float(d["humidity"])}}])
    state["n"] += 1
    if state["n"] >= count:
        client.disconnect()


client = mqtt.Client(client_id="py-baseline", clean_session=False)
client.on_message = on_message
client.on_connect = lambda c, u, f, rc: c.subscribe("hexaboard/+/sensor/data", qos=1)
client.connect("127.0.0.1", port)
client.loop_forever()
print(f"{state['n'] / (time.monotonic() - state['start']):.0f}")
