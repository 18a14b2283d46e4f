"""The one gate every request passes before the application sees it.

Any web page the child opens can send requests to 127.0.0.1, so the guard is a
WSGI middleware in front of Flask: it answers refusals itself, before routing
and before reading a body, and hands the application only requests that come
from the extension, are small, and hold one strict JSON object::

    app.wsgi_app = Guard(app.wsgi_app, GuardSettings(port=47615, token="t"))

Order (docs/API.md): Host, Origin, token, size, content type (all from the
headers: `check_headers`, which the HTTP server runs before reading any body),
then rate, then the body as strict JSON. The credentials are checked before the
size and the body so that an unauthenticated caller always gets the same answer
whatever it sends, and the JSON parser only ever sees input from the extension.
"""

from __future__ import annotations

import hmac
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field

API = "/api/v1"
PUBLIC = {("GET", f"{API}/status"), ("HEAD", f"{API}/status"), ("POST", f"{API}/pair")}

KIB, MIB = 1024, 1024 * 1024
BODY_CAPS = {f"{API}/reports": 12 * MIB, f"{API}/scan/batch": 2 * MIB}
DEFAULT_BODY_CAP = 256 * KIB
MAX_DEPTH = 8

_MOZ_ORIGIN = re.compile(r"^moz-extension://[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CHROME_ORIGIN = re.compile(r"^chrome-extension://([a-p]{32})$")
# C0 controls but tab, LF and CR; DEL and C1 controls; any surrogate (in a
# Python str parsed from JSON, a surrogate is always a lone one).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _body(code: str, detail) -> bytes:
    return json.dumps({"error": code, "detail": detail}, separators=(",", ":")).encode("utf-8")


# The two constant answers: identical bytes whatever the path or method.
UNAUTHORIZED = _body("unauthorized", "token required")
FORBIDDEN = _body("forbidden", "origin not allowed")


class BadJSON(ValueError):
    """The body is not one strict JSON object; the message says why."""


def parse_strict(raw: bytes, max_depth: int = MAX_DEPTH) -> dict:
    """Parse a request body the strict way, or raise BadJSON.

    >>> parse_strict(b'{"a": [1, 2]}')
    {'a': [1, 2]}
    >>> parse_strict(b'{"a": 1, "a": 2}')
    Traceback (most recent call last):
    ...
    himaya.companion.guard.BadJSON: duplicate key 'a'
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJSON("body is not valid UTF-8") from None
    if text.startswith("\ufeff"):
        raise BadJSON("byte order mark not allowed")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except RecursionError:
        raise BadJSON(f"nesting deeper than {max_depth}") from None
    except BadJSON:
        raise
    except ValueError as exc:
        # JSONDecodeError's message holds a position, never the input itself.
        raise BadJSON(str(exc).split(":")[0] if raw else "empty body") from None
    if not isinstance(value, dict):
        raise BadJSON("the body must be a JSON object")
    _check_tree(value, 1, max_depth)
    return value


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise BadJSON(f"duplicate key {key[:64]!r}" if not _BAD_CHARS.search(key) else "duplicate key")
        obj[key] = value
    return obj


def _no_constants(name):
    raise BadJSON(f"{name} is not allowed")


def _check_tree(value, depth: int, max_depth: int) -> None:
    if depth > max_depth:
        raise BadJSON(f"nesting deeper than {max_depth}")
    if isinstance(value, dict):
        for key, item in value.items():
            if _BAD_CHARS.search(key):
                raise BadJSON("control character or lone surrogate in a key")
            _check_tree(item, depth + 1, max_depth)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1, max_depth)
    elif isinstance(value, str):
        if _BAD_CHARS.search(value):
            raise BadJSON("control character or lone surrogate in a string")


class TokenBuckets:
    """A token bucket per client key: ``rate`` per second, bursts of ``burst``.
    A request spends ``cost`` tokens (at most ``burst``), or none when refused.

    >>> buckets = TokenBuckets(rate=1, burst=2)
    >>> [buckets.take("k", now=0.0) for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> TokenBuckets(rate=100, burst=300).take("k", now=0.0, cost=400)   # capped at the burst
    0.0
    """

    MAX_KEYS = 4096

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = float(rate), float(burst)
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens: 0.0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        cost = min(max(float(cost), 0.0), self.burst)
        with self._lock:
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                if len(self._state) >= self.MAX_KEYS and key not in self._state:
                    self._state.clear()  # bounded memory; a reset only helps callers
                self._state[key] = (tokens - cost, now)
                return 0.0
            self._state[key] = (tokens, now)
            return (cost - tokens) / self.rate


# Two token buckets per client (address + origin), so that a flood of scans
# never holds back the popup's status or a parent's Report:
#
# - scanning (/scan, /scan/batch), counted in units: a request costs one, a
#   batch one per unit it holds (checked once its body is parsed). Sized for
#   real bursts, not for the average (docs/API.md, "Limits"): a feed loading
#   200 posts at once costs 200, opening a dozen chats of 50 messages one after
#   the other 600, a flood of 2 000 junk lines 2 000 - all inside one burst of
#   4 000. The sustained 1 000 units/s is about a sixth of what one core scans
#   (bench/), far above what a person can read, so a runaway client cannot take
#   the computer. The extension paces itself below it
#   (extension/background/pacer.js: 600/s, bursts of 2 400) and on a 429 waits
#   Retry-After with the units held in its bounded queue;
# - every other request: 300 a second, bursts of 600.
RATE = (1000.0, 4000.0)
REQUEST_RATE = (300.0, 600.0)
PAIR_RATE = (10 / 60, 10.0)
SCAN_PATHS = frozenset({f"{API}/scan", f"{API}/scan/batch"})


@dataclass
class GuardSettings:
    """What the guard needs to know; ``extension_ids`` may grow (pairing)."""

    port: int
    token: str
    extension_ids: set = field(default_factory=set)
    rate: tuple = RATE
    request_rate: tuple = REQUEST_RATE
    pair_rate: tuple = PAIR_RATE

    def allowed_hosts(self) -> tuple:
        return (f"127.0.0.1:{self.port}", f"localhost:{self.port}")


class Guard:
    """WSGI middleware: refuses what is not the extension, parses JSON strictly.

    On success the application finds in the environ ``himaya.json`` (the parsed
    body, or None for GET), ``himaya.authenticated`` and ``himaya.origin``.
    ``rate_limited`` counts the 429 answers since start (GET /status shows it).
    """

    def __init__(self, app, settings: GuardSettings, direct: dict | None = None):
        self.app = app
        self.settings = settings
        # path -> answer(environ): POST routes answered without the application's
        # request machinery once every check here has passed (api.direct_answers)
        self.direct = direct or {}
        self.scan_buckets = TokenBuckets(*settings.rate)
        self.buckets = TokenBuckets(*settings.request_rate)
        self.pair_buckets = TokenBuckets(*settings.pair_rate)
        self.rate_limited = 0

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        refusal, authenticated = self.check_headers(environ)
        if refusal:
            return _answer(start_response, *refusal)

        origin = environ.get("HTTP_ORIGIN")
        client = f"{environ.get('REMOTE_ADDR', '')}|{origin or ''}"
        if path == f"{API}/pair":
            buckets = self.pair_buckets
        else:
            buckets = self.scan_buckets if path in SCAN_PATHS else self.buckets
        wait = buckets.take(client)
        if wait:
            return self._too_fast(start_response, wait)

        refusal = self._read_body(environ, method, path)
        if refusal:
            status, body = refusal
            return _answer(start_response, status, body)
        units = (environ["himaya.json"] or {}).get("units") if path == f"{API}/scan/batch" else None
        if isinstance(units, list) and len(units) > 1:
            wait = buckets.take(client, cost=len(units) - 1)  # the request itself paid for one
            if wait:
                return self._too_fast(start_response, wait)
        environ["himaya.authenticated"] = authenticated
        environ["himaya.origin"] = origin
        direct = self.direct.get(path) if authenticated and method == "POST" else None
        if direct is not None:
            answered = direct(environ)
            if answered is not None:
                return _answer(start_response, *answered)
        return self.app(environ, start_response)

    def _too_fast(self, start_response, wait: float):
        self.rate_limited += 1
        retry = str(max(1, math.ceil(wait)))
        return _answer(start_response, 429, _body("rate_limited", f"retry in {retry} s"), [("Retry-After", retry)])

    def check_headers(self, environ) -> tuple[tuple | None, bool]:
        """Everything decided by the request line and headers alone: Host,
        Origin, token, Content-Length against the route's cap, content type.

        Returns (refusal, authenticated): refusal is None or (status, body,
        extra headers). The HTTP server calls this as soon as the headers are
        in, before it reads a byte of the body (serving.py); the WSGI call above
        calls it again (cheap, and the same answer) for any other server.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        if environ.get("HTTP_HOST", "") not in self.settings.allowed_hosts():
            return (400, _body("bad_host", "Host must be 127.0.0.1:<port>"), ()), False
        kind = self._origin_kind(environ.get("HTTP_ORIGIN"))
        if kind == "foreign" or (kind == "chrome-new" and (method, path) != ("POST", f"{API}/pair")):
            return (403, FORBIDDEN, ()), False
        authenticated = self._token_ok(environ.get("HTTP_X_HIMAYA_TOKEN"))
        if not authenticated and (method, path) not in PUBLIC:
            return (401, UNAUTHORIZED, ()), False
        cap = BODY_CAPS.get(path, DEFAULT_BODY_CAP)
        raw_length = environ.get("CONTENT_LENGTH") or ""
        try:
            length = int(raw_length) if raw_length else None
        except ValueError:
            return (400, _body("bad_request", "invalid Content-Length"), ()), authenticated
        if length is not None and (length < 0 or length > cap):
            return (413, _body("too_large", f"body larger than {cap} bytes"), ()), authenticated
        if method in ("GET", "HEAD"):
            if (length or 0) > 0 or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
                return (400, _body("body_not_allowed", f"{method} takes no body"), ()), authenticated
        elif method == "POST":
            ctype = environ.get("CONTENT_TYPE", "").replace(" ", "").lower()
            if ctype not in ("application/json", "application/json;charset=utf-8"):
                return (415, _body("unsupported_media_type", "Content-Type must be application/json"), ()), authenticated
        return None, authenticated

    def _origin_kind(self, origin) -> str | None:
        if origin is None:
            return None
        chrome = _CHROME_ORIGIN.match(origin)
        if chrome:
            # An id not yet configured may only pair (the code proves consent).
            return "chrome" if chrome.group(1) in self.settings.extension_ids else "chrome-new"
        if _MOZ_ORIGIN.match(origin):
            # Firefox gives each profile a random id: only the token (or, on
            # /pair, the code) tells the extension apart, and both are required
            # downstream, so the origin itself is let through here.
            return "moz"
        return "foreign"

    def _token_ok(self, given) -> bool:
        if not given:
            return False
        # WSGI headers are latin-1 str; compare bytes so any input is safe.
        return hmac.compare_digest(given.encode("latin-1", "replace"), self.settings.token.encode("latin-1"))

    def _read_body(self, environ, method, path):
        """The body, read within the route's cap and parsed strictly (the headers
        passed check_headers): None when fine, else (status, body)."""
        environ["himaya.json"] = None
        if method != "POST":
            return None  # GET and HEAD carry none; Flask answers 405 in JSON to the rest
        cap = BODY_CAPS.get(path, DEFAULT_BODY_CAP)
        raw_length = environ.get("CONTENT_LENGTH") or ""
        length = int(raw_length) if raw_length else None
        stream = environ["wsgi.input"]
        raw = stream.read(min(length, cap + 1)) if length is not None else stream.read(cap + 1)
        if len(raw) > cap:
            return 413, _body("too_large", f"body larger than {cap} bytes")
        try:
            environ["himaya.json"] = parse_strict(raw)
        except BadJSON as exc:
            return 400, _body("bad_json", str(exc))
        return None


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 413: "Payload Too Large",
            415: "Unsupported Media Type", 429: "Too Many Requests", 500: "Internal Server Error"}


def _answer(start_response, status: int, body: bytes, extra=()):
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), *extra]
    start_response(f"{status} {_REASONS[status]}", headers)
    return [body]
