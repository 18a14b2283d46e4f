"""The database: migrations, WAL, modes, append-only evidence, retention, recovery."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest
from companion_helpers import report_body

from himaya.companion.config import ensure_private_dir
from himaya.companion.store import MIGRATIONS, Store


@pytest.fixture
def store(himaya_home):
    ensure_private_dir(himaya_home)
    return Store(himaya_home / "himaya.db")


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_and_wal_is_on(store, himaya_home):
    store.append_report(report_body(), "v1", queue=False)
    assert _mode(himaya_home) == 0o700
    for path in himaya_home.glob("himaya.db*"):
        assert _mode(path) == 0o600, path
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_run_once(store, himaya_home):
    store.record_match("message", "high", ["r1"], None)
    again = Store(himaya_home / "himaya.db")
    assert [r[0] for r in again.conn.execute("SELECT name FROM migrations")] == [m[0] for m in MIGRATIONS]
    assert again.counts()["matches"] == 1
    assert again._url_key == store._url_key


def test_both_branches_tables_arrive_in_order_even_over_an_early_parent_database(himaya_home):
    """The reader misses (002) and the parent's tables (003) are both made; a database made by an
    early build whose parent step was named "002_parent" gets the reader misses and keeps its rows."""
    import sqlite_utils

    from himaya.companion import store as store_mod

    ensure_private_dir(himaya_home)
    path = himaya_home / "himaya.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied TEXT)")
    db = sqlite_utils.Database(conn)
    store_mod._m001_tables(db)
    old_parent = [m for name, m in MIGRATIONS if name == "003_parent"][0]
    old_parent(db)
    conn.execute("INSERT INTO migrations VALUES ('001_tables', 'x'), ('002_parent', 'x')")
    conn.execute("INSERT INTO allowed (created, rule, url_hash, site, by) VALUES ('t', 'R', 'h', 's', 'feedback')")
    conn.close()
    upgraded = Store(path)
    names = [r[0] for r in upgraded.conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == ["001_tables", "002_parent", "002_reader_misses", "003_parent"]
    assert upgraded.add_reader_miss("facebook")["pages"] == 1
    assert upgraded.conn.execute("SELECT count(*) FROM allowed").fetchone()[0] == 1
    fresh = Store(himaya_home / "fresh.db")
    tables = {r[0] for r in fresh.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"reader_misses", "allowed", "silences"} <= tables
    assert {"site", "categories"} <= {r[1] for r in fresh.conn.execute("PRAGMA table_info(matches)")}


@pytest.mark.parametrize("sql", [
    "UPDATE evidence SET record = '{}'",
    "UPDATE evidence SET created = '2000-01-01T00:00:00.000Z'",
    "DELETE FROM evidence",
    "UPDATE captures SET data = x'00'",
    "DELETE FROM captures",
])
def test_evidence_is_append_only(store, sql):
    store.append_report(report_body(), "v1", queue=False)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute(sql)
    assert store.verify_chain()["ok"]


def test_url_hash_is_keyed(store, tmp_path):
    """Rows of one page link together in this database only: the hash is keyed by a secret
    of this data folder, stable across restarts, different in another folder."""
    import hashlib

    url = "https://social.example/p/1"
    digest = store.url_hash(url)
    assert len(digest) == 64 and digest != hashlib.sha256(url.encode()).hexdigest()
    assert digest != store.url_hash("https://social.example/p/2") and store.url_hash(None) is None
    assert Store(store.path).url_hash(url) == digest  # the same folder, reopened
    other = tmp_path / "other-home"
    ensure_private_dir(other)
    assert Store(other / "himaya.db").url_hash(url) != digest


def test_retention_purges_old_metadata_only(store):
    store.record_match("message", "high", ["r1"], None)
    store.add_feedback("wrong", ["r1"], None)
    store.append_report(report_body(), "v1", queue=False)
    later = datetime.now(timezone.utc) + timedelta(days=31)
    assert store.purge(90, now=later) == 0
    assert store.purge(30, now=later) == 2
    assert store.counts() == {"matches": 0, "feedback": 0, "reports": 1}


def test_chain_links_across_threads(store):
    errors = []

    def writer():
        try:
            for _ in range(10):
                store.append_report(report_body(screenshot=False), "v1", queue=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    outcome = store.verify_chain()
    assert outcome == {"ok": True, "count": 60, "head": store.head()}


def test_two_processes_worth_of_connections_share_the_chain(store, himaya_home):
    other = Store(himaya_home / "himaya.db")  # as `himaya report` would, while serving
    store.append_report(report_body(), "v1", queue=False)
    other.append_report(report_body(), "v1", queue=True)
    assert store.verify_chain()["count"] == 2
    assert store.outbox_counts() == {"pending": 1, "sent": 0, "failed": 0, "export": 1}


def test_corrupt_file_is_renamed_and_replaced(himaya_home):
    ensure_private_dir(himaya_home)
    (himaya_home / "himaya.db").write_bytes(b"\x00garbage" * 512)
    store = Store(himaya_home / "himaya.db")
    assert store.recovered.startswith("himaya.db.corrupt-")
    assert (himaya_home / store.recovered).read_bytes() == b"\x00garbage" * 512
    assert store.counts()["reports"] == 0
