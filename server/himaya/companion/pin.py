"""The parent's PIN: it guards the history, the settings and unpairing.

Set when the extension is paired (or with ``himaya pin set``), kept in
``pin.json`` (mode 0600) as a salted scrypt hash, never in clear. Five wrong
tries lock it for five minutes. A right PIN opens a short unlock (10 minutes)
that the extension sends as ``X-Himaya-Unlock``::

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> set_pin(home, "2468")
    >>> check(home, "1357"), check(home, "2468")
    ('wrong', 'ok')
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from pathlib import Path

from himaya.companion.config import write_private

PIN_FILE = "pin.json"
MAX_TRIES = 5
LOCK_SECONDS = 300
UNLOCK_SECONDS = 600
# scrypt's cost: about 50 ms here, so guessing 10^6 PINs from a stolen file takes hours, not seconds.
N, R, P = 2 ** 14, 8, 1
_PIN = re.compile(r"^\d{4,12}$")
_lock = threading.Lock()


class PinError(ValueError):
    """``code``: ``format`` (4 to 12 digits), ``wrong``, ``locked``."""

    def __init__(self, code: str, retry_after: int = 0):
        super().__init__(code)
        self.code, self.retry_after = code, retry_after


def valid(pin) -> bool:
    return isinstance(pin, str) and bool(_PIN.match(pin))


def _hash(pin: str, salt: bytes) -> str:
    return hashlib.scrypt(pin.encode("ascii"), salt=salt, n=N, r=R, p=P, dklen=32, maxmem=64 * 1024 * 1024).hex()


def _read(home: Path) -> dict | None:
    try:
        return json.loads((Path(home) / PIN_FILE).read_text("ascii"))
    except (OSError, ValueError):
        return None


def is_set(home: Path) -> bool:
    return _read(home) is not None


def set_pin(home: Path, pin: str) -> None:
    if not valid(pin):
        raise PinError("format")
    salt = secrets.token_bytes(16)
    state = {"scheme": f"scrypt:{N}:{R}:{P}", "salt": salt.hex(), "hash": _hash(pin, salt), "tries": 0, "until": 0}
    with _lock:
        write_private(Path(home) / PIN_FILE, json.dumps(state).encode("ascii"))


def clear(home: Path) -> None:
    (Path(home) / PIN_FILE).unlink(missing_ok=True)


def check(home: Path, pin, now: float | None = None) -> str:
    """``ok``, ``wrong``, ``locked`` or ``unset``; wrong tries are counted in the file."""
    now = time.time() if now is None else now
    with _lock:
        state = _read(home)
        if state is None:
            return "unset"
        if state.get("until", 0) > now:
            return "locked"
        given = pin if valid(pin) else ""
        if given and hmac.compare_digest(_hash(given, bytes.fromhex(state["salt"])), state["hash"]):
            if state.get("tries"):
                state.update(tries=0, until=0)
                write_private(Path(home) / PIN_FILE, json.dumps(state).encode("ascii"))
            return "ok"
        state["tries"] = state.get("tries", 0) + 1
        if state["tries"] >= MAX_TRIES:
            state.update(tries=0, until=now + LOCK_SECONDS)
        write_private(Path(home) / PIN_FILE, json.dumps(state).encode("ascii"))
        return "locked" if state["until"] > now else "wrong"


def locked_for(home: Path, now: float | None = None) -> int:
    state = _read(home) or {}
    return max(0, int(state.get("until", 0) - (time.time() if now is None else now)))


class Unlocks:
    """Short unlocks handed out for a right PIN (memory only: a restart forgets them)."""

    def __init__(self, lifetime: float = UNLOCK_SECONDS):
        self.lifetime = lifetime
        self._open: dict[str, float] = {}
        self._lock = threading.Lock()

    def open(self, now: float | None = None) -> tuple[str, float]:
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._open = {t: e for t, e in self._open.items() if e > now}
            self._open[token] = now + self.lifetime
        return token, now + self.lifetime

    def valid(self, token, now: float | None = None) -> bool:
        if not isinstance(token, str) or not token:
            return False
        now = time.time() if now is None else now
        with self._lock:
            for known, expires in self._open.items():
                if hmac.compare_digest(known.encode(), token.encode()[:256]) and expires > now:
                    return True
        return False
