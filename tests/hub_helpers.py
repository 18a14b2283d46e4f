"""Fixtures and helpers for the hub's tests (``from hub_helpers import *``).

- ``hub_db_url``: parametrized over SQLite and PostgreSQL. PostgreSQL comes from
  ``HIMAYA_TEST_PG`` (scripts/with-postgres.sh starts a throw-away cluster and
  sets it; ``make test`` does); each test gets a fresh database. In CI a
  missing PostgreSQL fails the test instead of skipping it.
- ``SimCompanion``: a companion's evidence chain in memory, built with the same
  core functions the companion's store uses, producing ``himaya-report/1`` bodies.
- ``Staff``: a test client that logs in and sends forms with their CSRF token.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import socket
import uuid

import pytest

from himaya.core import evidence

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
PASSWORD = "correct horse battery 7"
# Invented and harmless, in the style of what companions report (no explicit content).
TEXTS = [
    "slt, 9adech 3omrek ? zidni 3al snap",
    "t'as quel âge ? ajoute-moi sur snap, c'est plus discret",
    "groupe privé pour les 13-16 ans, cadeaux chaque soir, lien en MP",
    "قداش عمرك؟ زيدني على سناب",
]


def pg_base_url() -> str | None:
    return os.environ.get("HIMAYA_TEST_PG")


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    base = pg_base_url()
    if not base:
        if os.environ.get("CI"):
            pytest.fail("HIMAYA_TEST_PG is not set: PostgreSQL tests must run in CI (scripts/with-postgres.sh)")
        pytest.skip("no PostgreSQL (run through scripts/with-postgres.sh, as `make test` does)")
    import psycopg

    name = f"himaya_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db_url(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "hub.db")
    return request.getfixturevalue("pg_url")


class SimCompanion:
    """One companion's evidence chain, as its store would build it."""

    def __init__(self, name: str = "c"):
        self.name = name
        self.seq, self.head = 0, evidence.GENESIS
        self.sent: list[dict] = []

    def report(self, text: str | None = None, url: str | None = None, screenshot: bool = False,
               matches=None, author: str = "sami.b.000", rules_version: str = "v1") -> dict:
        text = text or TEXTS[self.seq % len(TEXTS)]
        payload = {"url": url or f"https://www.facebook.com/groups/{self.name}.{self.seq}",
                   "title": f"Page {self.name} {self.seq}",
                   "units": [{"kind": "message", "text": text, "author": author}],
                   "matches": matches if matches is not None else [
                       {"rule": "HIM-PRIV-001", "severity": "medium", "category": "move-to-private",
                        "spans": [[0, min(5, len(text))]], "unit": 0}]}
        if screenshot:
            payload["screenshot"] = PNG_URL
        record, captures = evidence.build_record(payload, rules_version)
        self.seq += 1
        created = f"2026-01-01T10:00:{self.seq % 60:02d}.000Z"
        rid = f"R20260101-{secrets.token_hex(4)}"
        body, digest = evidence.chain(record, seq=self.seq, prev=self.head, report_id=rid, created=created)
        self.head = digest
        envelope = {"format": "himaya-report/1", "id": rid, "sha256": digest, "prev": record["prev"],
                    "created": created, "record": json.loads(body),
                    "captures": [{"name": c["name"], "mime": c["mime"], "sha256": c["sha256"],
                                  "base64": base64.b64encode(c["data"]).decode()} for c in captures],
                    "chain_head": digest, "sender": "himaya/0.1.0"}
        self.sent.append(envelope)
        return envelope


def body_of(envelope: dict) -> bytes:
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Staff:
    """A logged-in staff member on the Flask test client."""

    def __init__(self, app, name: str, password: str = PASSWORD, totp: str | None = None):
        self.app, self.name = app, name
        self.client = app.test_client()
        self.response = self.login(password, totp)

    def login(self, password: str, totp: str | None = None):
        page = self.client.get("/login").get_data(as_text=True)
        form = page[page.index('id="login-form"'):]
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        form = {"csrf": token, "name": self.name, "password": password}
        if totp:
            form["totp"] = totp
        return self.client.post("/login", data=form)

    def csrf(self) -> str:
        page = self.client.get("/account")
        return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data["csrf"] = self.csrf()
        return self.client.post(path, data=data, **kw)


def make_hub(tmp_path, db_url: str, **config):
    from himaya.hub.app import create_app

    return create_app({"HOME": tmp_path / "hub-home", "DB": db_url, "TESTING": True, "SECURE_COOKIES": False,
                       **config})


def post_report(client, envelope: dict, code: str | None = None):
    headers = {"X-Himaya-Intake-Code": code} if code else {}
    return client.post("/api/v1/intake", data=body_of(envelope), content_type="application/json", headers=headers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hub_app(tmp_path, hub_db_url):
    from himaya.hub import auth

    app = make_hub(tmp_path, hub_db_url)
    db = app.extensions["hub"].db
    for name, role in (("amal", "admin"), ("sami", "analyst"), ("rym", "author")):
        auth.add_user(db, name, role, PASSWORD)
    yield app
    db.close()


# -- real processes ---------------------------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

CLI = [sys.executable, "-c", "from himaya.cli import main; main()"]


def hub_cli(home, *args, input: str | None = None, check: bool = True):
    env = {**os.environ, "HIMAYA_HUB_HOME": str(home), "HIMAYA_LANG": "en"}
    done = subprocess.run(CLI + ["hub", *args], env=env, capture_output=True, text=True, timeout=120, input=input)
    if check and done.returncode != 0:
        raise AssertionError(f"himaya hub {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done


class HubProcess:
    """`himaya hub serve` as a subprocess on a loopback port."""

    def __init__(self, home, port: int | None = None, db: str | None = None, threads: int = 8):
        self.home, self.port, self.db = home, port or free_port(), db
        args = ["hub", "serve", "--home", str(home), "--port", str(self.port), "--insecure-cookies",
                "--threads", str(threads)]
        if db:
            args += ["--db", db]
        env = {**os.environ, "HIMAYA_LANG": "en", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(CLI + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"hub exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                with urllib.request.urlopen(self.url + "/api/v1/status", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        raise AssertionError("the hub did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(30)
        self._close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._close()

    def _close(self):
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def send(url: str, envelope_bytes: bytes, code: str | None = None, timeout: float = 30) -> tuple[int, dict]:
    """POST one report as the companion's outbox does; (status, JSON answer)."""
    headers = {"Content-Type": "application/json"}
    if code:
        headers["X-Himaya-Intake-Code"] = code
    request = urllib.request.Request(url + "/api/v1/intake", data=envelope_bytes, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read())
        finally:
            exc.close()


# -- planted networks (tests and bench) ---------------------------------------------

PLATFORM_URLS = [
    "https://www.facebook.com/{name}",
    "https://www.instagram.com/{name}/",
    "https://www.tiktok.com/@{name}",
    "https://x.com/{name}",
    "https://m.facebook.com/{name}/posts/7",
]
COMMON_NOISE = ["Sousse", "Ennasr", "🍓", "🍒", "facebook.com"]


def planted(networks: int = 6, pages: int = 4, decoys: int = 12, seed: int = 3):
    """Reports on pages of planted networks, chained through different kinds of shared
    indicators (code, admin handle, invite link, phone, emoji legend, sister page), plus decoy
    pages that share only common things (the platform, a bare emoji, a place) with them.

    Returns (reports as (url, text, author) triples, {page url: planted group}), every name,
    handle, link and number invented (numbers with a 000 block)."""
    import random

    rng = random.Random(seed)
    reports, truth = [], {}
    for k in range(networks):
        urls = [PLATFORM_URLS[(k + j) % len(PLATFORM_URLS)].format(name=f"zone{k}.page{j}.000")
                for j in range(pages)]
        ties = [f"code zone{k}vip{k}7", f"admin: @wasit.k{k}.000", f"t.me/+Zk{k}000Qx", f"2{k % 10} 000 {k:03d}",
                f"🍑=jdod{k}", f"suivez aussi {urls[0].replace('https://', '')}"]
        for j, url in enumerate(urls):
            truth[url] = f"N{k}"
            # page j shares one tie with page j-1 and another with page j+1: a chain, not a clique
            mine = [ties[(k + j) % len(ties)], ties[(k + j + 1) % len(ties)]] if j < pages - 1 else []
            before = [ties[(k + j) % len(ties)]] if j > 0 else []
            noise = rng.sample(COMMON_NOISE[:4], 2)
            text = f"{' '.join(noise)} nouvelles dispo, {', '.join(before + mine)}, DM"
            reports.append((url, text, None))
    for d in range(decoys):
        url = PLATFORM_URLS[d % len(PLATFORM_URLS)].format(name=f"patisserie.{d}.000")
        truth[url] = f"D{d}"
        noise = rng.sample(COMMON_NOISE[:4], 3)
        reports.append((url, f"{' '.join(noise)} gâteaux du jour, code promo{d}x{d}, livraison facebook.com", None))
    rng.shuffle(reports)
    return reports, truth
