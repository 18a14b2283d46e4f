"""The companion's database: an ordinary SQLite file made with sqlite-utils.

What it keeps: match metadata (rule ids, severity, time, a keyed hash of the
page address, the site's host name and categories for the parent's history),
feedback, the local allow-list, the extension's silences, evidence records
(append-only, hash-chained) with their captures, the outbox, and per site and
day how many pages the extension's reader for that site found nothing on.
Message text exists only inside evidence,
which exists only when a person pressed "Report"::

    >>> import tempfile, pathlib
    >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "himaya.db")
    >>> store.record_match("message", "high", ["rule-a"], "https://social.example/p/1")
    >>> store.counts()["matches"]
    1
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from himaya.core import evidence

log = logging.getLogger("himaya.companion.store")

BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """Base for storage failures the API turns into 503/507."""


class StoreBusy(StoreError):
    """The database stayed locked past the busy timeout (answer 503, Retry-After)."""


class StoreFull(StoreError):
    """The disk is full (answer 507); scanning keeps working."""


def utc_now() -> str:
    """Server UTC time, millisecond precision: ``2025-01-01T10:00:00.123Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _translate(exc: sqlite3.Error) -> Exception:
    code = getattr(exc, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc):
        return StoreBusy("database is busy")
    if code == sqlite3.SQLITE_FULL or "full" in str(exc):
        return StoreFull("disk is full")
    return exc


# Each migration runs once, in order, inside one transaction.
def _m001_tables(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["matches"].create({"id": int, "created": str, "kind": str, "severity": str, "rules": str,
                          "url_hash": str}, pk="id")
    db["matches"].create_index(["created"])
    db["feedback"].create({"id": int, "created": str, "verdict": str, "rules": str, "url_hash": str}, pk="id")
    db["feedback"].create_index(["created"])
    db["evidence"].create({"seq": int, "id": str, "created": str, "sha256": str, "prev": str, "record": str},
                          pk="seq", not_null={"id", "created", "sha256", "prev", "record"})
    db["evidence"].create_index(["id"], unique=True)
    db["captures"].create({"evidence_id": str, "name": str, "mime": str, "sha256": str, "data": bytes},
                          pk=("evidence_id", "name"), foreign_keys=[("evidence_id", "evidence", "id")])
    db["outbox"].create({"report_id": str, "state": str, "attempts": int, "next_attempt": float,
                         "last_error": str, "sent_at": str}, pk="report_id")
    db["outbox"].create_index(["state", "next_attempt"])
    # Evidence is append-only: the database itself refuses changes.
    for table in ("evidence", "captures"):
        for action in ("UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END")
    db.execute("INSERT INTO meta (key, value) VALUES ('url_key', ?)", [secrets.token_hex(32)])


def _m002_reader_misses(db: sqlite_utils.Database) -> None:
    # "A site's reader found nothing on a page full of text": per site and UTC
    # day, how many pages and when the last one was. No text, no address.
    db["reader_misses"].create({"site": str, "day": str, "pages": int, "last": str}, pk=("site", "day"))


def _m003_parent(db: sqlite_utils.Database) -> None:
    # What the parent's history shows: the site (host only, never the address) and
    # the categories of each warning; the local allow-list; the extension's silences.
    # Written to run on a database that already has some of it (an early build
    # of the parent's companion named this step "002_parent").
    columns = db["matches"].columns_dict
    for column in ("site", "categories"):
        if column not in columns:
            db["matches"].add_column(column, str)
    db["allowed"].create({"id": int, "created": str, "rule": str, "url_hash": str, "site": str, "by": str}, pk="id",
                         if_not_exists=True)
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_allowed_rule_url_hash ON allowed (rule, url_hash)")
    db["silences"].create({"id": int, "started": str, "ended": str}, pk="id", if_not_exists=True)


MIGRATIONS = [("001_tables", _m001_tables), ("002_reader_misses", _m002_reader_misses), ("003_parent", _m003_parent)]


def site_of(url: str | None) -> str | None:
    """The host of a page address, which the history shows (``www.instagram.com``)."""
    from urllib.parse import urlsplit

    if not url:
        return None
    try:
        return (urlsplit(url).hostname or "")[:253] or None
    except ValueError:
        return None


def _stray_rows(conn) -> dict | None:
    """Rows that a removed record leaves behind (its captures, its outbox row),
    or a record whose outbox row was removed (it would never be sent)."""
    checks = (
        ("SELECT evidence_id FROM captures WHERE evidence_id NOT IN (SELECT id FROM evidence) LIMIT 1",
         "captures of a record that is not in the chain (the record was removed)"),
        ("SELECT report_id FROM outbox WHERE report_id NOT IN (SELECT id FROM evidence) LIMIT 1",
         "an outbox row of a record that is not in the chain (the record was removed)"),
        ("SELECT id FROM evidence WHERE id NOT IN (SELECT report_id FROM outbox) LIMIT 1",
         "the record's outbox row was removed (it would never be sent)"),
    )
    for sql, reason in checks:
        row = conn.execute(sql).fetchone()
        if row:
            seq = conn.execute("SELECT seq FROM evidence WHERE id = ?", [row[0]]).fetchone()
            return {"seq": seq[0] if seq else None, "id": row[0], "reason": reason}
    return None


class _MatchQueue:
    """Match rows written off the request path, durably and in order.

    A scan that warns answers at once; its row waits here and one writer thread
    writes, every BATCH_S seconds, everything waiting in one transaction (one
    disk sync for many rows, where each warning paid its own sync before). The
    thread stops when idle and starts again with the next row. Reports do not go through here: they are
    written, and synced, before they are acknowledged. What this can lose is the
    metadata of warnings given in the last moment before a crash (SIGKILL,
    power loss), never a report.
    """

    MAX_WAITING = 10_000  # past this (a disk that stopped answering) rows are dropped and counted
    BATCH_S = 0.2  # the writer writes what waits every BATCH_S seconds
    IDLE_S = 2.0

    _by_file: "weakref.WeakValueDictionary[str, _MatchQueue]" = weakref.WeakValueDictionary()
    _registry_lock = threading.Lock()

    @classmethod
    def of(cls, store: "Store") -> "_MatchQueue":
        """One queue per database file in a process, whichever Store opened it."""
        key = str(store.path.resolve())
        with cls._registry_lock:
            queue = cls._by_file.get(key)
            if queue is None:
                queue = cls._by_file[key] = cls(store)
            return queue

    def __init__(self, store: "Store"):
        self.store = store
        self.rows: list[tuple] = []
        self.writing = 0
        self.dropped = 0
        self.hurry = False
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None

    def put(self, row: tuple) -> None:
        with self.cond:
            if len(self.rows) >= self.MAX_WAITING:
                self.dropped += 1
                return
            self.rows.append(row)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="himaya-matches", daemon=True)
                self.thread.start()
            # No wake-up per row: the writer looks every BATCH_S. Waking it for
            # each warning made it fight the scanning threads for the GIL.

    def _run(self) -> None:
        idle = 0.0
        while True:
            with self.cond:
                if not self.hurry:
                    self.cond.wait(self.BATCH_S)
                self.hurry = False
                if not self.rows:
                    idle += self.BATCH_S
                    if idle >= self.IDLE_S:
                        self.thread = None
                        return
                    continue
                idle = 0.0
                batch, self.rows = self.rows, []
                self.writing = len(batch)
            try:
                self.store._insert_matches(batch)
            except Exception as exc:  # metadata only: a busy or full disk must not stop warnings
                log.warning("%d match row(s) not stored: %s", len(batch), exc.__class__.__name__)
            finally:
                with self.cond:
                    self.writing = 0
                    self.cond.notify_all()

    def flush(self, timeout: float) -> bool:
        with self.cond:
            self.hurry = True
            self.cond.notify_all()
            return self.cond.wait_for(lambda: not self.rows and not self.writing, timeout)


class Store:
    """One database file, one connection per thread, WAL and a busy timeout."""

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self.recovered: str | None = None
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._matches = _MatchQueue.of(self)
        self._open_checked()
        self._url_key = bytes.fromhex(self.db.execute("SELECT value FROM meta WHERE key='url_key'").fetchone()[0])

    # -- connections -------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self.conn)

    def _connect(self) -> sqlite3.Connection:
        fresh = not self.path.exists()
        if fresh:  # create it 0600 before SQLite writes a byte
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=self.busy_timeout_ms / 1000)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        # FULL: an acknowledged report is on disk before the answer leaves.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)
        return conn

    def _open_checked(self) -> None:
        """Open, check and migrate; a corrupt file is kept aside and replaced."""
        try:
            ok = self.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            if ok:
                self._migrate()
                return
        except sqlite3.DatabaseError:
            pass
        self.close()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{self.path}{suffix}")
            if side.exists():
                os.replace(side, Path(f"{aside}{suffix}"))
        self.recovered = aside.name
        self._migrate()

    def _migrate(self) -> None:
        conn = self.conn
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT)")
        done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        for name, migration in MIGRATIONS:
            if name in done:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM migrations WHERE name = ?", [name]).fetchone() is None:
                    migration(sqlite_utils.Database(conn))
                    conn.execute("INSERT INTO migrations VALUES (?, ?)", [name, utc_now()])
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- writes ------------------------------------------------------------

    def url_hash(self, url: str | None) -> str | None:
        """A keyed hash of a page address: links rows to one page, reveals no address."""
        if not url:
            return None
        return hmac.new(self._url_key, url.encode("utf-8"), hashlib.sha256).hexdigest()

    def _write(self, sql: str, params) -> int:
        try:
            return self.conn.execute(sql, params).lastrowid
        except sqlite3.OperationalError as exc:
            raise _translate(exc) from None

    def record_match(self, kind: str, severity: str, rules: list[str], url: str | None,
                     categories: list[str] | None = None) -> None:
        """Keep the metadata of a warning (never the text; the site's host, not its
        address), off the request path: the row is queued and written by the store's
        writer thread (see _MatchQueue)."""
        self._matches.put((utc_now(), kind, severity, json.dumps(rules), self.url_hash(url), site_of(url),
                           json.dumps(sorted(set(categories or [])))))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued match row is written (or failed); False on timeout."""
        return self._matches.flush(timeout)

    def _insert_matches(self, rows: list[tuple]) -> None:
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT INTO matches (created, kind, severity, rules, url_hash, site, categories) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise _translate(exc) from None

    # -- the parent's history, the allow-list, silences ------------------------------

    def history(self, limit: int = 200) -> list[dict]:
        """Warnings seen on this computer, newest first: time, site, categories, severity, reported."""
        self.flush()  # warnings queued by scans a moment ago are part of the history
        reported = {}
        for rid, text in self.conn.execute("SELECT id, record FROM evidence ORDER BY seq DESC LIMIT 1000"):
            record = json.loads(text)
            reported.setdefault(self.url_hash(record["page"]["url"]), (rid, record))
        out = []
        for row in self.conn.execute("SELECT id, created, kind, severity, rules, url_hash, site, categories "
                                     "FROM matches ORDER BY id DESC LIMIT ?", [limit]):
            item = {"id": row[0], "created": row[1], "kind": row[2], "severity": row[3], "rules": json.loads(row[4]),
                    "site": row[6], "categories": json.loads(row[7] or "[]"), "reported": None}
            report = reported.get(row[5]) if row[5] else None
            if report:
                rid, record = report
                # Reported: the person chose to keep these messages, so the parent may read them.
                item["reported"] = {"id": rid, "texts": [u["text"] for u in record["units"][:5]]}
            out.append(item)
        return out

    def allow(self, rule: str, url: str, by: str) -> int | None:
        """Stop warning for `rule` on this page or conversation address (kept as a keyed hash)."""
        try:
            return self._write("INSERT OR IGNORE INTO allowed (created, rule, url_hash, site, by) VALUES (?, ?, ?, ?, ?)",
                               [utc_now(), rule, self.url_hash(url), site_of(url), by])
        except sqlite3.IntegrityError:
            return None

    def allowed(self) -> list[dict]:
        rows = self.conn.execute("SELECT id, created, rule, site, by FROM allowed ORDER BY id DESC")
        return [{"id": r[0], "created": r[1], "rule": r[2], "site": r[3], "by": r[4]} for r in rows]

    def allowed_set(self) -> set[tuple[str, str]]:
        return {(r, h) for r, h in self.conn.execute("SELECT rule, url_hash FROM allowed")}

    def unallow(self, entry_id: int) -> bool:
        return bool(self.conn.execute("DELETE FROM allowed WHERE id = ?", [entry_id]).rowcount)

    def meta_get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def meta_set(self, key: str, value: str | None) -> None:
        if value is None:
            self._write("DELETE FROM meta WHERE key = ?", [key])
        else:
            self._write("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [key, value])

    def add_silence(self, started: str, ended: str) -> None:
        self._write("INSERT INTO silences (started, ended) VALUES (?, ?)", [started, ended])

    def silences(self, limit: int = 50) -> list[dict]:
        rows = self.conn.execute("SELECT started, ended FROM silences ORDER BY id DESC LIMIT ?", [limit])
        return [{"started": a, "ended": b} for a, b in rows]

    def feedback_counts(self, since: str, until: str) -> dict[str, dict[str, int]]:
        """{rule: {"wrong": n, "helped": n}} for feedback given in [since, until): ids and numbers only."""
        counts: dict[str, dict[str, int]] = {}
        for verdict, rules in self.conn.execute(
                "SELECT verdict, rules FROM feedback WHERE created >= ? AND created < ?", [since, until]):
            for rule in json.loads(rules):
                entry = counts.setdefault(rule, {"wrong": 0, "helped": 0})
                entry[verdict] = entry.get(verdict, 0) + 1
        return counts

    def add_feedback(self, verdict: str, rules: list[str], url: str | None) -> int:
        return self._write("INSERT INTO feedback (created, verdict, rules, url_hash) VALUES (?, ?, ?, ?)",
                           [utc_now(), verdict, json.dumps(rules), self.url_hash(url)])

    def add_reader_miss(self, site: str) -> dict:
        """Count one page where ``site``'s reader found nothing; returns the day's row."""
        now = utc_now()
        day = now[:10]
        self._write("INSERT INTO reader_misses (site, day, pages, last) VALUES (?, ?, 1, ?) "
                    "ON CONFLICT (site, day) DO UPDATE SET pages = pages + 1, last = excluded.last",
                    [site, day, now])
        return {"site": site, "day": day, "pages": self.conn.execute(
            "SELECT pages FROM reader_misses WHERE site = ? AND day = ?", [site, day]).fetchone()[0], "last": now}

    def append_report(self, payload: dict, rules_version: str, queue: bool) -> dict:
        """Append a report to the evidence chain (and the outbox), durably.

        Returns ``{"id", "sha256", "created", "seq"}`` once committed.
        """
        record, captures = evidence.build_record(payload, rules_version)
        created = utc_now()
        report_id = f"R{created[:10].replace('-', '')}-{secrets.token_hex(4)}"
        conn = self.conn
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    last = conn.execute("SELECT seq, sha256 FROM evidence ORDER BY seq DESC LIMIT 1").fetchone()
                    seq, prev = (last[0] + 1, last[1]) if last else (1, evidence.GENESIS)
                    body, digest = evidence.chain(record, seq=seq, prev=prev, report_id=report_id, created=created)
                    conn.execute("INSERT INTO evidence (seq, id, created, sha256, prev, record) VALUES (?, ?, ?, ?, ?, ?)",
                                 [seq, report_id, created, digest, prev, body.decode("utf-8")])
                    for cap in captures:
                        conn.execute("INSERT INTO captures (evidence_id, name, mime, sha256, data) VALUES (?, ?, ?, ?, ?)",
                                     [report_id, cap["name"], cap["mime"], cap["sha256"], cap["data"]])
                    conn.execute("INSERT INTO outbox (report_id, state, attempts, next_attempt) VALUES (?, ?, 0, 0)",
                                 [report_id, "pending" if queue else "export"])
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                raise _translate(exc) from None
        return {"id": report_id, "sha256": digest, "created": created, "seq": seq}

    # -- reads -------------------------------------------------------------

    def get_report(self, report_id: str) -> dict | None:
        row = self.conn.execute(
            "SELECT e.seq, e.id, e.created, e.sha256, e.prev, e.record, o.state, o.attempts, o.last_error "
            "FROM evidence e LEFT JOIN outbox o ON o.report_id = e.id WHERE e.id = ?", [report_id]).fetchone()
        if row is None:
            return None
        return {"seq": row[0], "id": row[1], "created": row[2], "sha256": row[3], "prev": row[4],
                "record": json.loads(row[5]),
                "outbox": {"state": row[6] or "export", "attempts": row[7] or 0, "last_error": row[8]}}

    def list_reports(self, limit: int = 50, before: str | None = None) -> list[dict]:
        sql = ("SELECT e.seq, e.id, e.created, e.sha256, e.record, o.state FROM evidence e "
               "LEFT JOIN outbox o ON o.report_id = e.id ")
        params: list = []
        if before:
            sql += "WHERE e.seq < (SELECT seq FROM evidence WHERE id = ?) "
            params.append(before)
        sql += "ORDER BY e.seq DESC LIMIT ?"
        params.append(limit)
        out = []
        for seq, rid, created, digest, text, state in self.conn.execute(sql, params):
            record = json.loads(text)
            out.append({"id": rid, "created": created, "sha256": digest, "url": record["page"]["url"],
                        "title": record["page"]["title"], "units": len(record["units"]), "outbox": state or "export"})
        return out

    def captures(self, report_id: str) -> list[dict]:
        rows = self.conn.execute("SELECT name, mime, sha256, data FROM captures WHERE evidence_id = ? ORDER BY name",
                                 [report_id])
        return [{"name": n, "mime": m, "sha256": s, "data": bytes(d)} for n, m, s, d in rows]

    def verify_chain(self, anchors=()) -> dict:
        """Walk every record in order (see evidence.verify_rows), compare the
        chain with heads kept outside the database (``anchors``: evidence.Anchor,
        from the extension, ``himaya report verify --head`` or an NGO's hub), and
        check that every capture and outbox row belongs to a record of the chain
        and every record has its outbox row.

        A hub witness calls ``store.verify_chain([Anchor(count, head, "the hub")])``.
        """
        # One read transaction, so a writer cannot slip a record in mid-walk.
        conn = self._connect()
        try:
            conn.execute("BEGIN")
            rows = ({"seq": r[0], "id": r[1], "sha256": r[2], "prev": r[3], "record": r[4]}
                    for r in conn.execute("SELECT seq, id, sha256, prev, record FROM evidence ORDER BY seq"))
            outcome = evidence.verify_rows(rows, self.captures, anchors)
            if outcome["ok"]:
                problem = _stray_rows(conn)
                if problem:
                    outcome = {"ok": False, "count": outcome["count"], "broken": problem}
            return outcome
        finally:
            conn.close()

    def head(self) -> str:
        row = self.conn.execute("SELECT sha256 FROM evidence ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else evidence.GENESIS

    def counts(self) -> dict:
        self.flush(2.0)  # rows of warnings already answered are counted
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"matches": one("SELECT count(*) FROM matches"), "reports": one("SELECT count(*) FROM evidence"),
                "feedback": one("SELECT count(*) FROM feedback")}

    def reader_misses(self, days: int = 30, now: datetime | None = None) -> list[dict]:
        """The last ``days`` days of "reader found nothing", newest first: [{site, day, pages, last}]."""
        since = ((now or datetime.now(timezone.utc)) - timedelta(days=days)).strftime("%Y-%m-%d")
        rows = self.conn.execute("SELECT site, day, pages, last FROM reader_misses WHERE day >= ? "
                                 "ORDER BY last DESC", [since])
        return [{"site": site, "day": day, "pages": pages, "last": last} for site, day, pages, last in rows]

    def outbox_counts(self) -> dict:
        counts = {"pending": 0, "sent": 0, "failed": 0, "export": 0}
        for state, n in self.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"):
            counts[state] = n
        return counts

    # -- retention ---------------------------------------------------------

    def purge(self, days: int, now: datetime | None = None) -> int:
        """Delete scan metadata, feedback, silences and reader misses older than ``days``; evidence stays."""
        self.flush(2.0)
        now = now or datetime.now(timezone.utc)
        cutoff = (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        removed = 0
        for table in ("matches", "feedback"):
            removed += self.conn.execute(f"DELETE FROM {table} WHERE created < ?", [cutoff]).rowcount
        removed += self.conn.execute("DELETE FROM silences WHERE started < ?", [cutoff]).rowcount
        removed += self.conn.execute("DELETE FROM reader_misses WHERE last < ?", [cutoff]).rowcount
        return removed

    # -- outbox rows ---------------------------------------------------------

    def due_reports(self, now: float | None = None, limit: int = 10) -> list[str]:
        now = time.time() if now is None else now
        rows = self.conn.execute("SELECT report_id FROM outbox WHERE state IN ('pending', 'export') "
                                 "AND next_attempt <= ? ORDER BY next_attempt LIMIT ?", [now, limit])
        return [r[0] for r in rows]

    def mark_outbox(self, report_id: str, state: str, attempts: int, next_attempt: float, error: str | None) -> None:
        sent_at = utc_now() if state == "sent" else None
        self._write("UPDATE outbox SET state = ?, attempts = ?, next_attempt = ?, last_error = ?, sent_at = ? "
                    "WHERE report_id = ?", [state, attempts, next_attempt, error, sent_at, report_id])
