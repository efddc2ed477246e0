"""Reading records back from the real servers, each as a list of {column: value} rows.

InfluxDB 1.x over /query, VictoriaMetrics over /api/v1/export, MariaDB over the `mariadb`
client, SQLite with sqlite3. Missing values (NULL, empty tags) are left out of a row.
"""
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request

from harness import run


def http_get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def influx_query(base, db, q):
    """The series of one InfluxQL query (epoch ns), as [{name, columns, values}]."""
    url = f"{base}/query?" + urllib.parse.urlencode({"db": db, "q": q, "epoch": "ns"})
    result = json.loads(http_get(url))["results"][0]
    assert "error" not in result, result
    return result.get("series", [])


def influx_rows(base, db, measurement):
    """Every point of a measurement as a dict (tags and fields; `time` in ns)."""
    rows = []
    for s in influx_query(base, db, f'SELECT * FROM "{measurement}"'):
        for values in s["values"]:
            rows.append({c: v for c, v in zip(s["columns"], values) if v is not None})
    return rows


def influx_tag_values(base, db, measurement, key):
    """The set of values of one tag key, as InfluxDB stored them."""
    series = influx_query(base, db, f'SHOW TAG VALUES FROM "{measurement}" WITH KEY = "{key}"')
    return {v[1] for s in series for v in s["values"]}


def vm_series(base, name_regex):
    """VictoriaMetrics series whose name matches: [(name, labels, values, timestamps_ms)]."""
    http_get(f"{base}/internal/force_flush")
    url = f"{base}/api/v1/export?" + urllib.parse.urlencode(
        {"match[]": '{__name__=~"%s"}' % name_regex, "start": "0"})
    out = []
    for line in http_get(url).splitlines():
        if line.strip():
            s = json.loads(line)
            labels = dict(s["metric"])
            name = labels.pop("__name__")
            out.append((name, labels, s["values"], s["timestamps"]))
    return out


def mariadb_rows(env, sql):
    """Rows of a query through the mariadb client (-B: tab-separated, escaped), as dicts."""
    out = run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", env["PORT"],
                          "-u", env["USER"], f"-p{env['PASSWORD']}", env["DB"], "-B", "-e", sql],
              capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split("\n")
    if not lines or not lines[0]:
        return []
    columns = lines[0].split("\t")

    def unescape(text):
        if text == "NULL":
            return None
        return text.encode().decode("unicode_escape").encode("latin-1").decode()

    return [dict(zip(columns, map(unescape, l.split("\t")))) for l in lines[1:] if l]


def sql_record_rows(rows, tag_names):
    """SQL rows as records: NULL fields and empty tags dropped, numbers as floats."""
    out = []
    for row in rows:
        rec = {}
        for k, v in row.items():
            if k in ("series_hash", "time") or v is None or v == "":
                continue
            if k in tag_names:
                rec[k] = v
            elif k == "ts_ns":
                rec[k] = int(v)
            else:
                rec[k] = float(v)
        out.append(rec)
    return out


def sqlite_rows(path, table):
    with sqlite3.connect(path, timeout=30) as c:
        cur = c.execute(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, r)) for r in cur.fetchall()]


def sqlite_tables(path):
    with sqlite3.connect(path, timeout=30) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def influx_load_counts(influx, db):
    """(points, distinct seq) in measurement load of `db`; (0, 0) before it exists or while the
    server is down."""
    try:
        series = influx_query(influx["URL"], db,
                              "SELECT count(seq), count(distinct(seq)) FROM load")
    except (urllib.error.URLError, ConnectionError, OSError):
        return (0, 0)
    except AssertionError as e:  # before ingest's first write creates the database
        if "database not found" in str(e):
            return (0, 0)
        raise
    if not series:
        return (0, 0)
    _, points, distinct = series[0]["values"][0]
    return (points, distinct)
