"""Scanning health: did the extension keep up with what the pages showed?

The extension reports, per browser session, counts only (never text): units
scanned, deferred (they waited: its own pace, a 429, the companion stopped),
dropped (never scanned: its bounded queue overflowed), the longest a unit
waited, and how often a page altered or hid the warning. The companion keeps
the latest 20 sessions in ``scan-health.json`` (0600) in the data folder, so
``himaya status`` and ``GET /api/v1/status`` can tell a parent, the next
morning too, that scanning fell behind last evening::

    >>> import tempfile, pathlib
    >>> health = ScanHealth(pathlib.Path(tempfile.mkdtemp()))
    >>> health.report(parse_report({"session": "3f2b9c1e-0000-4000-8000-00000000000a", "scanned": 900,
    ...                             "deferred": 40, "dropped": 12, "restored": 0, "max_wait_ms": 14000}))
    >>> s = health.summary()
    >>> s["behind"], s["dropped"], s["sessions"][0]["scanned"]
    (True, 12, 900)
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from himaya.companion.payloads import Invalid, _fields, text_of
from himaya.companion.store import utc_now
from himaya.files import write_atomic

FILE = "scan-health.json"
MAX_SESSIONS = 20
BEHIND_MS = 10_000  # a unit that waited this long to be scanned: scanning fell behind
COUNTS = ("scanned", "deferred", "dropped", "restored", "max_wait_ms")
MAX_COUNT = 10 ** 12
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _count(value, where):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise Invalid(f"{where}: must be a whole number from 0 to {MAX_COUNT}")
    return value


def _session(value, where):
    if not isinstance(value, str) or not _SESSION.match(value):
        raise Invalid(f"{where}: 8 to 64 letters, digits, '-' or '_'")
    return value


def parse_report(body) -> dict:
    """The body of ``POST /api/v1/scan/health``, checked field by field (Invalid names the field)."""
    return _fields(body, "", {"session": _session, **{k: _count for k in COUNTS}},
                   {"started": text_of(40)})


class ScanHealth:
    """The latest sessions' counts, in memory and in ``home/scan-health.json``."""

    def __init__(self, home: Path | None):
        self.path = Path(home) / FILE if home else None
        self._lock = threading.Lock()
        self._sessions: dict[str, dict] = {}
        if self.path and self.path.exists():
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
                self._sessions = {s["session"]: s for s in saved.get("sessions", []) if _SESSION.match(str(s.get("session")))}
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                self._sessions = {}  # a damaged file: start afresh, it only ever held counts

    def report(self, report: dict) -> None:
        """Merge a session's totals (they only grow: out-of-order reports keep the largest)."""
        now = utc_now()
        with self._lock:
            record = self._sessions.pop(report["session"], None) or {
                "session": report["session"], "started": report.get("started") or now}
            for key in COUNTS:
                record[key] = max(int(record.get(key, 0)), report[key])
            record["updated"] = now
            self._sessions[report["session"]] = record  # most recent last
            while len(self._sessions) > MAX_SESSIONS:
                del self._sessions[next(iter(self._sessions))]
            self._save()

    def _save(self) -> None:
        if not self.path:
            return
        data = json.dumps({"sessions": list(self._sessions.values())}, ensure_ascii=False).encode("utf-8")
        try:
            write_atomic(self.path, data, mode=0o600)
        except OSError:
            pass  # a full disk must not stop scanning; the counts stay in memory

    def summary(self) -> dict:
        """For GET /status: the sessions, newest first, and whether any fell behind or dropped units."""
        with self._lock:
            sessions = [dict(s, behind=int(s.get("max_wait_ms", 0)) >= BEHIND_MS) for s in reversed(self._sessions.values())]
        return {
            "behind": any(s["behind"] for s in sessions),
            "dropped": sum(int(s.get("dropped", 0)) for s in sessions),
            "deferred": sum(int(s.get("deferred", 0)) for s in sessions),
            "sessions": sessions,
        }
