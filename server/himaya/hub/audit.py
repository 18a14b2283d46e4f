"""The audit log: every view of a report and every action, append-only.

The database refuses UPDATE and DELETE on ``audit`` (triggers made by the first
migration, on SQLite and PostgreSQL alike). Entries name the staff member, the
action, the report, and a small JSON detail; never message text::

    log(conn, db, "amal", "report.view", report_pk=12)
    trail(db, report_pk=12)   # -> [{"at", "actor", "action", "detail", ...}, ...]
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from himaya.hub.db import utc_now

# Actions, as written in the log (the staff app shows them translated).
ACTIONS = (
    "login", "login.failed", "login.locked", "logout", "report.view", "report.capture", "report.export",
    "report.status", "report.assign", "report.note", "report.deleted", "retention.purged", "user.added",
    "user.unlocked", "user.totp", "user.password", "companion.enrolled", "companion.revoked", "settings.changed",
    "corpus.exported", "network.view", "network.merge", "network.split", "network.status", "rule.drafted",
    "audit.view", "access.denied",
)


def log(conn, db, actor: str, action: str, *, report_pk: int | None = None, target: str | None = None,
        detail: dict | None = None, ip: str | None = None) -> None:
    """Append one entry inside the caller's transaction (it commits with the action)."""
    conn.execute(db.t["audit"].insert().values(
        at=utc_now(), actor=actor, action=action, report_pk=report_pk, target=target,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True), ip=ip))


def record(db, actor: str, action: str, **kwargs) -> None:
    """Append one entry in a transaction of its own (views, logins)."""
    with db.write() as conn:
        log(conn, db, actor, action, **kwargs)


def trail(db, report_pk: int | None = None, limit: int = 500, before: int | None = None) -> list[dict]:
    audit = db.t["audit"]
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
    if report_pk is not None:
        query = query.where(audit.c.report_pk == report_pk)
    if before is not None:
        query = query.where(audit.c.id < before)
    with db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["detail"] = json.loads(row["detail"] or "{}")
    return rows
