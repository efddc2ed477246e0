"""What cmake/Install.cmake installs, relative to the prefix, derived from the source tree; and
helpers shared by test_install_tree.py and test_install_deb.py."""
import os
import pathlib
import re
import subprocess

SOURCE_DIR = pathlib.Path(os.environ.get("IOTCTL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("IOTCTL_BUILD_DIR", SOURCE_DIR / "build"))
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CPACK = os.environ.get("CPACK_COMMAND", "cpack")

SUBCOMMANDS = ["sub", "pub", "ingest", "replay", "csv-export", "simulate-hexaboard", "completions"]
UNIT = "lib/systemd/system/iotctl-ingest.service"


def project_version():
    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    return re.search(r"project\(iotctl VERSION ([0-9.]+)", cmake).group(1)


def man_pages():
    return sorted((SOURCE_DIR / "man").glob("*.[1-8]"))


def expected_files():
    """Every file an install puts under the prefix: {relative path: source file or None}."""
    files = {
        "bin/iotctl": None,
        "share/bash-completion/completions/iotctl": SOURCE_DIR / "completions/iotctl.bash",
        "share/zsh/vendor-completions/_iotctl": SOURCE_DIR / "completions/_iotctl",
        "share/fish/vendor_completions.d/iotctl.fish": SOURCE_DIR / "completions/iotctl.fish",
        UNIT: None,  # ExecStart is rewritten for the prefix
        "share/doc/iotctl/README.md": SOURCE_DIR / "README.md",
    }
    for page in man_pages():
        files[f"share/man/man{page.suffix[1:]}/{page.name}"] = page
    for doc in sorted((SOURCE_DIR / "docs").glob("*.md")):
        files[f"share/doc/iotctl/docs/{doc.name}"] = doc
    return files


def clean_env(**extra):
    """The environment without anything that changes where cmake installs or what iotctl reads."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DESTDIR", "MQTT_BROKER", "MQTT_PORT", "MQTT_URL", "MANPAGER", "PAGER",
                        "MAN_KEEP_FORMATTING")}
    env.update(extra)
    return env


def run(*args, **kwargs):
    """Runs a command; fails the test with its output when it exits non-zero."""
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                         timeout=kwargs.pop("timeout", 300), **kwargs)
    assert out.returncode == 0, f"{' '.join(map(str, args))} exited {out.returncode}:\n{out.stdout}\n{out.stderr}"
    return out


def check_version_line(text):
    """`iotctl --version` prints the project version and the commit: 'iotctl 0.1.0 (git abc1234)'."""
    assert re.fullmatch(rf"iotctl {re.escape(project_version())} \(git ([0-9a-f]{{7,40}}|unknown)\)\n",
                        text), text
