"""The pairing code: how the extension gets the token, once, with the person's consent.

A code is eight digits shown on the companion's console (``himaya serve`` or
``himaya pair``). It lives ten minutes, works once, and is locked after a few
wrong tries. It is kept in ``home/pairing.json`` (mode 0600) so that
``himaya pair`` can hand out a new one while the server runs::

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> code = new_code(home)
    >>> check(home, "0000-0000" if code != "00000000" else "11111111")
    'wrong'
    >>> check(home, code[:4] + "-" + code[4:])
    'ok'
    >>> check(home, code)
    'wrong'
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from pathlib import Path

from himaya.companion.config import ensure_private_dir, write_private

PAIRING_FILE = "pairing.json"
LIFETIME = 600  # seconds
MAX_TRIES = 5

# One process serialises its own checks; the file carries the state between
# the server and `himaya pair`.
_lock = threading.Lock()


def new_code(home: Path, lifetime: int = LIFETIME) -> str:
    """Make, store and return a fresh code (eight digits), replacing any other."""
    code = f"{secrets.randbelow(10**8):08d}"
    ensure_private_dir(Path(home))
    state = {"code": code, "expires": time.time() + lifetime, "tries": 0}
    with _lock:
        write_private(Path(home) / PAIRING_FILE, json.dumps(state).encode("ascii"))
    return code


def pretty(code: str) -> str:
    """``"12345678"`` -> ``"1234-5678"``, easier to read and type."""
    return f"{code[:4]}-{code[4:]}"


def check(home: Path, attempt) -> str:
    """Check an attempt: ``"ok"`` (and the code is used up), ``"wrong"`` or ``"locked"``."""
    given = "".join(ch for ch in str(attempt) if ch not in " -")
    path = Path(home) / PAIRING_FILE
    with _lock:
        try:
            state = json.loads(path.read_text("ascii"))
        except (OSError, ValueError):
            return "wrong"
        if time.time() > state.get("expires", 0):
            path.unlink(missing_ok=True)
            return "wrong"
        if state.get("tries", 0) >= MAX_TRIES:
            return "locked"
        # Both sides as bytes: compare_digest refuses non-ASCII str.
        if hmac.compare_digest(given.encode("utf-8"), str(state["code"]).encode("utf-8")):
            path.unlink(missing_ok=True)
            return "ok"
        state["tries"] = state.get("tries", 0) + 1
        write_private(path, json.dumps(state).encode("ascii"))
        return "locked" if state["tries"] >= MAX_TRIES else "wrong"
