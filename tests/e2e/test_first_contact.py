"""First contact with a broker the way a course sets it up: the course's .env (MQTT_BROKER,
MQTT_PORT=8883, MQTT_USER, MQTT_PASSWORD) against a TLS broker whose CA is in the trust store
OpenSSL is pointed at (SSL_CERT_FILE, never this machine's own), and the error each usual mistake
gets: plain client on a TLS port and the reverse, expired certificate, unknown CA, name mismatch,
client certificate required, a host name that does not resolve, a CA directory (--capath)."""
import datetime
import ipaddress
import socket
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness import accepts, iotctl, popen, run, wait_until
from live_sub import unique

USER, PASSWORD = "student", "pa ss#word"


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def _cert(path, subject, key, issuer, issuer_key, days=(-1, 2), names=None, ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + datetime.timedelta(days=days[0]))
               .not_valid_after(now + datetime.timedelta(days=days[1]))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    path.write_bytes(builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _port_is_free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A Mosquitto with one listener per case, certificates made here, and a trust store."""
    d = tmp_path_factory.mktemp("course")
    ca_key, other_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
    here = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    _cert(d / "ca.crt", "course CA", ca_key, "course CA", ca_key, ca=True)
    _cert(d / "other-ca.crt", "other CA", other_key, "other CA", other_key, ca=True)
    _cert(d / "server.crt", "localhost", server_key, "course CA", ca_key, names=here)
    _cert(d / "expired.crt", "localhost", server_key, "course CA", ca_key, days=(-10, -1), names=here)
    _cert(d / "elsewhere.crt", "broker.example", server_key, "course CA", ca_key,
          names=[x509.DNSName("broker.example")])
    _cert(d / "client.crt", "course-client", client_key, "course CA", ca_key)
    for name, key in (("ca.key", ca_key), ("server.key", server_key), ("client.key", client_key)):
        _write_key(d / name, key)
    (d / "store").mkdir()  # the trust store OpenSSL is pointed at: the course CA only
    (d / "store" / "ca.pem").write_bytes((d / "ca.crt").read_bytes())
    (d / "empty-dir").mkdir()
    (d / "capath").mkdir()  # a c_rehash directory, as --capath expects
    (d / "capath" / "ca.pem").write_bytes((d / "ca.crt").read_bytes())
    run(["openssl", "rehash", str(d / "capath")], check=True, timeout=30)
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(d / "passwd"), USER, PASSWORD], check=True)

    ports = {k: _free_port() for k in ("plain", "tls", "expired", "elsewhere", "client_cert")}
    if _port_is_free(8883):
        ports["8883"] = 8883
    tls = f"cafile {d}/ca.crt\nkeyfile {d}/server.key\n"
    conf = ["per_listener_settings true", "log_dest stderr", "log_type error"]
    if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0":
        conf.append("user root")
    conf += [f"listener {ports['plain']} 127.0.0.1", "allow_anonymous true"]
    for key in ("tls", "8883"):
        if key in ports:
            conf += [f"listener {ports[key]} 127.0.0.1", "allow_anonymous false",
                     f"password_file {d}/passwd", tls + f"certfile {d}/server.crt"]
    conf += [f"listener {ports['expired']} 127.0.0.1", "allow_anonymous true", tls + f"certfile {d}/expired.crt"]
    conf += [f"listener {ports['elsewhere']} 127.0.0.1", "allow_anonymous true",
             tls + f"certfile {d}/elsewhere.crt"]
    conf += [f"listener {ports['client_cert']} 127.0.0.1", "allow_anonymous true",
             tls + f"certfile {d}/server.crt", "require_certificate true"]
    (d / "mosquitto.conf").write_text("\n".join(conf) + "\n")
    proc = popen(["mosquitto", "-c", str(d / "mosquitto.conf")], stderr=open(d / "mosquitto.err", "w"))
    try:
        wait_until(lambda: all(accepts(p) for p in ports.values()) or proc.poll() is not None,
                   what="mosquitto listeners")
    except AssertionError:
        proc.kill()
        raise
    if proc.poll() is not None:
        raise RuntimeError("mosquitto did not start: " + (d / "mosquitto.err").read_text())
    # The machine's own CAs never count: OpenSSL's default store is the course CA alone.
    env = {"SSL_CERT_FILE": str(d / "store" / "ca.pem"), "SSL_CERT_DIR": str(d / "empty-dir"),
           "XDG_CONFIG_HOME": str(d / "xdg")}
    yield {"dir": d, "ports": ports, "env": env, "proc": proc}
    proc.terminate()
    proc.wait(timeout=10)


def course_env_file(path, port, extra=""):
    # Written as the course writes it: quoted host with a comment, plain port, credentials.
    path.write_text('MQTT_BROKER="127.0.0.1" # local broker\n'
                    f"MQTT_PORT={port}\n"
                    f"MQTT_USER={USER}\n"
                    f'MQTT_PASSWORD="{PASSWORD}"\n' + extra)


def roundtrip(env, cwd, args=()):
    t = unique("course")
    out = iotctl("pub", *args, "-t", t, "-m", "hello", "-r", env=env, cwd=cwd)
    assert out.returncode == 0, out.stderr
    got = iotctl("sub", *args, "-t", t, "-C", "1", "-W", "20", env=env, cwd=cwd)
    assert (got.returncode, got.stdout, got.stderr) == (0, "hello\n", "")


def test_course_env_on_port_8883_is_tls_with_the_trust_store(course, tmp_path):
    if "8883" not in course["ports"]:
        pytest.skip("127.0.0.1:8883 is in use on this machine; the port rule is covered by the "
                    "unit test 'resolve: port 8883 turns TLS on...' and the MQTT_TLS case here")
    course_env_file(tmp_path / ".env", 8883)
    roundtrip(course["env"], tmp_path)
    # --no-tls keeps 8883 plain, and the error says the port speaks TLS.
    out = iotctl("pub", "--no-tls", "-t", "x", "-m", "x", env=course["env"], cwd=tmp_path)
    assert (out.returncode, out.stderr) == (
        3, "iotctl: error: could not connect to 127.0.0.1:8883: the port speaks TLS, the client "
           "plain MQTT; use --tls-use-os-certs, --cafile FILE or mqtts://\n")


def test_course_env_with_mqtt_tls_on_another_port(course, tmp_path):
    course_env_file(tmp_path / ".env", course["ports"]["tls"], "MQTT_TLS=true\n")
    roundtrip(course["env"], tmp_path)
    # The same, as flags: mosquitto's --tls-use-os-certs, and --tls.
    flags = ["-h", "127.0.0.1", "-p", course["ports"]["tls"], "-u", USER, "-P", PASSWORD]
    roundtrip(course["env"], tmp_path / "..", flags + ["--tls-use-os-certs"])
    roundtrip(course["env"], tmp_path / "..", flags + ["--tls"])


def test_capath_directory_verifies_like_mosquitto(course, tmp_path):
    """--capath used to end in 'unknown ca': Paho C++ 1.2.0 dropped the CA path on copy."""
    capath = course["dir"] / "capath"
    env = dict(course["env"], SSL_CERT_FILE=str(course["dir"] / "other-ca.crt"))
    args = ["-h", "127.0.0.1", "-p", course["ports"]["tls"], "-u", USER, "-P", PASSWORD,
            "--capath", capath]
    roundtrip(env, tmp_path, args)
    ref = run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(course["ports"]["tls"]), "-u", USER,
               "-P", PASSWORD, "--capath", str(capath), "-t", "ref", "-m", "x"],
              capture_output=True, timeout=30, env=env)
    assert ref.returncode == 0, ref.stderr


def error_of(course, *args, env=None):
    out = iotctl("pub", *args, "-t", "x", "-m", "x", "--connect-timeout", "5",
                 env=env or course["env"])
    return out.returncode, out.stderr


def test_plain_client_on_a_tls_port(course):
    port = course["ports"]["expired"]
    assert error_of(course, "-h", "127.0.0.1", "-p", port) == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{port}: the port speaks TLS, the client "
           "plain MQTT; use --tls-use-os-certs, --cafile FILE or mqtts://\n")


def test_tls_client_on_a_plain_port(course):
    port = course["ports"]["plain"]
    assert error_of(course, "-h", "127.0.0.1", "-p", port, "--tls") == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{port}: the port speaks plain MQTT, not "
           "TLS; use --no-tls or mqtt://\n")


def test_expired_certificate(course):
    port = course["ports"]["expired"]
    assert error_of(course, "-h", "127.0.0.1", "-p", port, "--tls") == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{port}: the broker's certificate has "
           "expired\n")


def test_unknown_ca(course):
    port = course["ports"]["client_cert"]
    code, err = error_of(course, "-h", "127.0.0.1", "-p", port, "--cafile", course["dir"] / "other-ca.crt")
    assert code == 3
    assert err.startswith(f"iotctl: error: could not connect to 127.0.0.1:{port}: unknown CA: the "
                          "broker's certificate is not signed by a trusted CA ("), err
    assert err.endswith("); give the CA that signed it with --cafile or --capath\n"), err


def test_name_mismatch(course):
    port = course["ports"]["elsewhere"]
    assert error_of(course, "-h", "127.0.0.1", "-p", port, "--tls") == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{port}: the broker's certificate is not "
           "for '127.0.0.1' (name mismatch)\n")


def test_client_certificate_required(course, tmp_path):
    port = course["ports"]["client_cert"]
    assert error_of(course, "-h", "127.0.0.1", "-p", port, "--tls") == (
        3, f"iotctl: error: could not connect to 127.0.0.1:{port}: the broker requires a client "
           "certificate: give --cert and --key\n")
    d = course["dir"]
    roundtrip(course["env"], tmp_path, ["-h", "127.0.0.1", "-p", port, "--tls", "--cert", d / "client.crt",
                                        "--key", d / "client.key"])


def test_host_name_that_does_not_resolve(course):
    # An empty label fails inside the resolver: no DNS query leaves this machine.
    assert error_of(course, "-h", "broker..example", "-p", course["ports"]["plain"]) == (
        3, f"iotctl: error: could not connect to broker..example:{course['ports']['plain']}: the host "
           "name 'broker..example' could not be resolved (Name or service not known)\n")


def test_port_that_is_not_a_number(course):
    for value in ("abc", "0", "70000", "18 83"):
        out = iotctl("sub", "-p", value, "-t", "x", env=course["env"])
        assert (out.returncode, out.stderr) == (
            2, f"iotctl: error: -p/--port: '{value}' is not a port number (1-65535)\n"
               "Run 'iotctl sub --help' for usage.\n")


def test_help_spellings():
    top = iotctl("--help")
    assert top.returncode == 0 and top.stdout.startswith("iotctl: MQTT tools")
    for args in (["-h"], ["help"]):
        out = iotctl(*args)
        assert (out.returncode, out.stdout) == (0, top.stdout)
    sub = iotctl("sub", "--help")
    out = iotctl("help", "sub")
    assert (out.returncode, out.stdout) == (0, sub.stdout)
    out = iotctl("help", "nope")
    assert (out.returncode, out.stderr) == (
        2, "iotctl: error: help: unknown command 'nope'; run 'iotctl help' for the list\n")
