"""The triage queue and what staff do with a report.

Statuses: ``new`` -> ``in_review`` -> ``confirmed`` or ``dismissed`` (with a
reason: false alarm, not enough, duplicate); a confirmed report may be
``escalated`` (to a hotline or the police). Every change, note, assignment,
export and deletion is written to the audit log in the same transaction::

    page = queue(db, Filters(status="new", category="services-ad"), page=1)
    set_status(db, report_pk, "confirmed", actor="amal")
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, fields
from datetime import timedelta

import sqlalchemy as sa

from himaya.core.export import export_files, zip_files
from himaya.hub import audit
from himaya.hub.db import utc_now

STATUSES = ("new", "in_review", "confirmed", "dismissed", "escalated")
DISMISS_REASONS = ("false_alarm", "not_enough", "duplicate")
SEVERITIES = ("none", "low", "medium", "high", "critical")
# Which status may follow which.
TRANSITIONS = {
    "new": {"in_review", "confirmed", "dismissed"},
    "in_review": {"new", "confirmed", "dismissed"},
    "confirmed": {"escalated", "in_review"},
    "dismissed": {"in_review"},
    "escalated": {"confirmed"},
}
PAGE_SIZE = 50
QUEUE_COLUMNS = ("id", "report_id", "received_at", "created", "priority", "url", "site", "title", "lang",
                 "categories", "severity", "severity_rank", "status", "dismiss_reason", "assignee_id",
                 "evidence_ok", "units", "rules", "companion_id", "sha256")


class TriageError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Filters:
    status: str = ""
    category: str = ""
    severity: str = ""      # the least severity shown
    site: str = ""
    lang: str = ""
    since: str = ""         # YYYY-MM-DD, received on or after
    until: str = ""         # YYYY-MM-DD, received on or before
    assignee: str = ""      # a user id, "me" is resolved by the caller, "none" = unassigned
    q: str = ""             # words in the title, address or captured text

    @classmethod
    def from_args(cls, args) -> "Filters":
        return cls(**{f.name: (args.get(f.name) or "").strip()[:200] for f in fields(cls)})

    def active(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _where(reports, f: Filters):
    conds = []
    if f.status in STATUSES:
        conds.append(reports.c.status == f.status)
    if f.category:
        conds.append(reports.c.categories.like(f"%,{_like(f.category)},%", escape="\\"))
    if f.severity in SEVERITIES:
        conds.append(reports.c.severity_rank >= SEVERITIES.index(f.severity))
    if f.site:
        conds.append(reports.c.site == f.site.lower())
    if f.lang:
        conds.append(reports.c.lang == f.lang)
    if _is_date(f.since):
        conds.append(reports.c.received_at >= f.since)
    if _is_date(f.until):
        conds.append(reports.c.received_at < f.until + "T99")  # the whole day
    if f.assignee == "none":
        conds.append(reports.c.assignee_id.is_(None))
    elif f.assignee.isdigit():
        conds.append(reports.c.assignee_id == int(f.assignee))
    if f.q:
        for word in f.q.casefold().split()[:8]:
            conds.append(reports.c.search.like(f"%{_like(word)}%", escape="\\"))
    return sa.and_(*conds) if conds else sa.true()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _is_date(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit()


def queue(db, f: Filters, page: int = 1, size: int = PAGE_SIZE) -> dict:
    """One page of the queue: enrolled volunteers first, then newest first."""
    reports = db.t["reports"]
    cols = [reports.c[name] for name in QUEUE_COLUMNS]
    where = _where(reports, f)
    page = max(1, page)
    query = (sa.select(*cols).where(where)
             .order_by(reports.c.priority.desc(), reports.c.received_at.desc(), reports.c.id.desc())
             .limit(size + 1).offset((page - 1) * size))
    with db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        row["categories"] = [c for c in row["categories"].split(",") if c]
        row["rules"] = json.loads(row["rules"])
    return {"rows": rows, "page": page, "more": more}


def count(db, f: Filters) -> int:
    reports = db.t["reports"]
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(reports).where(_where(reports, f))).scalar()


_FACETS: dict = {}


def facets(db, max_age: float = 60.0) -> dict:
    """Values offered in the filter menus (recomputed at most once a minute: a full scan)."""
    import time

    cached = _FACETS.get(id(db))
    if cached and time.monotonic() - cached[0] < max_age:
        return cached[1]
    value = _facets(db)
    _FACETS[id(db)] = (time.monotonic(), value)
    return value


def _facets(db) -> dict:
    reports = db.t["reports"]
    with db.read() as conn:
        sites = [r[0] for r in conn.execute(sa.select(reports.c.site).group_by(reports.c.site)
                                            .order_by(sa.func.count().desc()).limit(50))]
        langs = [r[0] for r in conn.execute(sa.select(reports.c.lang).distinct())]
    return {"sites": sites, "langs": sorted(langs)}


def get(db, report_pk: int) -> dict | None:
    reports = db.t["reports"]
    with db.read() as conn:
        row = conn.execute(sa.select(reports).where(reports.c.id == report_pk)).first()
        if row is None:
            return None
        report = dict(row._mapping)
        notes = db.t["notes"]
        report["notes"] = [dict(n._mapping) for n in conn.execute(
            sa.select(notes).where(notes.c.report_pk == report_pk).order_by(notes.c.id))]
        caps = db.t["captures"]
        report["captures"] = [dict(c._mapping) for c in conn.execute(
            sa.select(caps.c.name, caps.c.mime, caps.c.sha256).where(caps.c.report_pk == report_pk))]
    report["record_obj"] = json.loads(report["record"])
    report["evidence"] = json.loads(report["evidence_detail"])
    report["categories"] = [c for c in report["categories"].split(",") if c]
    report["rules"] = json.loads(report["rules"])
    return report


def capture(db, report_pk: int, name: str) -> dict | None:
    caps = db.t["captures"]
    with db.read() as conn:
        row = conn.execute(sa.select(caps).where(caps.c.report_pk == report_pk, caps.c.name == name)).first()
    return dict(row._mapping) if row else None


def set_status(db, report_pk: int, status: str, actor: str, reason: str | None = None, ip=None) -> None:
    set_status_many(db, [report_pk], status, actor, reason, ip)


def set_status_many(db, report_pks: list[int], status: str, actor: str, reason: str | None = None,
                    ip=None) -> int:
    if status not in STATUSES:
        raise TriageError(f"unknown status {status!r}", "bad_status")
    if status == "dismissed" and reason not in DISMISS_REASONS:
        raise TriageError("a dismissal needs a reason: " + ", ".join(DISMISS_REASONS), "reason_required")
    reports = db.t["reports"]
    changed = 0
    with db.write() as conn:
        rows = conn.execute(sa.select(reports.c.id, reports.c.status).where(reports.c.id.in_(report_pks))).all()
        if len(rows) != len(set(report_pks)):
            raise TriageError("no such report", "not_found")
        for pk, current in rows:
            if current == status:
                continue
            if status not in TRANSITIONS[current]:
                raise TriageError(f"{current} cannot become {status}", "bad_transition")
            conn.execute(reports.update().where(reports.c.id == pk).values(
                status=status, dismiss_reason=reason if status == "dismissed" else None, status_at=utc_now()))
            audit.log(conn, db, actor, "report.status", report_pk=pk, ip=ip,
                      detail={"from": current, "to": status, **({"reason": reason} if status == "dismissed" else {})})
            changed += 1
    return changed


def assign_many(db, report_pks: list[int], user_id: int | None, actor: str, ip=None) -> None:
    reports, users = db.t["reports"], db.t["users"]
    with db.write() as conn:
        if user_id is not None and not conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first():
            raise TriageError("no such staff member", "bad_user")
        for pk in report_pks:
            if conn.execute(reports.update().where(reports.c.id == pk).values(assignee_id=user_id)).rowcount != 1:
                raise TriageError("no such report", "not_found")
            audit.log(conn, db, actor, "report.assign", report_pk=pk, ip=ip, detail={"assignee": user_id})


def add_note(db, report_pk: int, user: dict, text: str, ip=None) -> None:
    text = (text or "").strip()
    if not text or len(text) > 4000:
        raise TriageError("a note has 1 to 4000 characters", "bad_note")
    with db.write() as conn:
        conn.execute(db.t["notes"].insert().values(report_pk=report_pk, user_id=user["id"], author=user["name"],
                                                   created_at=utc_now(), text=text))
        audit.log(conn, db, user["name"], "report.note", report_pk=report_pk, ip=ip)


def export_case(db, report_pk: int, actor: str, ip=None) -> tuple[str, bytes]:
    """A zip for a hotline or the police: the companion's export folder plus the hub's audit trail.

    ``record.json`` is the record byte for byte as the companion hashed it;
    ``hub/audit.json`` lists every view and action on the report at the hub;
    ``SHA256SUMS`` covers every file."""
    from himaya.core.evidence import sha256_hex

    report = get(db, report_pk)
    if report is None:
        raise TriageError("no such report", "not_found")
    caps = db.t["captures"]
    with db.read() as conn:
        captures = [dict(r._mapping) for r in conn.execute(sa.select(caps).where(caps.c.report_pk == report_pk))]
    record = report["record_obj"]
    view = {"id": report["report_id"], "created": report["created"], "sha256": report["sha256"],
            "prev": report["prev"], "record": record}
    files = export_files(view, [{**c, "data": bytes(c["data"])} for c in captures])
    files.pop("SHA256SUMS")
    audit.record(db, actor, "report.export", report_pk=report_pk, ip=ip)
    trail = list(reversed(audit.trail(db, report_pk=report_pk, limit=100_000)))
    case = {"hub_id": report["id"], "received_at": report["received_at"], "status": report["status"],
            "dismiss_reason": report["dismiss_reason"], "evidence_ok": bool(report["evidence_ok"]),
            "evidence": report["evidence"], "chain_head": report["chain_head"],
            "notes": [{"author": n["author"], "at": n["created_at"], "text": n["text"]} for n in report["notes"]]}
    files["hub/case.json"] = json.dumps(case, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    files["hub/audit.json"] = json.dumps(trail, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{sha256_hex(data)}  {name}\n"
                                  for name, data in sorted(files.items())).encode("utf-8")
    stream = io.BytesIO()
    zip_files(files, stream)
    return f"himaya-case-{report['id']}-{report['report_id']}.zip", stream.getvalue()


def delete_report(db, report_pk: int, actor: str, reason: str, action: str = "report.deleted", ip=None) -> bool:
    """Delete a report, its captures and notes (on request, or by retention); the audit keeps its id and hash."""
    reports = db.t["reports"]
    with db.write() as conn:
        row = conn.execute(sa.select(reports.c.sha256, reports.c.report_id).where(reports.c.id == report_pk)).first()
        if row is None:
            return False
        regroup = _delete_rows(conn, db, [report_pk])
        audit.log(conn, db, actor, action, report_pk=report_pk, ip=ip,
                  detail={"reason": reason[:500], "sha256": row[0], "report_id": row[1]})
    if regroup:
        _regroup(db)
    return True


def _regroup(db) -> None:
    # what the deleted reports said may have been all that held a network together
    from himaya.hub.networks import rebuild

    rebuild(db)


def _delete_rows(conn, db, pks: list[int]) -> bool:
    """Delete reports and what hangs on them; True when networks must be regrouped."""
    reports = db.t["reports"]
    touched, per_page = [], []
    if "pages" in db.t:
        pages = db.t["pages"]
        per_page = conn.execute(sa.select(reports.c.page_id, sa.func.count()).where(
            reports.c.id.in_(pks), reports.c.page_id.is_not(None)).group_by(reports.c.page_id)).all()
        for page_id, n in per_page:
            conn.execute(pages.update().where(pages.c.id == page_id).values(reports=pages.c.reports - n))
        touched = sorted({r[0] for r in conn.execute(sa.select(pages.c.network_id).where(
            pages.c.id.in_([p for p, _ in per_page] or [0]), pages.c.network_id.is_not(None)))})
    for name in ("captures", "notes", "report_indicators"):
        if name in db.t:
            conn.execute(db.t[name].delete().where(db.t[name].c.report_pk.in_(pks)))
    conn.execute(reports.delete().where(reports.c.id.in_(pks)))
    if "pages" in db.t:
        from himaya.hub.networks import forget, refresh_stats

        forget(conn, db, [p for p, _ in per_page])
        if touched:
            refresh_stats(conn, db, touched)
    return bool(touched)


def purge_dismissed(db, days: int, actor: str = "retention") -> int:
    """Delete reports dismissed more than ``days`` days ago; one audit entry for the run."""
    reports = db.t["reports"]
    cutoff = utc_now(-timedelta(days=days))
    removed, regroup = 0, False
    while True:
        with db.write() as conn:
            pks = [r[0] for r in conn.execute(sa.select(reports.c.id).where(
                reports.c.status == "dismissed", reports.c.status_at < cutoff).limit(500))]
            if not pks:
                break
            regroup = _delete_rows(conn, db, pks) or regroup
            audit.log(conn, db, actor, "retention.purged", detail={"days": days, "reports": pks})
            removed += len(pks)
    if regroup:
        _regroup(db)
    return removed
