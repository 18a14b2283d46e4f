"""The outbox against a real intake server on 127.0.0.1: delivery, retries, backoff, no redirects."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from companion_helpers import PNG, report_body

from himaya.companion.config import ensure_private_dir
from himaya.companion.outbox import Outbox
from himaya.companion.store import Store


class Intake:
    """A tiny NGO intake: answers with the queued statuses, records what it got."""

    def __init__(self):
        self.received = []
        self.statuses = []
        intake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                intake.received.append({"path": self.path, "type": self.headers["Content-Type"], "body": body,
                                        "code": self.headers.get("X-Himaya-Intake-Code")})
                status = intake.statuses.pop(0) if intake.statuses else 200
                self.send_response(status)
                if status in (301, 302, 307, 308):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/intake"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def intake():
    server = Intake()
    yield server
    server.close()


@pytest.fixture
def store(himaya_home):
    ensure_private_dir(himaya_home)
    return Store(himaya_home / "himaya.db")


def _outbox(store, url, **kw):
    return Outbox(store, lambda: {"intake-url": url}, timeout=5, **kw)


def test_delivers_record_captures_and_chain_head(store, intake):
    first = store.append_report(report_body(), "v1", queue=True)
    second = store.append_report(report_body(screenshot=False), "v1", queue=True)
    assert _outbox(store, intake.url).send_due() == 2
    got = [json.loads(item["body"]) for item in intake.received]
    assert [g["id"] for g in got] == [first["id"], second["id"]]
    assert intake.received[0]["type"] == "application/json" and intake.received[0]["path"] == "/intake"
    shot = got[0]["captures"][0]
    assert base64.b64decode(shot["base64"]) == PNG and shot["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert got[1]["chain_head"] == second["sha256"] and got[1]["prev"] == first["sha256"]
    assert store.outbox_counts()["sent"] == 2
    assert _outbox(store, intake.url).send_due() == 0  # nothing sent twice


def test_failure_backs_off_then_succeeds(store, intake):
    made = store.append_report(report_body(), "v1", queue=True)
    box = _outbox(store, intake.url, base_delay=10)
    intake.statuses = [503]
    assert box.send_due(now=1000.0) == 0
    row = store.get_report(made["id"])["outbox"]
    assert row == {"state": "pending", "attempts": 1, "last_error": "HTTP 503"}
    assert box.send_due(now=1001.0) == 0 and len(intake.received) == 1  # not yet due
    assert box.send_due(now=1013.0) == 1
    assert store.get_report(made["id"])["outbox"]["state"] == "sent"


def test_backoff_grows_and_is_capped():
    box = Outbox(None, dict, base_delay=30, max_delay=3600)
    delays = [box.delay(n) for n in range(1, 12)]
    assert delays[1] > delays[0] * 1.3 and delays[3] > delays[2] * 1.3
    assert max(delays) <= 3600 * 1.2


def test_gives_up_after_max_attempts(store, intake):
    made = store.append_report(report_body(), "v1", queue=True)
    box = _outbox(store, intake.url, max_attempts=2, base_delay=1)
    intake.statuses = [500, 500]
    box.send_due(now=0.0)
    box.send_due(now=10_000.0)
    assert store.get_report(made["id"])["outbox"]["state"] == "failed"
    assert box.send_due(now=99_999.0) == 0 and len(intake.received) == 2


def test_redirects_are_not_followed(store, intake):
    made = store.append_report(report_body(), "v1", queue=True)
    intake.statuses = [307]
    assert _outbox(store, intake.url).send_due() == 0
    assert len(intake.received) == 1
    assert store.get_report(made["id"])["outbox"]["last_error"] == "HTTP 307"


def test_unreachable_intake_is_retried_later(store):
    made = store.append_report(report_body(), "v1", queue=True)
    assert _outbox(store, "http://127.0.0.1:9/intake").send_due() == 0
    row = store.get_report(made["id"])["outbox"]
    assert row["state"] == "pending" and row["last_error"].startswith("unreachable")


def test_an_intake_that_answers_garbage_is_retried_later(store):
    """An intake that dies or garbles its answer mid-way (a status line that is not HTTP):
    the report is kept, its attempt counted, and tried again later; nothing escapes."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer_garbage():
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 2xx what\r\n\r\n")
        conn.close()

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    made = store.append_report(report_body(), "v1", queue=True)
    try:
        assert _outbox(store, f"http://127.0.0.1:{server.getsockname()[1]}/intake").send_due() == 0
    finally:
        thread.join(5)
        server.close()
    row = store.get_report(made["id"])["outbox"]
    assert row["state"] == "pending" and row["attempts"] == 1 and row["last_error"]


def test_without_intake_reports_wait_for_export(store, intake):
    store.append_report(report_body(), "v1", queue=False)
    assert Outbox(store, lambda: {"intake-url": None}).send_due() == 0
    assert intake.received == []
    # Once an address is set, the waiting report goes too: the person asked to report it.
    assert _outbox(store, intake.url).send_due() == 1


def test_background_loop_wakes_on_new_report(store, intake):
    box = _outbox(store, intake.url)
    stop, wakeup = threading.Event(), threading.Event()
    thread = threading.Thread(target=box.run, args=(stop, wakeup, 30.0), daemon=True)
    thread.start()
    store.append_report(report_body(), "v1", queue=True)
    wakeup.set()
    for _ in range(200):
        if store.outbox_counts()["sent"] == 1:
            break
        threading.Event().wait(0.02)
    stop.set()
    wakeup.set()
    thread.join(5)
    assert store.outbox_counts()["sent"] == 1 and not thread.is_alive()


def test_sends_the_enrolment_code_when_one_is_set(store, intake):
    store.append_report(report_body(), "v1", queue=True)
    store.append_report(report_body(screenshot=False), "v1", queue=True)
    box = Outbox(store, lambda: {"intake-url": intake.url, "intake-code": "HUB-7KQ2-M9XA-P4TD-3HNE"}, timeout=5)
    assert box.send_due() == 2
    assert [r["code"] for r in intake.received] == ["HUB-7KQ2-M9XA-P4TD-3HNE"] * 2
    store.append_report(report_body(), "v1", queue=True)
    assert _outbox(store, intake.url).send_due() == 1 and intake.received[-1]["code"] is None  # family: no code
