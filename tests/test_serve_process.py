"""`himaya serve` as a real process: pairing, SIGKILL mid-burst, busy port, loopback only, no text in logs.

Every server here runs on a free ephemeral port with its own HIMAYA_HOME.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from companion_helpers import REPORT_TEXT, free_port, report_body

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from himaya.cli import main; main()"]


class Companion:
    """A `himaya serve` subprocess; reads its banner for the pairing code."""

    def __init__(self, home, port):
        self.home, self.port = home, port
        env = {**os.environ, "HIMAYA_HOME": str(home), "HIMAYA_LANG": "en", "PYTHONUNBUFFERED": "1"}
        self.env = env
        self.proc = subprocess.Popen(CLI + ["serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.banner = []
        self.code = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"serve exited: {self.proc.wait()} {self.proc.stderr.read()}")
            self.banner.append(line)
            if line.startswith("Pairing code"):
                self.code = line.strip().rsplit(" ", 1)[-1]
            if line.startswith("Press Ctrl+C"):
                return
        raise AssertionError("serve did not start")

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return "".join(self.banner) + out, err


def call(conn, method, path, body=None, token=None, headers=None):
    hdrs = {"Host": f"127.0.0.1:{conn.port}", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["X-Himaya-Token"] = token
    conn.request(method, path, body=data, headers=hdrs)
    response = conn.getresponse()
    return response.status, response.read(), response


def pair(companion) -> str:
    status, body, _ = call(companion.connection(), "POST", "/api/v1/pair", {"code": companion.code})
    assert status == 200, body
    return json.loads(body)["token"]


def cli(home, *args):
    env = {**os.environ, "HIMAYA_HOME": str(home), "HIMAYA_LANG": "en"}
    return subprocess.run(CLI + list(args), env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def companion(tmp_path):
    server = Companion(tmp_path / "home", free_port())
    yield server
    if server.proc.poll() is None:
        server.stop(signal.SIGKILL)


def test_serve_prints_port_code_and_folder_and_pairs(companion):
    banner = "".join(companion.banner)
    assert f"http://127.0.0.1:{companion.port}" in banner and str(companion.home) in banner
    token = pair(companion)
    assert token == cli(companion.home, "token").stdout.strip()
    status, body, _ = call(companion.connection(), "GET", "/api/v1/status", token=token)
    assert status == 200 and json.loads(body)["rules_version"]
    assert json.loads(body)["rules"]["list_id"]  # the signed list of the data folder (RuleManager)


def test_binds_loopback_only_and_busy_port_is_clear(companion):
    with socket.socket() as probe:  # another loopback address: nobody listens there
        assert probe.connect_ex(("127.0.0.2", companion.port)) != 0
    second = cli(companion.home.parent / "other-home", "serve", "--port", str(companion.port))
    assert second.returncode == 2
    assert f"Port {companion.port} is already in use" in second.stderr


def test_a_second_companion_on_the_same_data_folder_names_the_first(companion):
    second = cli(companion.home, "serve", "--port", str(free_port()))
    assert second.returncode == 2
    assert "already running on this data folder" in second.stderr
    assert f"process {companion.proc.pid}, port {companion.port}" in second.stderr
    assert "Traceback" not in second.stderr


def test_oversized_chunked_body_gets_json_413(companion):
    token = pair(companion)
    conn = companion.connection()
    conn.putrequest("POST", "/api/v1/reports", skip_host=True)
    for name, value in (("Host", f"127.0.0.1:{companion.port}"), ("X-Himaya-Token", token),
                        ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")):
        conn.putheader(name, value)
    conn.endheaders()
    chunk = b"a" * 1024 * 1024
    try:
        for _ in range(14):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may stop reading once over its cap
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"] == "too_large"


def test_sigkill_during_report_burst_loses_no_acknowledged_report(companion):
    token = pair(companion)
    acknowledged, lock, stop = {}, threading.Lock(), threading.Event()

    def writer(n):
        conn = companion.connection()
        i = 0
        while not stop.is_set():
            try:
                status, body, _ = call(conn, "POST", "/api/v1/reports",
                                       report_body(text=f"{REPORT_TEXT} w{n}-{i}"), token=token)
            except (OSError, http.client.HTTPException):
                return  # the server died under us
            assert status == 201, body
            made = json.loads(body)
            with lock:
                acknowledged[made["id"]] = made["sha256"]
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    companion.proc.kill()  # SIGKILL, mid-burst: writers are still sending
    companion.proc.wait(30)
    stop.set()
    for t in threads:
        t.join(30)
    assert len(acknowledged) >= 40

    restarted = Companion(companion.home, companion.port)
    try:
        conn = restarted.connection()
        for report_id, digest in acknowledged.items():
            status, body, _ = call(conn, "GET", f"/api/v1/reports/{report_id}", token=token)
            assert status == 200 and json.loads(body)["sha256"] == digest
        verified = cli(companion.home, "report", "verify")
        assert verified.returncode == 0, verified.stderr
        assert "Evidence chain intact" in verified.stdout
    finally:
        restarted.stop()


def test_concurrent_scans_and_reports_never_5xx(companion):
    token = pair(companion)
    statuses, lock = [], threading.Lock()
    texts = ["salut, ça va ?", "ajoute-moi sur snap stp", "zidni 3al telegram", "on se voit au parc demain ?"]

    def client(n):
        conn = companion.connection()
        for i in range(30):
            if i % 10 == 9:
                status, _, _ = call(conn, "POST", "/api/v1/reports", report_body(screenshot=False), token=token)
            elif i % 3 == 0:
                units = [{"id": k, "kind": "message", "text": texts[k]} for k in range(len(texts))]
                status, _, _ = call(conn, "POST", "/api/v1/scan/batch", {"units": units}, token=token)
            else:
                status, _, _ = call(conn, "POST", "/api/v1/scan", {"kind": "message", "text": texts[i % 4],
                                                                   "conversation": f"c{n}"}, token=token)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(statuses) == 12 * 30
    assert all(s < 500 for s in statuses), sorted(set(statuses))
    assert statuses.count(201) == 36
    assert cli(companion.home, "report", "verify").returncode == 0


def test_logs_and_output_never_contain_reported_text(companion):
    secret = "tell-no-one-5521 " + REPORT_TEXT
    token = pair(companion)
    conn = companion.connection()
    call(conn, "POST", "/api/v1/scan", {"kind": "message", "text": secret, "url": "https://social.example/x"},
         token=token)
    status, body, _ = call(conn, "POST", "/api/v1/reports", report_body(text=secret), token=token)
    assert status == 201
    report_id = json.loads(body)["id"]
    call(conn, "GET", f"/api/v1/reports/{report_id}", token=token)
    call(conn, "GET", f"/api/v1/reports/{report_id}/export", token=token)
    bad = report_body(text=secret)
    bad["units"][0]["kind"] = secret  # an error that could echo the text
    assert call(conn, "POST", "/api/v1/reports", bad, token=token)[0] == 400
    call(conn, "POST", "/api/v1/scan", {"kind": "message", "text": secret + "\u0000"}, token=token)
    call(conn, "POST", "/api/v1/feedback", {"rules": ["HIM-PRIV-001"], "verdict": "wrong"}, token=token)
    outputs = [cli(companion.home, "report", "verify"), cli(companion.home, "report", "list")]
    stdout, stderr = companion.stop()
    logs = "".join(p.read_text() for p in (companion.home / "logs").iterdir())
    assert report_id in logs  # the log does record the report happened
    everything = logs + stdout + stderr + "".join(o.stdout + o.stderr for o in outputs)
    assert "tell-no-one-5521" not in everything and "7elwa-xq17" not in everything
