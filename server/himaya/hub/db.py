"""The hub's database: SQLite (default) or PostgreSQL, through SQLAlchemy Core.

The schema is made and upgraded by Alembic migrations (``hub/migrations``);
the tables are then reflected, so queries use exactly what the migrations made::

    >>> import tempfile, pathlib
    >>> db = Database.open("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "hub.db"))
    >>> {"reports", "captures", "audit", "users"} <= set(db.t)
    True
    >>> with db.write() as conn:
    ...     _ = conn.execute(db.t["hub_meta"].insert().values(key="k", value="v"))
    >>> db.get_meta("k")
    'v'

SQLite runs in WAL mode with ``synchronous=FULL`` and a busy timeout, and every
write takes the write lock at ``BEGIN IMMEDIATE`` (no upgrade deadlocks);
PostgreSQL commits are durable by default. A transaction that has committed is
on disk, so an acknowledged report survives a crash.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30


def utc_now(delta: timedelta | None = None) -> str:
    """``2026-01-01T10:00:00.123Z``: text that sorts as time in both databases."""
    moment = datetime.now(timezone.utc) + (delta or timedelta())
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def normalize_url(url: str) -> str:
    """``postgresql://`` (or ``postgres://``) means psycopg 3; a bare path means SQLite.

    >>> normalize_url("postgresql://hub@127.0.0.1/hub")
    'postgresql+psycopg://hub@127.0.0.1/hub'
    >>> normalize_url("/srv/hub/hub.db")
    'sqlite:////srv/hub/hub.db'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if "://" not in url:
        return "sqlite:///" + str(Path(url).resolve())
    return url


def redact_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    try:
        return sa.engine.make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable database URL)"


class Database:
    """One engine, the reflected tables, and read/write transactions."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = threading.Lock()
        self.t: dict[str, sa.Table] = {}

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> "Database":
        db = cls(make_engine(url))
        if migrate:
            db.upgrade()
        db.reflect()
        return db

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to run on every start)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write_lock, self.engine.connect() as conn:
            if self.dialect == "postgresql":
                # Two hubs starting at once on one database migrate one after the other.
                conn.exec_driver_sql("SELECT pg_advisory_lock(74726)")
                conn.commit()
            try:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
            finally:
                if self.dialect == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_unlock(74726)")
                    conn.commit()

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            try:
                return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            except sa.exc.DBAPIError:
                return None

    def reflect(self) -> None:
        meta = sa.MetaData()
        meta.reflect(self.engine)
        self.t = dict(meta.tables)

    @contextmanager
    def read(self):
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self):
        """One write transaction, committed on exit (rolled back on error)."""
        if self.dialect == "sqlite":
            # One writer at a time in this process; BEGIN IMMEDIATE for other processes.
            with self._write_lock, self.engine.connect() as conn:
                conn.execution_options(sqlite_immediate=True)
                with conn.begin():
                    yield conn
        else:
            with self.engine.begin() as conn:
                yield conn

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        meta = self.t["hub_meta"]
        with self.read() as conn:
            value = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        meta = self.t["hub_meta"]
        with self.write() as conn:
            if conn.execute(sa.select(meta.c.key).where(meta.c.key == key)).first():
                conn.execute(meta.update().where(meta.c.key == key).values(value=value))
            else:
                conn.execute(meta.insert().values(key=key, value=value))

    def close(self) -> None:
        self.engine.dispose()


def make_engine(url: str) -> sa.Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not Path(path).exists():  # 0600 before SQLite writes a byte
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
                                  pool_size=16, max_overflow=16)
        _sqlite_events(engine)
        return engine
    if url.startswith("postgresql"):
        return sa.create_engine(url, pool_size=16, max_overflow=16, pool_pre_ping=True)
    raise ValueError("the hub's database is SQLite (a path or sqlite:///...) or PostgreSQL (postgresql://...)")


def _sqlite_events(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, record):
        dbapi_conn.isolation_level = None  # we say BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # committed = on disk
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
