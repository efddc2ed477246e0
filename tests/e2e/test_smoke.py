"""The smallest round trip: pub to a real broker, sub receives it."""
from harness import iotctl, spawn, wait_until


def test_pub_sub_round_trip(broker):
    sub = spawn("sub", "-p", broker.port, "-t", "smoke/#", "-v", "-C", "1", "-W", "20")
    # Publish until the subscriber (which may still be subscribing) gets one message.
    def delivered():
        iotctl("pub", "-p", broker.port, "-t", "smoke/a", "-m", "hello", check=True)
        try:
            sub.wait(timeout=0.3)
            return True
        except Exception:
            return False
    wait_until(delivered, timeout=20, what="sub to receive")
    out = sub.stdout.read().decode()
    assert sub.returncode == 0
    assert out == "smoke/a hello\n"
