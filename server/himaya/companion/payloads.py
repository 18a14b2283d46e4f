"""The shapes of request bodies, checked field by field.

Each check returns the cleaned value or raises Invalid naming the field, so
that the API answers 400 with ``{"error": "bad_request", "detail": "units[3].text: ..."}``::

    >>> scan_request({"kind": "message", "text": "salut"})["kind"]
    'message'
    >>> scan_request({"kind": "tweet", "text": "x"})
    Traceback (most recent call last):
    ...
    himaya.companion.payloads.Invalid: kind: must be one of message, profile, post, url
"""

from __future__ import annotations

from himaya.core.conversations import BURST

KINDS = ("message", "profile", "post", "url")
LANGS = ("fr", "ar", "en")
SEVERITIES = ("none", "low", "medium", "high", "critical")
# Whose words a unit holds, as the extension's site readers tell it.
SPEAKERS = ("self", "other", "unknown")
# The sites with a reader of their own in the extension: the only values a
# "reader found nothing" event may name (never an address, never text).
READER_SITES = ("facebook", "instagram", "tiktok", "x", "messenger", "whatsapp", "telegram", "discord")
MAX_TEXT = 20_000
MAX_URL = 16_384
MAX_ID = 256
MAX_BATCH = 200
MAX_BEFORE = BURST - 1  # the other side's messages right before a chat message, read with it
MAX_BEFORE_TEXT = 1_000  # the end of each, as the extension sends it
MAX_REPORT_UNITS = 200
MAX_MATCHES = 500
MAX_TITLE = 1_000
MAX_NOTE = 4_000
MAX_FEEDBACK_RULES = 50


class Invalid(ValueError):
    """A request field is missing, unknown, of the wrong type or too long."""


def _fields(obj, where: str, required: dict, optional: dict, ignored=()) -> dict:
    """Check an object: each spec maps a field name to a checker(value, path)."""
    if not isinstance(obj, dict):
        raise Invalid(f"{where or 'body'}: must be an object")
    for key in obj:
        if key not in required and key not in optional and key not in ignored:
            raise Invalid(f"{_path(where, key)}: unknown field")
    out = {}
    for key, check in required.items():
        if key not in obj:
            raise Invalid(f"{_path(where, key)}: missing")
        out[key] = check(obj[key], _path(where, key))
    for key, check in optional.items():
        if key in obj and obj[key] is not None:
            out[key] = check(obj[key], _path(where, key))
    return out


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def text_of(limit: int, allow_empty: bool = False):
    def check(value, where):
        if not isinstance(value, str):
            raise Invalid(f"{where}: must be a string")
        if len(value) > limit:
            raise Invalid(f"{where}: longer than {limit} characters")
        if not allow_empty and not value:
            raise Invalid(f"{where}: must not be empty")
        return value
    return check


def one_of(choices):
    def check(value, where):
        if value not in choices:
            raise Invalid(f"{where}: must be one of {', '.join(choices)}")
        return value
    return check


def list_of(item_check, limit: int, minimum: int = 0):
    def check(value, where):
        if not isinstance(value, list):
            raise Invalid(f"{where}: must be a list")
        if len(value) > limit:
            raise Invalid(f"{where}: more than {limit} items")
        if len(value) < minimum:
            raise Invalid(f"{where}: needs at least {minimum} item(s)")
        return [item_check(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return check


def _int(minimum=0, maximum=10**9):
    def check(value, where):
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            raise Invalid(f"{where}: must be a whole number from {minimum} to {maximum}")
        return value
    return check


def _unit_id(value, where):
    if isinstance(value, str):
        return text_of(MAX_ID)(value, where)
    return _int(0, 2**53)(value, where)


def _span(value, where):
    pair = list_of(_int(0, MAX_TEXT), 2, 2)(value, where)
    if pair[0] > pair[1]:
        raise Invalid(f"{where}: start after end")
    return pair


_url = text_of(MAX_URL)
_short = text_of(MAX_ID)


# A chat message may come with the other side's messages just before it (`before`,
# oldest first): read together by the rules, never kept.
_UNIT_OPTIONAL = {"url": _url, "conversation": _short, "lang": one_of(LANGS), "speaker": one_of(SPEAKERS),
                  "before": list_of(text_of(MAX_BEFORE_TEXT), MAX_BEFORE)}


def scan_request(body: dict, where: str = "") -> dict:
    return _fields(body, where, {"kind": one_of(KINDS), "text": text_of(MAX_TEXT, allow_empty=True)}, _UNIT_OPTIONAL)


def _batch_unit(value, where):
    return _fields(value, where,
                   {"id": _unit_id, "kind": one_of(KINDS), "text": text_of(MAX_TEXT, allow_empty=True)},
                   _UNIT_OPTIONAL)


def batch_request(body: dict) -> dict:
    return _fields(body, "", {"units": list_of(_batch_unit, MAX_BATCH, 1)}, {})


def _report_unit(value, where):
    return _fields(value, where, {"kind": one_of(KINDS), "text": text_of(MAX_TEXT)},
                   {"url": _url, "author": _short, "time": text_of(64), "id": _unit_id, "speaker": one_of(SPEAKERS)})


def _report_match(value, where):
    # title/explain are what the extension showed; the export uses the
    # companion's own texts, so they are accepted and dropped.
    return _fields(value, where, {"rule": _short},
                   {"severity": one_of(SEVERITIES), "category": _short,
                    "spans": list_of(_span, 64), "unit": _int(0, MAX_REPORT_UNITS - 1)},
                   ignored=("title", "explain"))


def report_request(body: dict) -> dict:
    out = _fields(body, "",
                  {"url": _url, "units": list_of(_report_unit, MAX_REPORT_UNITS, 1)},
                  {"title": text_of(MAX_TITLE, allow_empty=True), "matches": list_of(_report_match, MAX_MATCHES),
                   "screenshot": text_of(12 * 1024 * 1024), "note": text_of(MAX_NOTE, allow_empty=True),
                   "lang": one_of(LANGS)})
    for i, match in enumerate(out.get("matches", [])):
        if match.get("unit", 0) >= len(out["units"]):
            raise Invalid(f"matches[{i}].unit: no such unit")
    out.setdefault("matches", [])
    return out


def _sha256_hex(value, where):
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise Invalid(f"{where}: must be a SHA-256 in 64 lowercase hex digits")
    return value


def head_request(body: dict) -> dict:
    """The chain head the extension kept: ``{"count": int, "head": sha256}``."""
    return _fields(body, "", {"count": _int(1, 2**53), "head": _sha256_hex}, {})


def feedback_request(body: dict) -> dict:
    return _fields(body, "", {"rules": list_of(_short, MAX_FEEDBACK_RULES, 1), "verdict": one_of(("wrong", "helped"))},
                   {"url": _url})


def pin_request(body: dict) -> dict:
    return _fields(body, "", {"pin": text_of(32)}, {})


def _sensitivity(value, where):
    if not isinstance(value, dict) or len(value) > 32:
        raise Invalid(f"{where}: must be an object of category: level")
    for key, level in value.items():
        if not isinstance(level, str) or len(key) > 64:
            raise Invalid(f"{where}.{key[:64]}: must be off, low, normal or high")
    return value


def _bool(value, where):
    if not isinstance(value, bool):
        raise Invalid(f"{where}: must be true or false")
    return value


def settings_request(body: dict) -> dict:
    return _fields(body, "", {}, {"sensitivity": _sensitivity, "share_feedback": _bool})


def reader_missed_request(body: dict) -> dict:
    """A site's reader found nothing on a page full of text: the site, nothing else.

    >>> reader_missed_request({"site": "facebook"})
    {'site': 'facebook'}
    """
    return _fields(body, "", {"site": one_of(READER_SITES)}, {})
