"""The companion's settings and secrets, kept in its private data folder.

The data folder is ``HIMAYA_HOME`` or the platform's user data folder, always
mode 0700; files in it that hold anything private (settings, token, database)
are mode 0600. Settings live in ``config.json``::

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp()) / "h"
    >>> settings = load(home)
    >>> settings["port"]
    47615
    >>> settings = set_value(home, "retention-days", "30")
    >>> load(home)["retention-days"]
    30
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from pathlib import Path
from urllib.parse import urlsplit

from himaya.files import write_atomic

DEFAULT_PORT = 47615

DEFAULTS = {
    "intake-url": None,
    "intake-code": None,  # the NGO's enrolment code (himaya hub enrol), sent with each report
    "update-url": None,
    "extension-ids": [],
    "retention-days": 90,
    "port": DEFAULT_PORT,
    "update-interval": 21600,  # seconds between rule-list checks (with jitter)
    "trusted-keys": None,  # a file of pinned staff keys replacing the shipped ones
    "share-feedback": False,  # the parent's consent: weekly "wrong"/"helped" counts per rule to the NGO
    "silence-minutes": 30,  # the extension silent longer than this is recorded for the parent
    "sensitivity": {},  # category -> off|low|normal|high, set by the parent (normal when absent)
}

SENSITIVITY_LEVELS = ("off", "low", "normal", "high")
# Never switched off, whoever asks: a threat or a child offered for "services" always warns.
NEVER_OFF = ("blackmail-threat", "services-ad")

CONFIG_FILE = "config.json"
TOKEN_FILE = "token"

# An enrolment code as `himaya hub enrol` prints it (letters, digits, dashes).
_INTAKE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{7,79}$")
# Chrome extension ids are 32 letters from a to p.
_CHROME_ID = re.compile(r"^[a-p]{32}$")


class ConfigError(ValueError):
    """A setting has a value it cannot take; the message names the key.

    ``code`` says why (``file``, ``unknown``, ``number``, ``ids``, ``days``,
    ``port``, ``interval``, ``keys_file``, ``code``, ``url``, ``url_userinfo``, ``url_scheme``, ``bool``,
    ``minutes``, ``category``, ``level``, ``never_off``) so that the CLI can
    say it in the person's language.
    """

    def __init__(self, message: str, code: str = "invalid", key: str | None = None):
        super().__init__(message)
        self.code, self.key = code, key


class DataFolderError(OSError):
    """The data folder cannot be used: ``code`` is ``is_file``, ``unwritable`` or ``invalid``."""

    def __init__(self, code: str, path: Path, reason: str = ""):
        super().__init__(f"data folder {path}: {code} {reason}".strip())
        self.code, self.path, self.reason = code, path, reason


def data_home(create: bool = True) -> Path:
    """The data folder: ``$HIMAYA_HOME`` or the platform's user data folder.

    Created (and tightened) to mode 0700. Example::

        data_home()  # -> PosixPath('/home/ana/.local/share/himaya')
    """
    env = os.environ.get("HIMAYA_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_dir("himaya", appauthor=False))
    if create:
        ensure_private_dir(home)
    return home


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` if needed and make it readable by its owner only.

    Raises DataFolderError (an OSError) when it is a file, or cannot be made or written."""
    path = Path(path)
    try:
        if path.exists() and not path.is_dir():
            raise DataFolderError("is_file", path)
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if stat.S_IMODE(path.stat().st_mode) != 0o700:
            os.chmod(path, 0o700)
    except DataFolderError:
        raise
    except FileExistsError:
        raise DataFolderError("is_file", path) from None
    except NotADirectoryError:
        raise DataFolderError("invalid", path, "a part of its path is a file") from None
    except PermissionError:
        raise DataFolderError("unwritable", path) from None
    except OSError as exc:
        raise DataFolderError("invalid", path, exc.strerror or exc.__class__.__name__) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataFolderError("unwritable", path)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to ``path`` with mode 0600 from the first byte."""
    write_atomic(path, data, mode=0o600)


def load(home: Path) -> dict:
    """Settings from ``home/config.json`` merged over the defaults."""
    settings = {key: (list(value) if isinstance(value, list) else value) for key, value in DEFAULTS.items()}
    path = Path(home) / CONFIG_FILE
    try:
        stored = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable settings ({exc.__class__.__name__})", "file", str(path)) from None
    if not isinstance(stored, dict):
        raise ConfigError(f"{path}: settings must be a JSON object", "file", str(path))
    for key, value in stored.items():
        if key in DEFAULTS:
            settings[key] = validate(key, value)
    return settings


def save(home: Path, settings: dict) -> None:
    """Write the non-default settings to ``home/config.json`` (mode 0600)."""
    ensure_private_dir(Path(home))
    clean = {key: validate(key, settings[key]) for key in DEFAULTS if key in settings}
    body = json.dumps(clean, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_private(Path(home) / CONFIG_FILE, body.encode("utf-8"))


def set_value(home: Path, key: str, raw) -> dict:
    """Validate and store one setting given as text (as typed on the command line).

    ``sensitivity.<category>`` sets one category's level (off, low, normal, high)."""
    if key.startswith("sensitivity."):
        settings = load(home)
        category = key.split(".", 1)[1]
        level = str(raw).strip().lower()
        settings["sensitivity"] = validate("sensitivity", {**settings["sensitivity"], category: level})
        if level == "normal":
            settings["sensitivity"].pop(category, None)
        save(home, settings)
        return settings
    if key not in DEFAULTS:
        raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}", "unknown", key)
    settings = load(home)
    settings[key] = validate(key, _from_text(key, raw))
    save(home, settings)
    return settings


def _from_text(key: str, raw):
    if not isinstance(raw, str):
        return raw
    if raw.strip().lower() in ("", "none", "null", "-"):
        return DEFAULTS[key]
    if key == "extension-ids":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if key == "share-feedback":
        value = raw.strip().lower()
        if value in ("on", "yes", "true", "1"):
            return True
        if value in ("off", "no", "false", "0"):
            return False
        raise ConfigError(f"{key}: expected on or off, got {raw!r}", "bool", key)
    if key in ("retention-days", "port", "update-interval", "silence-minutes"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{key}: expected a whole number, got {raw!r}", "number", key) from None
    return raw.strip()


def validate(key: str, value):
    """Return ``value`` if ``key`` may take it, else raise ConfigError naming the key."""
    if key in ("intake-url", "update-url"):
        return None if value is None else _check_url(key, value)
    if key == "intake-code":
        if value is None:
            return None
        if not isinstance(value, str) or not _INTAKE_CODE.fullmatch(value):
            raise ConfigError(f"{key}: expected the code given by the NGO (letters, digits and dashes)", "code", key)
        return value
    if key == "extension-ids":
        if not isinstance(value, list) or not all(isinstance(v, str) and _CHROME_ID.match(v) for v in value):
            raise ConfigError(f"{key}: expected Chrome extension ids (32 letters a-p), comma-separated", "ids", key)
        return sorted(set(value))
    if key == "retention-days":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            raise ConfigError(f"{key}: expected a number of days from 1 to 3650", "days", key)
        return value
    if key == "port":
        if not isinstance(value, int) or isinstance(value, bool) or not 1024 <= value <= 65535:
            raise ConfigError(f"{key}: expected a port from 1024 to 65535", "port", key)
        return value
    if key == "update-interval":
        if not isinstance(value, int) or isinstance(value, bool) or not 300 <= value <= 604800:
            raise ConfigError(f"{key}: expected seconds from 300 (5 minutes) to 604800 (a week)", "interval", key)
        return value
    if key == "share-feedback":
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected on or off", "bool", key)
        return value
    if key == "silence-minutes":
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 1440:
            raise ConfigError(f"{key}: expected minutes from 5 to 1440", "minutes", key)
        return value
    if key == "sensitivity":
        return _check_sensitivity(value)
    if key == "trusted-keys":
        if value is None:
            return None
        if not isinstance(value, str) or not Path(value).expanduser().is_file():
            raise ConfigError(f"{key}: expected the path of an existing keys file", "keys_file", key)
        return str(Path(value).expanduser().resolve())
    raise ConfigError(f"unknown setting {key!r}", "unknown", key)


def _check_sensitivity(value) -> dict:
    from himaya.core.categories import CATEGORIES

    if not isinstance(value, dict):
        raise ConfigError("sensitivity: expected an object of category: level", "level", "sensitivity")
    out = {}
    for category, level in value.items():
        key = f"sensitivity.{category}"
        if category not in CATEGORIES:
            raise ConfigError(f"{key}: unknown category; known: {', '.join(CATEGORIES)}", "category", key)
        if level not in SENSITIVITY_LEVELS:
            raise ConfigError(f"{key}: expected off, low, normal or high", "level", key)
        if level == "off" and category in NEVER_OFF:
            raise ConfigError(f"{key}: this category can never be switched off (low is the least)", "never_off", key)
        if level != "normal":
            out[category] = level
    return dict(sorted(out.items()))


def _check_url(key: str, value) -> str:
    # HTTPS only, so reports never cross the network in clear; plain HTTP is
    # allowed to the loopback address alone (a local relay, or tests).
    if not isinstance(value, str) or len(value) > 2048:
        raise ConfigError(f"{key}: expected a URL", "url", key)
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        raise ConfigError(f"{key}: not a valid URL", "url", key) from None
    if parts.username or parts.password:
        raise ConfigError(f"{key}: a URL with a user name or password is refused", "url_userinfo", key)
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1"):
        return value
    raise ConfigError(f"{key}: must start with https:// (http:// only for 127.0.0.1)", "url_scheme", key)


def load_token(home: Path, create: bool = True) -> str | None:
    """The companion's API token (``home/token``, mode 0600), made on first use."""
    path = Path(home) / TOKEN_FILE
    try:
        token = path.read_text("ascii").strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    if not create:
        return None
    ensure_private_dir(Path(home))
    token = secrets.token_urlsafe(32)
    write_private(path, token.encode("ascii") + b"\n")
    return token
