"""Connection options against a real Mosquitto: TLS, client certificates, passwords, URLs, the
settings layers (config < .env < environment < flags), unreachable brokers, and bad flags."""
import socket
import time

import pytest

from harness import IOTCTL, iotctl, run
from live_sub import unique


@pytest.fixture
def isolated(tmp_path):
    """An environment with its own XDG config dir, so no user config leaks into a test."""
    (tmp_path / "xdg").mkdir()
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def roundtrip(broker, env, pub_args, sub_args, cwd=None):
    """Publishes a retained message with pub_args, then reads it back with sub_args; both exit 0."""
    t = unique("conn")
    out = iotctl("pub", *pub_args, "-t", t, "-m", "ok", "-r", env=env, cwd=cwd)
    assert out.returncode == 0, out.stderr
    got = iotctl("sub", *sub_args, "-t", t, "-C", "1", "-W", "30", env=env, cwd=cwd)
    assert (got.returncode, got.stdout) == (0, "ok\n"), got.stderr


def plain(broker):
    return ["-h", "127.0.0.1", "-p", broker.port]


def test_tls_with_verification(broker, isolated):
    tls = ["-h", "127.0.0.1", "-p", broker["TLS_PORT"], "--cafile", broker["CAFILE"]]
    roundtrip(broker, isolated, tls, tls)
    # The certificate names localhost too.
    by_name = ["-h", "localhost", "-p", broker["TLS_PORT"], "--cafile", broker["CAFILE"]]
    roundtrip(broker, isolated, by_name, tls)


def test_tls_wrong_ca_refused_exit_3(broker, isolated):
    out = iotctl("sub", "-h", "127.0.0.1", "-p", broker["TLS_PORT"], "--cafile", broker["OTHER_CAFILE"],
                 "-t", "a", "--connect-timeout", "5", env=isolated)
    assert out.returncode == 3
    assert out.stderr.startswith(f"iotctl: error: could not connect to 127.0.0.1:{broker['TLS_PORT']}: "
                                 "unknown CA: the broker's certificate is not signed by a trusted CA ("), out.stderr


def test_tls_insecure_accepts_unknown_ca(broker, isolated):
    args = ["-h", "127.0.0.1", "-p", broker["TLS_PORT"], "--cafile", broker["OTHER_CAFILE"], "--insecure"]
    roundtrip(broker, isolated, args, args)


def test_tls_client_certificate(broker, isolated):
    args = ["-h", "127.0.0.1", "-p", broker["TLS_PORT"], "--cafile", broker["CAFILE"],
            "--cert", broker["CLIENT_CERT"], "--key", broker["CLIENT_KEY"]]
    roundtrip(broker, isolated, args, args)


def test_mqtts_url(broker, isolated):
    url = ["-L", f"mqtts://127.0.0.1:{broker['TLS_PORT']}", "--cafile", broker["CAFILE"]]
    roundtrip(broker, isolated, url, url)


def test_password_accepted_and_refused(broker, isolated):
    auth = ["-h", "127.0.0.1", "-p", broker["AUTH_PORT"], "-u", broker["AUTH_USER"]]
    roundtrip(broker, isolated, auth + ["-P", broker["AUTH_PASSWORD"]], auth + ["-P", broker["AUTH_PASSWORD"]])
    for args in (auth + ["-P", "wrong-password"], ["-h", "127.0.0.1", "-p", broker["AUTH_PORT"]]):
        out = iotctl("sub", *args, "-t", "a", env=isolated)
        assert out.returncode == 4
        assert out.stderr == (f"iotctl: error: broker at 127.0.0.1:{broker['AUTH_PORT']} refused the "
                              "connection: not authorised\n")
        assert "wrong-password" not in out.stderr


def test_password_file_and_env_credentials(broker, isolated, tmp_path):
    (tmp_path / "pw").write_text(broker["AUTH_PASSWORD"] + "\n")
    args = ["-h", "127.0.0.1", "-p", broker["AUTH_PORT"], "-u", broker["AUTH_USER"],
            "--password-file", tmp_path / "pw"]
    roundtrip(broker, isolated, args, args)
    env = dict(isolated, MQTT_USER=broker["AUTH_USER"], MQTT_PASSWORD=broker["AUTH_PASSWORD"])
    roundtrip(broker, env, ["-h", "127.0.0.1", "-p", broker["AUTH_PORT"]],
              ["-h", "127.0.0.1", "-p", broker["AUTH_PORT"]])
    out = iotctl("pub", "-h", "127.0.0.1", "-p", broker["AUTH_PORT"], "-t", "a", "-m", "x",
                 "--password-file", tmp_path / "missing", env=isolated)
    assert (out.returncode, out.stderr) == (
        2, f"iotctl: error: cannot read password file '{tmp_path / 'missing'}'\n")


def test_url_with_credentials_and_topic(broker, isolated):
    t = unique("url")
    url = f"mqtt://{broker['AUTH_USER']}:{broker['AUTH_PASSWORD']}@127.0.0.1:{broker['AUTH_PORT']}/{t}"
    out = iotctl("pub", "-L", url, "-m", "via-url", "-r", env=isolated)
    assert out.returncode == 0, out.stderr
    got = iotctl("sub", "-L", url, "-C", "1", "-W", "30", "-v", env=isolated)
    assert (got.returncode, got.stdout) == (0, f"{t} via-url\n"), got.stderr
    got = iotctl("sub", "-L", "mqtt://127.0.0.1:notaport/x", env=isolated)
    assert (got.returncode, got.stderr) == (2, "iotctl: error: invalid URL: bad port 'notaport'\n")


def test_settings_precedence_each_layer(broker, isolated, tmp_path):
    good, bad = broker.port, closed_port()
    xdg = tmp_path / "xdg" / "iotctl"
    xdg.mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    host = ["-h", "127.0.0.1"]

    # defaults < config file: the default port 1883 is not our broker; the config's port is.
    (xdg / "config.toml").write_text(f'port = {bad}\n[pub]\nport = {good}\n[sub]\nport = {good}\n')
    roundtrip(broker, isolated, host, host, cwd=work)
    # config file < .env
    (xdg / "config.toml").write_text(f"port = {bad}\n")
    (work / ".env").write_text(f"# broker for this project\nexport MQTT_PORT={good}\n")
    roundtrip(broker, isolated, host, host, cwd=work)
    # .env < environment
    (work / ".env").write_text(f"MQTT_PORT='{bad}'\n")
    env = dict(isolated, MQTT_PORT=str(good))
    roundtrip(broker, env, host, host, cwd=work)
    # environment < command line
    env = dict(isolated, MQTT_PORT=str(bad))
    roundtrip(broker, env, host + ["-p", good], host + ["-p", good], cwd=work)
    # ...and the lower layer really was in force: without the flag, the environment's port is used.
    out = iotctl("pub", *host, "-t", "x", "-m", "x", "--connect-timeout", "5", env=env, cwd=work)
    assert (out.returncode, out.stderr) == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{bad}: connection refused: nothing listens "
           "on that port\n")
    # --config and --env-file name other files.
    (tmp_path / "other.toml").write_text(f'host = "127.0.0.1"\nport = {good}\n')
    roundtrip(broker, isolated, ["--config", tmp_path / "other.toml"], ["--config", tmp_path / "other.toml"],
              cwd=tmp_path)
    (tmp_path / "other.env").write_text(f"MQTT_BROKER=127.0.0.1\nMQTT_PORT={good}\n")
    roundtrip(broker, isolated, ["--env-file", tmp_path / "other.env"], ["--env-file", tmp_path / "other.env"],
              cwd=tmp_path)


def test_bad_config_and_env_files(isolated, tmp_path):
    (tmp_path / "bad.toml").write_text("port = = 3\n")
    out = iotctl("sub", "-t", "a", "--config", tmp_path / "bad.toml", env=isolated)
    assert out.returncode == 2 and out.stderr.startswith(
        f"iotctl: error: config file '{tmp_path / 'bad.toml'}' line 1: "), out.stderr
    (tmp_path / "bad.env").write_text("MQTT_PORT\n")
    out = iotctl("sub", "-t", "a", "--env-file", tmp_path / "bad.env", env=isolated)
    assert (out.returncode, out.stderr) == (
        2, f"iotctl: error: env file '{tmp_path / 'bad.env'}' line 1: expected KEY=VALUE\n")


def test_unreachable_broker_exits_3_within_connect_timeout(isolated):
    # A listener that accepts TCP but never answers MQTT: only the connect timeout ends the wait.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    try:
        start = time.monotonic()
        out = iotctl("sub", "-h", "127.0.0.1", "-p", port, "-t", "a", "--connect-timeout", "2",
                     env=isolated, timeout=60)
        elapsed = time.monotonic() - start
    finally:
        silent.close()
    assert out.returncode == 3
    assert out.stderr == f"iotctl: error: could not connect to 127.0.0.1:{port} (connection refused or timed out)\n"
    assert 1.5 <= elapsed < 15, elapsed
    refused = closed_port()
    out = iotctl("pub", "-h", "127.0.0.1", "-p", refused, "-t", "a", "-m", "x", env=isolated)
    assert (out.returncode, out.stderr) == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{refused}: connection refused: nothing "
           "listens on that port\n")


def test_bad_sub_flags_exact_errors(broker, isolated):
    p = ["-h", "127.0.0.1", "-p", broker.port]
    cases = [
        (["-t", "a", "--bogus"], "iotctl: error: The following argument was not expected: --bogus\n"
                                 "Run 'iotctl sub --help' for usage.\n"),
        (["-t", "a/#/b"], "iotctl: error: invalid topic filter 'a/#/b': '#' must be a whole level and the last one\n"),
        (["-t", "sport+"], "iotctl: error: invalid topic filter 'sport+': '+' must be a whole level\n"),
        (["-t", "a", "-T", "b#"], "iotctl: error: invalid topic filter 'b#': '#' must be a whole level and the last one\n"),
        (["-t", "$share/g"], "iotctl: error: invalid topic filter '$share/g': expected $share/<group>/<filter>\n"),
        (["-t", "a", "-q", "3"], "iotctl: error: invalid QoS 3 for -q: expected 0, 1 or 2\n"),
        (["-t", "a", "-F", "%z"], "iotctl: error: invalid format '%z': unknown specifier '%z' at position 0\n"),
        (["-t", "a", "-F", "x\\q"], "iotctl: error: invalid format 'x\\q': unknown escape '\\q' at position 2\n"),
        (["-t", "a", "-c"], "iotctl: error: -c (persistent session) needs a client id: give -i ID\n"),
        ([], "iotctl: error: no topic given: use -t TOPIC (or a topic in -L URL)\n"),
        (["-t", "a", "--json", "-F", "%p"], "iotctl: error: --json and -F cannot be used together\n"),
        (["-t", "a", "-V", "mqttv4"], "iotctl: error: invalid protocol version 'mqttv4': expected mqttv31, mqttv311 or mqttv5\n"),
        (["-t", "a", "--cert", "/nonexistent.crt"], "iotctl: error: --cert and --key must be given together\n"),
    ]
    for args, stderr in cases:
        out = iotctl("sub", *p, *args, env=isolated)
        assert (out.returncode, out.stderr, out.stdout) == (2, stderr, ""), args


def test_non_utf8_topic_filter_refused(broker, isolated):
    out = run([IOTCTL.encode(), b"sub", b"-p", str(broker.port).encode(), b"-t", b"bad\xff/#"],
              capture_output=True, timeout=30)
    assert (out.returncode, out.stderr) == (2, b"iotctl: error: topic filter is not valid UTF-8\n")


def test_a_default_config_that_cannot_be_looked_at_is_skipped_with_a_warning(broker, tmp_path):
    """As with `sudo -u nobody` and HOME still /root: the optional default config is not
    reachable. It used to end every command with a raw std::filesystem error."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # stat(): Too many levels of symbolic links, as EACCES would fail
    out = iotctl("pub", "-p", broker.port, "-t", unique("cfg"), "-m", "x",
                 env={"XDG_CONFIG_HOME": str(loop)})
    assert (out.returncode, out.stderr) == (
        0, f"iotctl: warning: the default config file '{loop}/iotctl/config.toml' is not read: "
           "Too many levels of symbolic links\n")
