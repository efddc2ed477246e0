"""Man pages render without warnings and document what the binary implements; --help and
--version print what they promise."""
import os
import re

import pytest

from harness import SOURCE_DIR, iotctl, run

MAN_DIR = SOURCE_DIR / "man"
PAGES = sorted(MAN_DIR.glob("*.[1-8]"))
EXIT_CODES = ["0", "1", "2", "3", "4", "5", "130"]
ENV_VARS = ["MQTT_BROKER", "MQTT_PORT", "MQTT_URL", "MQTT_USER", "MQTT_PASSWORD", "INFLUX_TOKEN"]


def render(page):
    """The page as `man -l` shows it at 80 columns; fails on any warning."""
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    env.pop("MAN_KEEP_FORMATTING", None)
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    out = run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True,
              env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", f"{page.name}: {out.stderr}"
    return out.stdout


def subcommands():
    """The subcommands `iotctl --help` lists."""
    out = iotctl("--help", check=True).stdout
    section = re.split(r"^subcommands:$", out, maxsplit=1, flags=re.M | re.I)[-1]
    return re.findall(r"^\s{2}([a-z][a-z-]+)\s", section, re.M)


def long_options(subcommand, group=None):
    """The long options `iotctl SUB --help` lists at the start of its option lines (only those
    under the heading `group:` when a group is given)."""
    out = iotctl(subcommand, "--help", check=True).stdout
    names = set()
    heading = None
    for line in out.splitlines():
        if re.match(r"^\S.*:$", line):
            heading = line[:-1]
        m = re.match(r"^\s+((?:-{1,2}[\w-]+,?)+)", line)
        if m and (group is None or heading == group):
            names.update(n for n in m.group(1).split(",") if n.startswith("--"))
    return names


def test_there_are_pages():
    names = {p.name for p in PAGES}
    assert {"iotctl.1", "iotctl-sub.1", "iotctl-pub.1"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_no_groff_warnings(page):
    out = run(["groff", "-ww", "-z", "-man", str(page)], capture_output=True,
              text=True, timeout=60)
    assert out.returncode == 0
    assert out.stderr == "", f"{page.name}: {out.stderr}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_renders_with_man(page):
    text = render(page)
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"]:
        assert re.search(rf"^{section}$", text, re.M), f"{page.name} has no {section} section"
    name = page.stem
    assert re.search(rf"^\s+{re.escape(name)}\s+-\s+\S", text, re.M), f"{page.name}: NAME line"


def test_overview_page_lists_commands_exit_codes_and_environment():
    text = render(MAN_DIR / "iotctl.1")
    for sub in subcommands():
        assert re.search(rf"^\s+{re.escape(sub)}\b", text, re.M), f"iotctl.1 misses {sub}"
    exit_status = text.split("\nEXIT STATUS\n", 1)[1].split("\nEXAMPLES\n", 1)[0]
    assert re.findall(r"^\s{7}(\d+)\s", exit_status, re.M) == EXIT_CODES
    for var in ENV_VARS + ["IOTCTL_OPTION", "XDG_CONFIG_HOME"]:
        assert var in text
    assert "defaults < configuration file < .env file < environment < command line" in \
        " ".join(text.split())
    shared = long_options("sub", "Connection") | {"--config", "--env-file"}
    assert "--host" in shared
    for option in shared:  # the connection options are documented here, once
        assert option in text, f"iotctl.1 misses the connection option {option}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.suffix == ".1" and p.name != "iotctl.1"],
                         ids=lambda p: p.name)
def test_subcommand_page_documents_every_option(page):
    sub = page.stem.removeprefix("iotctl-")
    if sub not in subcommands():
        pytest.fail(f"{page.name} documents no subcommand of iotctl")
    text = render(page)
    overview = render(MAN_DIR / "iotctl.1")
    missing = [o for o in sorted(long_options(sub))
               if not re.search(rf"{re.escape(o)}\b", text) and o not in overview]
    assert not missing, f"{page.name} does not document {missing}"


def test_sub_page_lists_format_specifiers_and_json_keys():
    text = render(MAN_DIR / "iotctl-sub.1")
    fmt = text.split("\nOUTPUT FORMAT\n", 1)[1].split("\nJSON LINES\n", 1)[0]
    for spec in "%t %p %q %r %l %m %x %X %I %U %j %J %C %R %P %%".split():
        assert re.search(rf"(^\s+|, ){re.escape(spec)}(,|\s)", fmt, re.M), f"-F {spec} not described"
    json_part = text.split("\nJSON LINES\n", 1)[1]
    for key in ["ts", "topic", "qos", "retain", "payload", "payload_encoding"]:
        assert key in json_part


def test_help_lists_every_subcommand():
    out = iotctl("--help")
    assert out.returncode == 0
    assert out.stderr == ""
    names = subcommands()
    for sub in ["sub", "pub", "ingest", "replay", "csv-export", "simulate-hexaboard",
                "completions"]:
        assert sub in names
    assert "--version" in out.stdout


def test_sub_help_shows_its_options():
    out = iotctl("sub", "--help")
    assert out.returncode == 0
    assert out.stderr == ""
    assert "iotctl sub" in out.stdout
    options = long_options("sub")
    for option in ["--topic", "--qos", "--format", "--json", "--count", "--timeout", "--record",
                   "--host", "--port", "--url", "--protocol-version", "--cafile", "--config"]:
        assert option in options
    # -h is the host: help is --help only
    assert re.search(r"^\s+-h,--host", out.stdout, re.M)


def test_version_matches_the_project_version():
    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    version = re.search(r"project\(iotctl VERSION ([0-9.]+)", cmake).group(1)
    out = iotctl("--version")
    assert out.returncode == 0
    assert re.fullmatch(rf"iotctl {re.escape(version)} \(git ([0-9a-f]{{7,40}}|unknown)\)\n",
                        out.stdout), out.stdout
    assert out.stderr == ""


def test_version_names_the_commit_it_was_built_from():
    """The short hash of the source tree's HEAD; "unknown" when the sources are not a checkout."""
    git = ["git", "-C", str(SOURCE_DIR), "rev-parse"]
    prefix = run([*git, "--show-prefix"], capture_output=True, text=True)
    checkout = prefix.returncode == 0 and prefix.stdout.strip() == ""
    head = run([*git, "HEAD"], capture_output=True, text=True).stdout.strip()
    commit = re.search(r"\(git (\S+)\)", iotctl("--version", check=True).stdout).group(1)
    if checkout and head:
        assert head.startswith(commit), f"built from {commit}, HEAD is {head}: rebuild"
    else:
        assert commit == "unknown"
