"""The staff web app: login, triage queue, report page, administration, account.

Server-rendered; every form carries the session's CSRF token (checked in
app.py before any view runs); every view of a report and every action is
written to the audit log.
"""

from __future__ import annotations

import functools
import json

from flask import (Blueprint, Response, abort, flash, g, redirect, render_template, request,
                   url_for)

from himaya.hub import audit, auth, i18n, intake as intake_mod, triage
from himaya.hub.app import LANG_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, new_login_token
from himaya.hub.db import utc_now

bp = Blueprint("staff", __name__)


def need(permission: str):
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("staff.login", next=request.full_path if request.method == "GET" else None))
            if not auth.can(g.user, permission):
                audit.record(g.hub.db, g.user["name"], "access.denied", target=request.path[:200],
                             ip=request.remote_addr)
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap


def _ip():
    return request.remote_addr


def _t(key, **v):
    return i18n.text(g.lang, key, **v)


# -- login ----------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login():
    hub = g.hub
    error = None
    if request.method == "POST":
        result = auth.login(hub.db, request.form.get("name", ""), request.form.get("password", ""),
                            request.form.get("totp") or None, lockout_minutes=int(hub.settings["lockout-minutes"]),
                            ip=_ip())
        if result.token:
            target = request.args.get("next") or url_for("staff.queue_view")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("staff.queue_view")
            response = redirect(target)
            response.set_cookie(SESSION_COOKIE, result.token, httponly=True, secure=hub.secure_cookies,
                                samesite="Strict", path="/")
            response.delete_cookie(LOGIN_COOKIE, path="/login")
            return response
        error = result.error
    token = new_login_token()
    response = Response(render_template("login.html", error=error, login_csrf=token),
                        status=401 if error else 200)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, secure=hub.secure_cookies, samesite="Strict",
                        path="/login")
    return response


@bp.post("/logout")
def logout():
    token = request.cookies.get(SESSION_COOKIE)
    if g.user and token:
        auth.end_session(g.hub.db, token)
        audit.record(g.hub.db, g.user["name"], "logout", ip=_ip())
    response = redirect(url_for("staff.login"))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@bp.get("/lang/<code>")
def set_lang(code):
    response = redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                        else url_for("staff.queue_view"))
    if code in i18n.LANGS:
        response.set_cookie(LANG_COOKIE, code, httponly=True, secure=g.hub.secure_cookies, samesite="Strict",
                            max_age=365 * 86400)
    return response


@bp.get("/")
def home():
    return redirect(url_for("staff.queue_view"))


# -- queue ----------------------------------------------------------------------

@bp.get("/queue")
@need("view")
def queue_view():
    hub = g.hub
    filters = triage.Filters.from_args(request.args)
    if filters.assignee == "me":
        filters.assignee = str(g.user["id"])
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    result = triage.queue(hub.db, filters, page)
    users = {u["id"]: u["name"] for u in auth.list_users(hub.db)}
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("queue.html", result=result, filters=filters, facets=triage.facets(hub.db),
                           users=users, statuses=triage.STATUSES, severities=triage.SEVERITIES,
                           reasons=triage.DISMISS_REASONS, categories=_categories(), args=args)


def _categories():
    from himaya.core.rules.schema import CATEGORIES

    return sorted(CATEGORIES)


@bp.post("/queue/bulk")
@need("triage")
def bulk():
    hub = g.hub
    pks = [int(v) for v in request.form.getlist("report") if v.isdigit()][:500]
    action = request.form.get("action", "")
    if pks:
        try:
            if action == "assign_me":
                triage.assign_many(hub.db, pks, g.user["id"], g.user["name"], ip=_ip())
            elif action.startswith("status:"):
                triage.set_status_many(hub.db, pks, action[7:], g.user["name"],
                                       request.form.get("reason") or None, ip=_ip())
            else:
                abort(400)
            flash(_t("saved"))
        except triage.TriageError as exc:
            flash(_t(exc.code))
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/queue")
                    else url_for("staff.queue_view"))


# -- one report -------------------------------------------------------------------

@bp.get("/reports/<int:pk>")
@need("view")
def report_view(pk):
    hub = g.hub
    report = triage.get(hub.db, pk)
    if report is None:
        abort(404)
    audit.record(hub.db, g.user["name"], "report.view", report_pk=pk, ip=_ip())
    units = [_highlight(hub, report, i, u) for i, u in enumerate(report["record_obj"]["units"])]
    rules = [{"id": rid, "title": hub.rulebook.title(rid, g.lang), "parent": hub.rulebook.parent_text(rid, g.lang),
              "category": hub.rulebook.category(rid)} for rid in report["rules"]]
    users = auth.list_users(hub.db)
    return render_template("report.html", r=report, units=units, rules=rules, users=users,
                           next_statuses=sorted(triage.TRANSITIONS[report["status"]]),
                           reasons=triage.DISMISS_REASONS, trail=audit.trail(hub.db, report_pk=pk, limit=200),
                           chain=_chain_lines(report["evidence"]))


def _highlight(hub, report, index, unit) -> dict:
    """The unit's text cut into plain and matched pieces (the template marks the latter)."""
    text = unit["text"]
    spans = []
    for match in report["record_obj"].get("matches", []):
        if match.get("unit", 0 if len(report["record_obj"]["units"]) == 1 else None) == index:
            spans += [tuple(s) for s in match.get("spans") or [] if isinstance(s, list) and len(s) == 2]
    if not spans:
        try:
            spans = hub.rulebook.spans(text, unit.get("kind", "message"))
        except Exception:  # the rules may be unreadable; the text is still shown
            spans = []
    pieces, at = [], 0
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans if isinstance(s, int) and isinstance(e, int)):
        if end <= at:
            continue
        start = max(start, at)
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return {"kind": unit.get("kind"), "author": unit.get("author"), "time": unit.get("time"),
            "sha256": unit.get("sha256"), "pieces": pieces}


def _chain_lines(evidence: dict) -> list[str]:
    keys = {"head": "chain_head", "head_later_not_held": "chain_later", "head_held": "chain_held",
            "links_to": "chain_links", "linked_from": "chain_linked", "same_seq_as": "chain_same"}
    out = []
    for item in evidence.get("chain", []):
        name, _, value = item.partition(":")
        out.append(_t(keys.get(name, name), v=value) if name in keys else item)
    return out


@bp.get("/reports/<int:pk>/captures/<name>")
@need("view")
def capture(pk, name):
    found = triage.capture(g.hub.db, pk, name)
    if found is None:
        abort(404)
    audit.record(g.hub.db, g.user["name"], "report.capture", report_pk=pk, target=name, ip=_ip())
    return Response(bytes(found["data"]), mimetype=found["mime"],
                    headers={"Content-Disposition": "inline", "Cache-Control": "no-store"})


@bp.post("/reports/<int:pk>/status")
@need("triage")
def report_status(pk):
    try:
        triage.set_status(g.hub.db, pk, request.form.get("status", ""), g.user["name"],
                          request.form.get("reason") or None, ip=_ip())
        flash(_t("saved"))
    except triage.TriageError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(_t(exc.code))
    return redirect(url_for("staff.report_view", pk=pk))


@bp.post("/reports/<int:pk>/assign")
@need("triage")
def report_assign(pk):
    value = request.form.get("assignee", "")
    try:
        triage.assign_many(g.hub.db, [pk], int(value) if value.isdigit() else None, g.user["name"], ip=_ip())
        flash(_t("saved"))
    except triage.TriageError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(_t("bad_request"))
    return redirect(url_for("staff.report_view", pk=pk))


@bp.post("/reports/<int:pk>/notes")
@need("triage")
def report_note(pk):
    if triage.get(g.hub.db, pk) is None:
        abort(404)
    try:
        triage.add_note(g.hub.db, pk, g.user, request.form.get("text", ""), ip=_ip())
        flash(_t("saved"))
    except triage.TriageError:
        flash(_t("bad_request"))
    return redirect(url_for("staff.report_view", pk=pk))


@bp.post("/reports/<int:pk>/export")
@need("export")
def report_export(pk):
    try:
        name, data = triage.export_case(g.hub.db, pk, g.user["name"], ip=_ip())
    except triage.TriageError:
        abort(404)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/reports/<int:pk>/delete")
@need("admin")
def report_delete(pk):
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_t("bad_request"))
        return redirect(url_for("staff.report_view", pk=pk))
    if not triage.delete_report(g.hub.db, pk, g.user["name"], reason, ip=_ip()):
        abort(404)
    flash(_t("deleted"))
    return redirect(url_for("staff.queue_view"))


# -- administration ----------------------------------------------------------------

@bp.route("/admin/users", methods=["GET", "POST"])
@need("admin")
def admin_users():
    hub = g.hub
    if request.method == "POST":
        try:
            auth.add_user(hub.db, request.form.get("name", ""), request.form.get("role", ""),
                          request.form.get("password", ""), actor=g.user["name"])
            flash(_t("saved"))
        except auth.AuthError as exc:
            flash(str(exc))
        return redirect(url_for("staff.admin_users"))
    return render_template("admin_users.html", users=auth.list_users(hub.db), roles=auth.ROLES, now=utc_now())


@bp.post("/admin/users/<int:user_id>/unlock")
@need("admin")
def admin_unlock(user_id):
    auth.unlock(g.hub.db, user_id, g.user["name"])
    flash(_t("saved"))
    return redirect(url_for("staff.admin_users"))


@bp.route("/admin/companions", methods=["GET", "POST"])
@need("admin")
def admin_companions():
    import sqlalchemy as sa

    hub = g.hub
    code = None
    if request.method == "POST":
        _, code = intake_mod.enrol(hub.db, request.form.get("label", ""), actor=g.user["name"])
    companions = hub.db.t["companions"]
    with hub.db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(companions).order_by(companions.c.id.desc()))]
    return render_template("admin_companions.html", companions=rows, code=code)


@bp.post("/admin/companions/<int:cid>/revoke")
@need("admin")
def admin_revoke(cid):
    intake_mod.revoke(g.hub.db, cid, g.user["name"])
    flash(_t("saved"))
    return redirect(url_for("staff.admin_companions"))


@bp.route("/admin/retention", methods=["GET", "POST"])
@need("admin")
def admin_retention():
    hub = g.hub
    if request.method == "POST":
        if request.form.get("action") == "purge":
            removed = triage.purge_dismissed(hub.db, hub.retention_days(), actor=g.user["name"])
            flash(_t("purged", n=removed))
        else:
            value = request.form.get("days", "")
            if not value.isdigit() or not 1 <= int(value) <= 3650:
                flash(_t("bad_request"))
            else:
                hub.db.set_meta("retention-days", value)
                audit.record(hub.db, g.user["name"], "settings.changed", target="retention-days",
                             detail={"value": int(value)}, ip=_ip())
                flash(_t("saved"))
        return redirect(url_for("staff.admin_retention"))
    return render_template("admin_retention.html", days=hub.retention_days())


@bp.get("/admin/audit")
@need("admin")
def admin_audit():
    hub = g.hub
    before = request.args.get("before", "")
    report = request.args.get("report", "")
    rows = audit.trail(hub.db, report_pk=int(report) if report.isdigit() else None, limit=200,
                       before=int(before) if before.isdigit() else None)
    audit.record(hub.db, g.user["name"], "audit.view", ip=_ip())
    return render_template("admin_audit.html", rows=rows, json=json)


# -- my account -------------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@need("view")
def account():
    hub = g.hub
    user = auth.get_user(hub.db, user_id=g.user["id"])
    secret = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "password":
            if not auth.verify_password(hub.db, user["id"], request.form.get("current", "")):
                flash(_t("bad_credentials"))
            else:
                try:
                    auth.set_password(hub.db, user["id"], request.form.get("password", ""), user["name"])
                    flash(_t("saved"))
                    return redirect(url_for("staff.login"))
                except auth.AuthError as exc:
                    flash(str(exc))
        elif action == "totp_start":
            secret = auth.new_totp_secret()
        elif action == "totp_enable":
            secret = request.form.get("secret", "")
            if auth.verify_totp(secret, request.form.get("code", "")):
                auth.set_totp(hub.db, user["id"], secret, user["name"])
                flash(_t("saved"))
                return redirect(url_for("staff.account"))
            flash(_t("bad_totp"))
        elif action == "totp_disable":
            auth.set_totp(hub.db, user["id"], None, user["name"])
            flash(_t("saved"))
            return redirect(url_for("staff.account"))
    return render_template("account.html", account=user, secret=secret,
                           uri=auth.totp_uri(secret, user["name"]) if secret else None)
