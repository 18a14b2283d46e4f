"""Staff accounts: argon2id passwords, lockout, optional TOTP, sessions, CSRF, roles.

Sessions live in the database (the cookie holds a random token, the table its
SHA-256), so logging out or locking an account ends them at once. Each session
has its own CSRF token, required in every form that changes something::

    >>> import tempfile, pathlib
    >>> from himaya.hub.db import Database
    >>> db = Database.open("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "hub.db"))
    >>> add_user(db, "amal", "analyst", "a long passphrase")
    1
    >>> login(db, "amal", "a long passphrase").user["role"]
    'analyst'
    >>> login(db, "amal", "wrong").error
    'bad_credentials'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from himaya.hub import audit
from himaya.hub.db import utc_now

ROLES = ("analyst", "author", "admin")
# What each role may do. Analysts triage; rule authors turn networks into rules;
# admins do everything, including staff, enrolment and retention.
PERMISSIONS = {
    "analyst": {"view", "triage", "export", "networks"},
    "author": {"view", "networks", "drafts"},
    "admin": {"view", "triage", "export", "networks", "drafts", "admin"},
}
MAX_FAILED = 5
MIN_PASSWORD = 10
ABSOLUTE_SESSION = timedelta(hours=12)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
# argon2id (the library's default type) with its RFC 9106 "low memory" profile.
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone")


class AuthError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class LoginResult:
    user: dict | None = None
    token: str | None = None
    error: str | None = None  # bad_credentials | locked | totp_required | bad_totp


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def add_user(db, name: str, role: str, password: str, actor: str = "cli") -> int:
    if not _NAME.match(name or ""):
        raise AuthError("a name is 2-64 letters, digits, dots, dashes or underscores", "bad_name")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}", "bad_role")
    check_password(password)
    users = db.t["users"]
    with db.write() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
            raise AuthError(f"user {name} already exists", "exists")
        user_id = conn.execute(users.insert().values(
            name=name, role=role, password_hash=_HASHER.hash(password), failed_logins=0,
            disabled=False, created_at=utc_now())).inserted_primary_key[0]
        audit.log(conn, db, actor, "user.added", target=name, detail={"role": role})
    return user_id


def check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AuthError(f"a password has at least {MIN_PASSWORD} characters", "short_password")
    if len(password) > 1024:
        raise AuthError("a password has at most 1024 characters", "long_password")


def set_password(db, user_id: int, password: str, actor: str) -> None:
    check_password(password)
    users = db.t["users"]
    with db.write() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(password_hash=_HASHER.hash(password)))
        conn.execute(db.t["sessions"].delete().where(db.t["sessions"].c.user_id == user_id))
        audit.log(conn, db, actor, "user.password", target=str(user_id))


def get_user(db, *, user_id: int | None = None, name: str | None = None) -> dict | None:
    users = db.t["users"]
    cond = users.c.id == user_id if user_id is not None else users.c.name == name
    with db.read() as conn:
        row = conn.execute(sa.select(users).where(cond)).first()
    return dict(row._mapping) if row else None


def list_users(db) -> list[dict]:
    users = db.t["users"]
    with db.read() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def is_locked(user: dict, now: str | None = None) -> bool:
    return bool(user.get("locked_until")) and user["locked_until"] > (now or utc_now())


def login(db, name: str, password: str, totp: str | None = None, *, lockout_minutes: int = 15,
          ip: str | None = None, session_minutes: int = 30) -> LoginResult:
    """Check a name, password (and TOTP code); on success open a session."""
    user = get_user(db, name=name) if isinstance(name, str) and _NAME.match(name) else None
    if user is None or user["disabled"]:
        _verify(_DUMMY, password)  # the same work whether or not the name exists
        audit.record(db, (name or "?")[:64] if user else "?", "login.failed", detail={"reason": "unknown"}, ip=ip)
        return LoginResult(error="bad_credentials")
    if is_locked(user):
        audit.record(db, user["name"], "login.locked", ip=ip)
        return LoginResult(error="locked")
    if not _verify(user["password_hash"], password):
        return _failed(db, user, lockout_minutes, ip, "password")
    if user["totp_secret"]:
        if not totp:
            return LoginResult(error="totp_required")
        if not verify_totp(user["totp_secret"], totp):
            return _failed(db, user, lockout_minutes, ip, "totp")
    users = db.t["users"]
    token = secrets.token_urlsafe(32)
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        conn.execute(users.update().where(users.c.id == user["id"]).values(failed_logins=0, locked_until=None))
        conn.execute(db.t["sessions"].insert().values(
            token_sha256=_sha(token), user_id=user["id"], csrf=secrets.token_urlsafe(32), created_at=utc_now(),
            last_seen=utc_now(), expires_at=_iso(now + ABSOLUTE_SESSION)))
        audit.log(conn, db, user["name"], "login", ip=ip)
    return LoginResult(user=user, token=token)


def verify_password(db, user_id: int, password: str) -> bool:
    """The current password of a signed-in user (to change it); no session, no counter."""
    user = get_user(db, user_id=user_id)
    return bool(user) and _verify(user["password_hash"], password)


def _verify(hashed: str, password) -> bool:
    try:
        return _HASHER.verify(hashed, password if isinstance(password, str) else "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _failed(db, user: dict, lockout_minutes: int, ip, reason: str) -> LoginResult:
    users = db.t["users"]
    with db.write() as conn:
        failed = conn.execute(sa.select(users.c.failed_logins).where(users.c.id == user["id"])).scalar() + 1
        values = {"failed_logins": failed}
        locked = failed >= MAX_FAILED
        if locked:
            values["locked_until"] = utc_now(timedelta(minutes=lockout_minutes))
            values["failed_logins"] = 0
            conn.execute(db.t["sessions"].delete().where(db.t["sessions"].c.user_id == user["id"]))
        conn.execute(users.update().where(users.c.id == user["id"]).values(**values))
        audit.log(conn, db, user["name"], "login.failed", detail={"reason": reason, "locked": locked}, ip=ip)
    return LoginResult(error="locked" if locked else "bad_credentials")


def unlock(db, user_id: int, actor: str) -> None:
    users = db.t["users"]
    with db.write() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(locked_until=None, failed_logins=0))
        audit.log(conn, db, actor, "user.unlocked", target=str(user_id))


def session_user(db, token: str | None, session_minutes: int = 30) -> tuple[dict, str] | None:
    """(user, csrf token) for a live session cookie, else None; touches the session."""
    if not token or len(token) > 128:
        return None
    sessions, users = db.t["sessions"], db.t["users"]
    now = utc_now()
    idle_limit = utc_now(-timedelta(minutes=session_minutes))
    with db.read() as conn:
        row = conn.execute(sa.select(sessions, users.c.name, users.c.role, users.c.disabled, users.c.locked_until,
                                     users.c.totp_secret)
                           .join(users, users.c.id == sessions.c.user_id)
                           .where(sessions.c.token_sha256 == _sha(token))).first()
    if row is None:
        return None
    m = row._mapping
    if m["expires_at"] < now or m["last_seen"] < idle_limit or m["disabled"] or (m["locked_until"] or "") > now:
        end_session(db, token)
        return None
    if m["last_seen"] < utc_now(-timedelta(seconds=30)):  # at most one write a minute per session
        with db.write() as conn:
            conn.execute(sessions.update().where(sessions.c.token_sha256 == _sha(token)).values(last_seen=now))
    user = {"id": m["user_id"], "name": m["name"], "role": m["role"], "totp": bool(m["totp_secret"])}
    return user, m["csrf"]


def end_session(db, token: str) -> None:
    with db.write() as conn:
        conn.execute(db.t["sessions"].delete().where(db.t["sessions"].c.token_sha256 == _sha(token)))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected, given)


def can(user: dict | None, permission: str) -> bool:
    return bool(user) and permission in PERMISSIONS.get(user["role"], ())


# -- TOTP (RFC 6238, 30-second steps, one step of drift) --------------------

def new_totp_secret() -> str:
    import pyotp

    return pyotp.random_base32()


def verify_totp(secret: str, code: str) -> bool:
    import pyotp

    code = re.sub(r"\s+", "", code or "")
    return bool(re.fullmatch(r"\d{6}", code)) and pyotp.TOTP(secret).verify(code, valid_window=1)


def set_totp(db, user_id: int, secret: str | None, actor: str) -> None:
    users = db.t["users"]
    with db.write() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(totp_secret=secret))
        audit.log(conn, db, actor, "user.totp", target=str(user_id), detail={"enabled": bool(secret)})


def totp_uri(secret: str, name: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="Himaya hub")


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
