"""Fixtures and helpers shared by the companion's tests (test_app, test_api, ...).

Imported by those modules (``from companion_helpers import *``); they build the
real application over the real rules (the session ``scanner`` fixture).
"""

from __future__ import annotations

import base64
import json
import socket
import sqlite3

import pytest

from himaya.companion.app import StaticRules, create_app

PORT = 47615
BASE = f"http://127.0.0.1:{PORT}"
CHROME_ID = "abcdefghijklmnopabcdefghijklmnop"
CHROME_ORIGIN = f"chrome-extension://{CHROME_ID}"
MOZ_ORIGIN = "moz-extension://0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
# A 1x1 PNG, made for these tests.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
# Invented and harmless: what a reported message could say (a move-to-private ask).
REPORT_TEXT = "zidni 3al snap, nkamlou ghadi el-marra ejjeya 7elwa-xq17"


def risky_text(scanner) -> tuple[str, str]:
    """A (rule id, text) that the real rules flag, taken from a rule's own positive tests."""
    for rule in scanner.rules:
        for example in rule.positives:
            if (example.kind or "message") == "message" and scanner.scan(example.text, kind="message").matches:
                return rule.id, example.text
    raise AssertionError("the repository rules flag none of their positive examples")


def make_app(home, scanner, **extra):
    config = {"HOME": home, "RULES": StaticRules(scanner), "PORT": PORT, "TESTING": True,
              "EXTENSION_IDS": [CHROME_ID], **extra}
    return create_app(config)


class Api:
    """A test client that speaks to the guard as the extension would."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = app.extensions["himaya"].guard.token

    def request(self, method, path, *, token=True, origin=None, json_body=None, data=None,
                content_type=None, headers=None, **kwargs):
        hdrs = dict(headers or {})
        if token is True:
            hdrs["X-Himaya-Token"] = self.token
        elif token:
            hdrs["X-Himaya-Token"] = token
        if origin:
            hdrs["Origin"] = origin
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json"
        return self.client.open(path, method=method, base_url=kwargs.pop("base_url", BASE), headers=hdrs,
                                data=data, content_type=content_type, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, json_body=body, **kw)


def report_body(text=REPORT_TEXT, rule="HIM-PRIV-001", screenshot=True):
    body = {"url": "https://social.example/messages/t/4821", "title": "Messages - Sami B.",
            "units": [{"kind": "message", "text": text, "author": "sami.b.000"}],
            "matches": [{"rule": rule, "severity": "medium", "spans": [[0, 5]], "unit": 0}]}
    if screenshot:
        body["screenshot"] = PNG_URL
    return body


def snapshot(home) -> dict:
    """Every row of every table, to assert that a refused request changed nothing."""
    conn = sqlite3.connect(home / "himaya.db")
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app(himaya_home, scanner):
    return make_app(himaya_home, scanner)


@pytest.fixture
def api(app):
    return Api(app)
