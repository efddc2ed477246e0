"""`cpack -G DEB` of this build makes a .deb that holds what `cmake --install` installs, under
/usr, with the binary stripped, control fields filled in, and a Depends line naming the package
of every shared library the binary links."""
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

from layout import (BUILD_DIR, CPACK, UNIT, check_version_line, clean_env, expected_files,
                    project_version, run)


@pytest.fixture(scope="module")
def workdir():
    """A temporary directory for the package and what is unpacked from it; removed when the
    module ends, whether its tests passed or not."""
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is not installed")
    with tempfile.TemporaryDirectory(prefix="iotctl-deb-test-") as d:
        yield pathlib.Path(d)


@pytest.fixture(scope="module")
def deb(workdir):
    out_dir = workdir / "out"
    run(CPACK, "-G", "DEB", "--config", BUILD_DIR / "CPackConfig.cmake", "-B", out_dir,
        cwd=workdir, env=clean_env())
    debs = sorted(out_dir.glob("iotctl_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def field(deb, name):
    return run("dpkg-deb", "-f", deb, name).stdout.strip()


def depends_names(deb):
    """The package names in Depends, without versions or alternatives' '|'."""
    return {re.match(r"\s*([^\s(]+)", alt).group(1)
            for dep in field(deb, "Depends").split(",") for alt in dep.split("|")}


def test_contents(deb):
    listing = run("dpkg-deb", "-c", deb).stdout.splitlines()
    files = {}
    for line in listing:
        mode, owner, *_, path = line.split()
        assert owner == "root/root", line
        if not mode.startswith("d"):
            files[path.removeprefix("./")] = mode
    expected = {f"usr/{rel}" for rel in expected_files()}
    assert sorted(expected - set(files)) == [], "missing from the package"
    assert sorted(set(files) - expected) == [], "not expected in the package"
    for path, mode in files.items():
        assert mode == ("-rwxr-xr-x" if path == "usr/bin/iotctl" else "-rw-r--r--"), path


def test_control_fields(deb):
    assert field(deb, "Package") == "iotctl"
    assert field(deb, "Version") == f"{project_version()}-1"
    arch = run("dpkg", "--print-architecture").stdout.strip()
    assert field(deb, "Architecture") == arch
    assert deb.name == f"iotctl_{project_version()}-1_{arch}.deb"
    assert re.fullmatch(r"[^<>]+ <[^<>@\s]+@[^<>@\s]+>", field(deb, "Maintainer"))
    assert field(deb, "Section") == "net"
    assert field(deb, "Priority") == "optional"
    synopsis, *extended = field(deb, "Description").splitlines()
    assert "MQTT" in synopsis and len(synopsis) <= 80
    assert len(extended) >= 3 and all(line.startswith(" ") for line in extended)
    assert extended[0].strip() != synopsis


def needed_libraries(binary):
    """{soname: path} of the shared libraries the binary names in DT_NEEDED, as ldd resolves them."""
    dynamic = run("readelf", "-d", binary).stdout
    sonames = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", run("ldd", binary).stdout, re.M))
    return {soname: resolved.get(soname) for soname in sonames}


def owning_package(path):
    """The Debian package that holds a library file (trying both sides of the /usr merge)."""
    candidates = [path, os.path.realpath(path)]
    candidates += [p.removeprefix("/usr") if p.startswith("/usr/") else "/usr" + p
                   for p in list(candidates)]
    for candidate in candidates:
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":")[0].split(",")[0].strip()
    raise AssertionError(f"no installed package holds {path}")


def test_depends_names_the_package_of_every_linked_library(deb):
    depends = depends_names(deb)
    libraries = needed_libraries(BUILD_DIR / "iotctl")
    assert libraries, "the binary names no shared libraries?"
    for soname, path in libraries.items():
        assert path, f"ldd does not resolve {soname}"
        assert owning_package(path) in depends, f"{soname} ({path}): Depends: {sorted(depends)}"
    # The libraries CMakeLists.txt links, whatever the version suffixes on this distribution.
    for prefix in ["libpaho-mqttpp3", "libpaho-mqtt1", "libcurl", "libmariadb", "libsqlite3",
                   "libfmt", "libtomlplusplus", "libre2", "zlib1g", "libstdc++6", "libc6"]:
        assert any(name.startswith(prefix) for name in depends), f"{prefix}: {sorted(depends)}"


def test_packaged_binary_is_stripped_and_runs(deb, workdir):
    root = workdir / "root"
    run("dpkg-deb", "-x", deb, root)
    binary = root / "usr/bin/iotctl"
    assert ".debug_info" not in run("readelf", "-S", "-W", binary).stdout
    out = run(binary, "--version", cwd=workdir, env=clean_env(HOME=str(workdir)))
    check_version_line(out.stdout)
    unit = (root / "usr" / UNIT).read_text()
    assert re.search(r"^ExecStart=/usr/bin/iotctl ingest ", unit, re.M), unit


def test_the_shells_search_where_the_package_puts_completions(workdir):
    """The .deb's completion directories are those bash-completion, zsh and fish search here."""
    env = clean_env(HOME=str(workdir), XDG_CONFIG_HOME=str(workdir / ".config"))
    env.pop("XDG_DATA_DIRS", None)
    loader = pathlib.Path("/usr/share/bash-completion/bash_completion")
    if loader.is_file():
        # __load_completion searches $XDG_DATA_DIRS/bash-completion/completions, default /usr/share.
        assert "${XDG_DATA_DIRS:-/usr/local/share:/usr/share}" in loader.read_text()
    if shutil.which("zsh"):
        fpath = run("zsh", "-f", "-c", "print -l $fpath", env=env).stdout.splitlines()
        assert "/usr/share/zsh/vendor-completions" in fpath
    if shutil.which("fish"):
        paths = run("fish", "-c", "printf '%s\\n' $fish_complete_path", env=env).stdout.split()
        assert "/usr/share/fish/vendor_completions.d" in paths
