"""The outbox: reports go to the NGO's intake address, with retries and backoff.

Only when a person pressed "Report" and an intake address is configured
(``himaya config set intake-url https://...``); otherwise reports wait for
export. Nothing but that address is ever contacted: no proxy from the
environment, no redirect followed::

    outbox = Outbox(store, settings=lambda: {"intake-url": "https://intake.example/api"})
    outbox.send_due()      # -> number of reports sent this round

What is sent (JSON): the stored record, its captures (base64), and the head of
the evidence chain at sending time, so the NGO holds a witness of the chain.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request

from himaya import __version__
from himaya.companion.store import StoreError

log = logging.getLogger("himaya.companion.outbox")

FORMAT = "himaya-report/1"
CODE_HEADER = "X-Himaya-Intake-Code"  # the enrolment code (setting intake-code), when one is set


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect would send the report somewhere not configured


def _opener():
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Outbox:
    """Sends pending reports; ``run()`` is the background loop of ``himaya serve``."""

    def __init__(self, store, settings, *, timeout: float = 15.0, max_attempts: int = 20,
                 base_delay: float = 30.0, max_delay: float = 6 * 3600.0):
        self.store = store
        self.settings = settings  # callable -> current settings dict
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._opener = _opener()

    def delay(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failures (jittered, capped).

        >>> 24 <= Outbox(None, dict).delay(1) <= 36
        True
        """
        return min(self.max_delay, self.base_delay * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)

    def payload(self, report_id: str) -> bytes:
        report = self.store.get_report(report_id)
        captures = [{"name": c["name"], "mime": c["mime"], "sha256": c["sha256"],
                     "base64": base64.b64encode(c["data"]).decode("ascii")} for c in self.store.captures(report_id)]
        body = {"format": FORMAT, "id": report["id"], "sha256": report["sha256"], "prev": report["prev"],
                "created": report["created"], "record": report["record"], "captures": captures,
                "chain_head": self.store.head(), "sender": f"himaya/{__version__}"}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def send_due(self, now: float | None = None) -> int:
        """Try every report whose time has come; return how many were delivered."""
        settings = self.settings() or {}
        url = settings.get("intake-url")
        if not url:
            return 0
        sent = 0
        for report_id in self.store.due_reports(now):
            sent += self._try(report_id, url, now, settings.get("intake-code"))
        return sent

    def _try(self, report_id: str, url: str, now: float | None, code: str | None = None) -> int:
        now = time.time() if now is None else now
        row = self.store.get_report(report_id)
        attempts = row["outbox"]["attempts"] + 1
        try:
            self._post(url, self.payload(report_id), code)
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            # (HTTPException: an intake that died mid-answer; the report is tried again)
            reason = _describe(exc)
            if isinstance(exc, urllib.error.HTTPError):
                exc.close()
            state = "failed" if attempts >= self.max_attempts else "pending"
            self.store.mark_outbox(report_id, state, attempts, now + self.delay(attempts), reason)
            log.warning("report %s not delivered (try %d): %s", report_id, attempts, reason)
            return 0
        self.store.mark_outbox(report_id, "sent", attempts, now, None)
        log.info("report %s delivered to the intake address", report_id)
        return 1

    def _post(self, url: str, body: bytes, code: str | None = None) -> None:
        headers = {"Content-Type": "application/json", "User-Agent": f"himaya/{__version__}"}
        if code:
            headers[CODE_HEADER] = code
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        with self._opener.open(request, timeout=self.timeout) as response:
            if not 200 <= response.status < 300:
                raise ValueError(f"intake answered {response.status}")

    def run(self, stop: threading.Event, wakeup: threading.Event, interval: float = 5.0) -> None:
        """Loop until ``stop`` is set; ``wakeup`` (a new report) skips the wait."""
        while not stop.is_set():
            try:
                self.send_due()
            except StoreError as exc:
                log.warning("outbox paused: %s", exc.__class__.__name__)
            except Exception as exc:  # the loop must outlive any one failure
                log.error("outbox error: %s", exc.__class__.__name__)
            wakeup.wait(interval)
            wakeup.clear()


def _describe(exc: Exception) -> str:
    # Status codes and error classes only: an intake's answer body is not logged.
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"unreachable ({exc.reason.__class__.__name__})"
    return str(exc)[:120] if isinstance(exc, ValueError) else exc.__class__.__name__
