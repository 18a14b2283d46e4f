"""The ``/api/v1`` blueprint: status, pair, scan, scan/batch, reports, feedback,
readers/missed.

Views are thin: the guard (guard.py) has already checked who is calling and
parsed the body into ``request.environ["himaya.json"]``; payloads.py checks its
shape; the scanner, the store and evidence.py do the work. docs/API.md is the
contract. Example::

    client.post("/api/v1/scan", json={"kind": "message", "text": "salut"},
                headers={"X-Himaya-Token": token})   # -> 200 verdict
"""

from __future__ import annotations

import io
import json
import logging
import re
import traceback

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from himaya import __version__
from himaya.companion import health, pairing, payloads, pin as pin_mod, preferences
from himaya.core.evidence import Anchor, EvidenceError
from himaya.listinfo import label
from himaya.companion.export import export_files, zip_files
from himaya.companion.store import StoreBusy, StoreError, StoreFull

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("himaya.companion.api")

_REPORT_ID = re.compile(r"^R\d{8}-[0-9a-f]{8}$")


def _companion():
    return current_app.extensions["himaya"]


def _body() -> dict:
    return request.environ.get("himaya.json") or {}


def error(status: int, code: str, detail=None, headers=None):
    response = jsonify(error=code, detail=detail)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.before_request
def heard_from_the_extension():
    _heard(_companion(), request.environ)


def _heard(companion, environ) -> None:
    # A browser sends no Origin on the extension's GET (its heartbeat, GET /status):
    # the extension names itself in X-Himaya-Client. Only with a valid token, so a
    # page cannot pass for it; a script of this account that says so only hides
    # its own user's silences.
    origin = environ.get("himaya.origin") or ""
    from_extension = origin.startswith(("chrome-extension://", "moz-extension://")) or \
        environ.get("HTTP_X_HIMAYA_CLIENT") == "extension"
    if environ.get("himaya.authenticated") and from_extension:
        companion.contact()


def _unlocked() -> bool:
    """No PIN set, or a valid unlock (a right PIN in the last 10 minutes) comes with the request."""
    companion = _companion()
    return not pin_mod.is_set(companion.home) or companion.unlocks.valid(request.headers.get("X-Himaya-Unlock"))


def _needs_pin():
    return error(403, "pin_required", "the parent's PIN is needed (POST /api/v1/unlock)")


@bp.get("/status")
def status():
    if not request.environ.get("himaya.authenticated"):
        return {"ok": True}
    companion = _companion()
    rules_status = dict(companion.rules.status())
    rules_status["label"] = label(rules_status if isinstance(rules_status.get("version"), int) else None,
                                  companion.rules.scanner.version)
    store = companion.store
    counts = {"scans": companion.scans, **store.counts()}
    box = store.outbox_counts()
    intake = bool(companion.settings().get("intake-url"))
    return {"ok": True, "version": __version__, "rules_version": companion.rules.scanner.version,
            "rules": rules_status, "counts": counts,
            "outbox": {"intake": intake, "pending": box["pending"] + (box["export"] if intake else 0),
                       "sent": box["sent"], "failed": box["failed"],
                       "waiting_export": 0 if intake else box["export"]},
            "store": {"recovered": store.recovered},
            "extension": companion.extension_state(),
            "sensitivity": companion.settings()["sensitivity"],
            "share_feedback": bool(companion.settings()["share-feedback"]),
            "pin": pin_mod.is_set(companion.home),
            "scanning": {**companion.health.summary(),
                         "rate_limited": getattr(companion.gate, "rate_limited", 0)}}


@bp.post("/pair")
def pair():
    code = _body().get("code")
    if not isinstance(code, (str, int)) or isinstance(code, bool) or len(str(code)) > 32 or set(_body()) != {"code"}:
        return error(400, "bad_request", "code: expected the pairing code, and nothing else")
    companion = _companion()
    outcome = pairing.check(companion.home, code)
    if outcome == "locked":
        return error(403, "pairing_locked", "too many wrong codes; run `himaya pair` for a new one")
    if outcome != "ok":
        return error(403, "pairing_failed", "wrong or expired code")
    origin = request.environ.get("himaya.origin") or ""
    if origin.startswith("chrome-extension://"):
        companion.learn_extension(origin[len("chrome-extension://"):])
    log.info("paired a client (origin kind: %s)", origin.split("://")[0] if origin else "none")
    return {"token": companion.guard.token}


def _verdict(companion, scanner, unit: dict) -> dict:
    """Scan one unit; keep its match metadata (never its text)."""
    if unit.get("conversation") and unit["kind"] == "message":
        # The extension says "self" for the child's own messages (when the site shows it).
        speaker = {"self": "child", "other": "other"}.get(unit.get("speaker"), "unknown")
        verdict = scanner.conversation(unit["conversation"]).add(unit["text"], url=unit.get("url"), speaker=speaker,
                                                                 before=unit.get("before") or ())
    else:
        verdict = scanner.scan(unit["text"], kind=unit["kind"], url=unit.get("url"))
    result = verdict.to_dict()
    url_hash = companion.store.url_hash(unit.get("url"))
    result = preferences.apply(result, companion.settings()["sensitivity"], companion.allowed(), url_hash)
    if result["risk"]:  # queued, written off the request path (store._MatchQueue)
        try:
            companion.store.record_match(unit["kind"], result["severity"],
                                         [match["rule"] for match in result["matches"]], unit.get("url"),
                                         [match["category"] for match in result["matches"]])
        except StoreError as exc:
            # Warnings come first: a busy or full disk must not silence them.
            log.warning("match metadata not stored: %s", exc.__class__.__name__)
    return result


@bp.post("/scan")
def scan():
    return _json_answer(_scan_json(_companion(), payloads.scan_request(_body())))


@bp.post("/scan/batch")
def scan_batch():
    return _json_answer(_batch_json(_companion(), payloads.batch_request(_body())["units"]))


def _scan_json(companion, unit: dict) -> str:
    scanner = companion.rules.scanner  # read once: the updater may swap it
    result = _verdict(companion, scanner, unit)
    companion.count_scans()
    result["rules_version"] = scanner.version
    return _object_json(result)


def _batch_json(companion, units: list) -> str:
    scanner = companion.rules.scanner
    results = [_object_json({"id": unit["id"], **_verdict(companion, scanner, unit)}) for unit in units]
    companion.count_scans(len(units))
    return '{"results":[' + ",".join(results) + '],"rules_version":' + _dumps(scanner.version) + "}"


# -- the scan routes without Flask's request machinery ---------------------------
# The extension's scans are most of what the companion answers (a feed's posts, a
# chat's messages), and Flask's request context, routing and response objects cost
# about 90 µs a request, more than most scans. The guard (guard.py) has done all a
# request needs before a view; it hands POST /scan and /scan/batch to these, which
# run the views' own code (_heard, _scan_json, _batch_json) and give the guard the
# answer to send, with the same headers. A body the view would refuse goes to
# Flask instead (nothing was done yet), whose error handlers answer it.

def direct_answers(app) -> dict:
    """{path: answer(environ) -> (status, JSON bytes), or None for Flask to answer}."""
    companion = app.extensions["himaya"]

    def direct(read, build):
        def answer(environ):
            try:
                given = read(environ.get("himaya.json") or {})
            except payloads.Invalid:
                return None
            try:
                _heard(companion, environ)
                return 200, build(companion, given).encode("utf-8")
            except Exception as exc:  # as Flask's handler does (register_errors): logged, answered in JSON
                _log_internal(exc)
                return 500, (_dumps({"error": "internal", "detail": None}) + "\n").encode("utf-8")
        return answer

    return {f"{bp.url_prefix}/scan": direct(payloads.scan_request, _scan_json),
            f"{bp.url_prefix}/scan/batch": direct(lambda body: payloads.batch_request(body)["units"], _batch_json)}


# -- verdicts as JSON ------------------------------------------------------------
# A verdict's bulk is its rules' titles and explanations (six texts in three
# languages per match), the same for every match of a rule: they are encoded
# once per rule and reused (encoding them again was a third of a warning's
# request time). The cache holds the rule's dicts, so their ids stay theirs.

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_RULE_TEXTS: dict[int, tuple[dict, dict, str]] = {}


def _match_json(match: dict) -> str:
    title, explain = match["title"], match["explain"]
    cached = _RULE_TEXTS.get(id(title))
    if cached is None or cached[0] is not title or cached[1] is not explain:
        if len(_RULE_TEXTS) > 4096:
            _RULE_TEXTS.clear()
        cached = _RULE_TEXTS[id(title)] = (title, explain, f',"title":{_dumps(title)},"explain":{_dumps(explain)}')
    rest = ",".join(f"{_dumps(k)}:{_dumps(v)}" for k, v in match.items() if k not in ("title", "explain"))
    return "{" + rest + cached[2] + "}"


def _object_json(obj: dict) -> str:
    """A verdict (or a batch result) as JSON, keys in order, matches through _match_json."""
    parts = []
    for key, value in obj.items():
        if key == "matches":
            parts.append('"matches":[' + ",".join(map(_match_json, value)) + "]")
        else:
            parts.append(f"{_dumps(key)}:{_dumps(value)}")
    return "{" + ",".join(parts) + "}"


def _json_answer(text: str) -> Response:
    return Response(text.encode("utf-8"), mimetype="application/json")


@bp.post("/scan/health")
def scan_health():
    """The extension's scanning counts for a browser session (no text): see health.py."""
    _companion().health.report(health.parse_report(_body()))
    return {"ok": True}


@bp.post("/reports")
def create_report():
    report = payloads.report_request(_body())
    companion = _companion()
    queue = bool(companion.settings().get("intake-url"))
    saved = companion.store.append_report(report, companion.rules.scanner.version, queue=queue)
    companion.outbox_wakeup.set()
    log.info("report %s stored (%d units)", saved["id"], len(report["units"]))
    # The chain's head with this record on it: the extension keeps the last one
    # it got and can hand it back (POST /reports/verify) to show nothing was removed.
    return {"id": saved["id"], "sha256": saved["sha256"], "created": saved["created"],
            "outbox": "pending" if queue else "none", "chain": {"count": saved["seq"], "head": saved["sha256"]}}, 201


@bp.post("/reports/verify")
def verify_reports():
    given = payloads.head_request(_body())
    anchor = Anchor(given["count"], given["head"], "the extension's head")
    return _companion().store.verify_chain([anchor])


@bp.get("/reports")
def list_reports():
    allowed = {"limit", "before"}
    unknown = set(request.args) - allowed
    if unknown:
        return error(400, "bad_request", f"{sorted(unknown)[0][:64]}: unknown parameter")
    try:
        limit = int(request.args.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 200:
        return error(400, "bad_request", "limit: must be a whole number from 1 to 200")
    before = request.args.get("before")
    if before is not None and not _REPORT_ID.match(before):
        return error(400, "bad_request", "before: not a report id")
    rows = _companion().store.list_reports(limit + 1, before)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"reports": rows, "next": rows[-1]["id"] if more else None}


def _find(report_id: str):
    if not _REPORT_ID.match(report_id):
        return None
    return _companion().store.get_report(report_id)


@bp.get("/reports/<report_id>")
def get_report(report_id):
    found = _find(report_id)
    if found is None:
        return error(404, "not_found", "no such report")
    found.pop("seq", None)
    return found


@bp.get("/reports/<report_id>/export")
def export_report(report_id):
    found = _find(report_id)
    if found is None:
        return error(404, "not_found", "no such report")
    companion = _companion()
    files = export_files(found, companion.store.captures(report_id), rule_titles(companion.rules.scanner))
    buffer = io.BytesIO()
    zip_files(files, buffer)
    return Response(buffer.getvalue(), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="himaya-{report_id}.zip"'})


@bp.post("/feedback")
def feedback():
    """Stored as counts; "wrong" on a page also stops the same rules warning there on
    this computer, except critical ones, which need the parent's PIN."""
    given = payloads.feedback_request(_body())
    companion = _companion()
    new_id = companion.store.add_feedback(given["verdict"], given["rules"], given.get("url"))
    allowed, needs_pin = [], []
    if given["verdict"] == "wrong" and given.get("url"):
        unlocked = companion.unlocks.valid(request.headers.get("X-Himaya-Unlock"))
        for rule in given["rules"]:
            if _serious(companion, rule) and not unlocked:
                needs_pin.append(rule)
                continue
            companion.store.allow(rule, given["url"], "parent" if unlocked else "feedback")
            allowed.append(rule)
        companion.allow_changed()
    return {"id": new_id, "allowed": allowed, "needs_pin": needs_pin}, 201


def _serious(companion, rule_id: str) -> bool:
    """A rule one click from the child must not silence: it can be critical (escalations
    included), or it is a threat or an ad offering children; unknown ids too, to be safe."""
    from himaya.companion.config import NEVER_OFF

    from himaya.core.conversations import CONVERSATION_RULE

    if rule_id == CONVERSATION_RULE:
        return False  # the stages of a chat adding up: each stage's own rule decides
    if rule_id.startswith("model."):
        return rule_id[len("model."):] in NEVER_OFF
    try:
        rule = companion.rules.scanner.ruleset.by_id(rule_id)
    except KeyError:
        return True
    levels = [rule.severity] + [level for _, level in getattr(rule, "escalate", ())]
    return "critical" in levels or rule.category in NEVER_OFF


# -- the parent's side: PIN, history, allow-list, settings ----------------------------

@bp.get("/pin")
def pin_state():
    return {"set": pin_mod.is_set(_companion().home)}


@bp.post("/pin")
def set_pin():
    body = payloads.pin_request(_body())
    companion = _companion()
    if pin_mod.is_set(companion.home) and not _unlocked():
        return _needs_pin()
    try:
        pin_mod.set_pin(companion.home, body["pin"])
    except pin_mod.PinError:
        return error(400, "bad_request", "pin: 4 to 12 digits")
    log.info("parent PIN set")
    token, expires = companion.unlocks.open()
    return {"set": True, "unlock": token, "expires": _iso(expires)}, 201


@bp.post("/unlock")
def unlock():
    body = payloads.pin_request(_body())
    companion = _companion()
    outcome = pin_mod.check(companion.home, body["pin"])
    if outcome == "unset":
        return error(404, "pin_unset", "no PIN is set")
    if outcome == "locked":
        wait = str(max(1, pin_mod.locked_for(companion.home)))
        return error(429, "pin_locked", f"too many wrong PINs; retry in {wait} s", {"Retry-After": wait})
    if outcome != "ok":
        return error(403, "pin_wrong", "wrong PIN")
    token, expires = companion.unlocks.open()
    return {"unlock": token, "expires": _iso(expires)}


@bp.get("/history")
def history():
    if not _unlocked():
        return _needs_pin()
    companion = _companion()
    return {"warnings": companion.store.history(), "allowed": companion.store.allowed(),
            "extension": companion.extension_state()}


@bp.post("/allowed/<int:entry_id>/undo")
def undo_allowed(entry_id):
    if not _unlocked():
        return _needs_pin()
    companion = _companion()
    if not companion.store.unallow(entry_id):
        return error(404, "not_found", "no such entry")
    companion.allow_changed()
    return {"undone": entry_id}


@bp.post("/settings")
def parent_settings():
    """What the parent sets in the options page: sensitivity per category, sharing feedback counts."""
    from himaya.companion import config as settings_mod

    if not _unlocked():
        return _needs_pin()
    body = payloads.settings_request(_body())
    companion = _companion()
    current = settings_mod.load(companion.home)
    if "sensitivity" in body:
        try:
            current["sensitivity"] = settings_mod.validate("sensitivity", body["sensitivity"])
        except settings_mod.ConfigError as exc:
            return error(400, "bad_request", str(exc))
    if "share_feedback" in body:
        current["share-feedback"] = body["share_feedback"]
    settings_mod.save(companion.home, current)
    saved = companion.settings()
    return {"sensitivity": saved["sensitivity"], "share_feedback": saved["share-feedback"],
            "intake": bool(saved.get("intake-url"))}


def _iso(t: float) -> str:
    from himaya.companion.app import _iso as iso

    return iso(t)


def rule_titles(scanner) -> dict:
    """Rule id -> title in three languages, for the export page."""
    return {rule.id: dict(rule.title) for rule in scanner.ruleset.rules if getattr(rule, "title", None)}


@bp.post("/readers/missed")
def reader_missed():
    """The extension's reader for a site found nothing on a page full of text."""
    site = payloads.reader_missed_request(_body())["site"]
    row = _companion().store.add_reader_miss(site)
    log.info("reader found nothing on %s (%d page(s) today)", site, row["pages"])
    return row, 201


@bp.get("/readers/missed")
def reader_misses():
    if request.args:
        return error(400, "bad_request", f"{sorted(request.args)[0][:64]}: unknown parameter")
    return {"missed": _companion().store.reader_misses()}


def register_errors(app) -> None:
    """Every failure becomes JSON ``{"error", "detail"}``: never HTML, never a traceback."""

    @app.after_request
    def no_caching(response):
        # Answers hold verdicts and reports: never cached, never sniffed as HTML.
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.errorhandler(payloads.Invalid)
    def invalid(exc):
        return error(400, "bad_request", str(exc))

    @app.errorhandler(EvidenceError)
    def bad_evidence(exc):
        return error(400, "bad_request", f"screenshot: {exc}")

    @app.errorhandler(StoreBusy)
    def busy(exc):
        return error(503, "storage_busy", "the database is busy; retry", {"Retry-After": "1"})

    @app.errorhandler(StoreFull)
    def full(exc):
        return error(507, "storage_full", "the disk is full; scanning still works")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.code, "bad_request")
        return error(exc.code or 400, code, None)

    @app.errorhandler(Exception)
    def internal(exc):
        _log_internal(exc)
        return error(500, "internal", None)


def _log_internal(exc: Exception) -> None:
    # Log where it failed, not what it said: messages can quote user text.
    frames = traceback.extract_tb(exc.__traceback__)
    where = "; ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[-4:])
    log.error("internal error %s at %s", exc.__class__.__name__, where)
