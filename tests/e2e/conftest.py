"""pytest fixtures: a real Mosquitto (plain, TLS and password listeners) per test module."""
import pytest

from harness import Service


@pytest.fixture(scope="module")
def broker():
    svc = Service("mosquitto").start()
    yield svc
    svc.stop()
