"""serving.py in-process: loopback-only binding, the log file, waitress's own refusals in JSON."""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import stat
import threading
import time

import pytest
from companion_helpers import free_port

from himaya.companion.app import StaticRules
from himaya.companion.guard import FORBIDDEN, UNAUTHORIZED
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


@pytest.mark.parametrize("server", ["companion", "hub"])
def test_log_files_stay_private_after_rotation(himaya_home, server):
    from himaya.hub.serving import setup_logging as hub_logging

    himaya_home.mkdir(mode=0o700)
    previous = os.umask(0o022)  # the usual umask: new files would be 0644
    handler = (setup_logging if server == "companion" else hub_logging)(himaya_home)
    try:
        handler.maxBytes = 2000
        log = logging.getLogger("himaya.hub.test" if server == "hub" else "himaya.test")
        for i in range(20):
            log.info("line %d %s", i, "y" * 200)
        handler.flush()
        folder = himaya_home / "logs"
        files = sorted(folder.glob(f"{server}.log*"))
        assert len(files) >= 3  # rotated at least twice
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
    finally:
        os.umask(previous)
        for name in ("himaya", "himaya.hub", "waitress"):
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


def _send_headers_only(port, head: bytes, wait: float = 2.0) -> tuple[int, bytes, float]:
    """Send a request's headers (announcing a body) and no body; the status,
    body and seconds until the server answered (or raise on timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        start = time.monotonic()
        sock.sendall(head)
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        elapsed = time.monotonic() - start
    head_part, _, body = data.partition(b"\r\n\r\n")
    return int(head_part.split()[1]), body, elapsed


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


@pytest.mark.parametrize("case, extra, expected", [
    ("no token", b"", (401, UNAUTHORIZED)),
    ("foreign origin", b"Origin: https://evil.example\r\nX-Himaya-Token: {token}\r\n", (403, FORBIDDEN)),
    ("bad host", b"X-Himaya-Token: {token}\r\n", (400, None)),
    ("over the route's cap", b"X-Himaya-Token: {token}\r\n", (413, None)),
    ("wrong content type", b"X-Himaya-Token: {token}\r\n", (415, None)),
])
def test_refused_on_headers_before_reading_the_body(running, case, extra, expected):
    """Issue 14.4: a 12 MiB body is announced and never sent; the refusal comes at once."""
    port, token = running.port, running.companion.guard.token
    host = b"evil.example" if case == "bad host" else b"127.0.0.1:%d" % port
    path, length = (b"/api/v1/scan", 300 * 1024) if case == "over the route's cap" else (b"/api/v1/reports", 12 * 2**20 - 1)
    ctype = b"text/plain" if case == "wrong content type" else b"application/json"
    head = (b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: " + ctype
            + b"\r\nContent-Length: %d\r\n" % length + extra.replace(b"{token}", token.encode()) + b"\r\n")
    status, body, elapsed = _send_headers_only(port, head)
    assert status == expected[0] and elapsed < 1.0
    if expected[1] is not None:
        assert body == expected[1]


def test_slow_connections_cannot_blind_the_companion(running):
    """Issue 14.2: 300 connections trickling header bytes; a real scan is still answered within 1 s."""
    port, token = running.port, running.companion.guard.token
    slow, stop = [], threading.Event()
    for _ in range(300):
        sock = socket.socket()
        sock.settimeout(5)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % port)
        slow.append(sock)

    def trickle():  # one byte on every connection every 0.2 s: each byte would restart an idle timeout
        while not stop.wait(0.2):
            for sock in slow:
                try:
                    sock.send(b"a")
                except OSError:
                    pass

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(1.0)
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
            start = time.monotonic()
            conn.request("POST", "/api/v1/scan", body=json.dumps({"kind": "message", "text": "slt cv ?"}),
                         headers={"Host": f"127.0.0.1:{port}", "Content-Type": "application/json",
                                  "X-Himaya-Token": token})
            response = conn.getresponse()
            assert response.status == 200 and "risk" in json.loads(response.read())
            assert time.monotonic() - start < 1.0
            conn.close()
        assert running.front.evicted >= 300 - running.front.PENDING_PER_CLIENT
    finally:
        stop.set()
        feeder.join(5)
        for sock in slow:
            sock.close()


def test_a_connection_without_the_token_has_a_deadline_bytes_do_not_extend(running, monkeypatch):
    monkeypatch.setattr(running.front, "REQUEST_DEADLINE", 0.5)
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
        sock.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % running.port)
        start, closed = time.monotonic(), False
        while time.monotonic() - start < 4:
            try:
                sock.send(b"X-Slow: a\r\n")
                sock.settimeout(0.2)
                if sock.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        assert closed and time.monotonic() - start < 3
