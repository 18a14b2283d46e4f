"""Reports arriving from companions (``POST /api/v1/intake``, format ``himaya-report/1``).

What the companion's outbox sends (companion/outbox.py): the evidence record
exactly as it hashed it, its captures in base64, and the head of its evidence
chain at sending time (the *witness*). On receipt the hub re-checks all of it::

    outcome = receive(db, body_bytes, code=None, address="203.0.113.7")
    outcome.status   # 201 stored, 200 duplicate, 4xx with outcome.error

- the record is canonical JSON whose SHA-256 is the report's ``sha256``; its own
  ``id``, ``seq``, ``prev`` and ``created`` agree with the envelope;
- every unit's text hashes to its ``sha256``; every capture decodes, is the
  image type it claims and hashes to the SHA-256 the record lists;
- the witness: ``chain_head`` is this record or a later one, and the reports
  already held from the same chain link to it at the right places.

A report is acknowledged only once its transaction has committed. The same
report sent twice is stored once (its SHA-256 is unique) and answered 200.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from himaya.core.evidence import GENESIS, EvidenceError, canonical, decode_screenshot, sha256_hex
from himaya.core.links import parse_link
from himaya.hub.db import utc_now

FORMAT = "himaya-report/1"
RECORD_FORMAT = "himaya-evidence/1"
CODE_HEADER = "X-Himaya-Intake-Code"
SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
PRIORITY_ENROLLED, PRIORITY_FAMILY = 1, 0
MAX_UNITS, MAX_MATCHES, MAX_TEXT, MAX_URL = 200, 500, 20_000, 16_384
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ENVELOPE = {"format", "id", "sha256", "prev", "created", "record", "captures", "chain_head", "sender"}


@dataclass
class Outcome:
    status: int
    body: dict
    report_pk: int | None = None
    created: bool = False

    @property
    def error(self) -> str | None:
        return self.body.get("error")


def refuse(status: int, error: str, detail: str | None = None) -> Outcome:
    return Outcome(status, {"error": error, "detail": detail})


class Refused(Exception):
    def __init__(self, status: int, error: str, detail: str | None = None):
        super().__init__(detail or error)
        self.outcome = refuse(status, error, detail)


# -- strict JSON ------------------------------------------------------------

def parse_json(body: bytes, max_depth: int = 12) -> dict:
    """UTF-8, one object, no duplicate keys, no NaN, no lone surrogates, bounded depth."""
    if body.startswith(b"\xef\xbb\xbf"):
        raise Refused(400, "bad_json", "byte order mark")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "bad_json", "not UTF-8") from None

    def pairs(items):
        out = {}
        for key, value in items:
            if key in out:
                raise Refused(400, "bad_json", "duplicate key")
            out[key] = value
        return out

    def constant(name):
        raise Refused(400, "bad_json", f"{name} is not JSON")

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except RecursionError:
        raise Refused(400, "bad_json", "nested too deeply") from None
    except ValueError:
        raise Refused(400, "bad_json", "not valid JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, "bad_json", "the body must be a JSON object")
    _check_depth_and_strings(value, max_depth)
    return value


def _check_depth_and_strings(value, max_depth: int) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise Refused(400, "bad_json", f"nesting deeper than {max_depth}")
        if isinstance(item, dict):
            for key, child in item.items():
                _check_string(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_string(item)


def _check_string(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(400, "bad_json", "lone surrogate in a string") from None
    if "\x00" in text:
        raise Refused(400, "bad_json", "NUL in a string")


# -- checks -------------------------------------------------------------------

def _need(cond: bool, field_name: str, why: str = "missing or of the wrong type") -> None:
    if not cond:
        raise Refused(400, "bad_request", f"{field_name}: {why}")


def check_envelope(payload: dict) -> None:
    unknown = sorted(set(payload) - _ENVELOPE)
    _need(not unknown, unknown[0] if unknown else "", "unknown field")
    _need(payload.get("format") == FORMAT, "format", f"must be {FORMAT!r}")
    for key in ("sha256", "prev", "chain_head"):
        _need(isinstance(payload.get(key), str) and bool(_HEX64.match(payload[key])), key, "expected 64 hex digits")
    _need(isinstance(payload.get("id"), str) and 0 < len(payload["id"]) <= 64, "id")
    _need(isinstance(payload.get("created"), str) and len(payload["created"]) <= 40, "created")
    _need(isinstance(payload.get("record"), dict), "record")
    _need(isinstance(payload.get("captures"), list) and len(payload["captures"]) <= 4, "captures")
    _need(payload.get("sender") is None or (isinstance(payload["sender"], str) and len(payload["sender"]) <= 64),
          "sender")
    record = payload["record"]
    _need(record.get("format") == RECORD_FORMAT, "record.format", f"must be {RECORD_FORMAT!r}")
    page = record.get("page")
    _need(isinstance(page, dict) and isinstance(page.get("url"), str) and 0 < len(page["url"]) <= MAX_URL,
          "record.page.url")
    _need(isinstance(page.get("title", ""), str) and len(page.get("title") or "") <= 1000, "record.page.title")
    units = record.get("units")
    _need(isinstance(units, list) and 0 < len(units) <= MAX_UNITS, "record.units", f"1 to {MAX_UNITS} units")
    for i, unit in enumerate(units):
        _need(isinstance(unit, dict) and isinstance(unit.get("text"), str) and len(unit["text"]) <= MAX_TEXT,
              f"record.units[{i}].text")
        _need(isinstance(unit.get("kind"), str) and len(unit["kind"]) <= 32, f"record.units[{i}].kind")
        for key in ("author", "url", "time", "id"):
            _need(unit.get(key) is None or isinstance(unit[key], str), f"record.units[{i}].{key}")
    matches = record.get("matches")
    _need(isinstance(matches, list) and len(matches) <= MAX_MATCHES, "record.matches")
    for i, match in enumerate(matches):
        _need(isinstance(match, dict) and isinstance(match.get("rule"), str) and len(match["rule"]) <= 256,
              f"record.matches[{i}].rule")
        _need(match.get("severity") is None or match["severity"] in SEVERITY_RANK, f"record.matches[{i}].severity")
        _need(match.get("category") is None or isinstance(match["category"], str), f"record.matches[{i}].category")
    _need(isinstance(record.get("seq"), int) and not isinstance(record["seq"], bool) and record["seq"] >= 1,
          "record.seq")
    _need(record.get("lang") is None or isinstance(record["lang"], str), "record.lang")


def verify_evidence(payload: dict) -> tuple[list[dict], dict]:
    """Re-check every hash; return (decoded captures, the evidence summary). Refused on any mismatch."""
    record = payload["record"]
    try:
        body = canonical(record)
    except (EvidenceError, ValueError):
        raise Refused(422, "evidence_mismatch", "record is not canonical JSON (floats?)") from None
    if sha256_hex(body) != payload["sha256"]:
        raise Refused(422, "evidence_mismatch", "record does not hash to sha256")
    for key in ("id", "prev", "created"):
        if record.get(key) != payload[key]:
            raise Refused(422, "evidence_mismatch", f"record.{key} differs from the envelope")
    if (record["seq"] == 1) != (record["prev"] == GENESIS):
        raise Refused(422, "evidence_mismatch", "only the first record of a chain links to the genesis")
    for i, unit in enumerate(record["units"]):
        if sha256_hex(unit["text"].encode("utf-8")) != unit.get("sha256"):
            raise Refused(422, "evidence_mismatch", f"record.units[{i}]: text does not match its sha256")
    shot = record.get("screenshot")
    expected = {shot["name"]: shot} if isinstance(shot, dict) and shot.get("name") else {}
    got = {}
    for i, cap in enumerate(payload["captures"]):
        _need(isinstance(cap, dict) and all(isinstance(cap.get(k), str) for k in ("name", "mime", "sha256", "base64")),
              f"captures[{i}]")
        if cap["name"] in got or cap["name"] not in expected:
            raise Refused(422, "evidence_mismatch", f"captures[{i}]: not listed in the record")
        try:
            mime, data = decode_screenshot(f"data:{cap['mime']};base64,{cap['base64']}")
        except EvidenceError as exc:
            raise Refused(422, "evidence_mismatch", f"captures[{i}]: {exc}") from None
        digest = sha256_hex(data)
        listed = expected[cap["name"]]
        if digest != cap["sha256"] or digest != listed.get("sha256") or mime != listed.get("mime"):
            raise Refused(422, "evidence_mismatch", f"captures[{i}]: does not match its sha256")
        got[cap["name"]] = {"name": cap["name"], "mime": mime, "sha256": digest, "data": data}
    if set(got) != set(expected):
        raise Refused(422, "evidence_mismatch", "a capture the record lists is missing")
    summary = {"record": "ok", "units": len(record["units"]), "captures": len(got), "chain": [], "problems": []}
    return list(got.values()), summary


# -- what the queue shows ----------------------------------------------------

_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIZI = re.compile(r"\b[a-z]*[379][a-z]+\b|\b[a-z]+[379]\b")
_FR = {"le", "la", "les", "de", "des", "du", "tu", "je", "pour", "est", "et", "une", "avec", "ton", "ta", "pas", "moi",
       "sur", "ans", "en", "au", "ce", "nouvelles", "t", "as"}
_EN = {"the", "you", "your", "and", "for", "is", "are", "with", "to", "my", "me", "what", "how", "of"}


def guess_lang(texts: list[str]) -> str:
    """fr, en, ar (Arabic script), aeb-Latn (Arabizi) or mixed: for the queue's language filter.

    >>> guess_lang(["9adech 3omrek ?"]), guess_lang(["قداش عمرك"]), guess_lang(["tu as quel âge ?"])
    ('aeb-Latn', 'ar', 'fr')
    """
    text = " ".join(texts)[:4000].lower()
    letters = sum(ch.isalpha() for ch in text) or 1
    arabic = len(_ARABIC.findall(text)) / letters
    if arabic > 0.6:
        return "ar"
    words = re.findall(r"[^\W\d_]+|\w+", text)
    latin_kind = None
    if len(_ARABIZI.findall(text)) >= 1:
        latin_kind = "aeb-Latn"
    else:
        fr, en = sum(w in _FR for w in words), sum(w in _EN for w in words)
        if fr or en:
            latin_kind = "fr" if fr >= en else "en"
    if arabic > 0.1:
        return "mixed"
    return latin_kind or "other"


def describe(payload: dict, rulebook=None) -> dict:
    """The columns the queue filters and sorts on, from the record."""
    record = payload["record"]
    matches = record["matches"]
    categories, severity = set(), "none"
    for m in matches:
        category = m.get("category") or (rulebook.category(m["rule"]) if rulebook else None)
        if category:
            categories.add(category)
        sev = m.get("severity") or (rulebook.severity(m["rule"]) if rulebook else None) or "low"
        if SEVERITY_RANK.get(sev, 0) > SEVERITY_RANK[severity]:
            severity = sev
    url = record["page"]["url"]
    link = parse_link(url)
    site = (link.registrable if link else url.split("/")[0])[:255] or "?"
    texts = [u["text"] for u in record["units"]]
    search = " ".join([record["page"].get("title") or "", url, *texts,
                       *(u.get("author") or "" for u in record["units"])]).casefold()
    return {
        "url": url, "url_sha256": record["page"].get("url_sha256") or sha256_hex(url.encode("utf-8")),
        "site": site, "title": (record["page"].get("title") or "")[:1000],
        "lang": guess_lang(texts), "categories": "," + ",".join(sorted(categories)) + "," if categories else ",",
        "severity": severity, "severity_rank": SEVERITY_RANK[severity],
        "rules": json.dumps(sorted({m["rule"] for m in matches})), "units": len(record["units"]),
        "search": search,
    }


# -- family rate limit ----------------------------------------------------------

class RateLimiter:
    """A token bucket per address for unenrolled companions: ``count`` per ``seconds``."""

    def __init__(self, count: int, seconds: float):
        self.rate, self.burst = count / seconds, float(count)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> tuple[bool, int]:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return True, 0
            self._buckets[key] = (tokens, now)
            return False, int((1 - tokens) / self.rate) + 1


# -- enrolment ------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def code_hash(code: str) -> str:
    return sha256_hex(("himaya-enrol:" + normalize_code(code)).encode("utf-8"))


def enrol(db, label: str, actor: str = "cli") -> tuple[int, str]:
    """A new enrolment code for a volunteer's companion: ``(id, "HUB-XXXX-XXXX-XXXX-XXXX")``.

    Only its hash is kept; the code is shown once."""
    import secrets

    from himaya.hub import audit

    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    code = "HUB-" + "-".join(raw[i:i + 4] for i in range(0, 16, 4))
    label = (label or "").strip()[:200] or "volunteer"
    with db.write() as conn:
        cid = conn.execute(db.t["companions"].insert().values(
            label=label, code_sha256=code_hash(code), created_at=utc_now())).inserted_primary_key[0]
        audit.log(conn, db, actor, "companion.enrolled", target=str(cid), detail={"label": label})
    return cid, code


def revoke(db, companion_id: int, actor: str) -> None:
    from himaya.hub import audit

    companions = db.t["companions"]
    with db.write() as conn:
        conn.execute(companions.update().where(companions.c.id == companion_id).values(revoked_at=utc_now()))
        audit.log(conn, db, actor, "companion.revoked", target=str(companion_id))


def find_companion(db, code: str) -> dict | None:
    companions = db.t["companions"]
    with db.read() as conn:
        row = conn.execute(sa.select(companions).where(companions.c.code_sha256 == code_hash(code))).first()
    return dict(row._mapping) if row else None


# -- receiving ------------------------------------------------------------------

@dataclass
class Intake:
    db: object
    rulebook: object = None
    family: RateLimiter = field(default_factory=lambda: RateLimiter(20, 3600))
    on_stored: object = None  # callable(conn, report_pk, payload, columns, received_at) in the transaction

    def receive(self, body: bytes, code: str | None, address: str) -> Outcome:
        try:
            return self._receive(body, code, address)
        except Refused as refused:
            return refused.outcome

    def _receive(self, body: bytes, code: str | None, address: str) -> Outcome:
        payload = parse_json(body)
        check_envelope(payload)
        captures, summary = verify_evidence(payload)
        companion = None
        if code:
            companion = find_companion(self.db, code)
            if companion is None or companion["revoked_at"]:
                raise Refused(403, "unknown_code", "this enrolment code is unknown or revoked")
        existing = self._existing(payload["sha256"])
        if existing is not None:
            return Outcome(200, {"status": "duplicate", "id": existing, "sha256": payload["sha256"]}, existing)
        if companion is None:
            allowed, wait = self.family.allow(address)
            if not allowed:
                return Outcome(429, {"error": "rate_limited", "detail": f"unenrolled companions: retry in {wait} s",
                                     "retry_after": wait})
        return self._store(payload, captures, summary, companion)

    def _existing(self, digest: str) -> int | None:
        reports = self.db.t["reports"]
        with self.db.read() as conn:
            return conn.execute(sa.select(reports.c.id).where(reports.c.sha256 == digest)).scalar()

    def _store(self, payload, captures, summary, companion) -> Outcome:
        for attempt in range(4):
            try:
                return self._store_once(payload, dict(summary, chain=[], problems=[]), captures, companion)
            except sa.exc.OperationalError as exc:
                # PostgreSQL may pick this transaction as a deadlock victim when two reports
                # join the same networks at once: try again (nothing was committed).
                code = getattr(getattr(exc, "orig", None), "sqlstate", None)
                if code not in ("40P01", "40001") or attempt == 3:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _store_once(self, payload, summary, captures, companion) -> Outcome:
        db, reports = self.db, self.db.t["reports"]
        record = payload["record"]
        columns = describe(payload, self.rulebook)
        now = utc_now()
        try:
            with db.write() as conn:
                summary = witness(conn, db, payload, summary, companion)
                pk = conn.execute(reports.insert().values(
                    sha256=payload["sha256"], report_id=payload["id"], seq=record["seq"], prev=payload["prev"],
                    chain_head=payload["chain_head"], created=payload["created"], received_at=now,
                    companion_id=companion["id"] if companion else None,
                    priority=PRIORITY_ENROLLED if companion else PRIORITY_FAMILY,
                    record=canonical(record).decode("utf-8"), evidence_ok=not summary["problems"],
                    evidence_detail=json.dumps(summary, sort_keys=True), status="new", status_at=now,
                    sender=(payload.get("sender") or "")[:64], **columns)).inserted_primary_key[0]
                for cap in captures:
                    conn.execute(db.t["captures"].insert().values(report_pk=pk, **cap))
                if companion:
                    companions = db.t["companions"]
                    conn.execute(companions.update().where(companions.c.id == companion["id"]).values(last_seen=now))
                if self.on_stored:
                    self.on_stored(conn, pk, payload, columns, now)
        except sa.exc.IntegrityError:
            # The same report arrived twice at once: the other copy committed first.
            existing = self._existing(payload["sha256"])
            if existing is None:
                raise
            return Outcome(200, {"status": "duplicate", "id": existing, "sha256": payload["sha256"]}, existing)
        return Outcome(201, {"status": "stored", "id": pk, "sha256": payload["sha256"],
                             "evidence_ok": not summary["problems"]}, pk, created=True)


def witness(conn, db, payload: dict, summary: dict, companion) -> dict:
    """Check the chain witness against the reports already held; fill summary['chain'] and ['problems']."""
    reports = db.t["reports"]
    record, digest, head = payload["record"], payload["sha256"], payload["chain_head"]
    seq = record["seq"]
    chain, problems = summary["chain"], summary["problems"]

    def one(cond):
        row = conn.execute(sa.select(reports.c.id, reports.c.seq, reports.c.sha256, reports.c.companion_id)
                           .where(cond).limit(1)).first()
        return row._mapping if row else None

    if head == digest:
        chain.append("head")
    elif head == payload["prev"]:
        problems.append("head_before_record")
    else:
        later = one(reports.c.sha256 == head)
        if later is None:
            chain.append("head_later_not_held")
        elif later["seq"] > seq:
            chain.append(f"head_held:{later['id']}")
        else:
            problems.append("head_not_later")
    if payload["prev"] != GENESIS:
        before = one(reports.c.sha256 == payload["prev"])
        if before is not None:
            if before["seq"] == seq - 1:
                chain.append(f"links_to:{before['id']}")
            else:
                problems.append("prev_seq_mismatch")
    after = one(reports.c.prev == digest)
    if after is not None:
        if after["seq"] == seq + 1:
            chain.append(f"linked_from:{after['id']}")
        else:
            problems.append("next_seq_mismatch")
    return summary
