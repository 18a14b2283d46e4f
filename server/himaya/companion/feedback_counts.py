"""What staff learn: a weekly count of "This is wrong" and "This helped" per rule.

Sent only when the parent agreed (``share-feedback``, off by default) and an
intake address is set, to ``<scheme://host[:port] of intake-url>/api/v1/feedback-counts``.
It carries rule ids and numbers only: no text, no page address or hash of
one, no identifier of the computer (docs/API.md, "Feedback counts")::

    {"format": "himaya-feedback-counts/1", "program": "himaya/0.1.0",
     "period": {"start": "2026-11-28T00:00:00.000Z", "end": "2026-12-05T00:00:00.000Z"},
     "list": {"list_id": "himaya-default", "version": 6},
     "counts": [{"rule": "HIM-AGE-001", "wrong": 2, "helped": 0}]}

``read_counts`` and ``NoisyRules`` are what `himaya rules lint --feedback`
uses to flag a rule whose "wrong" rate stands out.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import urlsplit

from himaya import __version__
from himaya.companion.outbox import _opener

log = logging.getLogger("himaya.companion.feedback")

FORMAT = "himaya-feedback-counts/1"
WEEK = 7 * 24 * 3600
META_KEY = "feedback_counts_since"


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _epoch(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def endpoint(intake_url: str) -> str:
    """``https://intake.ngo.example/reports`` -> ``https://intake.ngo.example/api/v1/feedback-counts``."""
    parts = urlsplit(intake_url)
    return f"{parts.scheme}://{parts.netloc}/api/v1/feedback-counts"


def payload(counts: dict, start: str, end: str, rules_list: dict | None) -> dict:
    listed = [{"rule": rule, "wrong": int(c.get("wrong", 0)), "helped": int(c.get("helped", 0))}
              for rule, c in sorted(counts.items())]
    out = {"format": FORMAT, "program": f"himaya/{__version__}", "period": {"start": start, "end": end},
           "counts": listed}
    if rules_list and rules_list.get("list_id"):
        out["list"] = {"list_id": rules_list["list_id"], "version": rules_list.get("version")}
    return out


class FeedbackCounts:
    """Sends the week's counts when it is due; ``run()`` is a loop of ``himaya serve``."""

    def __init__(self, store, settings, rules_status=lambda: None, timeout: float = 15.0):
        self.store, self.settings, self.rules_status, self.timeout = store, settings, rules_status, timeout
        self._opener = _opener()

    def send_due(self, now: float | None = None) -> bool:
        """Send the counts of the past week when the parent agreed and a week has passed."""
        now = time.time() if now is None else now
        settings = self.settings() or {}
        if not settings.get("share-feedback") or not settings.get("intake-url"):
            return False
        since = self.store.meta_get(META_KEY)
        if since is None:  # counting starts when the parent agreed, never before
            self.store.meta_set(META_KEY, _iso(now))
            return False
        if now - _epoch(since) < WEEK:
            return False
        end = _iso(now)
        body = payload(self.store.feedback_counts(since, end), since, end, self.rules_status())
        request = urllib.request.Request(endpoint(settings["intake-url"]), method="POST",
                                         data=json.dumps(body, separators=(",", ":")).encode("utf-8"),
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": f"himaya/{__version__}"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise ValueError(f"hub answered {response.status}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("feedback counts not delivered: %s", exc.__class__.__name__)
            return False
        self.store.meta_set(META_KEY, end)
        log.info("feedback counts of %d rule(s) delivered", len(body["counts"]))
        return True

    def run(self, stop: threading.Event, interval: float = 3600.0) -> None:
        while not stop.is_set():
            try:
                self.send_due()
            except Exception as exc:  # the loop must outlive any one failure
                log.error("feedback counts error: %s", exc.__class__.__name__)
            stop.wait(interval)


def read_counts(text: str) -> dict[str, dict[str, int]]:
    """Totals per rule from one payload (JSON) or many (JSON Lines, one payload a line)."""
    text = text.strip()
    if not text:
        raise ValueError("empty file")
    try:
        docs = [json.loads(text)]
    except ValueError:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    totals: dict[str, dict[str, int]] = {}
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("counts"), list):
            raise ValueError("each payload needs a counts list")
        for entry in doc["counts"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
                raise ValueError("each count needs a rule id")
            total = totals.setdefault(entry["rule"], {"wrong": 0, "helped": 0})
            for key in ("wrong", "helped"):
                value = entry.get(key, 0)
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{entry['rule']}: {key} must be a whole number")
                total[key] += value
    return totals


class NoisyRules:
    """Rules whose share of "wrong" answers stands out: at least ``min_answers``
    answers, a wrong rate of at least ``min_rate``, and at least twice the list's rate."""

    def __init__(self, totals: dict, min_answers: int = 5, min_rate: float = 0.5):
        self.totals, self.min_answers, self.min_rate = totals, min_answers, min_rate

    def flagged(self):
        wrong = sum(c["wrong"] for c in self.totals.values())
        answers = sum(c["wrong"] + c["helped"] for c in self.totals.values())
        overall = wrong / answers if answers else 0.0
        for rule, c in sorted(self.totals.items()):
            n = c["wrong"] + c["helped"]
            rate = c["wrong"] / n if n else 0.0
            if n >= self.min_answers and rate >= self.min_rate and rate >= 2 * overall - 1e-9 and rate > overall:
                yield rule, c["wrong"], c["helped"], rate, overall
