"""`cmake --install` of this build into a temporary prefix puts every file where it belongs, and
what it installed works from there: the binary runs, `man` finds and renders the pages, and bash,
zsh and fish load the completions from the directories they search under the prefix."""
import os
import pathlib
import shlex
import shutil
import stat
import subprocess
import tempfile

import pytest

from layout import (BUILD_DIR, CMAKE, SOURCE_DIR, SUBCOMMANDS, UNIT, check_version_line,
                    clean_env, expected_files, man_pages, run)

ZSH_COMPLETE = SOURCE_DIR / "tests" / "completions" / "zsh_complete.zsh"


@pytest.fixture(scope="module")
def tree():
    """(prefix, home): the install, and an empty home directory to run things in. Both are
    removed when the module ends, whether its tests passed or not."""
    with tempfile.TemporaryDirectory(prefix="iotctl-install-test-") as d:
        prefix, home = pathlib.Path(d) / "prefix", pathlib.Path(d) / "home"
        home.mkdir()
        run(CMAKE, "--install", BUILD_DIR, "--prefix", prefix, env=clean_env())
        yield prefix, home


def user_env(prefix, home, **extra):
    """An environment like a user's whose PATH and XDG_DATA_DIRS start with the prefix."""
    return clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                     XDG_DATA_HOME=str(home / ".local/share"),
                     XDG_DATA_DIRS=f"{prefix}/share:/usr/local/share:/usr/share",
                     PATH=f"{prefix}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}",
                     LC_ALL="C.UTF-8", **extra)


def plain(text):
    """Rendered man text with groff's Unicode hyphens and minus signs as ASCII '-'."""
    return text.replace("\u2010", "-").replace("\u2212", "-")


def test_every_file_is_installed_and_nothing_else(tree):
    prefix, _ = tree
    installed = {str(p.relative_to(prefix)) for p in prefix.rglob("*") if not p.is_dir()}
    expected = expected_files()
    assert sorted(set(expected) - installed) == [], "missing"
    assert sorted(installed - set(expected)) == [], "not expected"
    for rel, source in expected.items():
        path = prefix / rel
        if source is not None:
            assert path.read_bytes() == source.read_bytes(), rel
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if rel == "bin/iotctl" else 0o644), f"{rel}: {oct(mode)}"


def test_installed_binary_runs(tree):
    prefix, home = tree
    env = user_env(prefix, home)
    out = run(prefix / "bin/iotctl", "--version", cwd=home, env=env)
    check_version_line(out.stdout)
    assert out.stderr == ""
    # The installed binary is this build's.
    built = run(BUILD_DIR / "iotctl", "--version", cwd=home, env=env)
    assert out.stdout == built.stdout
    out = run(prefix / "bin/iotctl", "--help", cwd=home, env=env)
    for name in SUBCOMMANDS:
        assert f"\n  {name} " in out.stdout, name
    out = run(prefix / "bin/iotctl", "sub", "--help", cwd=home, env=env)
    assert "--topic" in out.stdout


def test_man_renders_every_installed_page(tree):
    prefix, home = tree
    env = user_env(prefix, home, MANWIDTH="80")
    for page in man_pages():
        installed = prefix / f"share/man/man{page.suffix[1:]}/{page.name}"
        out = run("man", "--warnings", "-l", installed, cwd=home, env=env)
        assert out.stderr == "", f"{page.name}: {out.stderr}"
        assert "NAME" in out.stdout and page.stem in plain(out.stdout), page.name


def test_man_finds_pages_by_name_under_the_prefix(tree):
    prefix, home = tree
    env = user_env(prefix, home, MANPATH=str(prefix / "share/man"), MANWIDTH="80")
    for section, name in [("1", "iotctl"), ("1", "iotctl-sub"), ("5", "iotctl-ingest-map")]:
        out = run("man", "-w", section, name, cwd=home, env=env)
        assert out.stdout.strip() == str(prefix / f"share/man/man{section}/{name}.{section}")
    out = run("man", "iotctl-sub", cwd=home, env=env)
    assert "iotctl-sub" in plain(out.stdout) and "--topic" in plain(out.stdout)


def test_unit_runs_the_installed_binary(tree):
    prefix, _ = tree
    installed = (prefix / UNIT).read_text().splitlines()
    source = (SOURCE_DIR / "scripts/iotctl-ingest.service").read_text().splitlines()
    assert len(installed) == len(source)
    exec_start = [line for line in installed if line.startswith("ExecStart=")]
    assert len(exec_start) == 1
    assert exec_start[0].startswith(f"ExecStart={prefix}/bin/iotctl ingest ")
    # Everything else is the unit as written.
    assert [l for l in installed if not l.startswith("ExecStart=")] == \
           [l for l in source if not l.startswith("ExecStart=")]


def test_bash_loads_the_completion_from_the_prefix(tree):
    prefix, home = tree
    loader = pathlib.Path("/usr/share/bash-completion/bash_completion")
    if not loader.is_file():
        pytest.skip("bash-completion is not installed")
    # As on a Tab press: bash-completion's loader finds the file by the command name.
    program = f"""
source {loader}
__load_completion iotctl || exit 3
fn=$(complete -p iotctl | sed -E 's/.*-F ([^ ]+).*/\\1/')
shopt -s extdebug; declare -F "$fn"; shopt -u extdebug
COMP_WORDS=(iotctl su); COMP_CWORD=1; COMP_LINE="iotctl su"; COMP_POINT=${{#COMP_LINE}}
"$fn" iotctl su iotctl
printf 'match %s\\n' "${{COMPREPLY[@]}}"
"""
    out = run("bash", "--norc", "--noprofile", "-c", program, cwd=home, env=user_env(prefix, home))
    first, *rest = out.stdout.splitlines()
    assert first.endswith(f" {prefix}/share/bash-completion/completions/iotctl"), first
    assert "match sub" in rest


def test_zsh_loads_the_completion_from_vendor_completions(tree):
    prefix, home = tree
    if not shutil.which("zsh"):
        pytest.skip("zsh is not installed")
    out = run("zsh", "-f", ZSH_COMPLETE, prefix / "share/zsh/vendor-completions", "iotctl su",
              cwd=home, env=user_env(prefix, home), timeout=120)
    assert "sub" in out.stdout.splitlines()


def test_fish_loads_the_completion_from_vendor_completions_d(tree):
    prefix, home = tree
    if not shutil.which("fish"):
        pytest.skip("fish is not installed")
    out = run("fish", "-c", "complete -C 'iotctl su'", cwd=home, env=user_env(prefix, home))
    assert "sub" in [entry.split("\t")[0] for entry in out.stdout.splitlines()]
