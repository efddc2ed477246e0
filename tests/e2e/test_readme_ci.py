"""README's "Smoke tests in CI" script, run as it stands in the README: it passes against real
boards and a real broker, fails when what it asserts does not hold, and leaves nothing running
either way."""
import os
import pathlib
import re
import subprocess

from harness import IOTCTL, SOURCE_DIR, run


def readme_script():
    """The first ```sh block under the "Smoke tests in CI" heading of README.md."""
    text = (SOURCE_DIR / "README.md").read_text()
    section = text.split("\n## Smoke tests in CI\n", 1)
    assert len(section) == 2, "README.md has no '## Smoke tests in CI' section"
    block = re.search(r"```sh\n(.*?)```", section[1].split("\n## ", 1)[0], re.S)
    assert block, "the CI section has no ```sh block"
    return block.group(1)


def run_script(script, tmp_path):
    """Runs the script from the source tree with the built iotctl first on PATH, its temporary
    files under tmp_path; returns the completed process."""
    env = dict(os.environ, TMPDIR=str(tmp_path),
               PATH=f"{pathlib.Path(IOTCTL).parent}:{os.environ['PATH']}")
    path = tmp_path / "smoke.sh"
    path.write_text(script)
    return run(["bash", str(path)], cwd=SOURCE_DIR, env=env, capture_output=True, text=True,
               timeout=180)


def left_running(tmp_path):
    """Processes whose command line names a file under tmp_path (the broker, ingest)."""
    out = subprocess.run(["pgrep", "-af", str(tmp_path)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if "pgrep" not in line]


def test_the_readme_ci_script_passes(tmp_path):
    out = run_script(readme_script(), tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert left_running(tmp_path) == []
    assert [p for p in tmp_path.iterdir() if p.name != "smoke.sh"] == []  # its files removed


def test_the_readme_ci_script_fails_when_a_board_is_missing(tmp_path):
    """With board C left out, `expect --distinct-topics 3` times out: the job fails (exit 5,
    the expect's own code) and still stops the broker, boards and ingest it started."""
    script = readme_script()
    assert "--boards A,B,C" in script
    out = run_script(script.replace("--boards A,B,C", "--boards A,B"), tmp_path)
    assert out.returncode == 5, out.stdout + out.stderr
    assert "2 of 3 topics matched" in out.stderr
    assert left_running(tmp_path) == []
