"""The two servers a browser test needs: the real companion (`himaya serve`)
and an HTTPS server that stands in for the social networks.

Fixture pages are served on 127.0.0.1 and the browsers are told to resolve
the real host names there (Chromium: --host-resolver-rules; Firefox:
network.dns.forceResolve), so the manifest's real match patterns are what
decides where the content scripts run. HTTPS because the networks' names are
on the browsers' HSTS preload lists.

Example:
    with Companion.start(tmp_path, extension_id=EXT_ID) as companion:
        companion.api("/status")  # -> {"ok": True, ...}
"""

from __future__ import annotations

import datetime
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
DOCS_IMG = ROOT / "docs" / "img"
WAIT_MS = 15_000  # every browser wait; a whole test stays well under a minute
FIXTURES = ROOT / "tests" / "extension" / "fixtures"

# Where each fixture page lives on the real networks (host, path) -> file.
PAGES = {
    ("www.facebook.com", "/amine.exemple.000"): "facebook-profile.html",
    ("www.facebook.com", "/patisserie.exemple"): "facebook-benign.html",
    ("www.instagram.com", "/lina.exemple/"): "instagram-profile.html",
    ("www.messenger.com", "/t/100000777"): "messenger-chat.html",
    ("www.facebook.com", "/"): "facebook-2025-feed.html",
    ("www.facebook.com", "/groups/100000555/"): "facebook-unknown-structure.html",  # a structure the reader does not know
    ("www.messenger.com", "/t/100000999"): "messenger-2025-chat.html",
    ("web.whatsapp.com", "/"): "whatsapp-web.html",  # one address for every chat
    ("www.facebook.com", "/home.php"): "facebook-feed.html",  # the news feed, loading posts as one scrolls
    ("forum.example", "/t/1"): "generic-page.html",  # any other site: no reader until asked
}
HOSTS = sorted({host for host, _ in PAGES})


def himaya_command() -> list[str]:
    """The `himaya` console script of the Python running the tests (the
    project's venv under `make test`), not whichever one is first on PATH."""
    beside = Path(sys.executable).with_name("himaya")
    if beside.exists():
        return [str(beside)]
    return [sys.executable, "-c", "import sys; from himaya.cli import main; sys.argv[0] = 'himaya'; main()"]


def wait_for(check, timeout: float = 15, what: str = "the condition"):
    """check()'s first true value, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def extension_id(manifest_key: str) -> str:
    """Chromium's id for an extension with this manifest "key" (a-p over SHA-256)."""
    import base64
    import hashlib

    digest = hashlib.sha256(base64.b64decode(manifest_key)).hexdigest()[:32]
    return "".join(chr(ord("a") + int(c, 16)) for c in digest)


EXTENSION_ID = extension_id(json.loads((EXTENSION / "manifest.json").read_text())["key"])


class Companion:
    """`himaya serve` in a private HIMAYA_HOME, with its pairing code and token."""

    def __init__(self, home: Path, port: int, process: subprocess.Popen, code: str):
        self.home, self.port, self.process, self.code = home, port, process, code
        self.env = dict(os.environ, HIMAYA_HOME=str(home))

    @classmethod
    def start(cls, home: Path, extension_id: str = EXTENSION_ID, rate: tuple[float, float] | None = None) -> "Companion":
        """`himaya serve`; with `rate` (per second, burst), the same server with another
        per-client rate limit (limited_companion.py), to see the companion push back."""
        port = free_port()
        env = dict(os.environ, HIMAYA_HOME=str(home), PYTHONUNBUFFERED="1")
        if rate:
            command = [sys.executable, str(Path(__file__).with_name("limited_companion.py")), "--rate", *map(str, rate)]
        else:
            command = [*himaya_command(), "serve"]
        process = subprocess.Popen(
            [*command, "--port", str(port), "--extension-id", extension_id],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        code = None
        deadline = time.monotonic() + 30
        lines = []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"\b(\d{4}-\d{4})\b", line)
            if found:
                code = found.group(1)
                break
        if not code:
            process.kill()
            raise RuntimeError("himaya serve printed no pairing code:\n" + "".join(lines))
        # keep reading so the pipe never fills and blocks the server
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        companion = cls(home, port, process, code)
        companion.wait_ready()
        return companion

    def wait_ready(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.api("/status", token=None).get("ok"):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the companion did not answer")

    def cli(self, *args: str) -> str:
        return subprocess.run([*himaya_command(), *args], env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def token(self) -> str:
        return self.cli("token").split()[-1]

    def new_code(self) -> str:
        return re.search(r"\b(\d{4}-\d{4})\b", self.cli("pair")).group(1)

    def api(self, path: str, body: dict | None = None, token: str | None | bool = True):
        """Call the companion as a local script would (no Origin header)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}",
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"} if body is not None else {},
        )
        if token is True:
            token = self.token_cached
        if token:
            request.add_header("X-Himaya-Token", token)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    @property
    def token_cached(self) -> str:
        if not getattr(self, "_token", None):
            self._token = self.token()
        return self._token

    def scans(self) -> int:
        return self.api("/status")["counts"]["scans"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A throw-away certificate for the fixture host names (the browsers are told to accept it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "himaya fixtures")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        name = PAGES.get((host, self.path.split("?")[0]))
        if not name:
            self.send_error(404)
            return
        body = (FIXTURES / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet: test output stays readable
        pass


class FixtureSite:
    """HTTPS on 127.0.0.1:<port> serving PAGES by Host header and path."""

    def __init__(self, folder: Path):
        cert, key = _self_signed(folder)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str, path: str) -> str:
        assert (host, path) in PAGES, (host, path)
        return f"https://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def shot(page, name: str) -> bytes:
    """Take a screenshot for the parents' guide (docs/INSTALL.md). It is written
    to docs/img only with HIMAYA_DOCS_SCREENSHOTS=1, so a test run leaves the
    work tree as it was:  HIMAYA_DOCS_SCREENSHOTS=1 python -m pytest tests/e2e"""
    png = page.screenshot()
    if os.environ.get("HIMAYA_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        (DOCS_IMG / name).write_bytes(png)
    return png
