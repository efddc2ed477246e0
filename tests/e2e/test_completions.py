"""Shell completions really complete: bash, zsh and fish load what `iotctl completions` prints
and are asked for matches the way each shell asks when the user presses Tab."""
import re
import shlex

import pytest

from harness import SOURCE_DIR, iotctl, run

SUBCOMMANDS = ["sub", "pub", "expect", "rr", "ingest", "replay", "retained", "csv-export", "simulate-hexaboard", "completions",
               "help"]
ZSH_COMPLETE = SOURCE_DIR / "tests" / "completions" / "zsh_complete.zsh"


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """The three scripts as the built binary prints them, in files named as they are installed."""
    d = tmp_path_factory.mktemp("completions")
    paths = {"bash": d / "iotctl.bash", "zsh": d / "_iotctl", "fish": d / "iotctl.fish"}
    for shell, path in paths.items():
        out = iotctl("completions", shell, cwd=d, check=True)
        path.write_text(out.stdout)
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A directory with a few files, to complete file-name arguments in."""
    d = tmp_path_factory.mktemp("files")
    (d / "ca.pem").write_text("x")
    (d / "capture.db").write_text("x")
    (d / "certs").mkdir()
    return d


def bash_complete(script, words):
    """COMPREPLY after calling the function `complete -p iotctl` names, cursor on the last word."""
    program = (f"source {shlex.quote(str(script))}\n"
               f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
               f"COMP_CWORD={len(words) - 1}\n"
               "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
               "fn=$(complete -p iotctl | sed -E 's/.*-F ([^ ]+).*/\\1/')\n"
               "\"$fn\" iotctl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
               "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    out = run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
              text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return [line for line in out.stdout.splitlines() if line]


def zsh_complete(script, line, how="fpath"):
    out = run(["zsh", "-f", str(ZSH_COMPLETE), str(script.parent), line, how],
              capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def fish_complete(script, line):
    out = run(["fish", "--no-config", "-c",
               f"source {shlex.quote(str(script))}; complete -C {shlex.quote(line)}"],
              capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return [entry.split("\t")[0] for entry in out.stdout.splitlines()]


def help_options(subcommand):
    """Every option name `iotctl SUB --help` lists, read from the start of its option lines."""
    out = iotctl(*subcommand.split(), "--help", check=True).stdout
    names = set()
    for line in out.splitlines():
        m = re.match(r"^\s+((?:-{1,2}[\w-]+,?)+)", line)
        if m:
            names.update(n for n in m.group(1).split(",") if n)
    return names


def test_syntax_of_each_script(scripts):
    assert run(["bash", "-n", str(scripts["bash"])]).returncode == 0
    assert run(["zsh", "-n", str(scripts["zsh"])]).returncode == 0
    assert run(["fish", "--no-execute", str(scripts["fish"])]).returncode == 0


def test_bad_shell_is_a_usage_error():
    out = iotctl("completions", "tcsh")
    assert out.returncode == 2
    assert "tcsh" in out.stderr and out.stdout == ""


def test_bash_subcommands_options_and_values(scripts, files):
    s = scripts["bash"]
    assert bash_complete(s, ["iotctl", ""]) == SUBCOMMANDS
    assert bash_complete(s, ["iotctl", "s"]) == ["sub", "simulate-hexaboard"]
    assert bash_complete(s, ["iotctl", "sub", "--to"]) == ["--topic"]
    assert bash_complete(s, ["iotctl", "pub", "-t", "a/b", "--st"]) == ["--stdin-file", "--stdin-line"]
    assert bash_complete(s, ["iotctl", "sub", "-V", ""]) == ["mqttv311", "mqttv5", "mqttv31"]
    assert bash_complete(s, ["iotctl", "completions", ""]) == ["bash", "zsh", "fish"]
    assert bash_complete(s, ["iotctl", "sub", "-t", ""]) == []  # a topic: nothing to guess
    assert sorted(bash_complete(s, ["iotctl", "sub", "--cafile", f"{files}/c"])) == \
        [f"{files}/ca.pem", f"{files}/capture.db", f"{files}/certs"]
    assert bash_complete(s, ["iotctl", "pub", "--file", "=", f"{files}/ca."]) == [f"{files}/ca.pem"]
    assert bash_complete(s, ["iotctl", "sub", "--capath", f"{files}/c"]) == [f"{files}/certs"]


def test_bash_offers_every_option_of_every_subcommand(scripts):
    for sub in SUBCOMMANDS:
        offered = set(bash_complete(scripts["bash"], ["iotctl", sub, "-"]))
        expected = help_options(sub)
        assert expected, f"no options parsed from 'iotctl {sub} --help'"
        assert expected <= offered, f"{sub}: missing {sorted(expected - offered)}"


def test_bash_with_bash_completion_loaded(scripts):
    """Loaded the way bash-completion loads it, completion works through `compgen -F`-style use."""
    program = ("source /usr/share/bash-completion/bash_completion\n"
               f"source {shlex.quote(str(scripts['bash']))}\n"
               "COMP_WORDS=(iotctl sub --no-s); COMP_CWORD=2; _iotctl\n"
               "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    out = run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True,
              text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["--no-stale"]


def test_zsh_completes_through_compinit(scripts, files):
    s = scripts["zsh"]
    assert zsh_complete(s, "iotctl ") == SUBCOMMANDS
    assert zsh_complete(s, "iotctl sub --to") == ["--topic"]
    assert zsh_complete(s, "iotctl pub -V ") == ["mqttv311", "mqttv5", "mqttv31"]
    assert zsh_complete(s, "iotctl completions ") == ["bash", "zsh", "fish"]
    assert zsh_complete(s, f"iotctl sub --record {files}/capt") == ["capture.db"]
    offered = set(zsh_complete(s, "iotctl pub -"))
    assert help_options("pub") <= offered
    # sourced after compinit (instead of found in $fpath) it registers itself with compdef
    assert zsh_complete(s, "iotctl sub --no-s", how="source") == ["--no-stale"]


def test_fish_completes(scripts, files):
    s = scripts["fish"]
    assert sorted(fish_complete(s, "iotctl ")) == sorted(SUBCOMMANDS)
    assert fish_complete(s, "iotctl sub --to") == ["--topic"]
    assert sorted(fish_complete(s, "iotctl sub -V ")) == ["mqttv31", "mqttv311", "mqttv5"]
    assert sorted(fish_complete(s, "iotctl completions ")) == ["bash", "fish", "zsh"]
    assert fish_complete(s, f"iotctl sub --cafile {files}/ca.") == [f"{files}/ca.pem"]
    offered = set(fish_complete(s, "iotctl sub -"))
    # fish lists a short option and its long form as two matches
    missing = {n for n in help_options("sub") if n not in offered}
    assert not missing, f"fish does not offer {sorted(missing)}"


def test_checked_in_completions_load_in_each_shell():
    """The files users install (completions/) at least load and complete a subcommand."""
    d = SOURCE_DIR / "completions"
    assert "sub" in bash_complete(d / "iotctl.bash", ["iotctl", "s"])
    assert "sub" in fish_complete(d / "iotctl.fish", "iotctl s")
    assert "sub" in zsh_complete(d / "_iotctl", "iotctl s")


def test_nested_subcommands_complete_in_each_shell(scripts):
    """`ingest status` and `ingest forget` are offered after `ingest`, and complete their own
    options (not ingest's) once typed."""
    bash, zsh, fish = scripts["bash"], scripts["zsh"], scripts["fish"]
    assert bash_complete(bash, ["iotctl", "ingest", ""]) == ["status", "forget"]
    assert bash_complete(bash, ["iotctl", "ingest", "status", "--j"]) == ["--json"]
    assert bash_complete(bash, ["iotctl", "ingest", "forget", "--j"]) == []
    assert bash_complete(bash, ["iotctl", "ingest", "--sq"]) == ["--sqlite"]
    assert help_options("ingest status") <= set(
        bash_complete(bash, ["iotctl", "ingest", "status", "-"]))
    assert zsh_complete(zsh, "iotctl ingest ") == ["status", "forget"]
    assert zsh_complete(zsh, "iotctl ingest status --j") == ["--json"]
    assert sorted(fish_complete(fish, "iotctl ingest ")) == ["forget", "status"]
    assert fish_complete(fish, "iotctl ingest status --j") == ["--json"]
    assert "--sqlite" not in fish_complete(fish, "iotctl ingest status --")
