"""Evidence records: canonical JSON, SHA-256 of every capture, a hash chain.

A report becomes one record. Its bytes are canonical JSON (sorted keys, no
spaces, UTF-8, no floats), its SHA-256 is its identity, and it names the SHA-256
of the record before it, so that changing, removing or reordering any record
breaks the chain at that point::

    >>> record, captures = build_record({"url": "https://social.example/p/1", "title": "t",
    ...     "units": [{"kind": "message", "text": "bonjour"}], "matches": []}, "2025.01")
    >>> record["units"][0]["sha256"] == sha256_hex("bonjour".encode())
    True
    >>> canonical({"b": 1, "a": "é"})
    b'{"a":"\xc3\xa9","b":1}'

Everything here is pure (no database): store.py keeps the records, export.py
writes the folder a hotline receives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass

FORMAT = "himaya-evidence/1"
GENESIS = "0" * 64
SCREENSHOT_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
MAX_SCREENSHOT = 8 * 1024 * 1024

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATA_URL = re.compile(r"^data:(image/(?:png|jpeg|webp));base64,([A-Za-z0-9+/=\s]*)$")
# The first bytes of each accepted image type: the claimed type must be true.
_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",), "image/webp": (b"RIFF",)}


class EvidenceError(ValueError):
    """A capture cannot become evidence (bad screenshot, float in a record...)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value) -> bytes:
    """The one byte form of a record: sorted keys, no spaces, UTF-8, no floats."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _refuse_floats(value) -> None:
    # Floats have several textual forms across languages; a record that another
    # program must re-hash holds only strings, integers, booleans and null.
    if isinstance(value, float):
        raise EvidenceError("floats are not allowed in evidence")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)


def decode_screenshot(data_url: str) -> tuple[str, bytes]:
    """``"data:image/png;base64,..."`` -> ``("image/png", bytes)`` or EvidenceError."""
    found = _DATA_URL.match(data_url)
    if not found:
        raise EvidenceError("screenshot must be a base64 PNG, JPEG or WebP data URL")
    mime, payload = found.group(1), re.sub(r"\s+", "", found.group(2))
    if len(payload) * 3 // 4 > MAX_SCREENSHOT + 3:
        raise EvidenceError(f"screenshot larger than {MAX_SCREENSHOT} bytes")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise EvidenceError("screenshot is not valid base64") from None
    if not data.startswith(_MAGIC[mime]):
        raise EvidenceError(f"screenshot is not a {mime} image")
    return mime, data


def build_record(payload: dict, rules_version: str) -> tuple[dict, list[dict]]:
    """A record (without its place in the chain) and its binary captures.

    ``payload`` is a validated report request (see api.py). The place in the
    chain (``seq``, ``prev``, ``id``, ``created``) is filled in by the store,
    inside the transaction that appends it.
    """
    units = []
    for unit in payload["units"]:
        item = {key: unit[key] for key in ("kind", "text", "url", "author", "time", "id", "speaker") if unit.get(key) is not None}
        item["sha256"] = sha256_hex(unit["text"].encode("utf-8"))
        units.append(item)
    matches = [{key: match[key] for key in ("rule", "severity", "category", "spans", "unit") if key in match}
               for match in payload.get("matches", [])]
    captures = []
    screenshot = None
    if payload.get("screenshot"):
        mime, data = decode_screenshot(payload["screenshot"])
        digest = sha256_hex(data)
        name = f"screenshot.{SCREENSHOT_TYPES[mime]}"
        screenshot = {"name": name, "mime": mime, "sha256": digest, "size": len(data)}
        captures.append({"name": name, "mime": mime, "sha256": digest, "data": data})
    record = {
        "format": FORMAT,
        "page": {"url": payload["url"], "url_sha256": sha256_hex(payload["url"].encode("utf-8")),
                 "title": payload.get("title") or ""},
        "units": units,
        "matches": matches,
        "screenshot": screenshot,
        "note": payload.get("note"),
        "lang": payload.get("lang"),
        "rules_version": str(rules_version),
    }
    return record, captures


def chain(record: dict, *, seq: int, prev: str, report_id: str, created: str) -> tuple[bytes, str]:
    """Place ``record`` in the chain; return its canonical bytes and SHA-256."""
    record.update(seq=seq, prev=prev, id=report_id, created=created)
    body = canonical(record)
    return body, sha256_hex(body)


@dataclass(frozen=True)
class Anchor:
    """A chain head kept outside the database: how many records the chain held
    and the SHA-256 of the last one, as the companion acknowledged them (to the
    extension when it stored a report, to an NGO's hub when it sent one).

    >>> Anchor.parse("3:" + "ab" * 32).count
    3
    """

    count: int
    head: str
    source: str = "the given head"

    @classmethod
    def parse(cls, text: str, source: str = "the given head") -> "Anchor":
        """`COUNT:HASH` (as `himaya report verify --head` takes it); ValueError if malformed."""
        count, _, head = text.strip().partition(":")
        if not count.isdigit() or int(count) < 1 or not _HEX64.match(head.lower()):
            raise ValueError("a head is COUNT:HASH, a record count from 1 and a SHA-256 in 64 hex digits")
        return cls(int(count), head.lower(), source)


def verify_rows(rows, captures_of, anchors=()) -> dict:
    """Walk stored records in order; name the first broken one.

    ``rows`` yields dicts with ``seq, id, sha256, prev, record`` (record as the
    stored text); ``captures_of(id)`` returns that record's captures; each of
    ``anchors`` (heads kept outside the database) must name a record of the
    chain by its place and hash. Returns ``{"ok": True, "count": n, "head": sha}``
    or ``{"ok": False, "count": n, "broken": {"seq", "id", "reason"}}``.
    """
    previous, count = GENESIS, 0
    witnessed = {a.count for a in anchors}
    at: dict[int, tuple[str, str]] = {}  # place -> (id, sha256), for the places anchors name
    for row in rows:
        problem = _row_problem(row, previous, captures_of)
        if problem:
            return {"ok": False, "count": count, "broken": {"seq": row["seq"], "id": row["id"], "reason": problem}}
        previous, count = row["sha256"], count + 1
        if count in witnessed:
            at[count] = (row["id"], row["sha256"])
    for anchor in sorted(anchors, key=lambda a: a.count):
        if anchor.count not in at:
            return {"ok": False, "count": count, "broken": {
                "seq": anchor.count, "id": None,
                "reason": f"the chain holds {count} record(s), {anchor.source} counted {anchor.count}: "
                          "records were removed from its end"}}
        rid, digest = at[anchor.count]
        if digest != anchor.head:
            return {"ok": False, "count": count, "broken": {
                "seq": anchor.count, "id": rid,
                "reason": f"differs from {anchor.source} (the chain was rewritten from this record or before)"}}
    return {"ok": True, "count": count, "head": previous}


def _row_problem(row, previous: str, captures_of) -> str | None:
    text = row["record"]
    body = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if sha256_hex(body) != row["sha256"]:
        return "record bytes do not match their SHA-256"
    if row["prev"] != previous:
        return "does not link to the previous record (one was removed, changed or reordered)"
    try:
        record = json.loads(body)
    except ValueError:
        return "record is not JSON"
    if canonical(record) != body:
        return "record is not in canonical form"
    if (record.get("prev"), record.get("seq"), record.get("id")) != (previous, row["seq"], row["id"]):
        return "record's own seq, id or prev differ from the chain"
    for index, unit in enumerate(record.get("units", [])):
        if sha256_hex(unit.get("text", "").encode("utf-8")) != unit.get("sha256"):
            return f"unit {index}: text does not match its SHA-256"
    stored = {c["name"]: c for c in captures_of(row["id"])}
    shot = record.get("screenshot")
    expected = {shot["name"]: shot["sha256"]} if shot else {}
    if set(stored) != set(expected):
        return "captures differ from those the record lists"
    for name, digest in expected.items():
        if sha256_hex(bytes(stored[name]["data"])) != digest or stored[name]["sha256"] != digest:
            return f"capture {name} does not match its SHA-256"
    return None
