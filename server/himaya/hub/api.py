"""The hub's JSON API: ``POST /api/v1/intake`` for companions, ``GET /api/v1/status``.

Errors are JSON ``{"error": code, "detail": text}``: 400 ``bad_json`` /
``bad_request``, 403 ``unknown_code``, 413 ``too_large``, 415
``unsupported_media_type``, 422 ``evidence_mismatch``, 429 ``rate_limited``
(with ``Retry-After``), 503 ``storage_busy``. A 201 or 200 answer means the
report is on disk.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from himaya.hub.intake import CODE_HEADER

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("himaya.hub")


@bp.post("/intake")
def intake():
    hub = current_app.extensions["hub"]
    cap = int(hub.settings["max-report-bytes"])
    mime = (request.mimetype or "").lower()
    if mime != "application/json":
        return jsonify(error="unsupported_media_type", detail="Content-Type must be application/json"), 415
    length = request.content_length
    if length is not None and length > cap:
        return jsonify(error="too_large", detail=f"reports are at most {cap} bytes"), 413
    body = request.stream.read(cap + 1)
    if len(body) > cap:
        return jsonify(error="too_large", detail=f"reports are at most {cap} bytes"), 413
    try:
        outcome = hub.intake.receive(body, request.headers.get(CODE_HEADER), request.remote_addr or "?")
    except sa.exc.OperationalError as exc:
        log.warning("intake: database unavailable (%s)", exc.__class__.__name__)
        response = jsonify(error="storage_busy", detail="try again later")
        response.headers["Retry-After"] = "30"
        return response, 503
    if outcome.created:
        try:
            hub.after_intake()
        except Exception as exc:  # the report is stored; regrouping is retried on the next one
            hub.rebuild_due.set()
            log.warning("networks: regrouping postponed (%s)", exc.__class__.__name__)
    response = jsonify(outcome.body)
    if outcome.status == 429:
        response.headers["Retry-After"] = str(outcome.body.get("retry_after", 60))
    if outcome.created:
        log.info("report %s stored (hub #%s)", outcome.body["sha256"][:12], outcome.report_pk)
    return response, outcome.status


@bp.get("/status")
def status():
    return jsonify(ok=True)
