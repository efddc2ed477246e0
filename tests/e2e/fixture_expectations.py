"""What ingest with the hexaboard, tasmota and generic presets must store for the shared
fixtures (docs/payloads.md and docs/commands.md#mapping), derived from the payloads themselves.

A record is a dict of tags (strings), fields (floats, or Text for string fields), plus `ts_ns`
when the payload gives the time (absent: receive time, only checked to be there).
"""
import datetime
import json
import math
import re

CLIMATE_KEYS = ["Temperature", "Humidity", "DewPoint", "Pressure", "SeaPressure", "Illuminance",
                "CarbonDioxide", "Gas"]


def strict_json(text):
    """The payload parsed as strict JSON (no NaN/Infinity, no overflow to inf), or None."""
    if text.strip() == "":
        return None

    def bad_constant(name):
        raise ValueError(name)

    def number(text):
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
        return value

    try:
        return ("ok", json.loads(text, parse_constant=bad_constant, parse_float=number,
                                 parse_int=number))
    except ValueError:
        return None


class Text(str):
    """A string field (not a tag): a text leaf that is not a number."""


# Text that is a number entirely, with no leading zero unless it is `0` or `0.x`
# (core/mapping/values.h parse_number_text).
NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)?(\.[0-9]*)?([eE][-+]?[0-9]+)?")


def number_text(text):
    if not NUMBER_TEXT.fullmatch(text) or not re.search(r"[0-9]", text.split("e")[0].split("E")[0]):
        return None
    v = float(text)
    return v if math.isfinite(v) else None


def numeric(value):
    """A payload value as ingest reads numbers: numbers, booleans and numeric strings."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return number_text(value)
    return None


def leaf(value):
    """An auto field's value: a float for numbers, booleans (as 1/0) and number text, Text for
    other non-empty text, None for null and empty text."""
    if isinstance(value, str) and numeric(value) is None:
        return Text(value) if value else None
    return numeric(value)


def sanitize(name):
    """A payload key as ingest makes it a column/field name: [A-Za-z0-9_], runs of others as
    one `_`, none at either end, `n` before a leading digit."""
    out = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")
    return "n" + out if out[:1].isdigit() else out


def flatten(node, path=None, skip=()):
    """Leaves as fields named by their path joined with `_` (auto_fields), typed by leaf();
    a payload that is not an object has its values under `value`. Top-level keys in `skip`
    (already a tag, the time or a mapped field) are left out."""
    if path is None:
        path = "" if isinstance(node, dict) else "value"
    out = {}
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else None
    if items is None:
        v = leaf(node)
        if v is not None:
            out[sanitize(path)] = v
        return out
    for k, child in items:
        if k in skip and path == "":
            continue
        out.update(flatten(child, f"{path}_{k}" if path else str(k)))
    return out


def iso_ns(text, zone=datetime.timezone.utc):
    """A zone-less payload time read in `zone` (ingest --payload-timezone), as Unix ns."""
    t = datetime.datetime.fromisoformat(text).replace(tzinfo=zone)
    return int(t.timestamp()) * 10**9


def expected_records(topic, payload_text):
    """(measurement, record) pairs a message must become; [] when it is dead-lettered or skipped.

    Covers the topics the all-sinks test publishes on: hexaboard/+/sensor/data,
    hexaboard/+/status, tele/+/SENSOR, tele/+/STATE, tele/+/LWT and webos/+/info.
    """
    levels = topic.split("/")
    parsed = strict_json(payload_text)
    doc = parsed[1] if parsed else None
    if topic.endswith("/status") and levels[0] == "hexaboard":
        return [("hexaboard_status", {"board": levels[1], "online": float(payload_text == "online")})]
    if levels[0] == "tele" and levels[2] == "LWT":
        return []
    if levels[0] == "hexaboard":
        if not isinstance(doc, dict):
            return []
        rec = {}
        board = doc.get("board")
        rec["board"] = board if isinstance(board, str) and board else levels[1]
        for f in ("temperature", "humidity", "light"):
            if f in doc and numeric(doc[f]) is not None:
                rec[f] = numeric(doc[f])
        rec.update(flatten(doc, skip=("board", "timestamp", "temperature", "humidity", "light")))
        if len(rec) == 1:
            return []
        if isinstance(doc.get("timestamp"), (int, float)):
            rec["ts_ns"] = int(doc["timestamp"]) * 10**9
        return [("hexaboard", rec)]
    if levels[0] == "tele" and levels[2] == "SENSOR":
        if not isinstance(doc, dict):
            return []
        ts = {"ts_ns": iso_ns(doc["Time"])} if isinstance(doc.get("Time"), str) else {}
        if "ZbReceived" in doc:
            zb = doc["ZbReceived"]
            if not isinstance(zb, dict):
                return []
            out = []
            for key, dev in zb.items():
                fields = flatten(dev, skip=("Device", "Name")) if isinstance(dev, dict) else {}
                if fields:
                    tags = {"gateway": levels[1], "device": dev.get("Device") or key}
                    if dev.get("Name"):
                        tags["name"] = dev["Name"]
                    out.append(("zigbee", {**tags, **fields, **ts}))
            return out
        out = []
        for key, member in doc.items():
            if isinstance(member, dict) and any(k in member for k in CLIMATE_KEYS):
                fields = flatten(member)
                if fields:
                    out.append(("gateway_climate",
                                {"gateway": levels[1], "sensor": key, **fields, **ts}))
        return out
    if levels[0] == "tele" and levels[2] == "STATE":
        if doc is None:
            return []
        fields = flatten(doc, skip=("Time",))
        if not fields:
            return []
        ts = {"ts_ns": iso_ns(doc["Time"])} if isinstance(doc, dict) and isinstance(doc.get("Time"), str) else {}
        return [("gateway_state", {"gateway": levels[1], **fields, **ts})]
    if levels[0] == "webos":
        if doc is None:
            return []
        measurement = topic.replace("/", "_")
        rec = {"topic": topic}
        tags = set()
        if isinstance(doc, dict):
            for k, v in doc.items():
                if isinstance(v, str) and v and numeric(v) is None:
                    rec[sanitize(k)] = v
                    tags.add(k)
        fields = flatten(doc, skip=tags)
        rec.update(fields if fields else {"events": 1.0})
        return [(measurement, rec)]
    raise AssertionError(f"no expectation for topic {topic}")
