"""Running csv-export and reading what it wrote, for the csv-export tests."""
import csv
import io

from harness import iotctl


class Run:
    """iotctl's result with stdout/stderr decoded as UTF-8 but line ends untouched."""

    def __init__(self, *args, env=None):
        r = iotctl(*args, input=b"", env=env)
        self.returncode = r.returncode
        self.stdout = r.stdout.decode()
        self.stderr = r.stderr.decode()


def rows_of(text):
    """The CSV rows of `text`, whose lines must end in CRLF (RFC 4180, the default)."""
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))
