"""The staff web app on SQLite and PostgreSQL: login (argon2id, lockout, TOTP), cookies,
CSRF, roles, the queue's filters, the report page, statuses, notes, bulk actions, the case
export with its audit trail, retention and deletion, the append-only audit log."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from hub_helpers import PASSWORD, SimCompanion, Staff, make_hub, post_report

from himaya.core.evidence import sha256_hex
from himaya.hub import audit, auth, triage
from himaya.hub.db import utc_now


def _actions(app, report_pk=None):
    return [a["action"] for a in audit.trail(app.extensions["hub"].db, report_pk=report_pk)]


def _fill(app, n=3, **kw):
    companion = SimCompanion("p")
    client = app.test_client()
    return [post_report(client, companion.report(**kw)).json["id"] for _ in range(n)]


def test_login_sets_a_private_session_cookie(tmp_path, hub_db_url):
    app = make_hub(tmp_path, hub_db_url, SECURE_COOKIES=True)
    auth.add_user(app.extensions["hub"].db, "amal", "admin", PASSWORD)
    staff = Staff(app, "amal")
    assert staff.response.status_code == 302 and staff.response.headers["Location"] == "/queue"
    cookie = [h for h in staff.response.headers.getlist("Set-Cookie") if h.startswith("himaya_hub_session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    stored = auth.get_user(app.extensions["hub"].db, name="amal")["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    app.extensions["hub"].db.close()


def test_five_wrong_passwords_lock_the_account(hub_app):
    staff = Staff(hub_app, "sami", password="wrong password 1")
    assert staff.response.status_code == 401 and 'data-error="bad_credentials"' in staff.response.get_data(True)
    for _ in range(4):
        last = staff.login("wrong password 2")
    assert 'data-error="locked"' in last.get_data(True)
    locked = staff.login(PASSWORD)  # even the right password, while locked
    assert locked.status_code == 401 and 'data-error="locked"' in locked.get_data(True)
    assert _actions(hub_app).count("login.failed") == 5 and "login.locked" in _actions(hub_app)
    db = hub_app.extensions["hub"].db
    auth.unlock(db, auth.get_user(db, name="sami")["id"], "amal")
    assert staff.login(PASSWORD).status_code == 302


def test_unknown_names_cost_the_same_and_say_the_same(hub_app):
    staff = Staff(hub_app, "nobody", password=PASSWORD)
    assert staff.response.status_code == 401 and 'data-error="bad_credentials"' in staff.response.get_data(True)


def test_totp_when_enabled(hub_app):
    db = hub_app.extensions["hub"].db
    secret = auth.new_totp_secret()
    auth.set_totp(db, auth.get_user(db, name="sami")["id"], secret, "amal")
    staff = Staff(hub_app, "sami")
    assert 'data-error="totp_required"' in staff.response.get_data(True)
    assert staff.login(PASSWORD, totp="000000").status_code == 401
    assert staff.login(PASSWORD, totp=pyotp.TOTP(secret).now()).status_code == 302


def test_forms_without_the_csrf_token_are_refused(hub_app):
    pk = _fill(hub_app, 1)[0]
    staff = Staff(hub_app, "amal")
    for path, form in ((f"/reports/{pk}/status", {"status": "confirmed"}), ("/admin/users", {"name": "x"}),
                       ("/logout", {}), (f"/reports/{pk}/export", {})):
        assert staff.post(path, form, csrf=False).status_code == 403
        assert staff.client.post(path, data={**form, "csrf": "forged"}).status_code == 403
    assert triage.get(hub_app.extensions["hub"].db, pk)["status"] == "new"
    # a cross-site form (another Origin) is refused even with the token
    assert staff.post(f"/reports/{pk}/status", {"status": "confirmed"},
                      headers={"Origin": "https://evil.example"}).status_code == 403
    # the login form has its own token (no login CSRF)
    fresh = hub_app.test_client()
    assert fresh.post("/login", data={"name": "amal", "password": PASSWORD}).status_code == 403


def test_roles(hub_app):
    pk = _fill(hub_app, 1)[0]
    analyst, author = Staff(hub_app, "sami"), Staff(hub_app, "rym")
    for path in ("/admin/users", "/admin/companions", "/admin/retention", "/admin/audit"):
        assert analyst.get(path).status_code == 403 and author.get(path).status_code == 403
    assert analyst.post("/admin/users", {"name": "mallory", "role": "admin", "password": PASSWORD}).status_code == 403
    assert auth.get_user(hub_app.extensions["hub"].db, name="mallory") is None
    assert author.get(f"/reports/{pk}").status_code == 200  # authors read reports ...
    assert author.post(f"/reports/{pk}/status", {"status": "confirmed"}).status_code == 403  # ... analysts triage
    assert author.post(f"/reports/{pk}/export").status_code == 403
    assert analyst.post(f"/reports/{pk}/delete", {"reason": "asked"}).status_code == 403
    assert "access.denied" in _actions(hub_app)


def test_pages_need_a_session_and_carry_a_strict_policy(hub_app):
    pk = _fill(hub_app, 1, screenshot=True)[0]
    anonymous = hub_app.test_client()
    for path in ("/queue", f"/reports/{pk}", f"/reports/{pk}/captures/screenshot.png", "/admin/users"):
        answer = anonymous.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    staff = Staff(hub_app, "sami")
    page = staff.get(f"/reports/{pk}")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Content-Type-Options"] == "nosniff"
    html = page.get_data(True)
    # nothing from another origin: every src and stylesheet is the hub's own
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html.replace('href="https://www.facebook.com', ""))
    assert re.findall(r'<link rel="stylesheet" href="(/static/[^"]+)"', html)


def test_every_view_of_a_report_is_audited(hub_app):
    pk = _fill(hub_app, 1, screenshot=True)[0]
    staff = Staff(hub_app, "sami")
    page = staff.get(f"/reports/{pk}")
    assert page.status_code == 200
    shot = staff.get(f"/reports/{pk}/captures/screenshot.png")
    assert shot.status_code == 200 and shot.mimetype == "image/png"
    trail = audit.trail(hub_app.extensions["hub"].db, report_pk=pk)
    assert [(a["actor"], a["action"]) for a in trail][:2] == [("sami", "report.capture"), ("sami", "report.view")]


def test_report_page_shows_matches_rules_and_evidence(hub_app):
    env = SimCompanion("r").report(text="t'as quel âge ? ajoute-moi sur snap", screenshot=True, matches=[])
    pk = post_report(hub_app.test_client(), env).json["id"]
    html = Staff(hub_app, "sami", ).get(f"/reports/{pk}?lang=en").get_data(True)
    # no spans were sent: the hub's own rules find the words again
    assert "<mark>" in html
    assert "SHA-256 of the record recomputed: identical." in html and 'data-ok="true"' in html
    assert f"/reports/{pk}/captures/screenshot.png" in html
    env2 = SimCompanion("r2").report(matches=[{"rule": "HIM-PRIV-001", "severity": "medium", "unit": 0,
                                              "spans": [[0, 4]]}])
    pk2 = post_report(hub_app.test_client(), env2).json["id"]
    html2 = Staff(hub_app, "sami").get(f"/reports/{pk2}?lang=fr").get_data(True)
    assert "<mark>slt,</mark>" in html2 and "HIM-PRIV-001" in html2 and "Explication pour les parents" in html2


def test_arabic_pages_read_right_to_left(hub_app):
    staff = Staff(hub_app, "sami")
    html = staff.get("/queue?lang=ar").get_data(True)
    assert '<html lang="ar" dir="rtl">' in html and "قائمة المعالجة" in html
    assert '<html lang="en" dir="ltr">' in staff.get("/queue?lang=en").get_data(True)


def test_queue_filters_and_search(hub_app):
    client = hub_app.test_client()
    db = hub_app.extensions["hub"].db
    services = [{"rule": "HIM-SERV-001", "severity": "high", "category": "services-ad", "unit": 0}]
    post_report(client, SimCompanion("a").report(text="nouvelles dispo sousse 16 ans kamel-000", matches=services,
                                                 url="https://www.instagram.com/kamel.000/"))
    post_report(client, SimCompanion("b").report(text="قداش عمرك؟ زيدني على سناب"))
    post_report(client, SimCompanion("c").report(text="tu as quel âge ? pour les ados"))
    sami = auth.get_user(db, name="sami")

    def ids(**kw):
        return sorted(r["id"] for r in triage.queue(db, triage.Filters(**kw))["rows"])

    assert ids() == [1, 2, 3]
    assert ids(category="services-ad") == [1] and ids(category="move-to-private") == [2, 3]
    assert ids(severity="high") == [1] and ids(severity="medium") == [1, 2, 3]
    assert ids(site="instagram.com") == [1] and ids(site="facebook.com") == [2, 3]
    assert ids(lang="ar") == [2] and ids(lang="fr") == [1, 3]
    assert ids(q="KAMEL-000") == [1] and ids(q="ados quel") == [3] and ids(q="100%_") == []
    today = utc_now()[:10]
    assert ids(since=today, until=today) == [1, 2, 3] and ids(until="2020-01-01") == []
    triage.assign_many(db, [2], sami["id"], "amal")
    triage.set_status(db, 3, "in_review", "amal")
    assert ids(assignee=str(sami["id"])) == [2] and ids(assignee="none") == [1, 3]
    assert ids(status="in_review") == [3] and ids(status="new") == [1, 2]
    # the same through the page, filters kept in the form
    page = Staff(hub_app, "sami").get("/queue?category=services-ad&lang=ar&q=kamel")
    assert page.status_code == 200 and 'id="empty"' in page.get_data(True)
    page = Staff(hub_app, "sami").get("/queue?category=services-ad")
    assert page.get_data(True).count('data-report="') == 1


def test_statuses_reasons_notes_assignment(hub_app):
    pk = _fill(hub_app, 1)[0]
    staff = Staff(hub_app, "sami")
    db = hub_app.extensions["hub"].db
    staff.post(f"/reports/{pk}/status", {"status": "dismissed"})
    assert triage.get(db, pk)["status"] == "new"  # a dismissal needs a reason
    staff.post(f"/reports/{pk}/status", {"status": "escalated"})
    assert triage.get(db, pk)["status"] == "new"  # new -> escalated is not a step
    for status in ("in_review", "confirmed", "escalated"):
        assert staff.post(f"/reports/{pk}/status", {"status": status}).status_code == 302
        assert triage.get(db, pk)["status"] == status
    other = _fill(hub_app, 1)[0]
    staff.post(f"/reports/{other}/status", {"status": "dismissed", "reason": "duplicate"})
    assert triage.get(db, other)["dismiss_reason"] == "duplicate"
    staff.post(f"/reports/{pk}/notes", {"text": "page déjà signalée au 1809"})
    sami = auth.get_user(db, name="sami")
    staff.post(f"/reports/{pk}/assign", {"assignee": str(sami["id"])})
    report = triage.get(db, pk)
    assert report["notes"][0]["text"] == "page déjà signalée au 1809" and report["assignee_id"] == sami["id"]
    assert _actions(hub_app, pk).count("report.status") == 3
    assert {"report.note", "report.assign"} <= set(_actions(hub_app, pk))
    detail = [a["detail"] for a in audit.trail(db, report_pk=other) if a["action"] == "report.status"][0]
    assert detail == {"from": "new", "to": "dismissed", "reason": "duplicate"}


def test_bulk_actions(hub_app):
    pks = _fill(hub_app, 4)
    staff = Staff(hub_app, "sami")
    db = hub_app.extensions["hub"].db
    staff.post("/queue/bulk", {"action": "assign_me", "report": [str(p) for p in pks[:3]]})
    staff.post("/queue/bulk", {"action": "status:dismissed", "reason": "false_alarm",
                               "report": [str(p) for p in pks[:2]]})
    sami = auth.get_user(db, name="sami")["id"]
    rows = {r["id"]: r for r in triage.queue(db, triage.Filters())["rows"]}
    assert [rows[p]["assignee_id"] for p in pks] == [sami, sami, sami, None]
    assert [rows[p]["status"] for p in pks] == ["dismissed", "dismissed", "new", "new"]
    assert all(rows[p]["dismiss_reason"] == "false_alarm" for p in pks[:2])


def test_case_export_has_the_companions_files_and_the_audit_trail(hub_app):
    env = SimCompanion("e").report(screenshot=True)
    pk = post_report(hub_app.test_client(), env).json["id"]
    staff = Staff(hub_app, "sami")
    staff.get(f"/reports/{pk}")
    staff.post(f"/reports/{pk}/status", {"status": "confirmed"})
    answer = staff.post(f"/reports/{pk}/export")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    files = {}
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert sha256_hex(files["record.json"]) == env["sha256"]  # the record, byte for byte
    assert files["units/01.txt"].decode() == env["record"]["units"][0]["text"]
    assert "screenshot.png" in files and "index.html" in files
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        assert sha256_hex(files[name]) == digest
    trail = json.loads(files["hub/audit.json"])
    assert [a["action"] for a in trail][:3] == ["report.view", "report.status", "report.export"]
    case = json.loads(files["hub/case.json"])
    assert case["status"] == "confirmed" and case["evidence_ok"] is True


def test_retention_and_deletion_on_request_are_logged(hub_app):
    pks = _fill(hub_app, 3)
    db = hub_app.extensions["hub"].db
    triage.set_status(db, pks[0], "dismissed", "sami", "false_alarm")
    triage.set_status(db, pks[1], "dismissed", "sami", "not_enough")
    reports = db.t["reports"]
    with db.write() as conn:  # the first was dismissed 40 days ago
        conn.execute(reports.update().where(reports.c.id == pks[0]).values(status_at=utc_now(-timedelta(days=40))))
    assert triage.purge_dismissed(db, 30) == 1
    assert triage.get(db, pks[0]) is None and triage.get(db, pks[1]) is not None
    purge = [a for a in audit.trail(db) if a["action"] == "retention.purged"][0]
    assert purge["detail"] == {"days": 30, "reports": [pks[0]]}
    admin = Staff(hub_app, "amal")
    assert admin.post(f"/reports/{pks[2]}/delete", {"reason": "parent asked for deletion"}).status_code == 302
    assert triage.get(db, pks[2]) is None
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.t["captures"])).scalar() == 0
    deleted = [a for a in audit.trail(db, report_pk=pks[2]) if a["action"] == "report.deleted"][0]
    assert deleted["actor"] == "amal" and deleted["detail"]["reason"] == "parent asked for deletion"
    # retention days are an admin setting, logged too
    admin.post("/admin/retention", {"days": "7"})
    assert hub_app.extensions["hub"].retention_days() == 7 and "settings.changed" in _actions(hub_app)


def test_the_audit_log_is_append_only_in_the_database(hub_app):
    db = hub_app.extensions["hub"].db
    audit.record(db, "amal", "login")
    table = db.t["audit"]
    for statement in (table.update().values(actor="someone else"), table.delete()):
        with pytest.raises(sa.exc.DBAPIError) as refused:
            with db.write() as conn:
                conn.execute(statement)
        assert "append-only" in str(refused.value)
    assert audit.trail(db)[0]["actor"] == "amal"


def test_admin_pages_manage_staff_and_enrolment(hub_app):
    admin = Staff(hub_app, "amal")
    admin.post("/admin/users", {"name": "nour", "role": "analyst", "password": "another passphrase 9"})
    assert Staff(hub_app, "nour", password="another passphrase 9").response.status_code == 302
    page = admin.post("/admin/companions", {"label": "Bizerte volunteers"}).get_data(True)
    code = re.search(r'data-code="([^"]+)"', page).group(1)
    client = hub_app.test_client()
    assert post_report(client, SimCompanion("z").report(), code=code).json["status"] == "stored"
    assert {"user.added", "companion.enrolled"} <= set(_actions(hub_app))
    assert "Bizerte volunteers" in admin.get("/admin/companions").get_data(True)
    assert admin.get("/admin/audit").status_code == 200


def test_logout_ends_the_session(hub_app):
    staff = Staff(hub_app, "sami")
    assert staff.get("/queue").status_code == 200
    staff.post("/logout")
    assert staff.get("/queue").status_code == 302
