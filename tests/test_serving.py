"""serving.py in-process: loopback-only binding, the log file, waitress's own refusals in JSON."""

from __future__ import annotations

import json
import logging
import socket
import stat
import threading

import pytest
from companion_helpers import free_port

from himaya.companion.app import StaticRules
from himaya.companion.serving import PortBusy, Server, bind, setup_logging


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "localhost"])
def test_bind_refuses_anything_but_loopback(host):
    with pytest.raises(ValueError, match="127.0.0.1 only"):
        bind(free_port(), host=host)


def test_busy_port_names_itself():
    first = bind(0)
    port = first.getsockname()[1]
    try:
        with pytest.raises(PortBusy, match=f"port {port} is already in use"):
            bind(port)
    finally:
        first.close()


def test_log_file_is_private_and_rotates(himaya_home):
    himaya_home.mkdir(mode=0o700)
    handler = setup_logging(himaya_home)
    try:
        path = himaya_home / "logs" / "companion.log"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert handler.maxBytes == 1_000_000 and handler.backupCount == 5
        logging.getLogger("himaya.test").info("x" * 1000)
        handler.flush()
        assert "x" * 1000 in path.read_text()
    finally:
        for name in ("himaya", "waitress"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()


@pytest.fixture
def running(himaya_home, scanner):
    himaya_home.mkdir(mode=0o700)
    server = Server.open(himaya_home, 0, threads=2, rules=StaticRules(scanner))
    thread = threading.Thread(target=server._waitress.run, daemon=True)
    thread.start()
    yield server
    server.close()
    thread.join(10)


def _raw(port, data: bytes) -> tuple[int, dict]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split()[1]), (json.loads(body) if body else {})


def test_malformed_requests_get_json_from_the_server_itself(running):
    status, body = _raw(running.port, b"GARBAGE\r\n\r\n")
    assert status == 400 and body["error"] == "bad_request"
    status, body = _raw(running.port, b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: x\r\n\r\n"
                        % running.port)
    assert status == 400 and set(body) == {"error", "detail"}


def test_request_without_host_is_refused(running):
    status, body = _raw(running.port, b"GET /api/v1/status HTTP/1.0\r\n\r\n")
    assert status == 400 and body["error"] == "bad_host"


def test_served_liveness(running):
    status, body = _raw(running.port, b"GET /api/v1/status HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n"
                        % running.port)
    assert status == 200 and body == {"ok": True}
