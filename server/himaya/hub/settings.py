"""The hub's home folder and settings (``hub.json``).

``HIMAYA_HUB_HOME``, else the platform's data folder for ``himaya-hub``; mode
0700, ``hub.json`` 0600 (it may hold a PostgreSQL password)::

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp()) / "hub"
    >>> s = load(home)
    >>> s["retention-days"], s["db"].startswith("sqlite:///")
    (30, True)
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from himaya.files import write_atomic

SETTINGS_FILE = "hub.json"
DB_FILE = "hub.db"

DEFAULTS = {
    "db": None,                   # SQLAlchemy URL; None = hub.db in the home folder
    "retention-days": 30,         # dismissed reports are deleted this long after dismissal
    "secure-cookies": True,       # only for tests on 127.0.0.1 may this be false
    "session-minutes": 30,        # idle staff sessions end after this
    "lockout-minutes": 15,        # an account locked after 5 wrong passwords stays locked this long
    "family-rate": [20, 3600],    # unenrolled (family) reports: this many per this many seconds, per address
    "max-report-bytes": 24 * 1024 * 1024,
    "rules": None,                # a rules folder for rule texts (default: the bundled list)
    "behind-proxy": False,        # trust one reverse proxy's X-Forwarded-For/-Proto/-Host (docs/HUB.md)
    "bundles": None,              # a published bundle folder served at /updates/ (docs/PUBLISHING.md)
}


class SettingsError(ValueError):
    pass


def hub_home(home: str | Path | None = None, create: bool = True) -> Path:
    """The hub's folder: ``home``, else ``$HIMAYA_HUB_HOME``, else the platform's folder."""
    if home is None:
        env = os.environ.get("HIMAYA_HUB_HOME")
        if env:
            home = Path(env).expanduser()
        else:
            import platformdirs

            home = Path(platformdirs.user_data_dir("himaya-hub", appauthor=False))
    home = Path(home)
    if create:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if stat.S_IMODE(home.stat().st_mode) != 0o700:
            os.chmod(home, 0o700)
    return home


def load(home: Path) -> dict:
    settings = {k: (list(v) if isinstance(v, list) else v) for k, v in DEFAULTS.items()}
    path = Path(home) / SETTINGS_FILE
    try:
        stored = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        stored = {}
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{path}: unreadable ({exc.__class__.__name__})") from None
    if not isinstance(stored, dict):
        raise SettingsError(f"{path}: must be a JSON object")
    settings.update({k: v for k, v in stored.items() if k in DEFAULTS})
    if not settings["db"]:
        settings["db"] = "sqlite:///" + str((Path(home) / DB_FILE).resolve())
    return settings


def save(home: Path, changes: dict) -> dict:
    """Merge ``changes`` into hub.json (mode 0600) and return the settings."""
    path = Path(home) / SETTINGS_FILE
    try:
        stored = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        stored = {}
    for key, value in changes.items():
        if key not in DEFAULTS:
            raise SettingsError(f"unknown hub setting {key!r}")
        stored[key] = value
    write_atomic(path, (json.dumps(stored, indent=2, sort_keys=True) + "\n").encode("utf-8"), mode=0o600)
    return load(home)
