"""The companion's application factory: guard + API + store, wired once.

    >>> from himaya.companion.app import create_app
    >>> app = create_app({"HOME": "/tmp/himaya-doc", "PORT": 47615})   # doctest: +SKIP

``config`` keys (all optional): ``HOME`` (data folder; default ``data_home()``),
``RULES`` (any object with ``.scanner`` and ``.status()``; default the bundled
rules), ``RULES_PATH``, ``PORT`` (the port the Host check expects; default the
``port`` setting), ``EXTENSION_IDS`` (Chrome ids added to the setting),
``TOKEN``, ``RATE_LIMIT`` (scan units), ``REQUEST_RATE_LIMIT`` (other requests)
and ``PAIR_RATE_LIMIT`` ((per second, burst); see guard.py),
``BUSY_TIMEOUT_MS`` (how long a write waits for a locked database),
``TESTING``. ``DEBUG`` is refused outside tests: the debugger would hand any
local page a Python shell.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask

from himaya.companion import config as settings_mod
from himaya.companion.guard import BODY_CAPS, PAIR_RATE, RATE, REQUEST_RATE, Guard, GuardSettings
from himaya.companion.health import ScanHealth
from himaya.companion.pin import Unlocks
from himaya.companion.store import Store, StoreError


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _epoch(iso: str | None) -> float | None:
    try:
        return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None

log = logging.getLogger("himaya")


class StaticRules:
    """A rules holder over one fixed scanner (used when no updater runs).

    >>> holder = StaticRules(scanner)            # doctest: +SKIP
    >>> holder.status()["version"]               # doctest: +SKIP
    '2025.01.3'
    """

    def __init__(self, scanner):
        self.scanner = scanner

    def status(self) -> dict:
        return {"list_id": None, "version": self.scanner.version, "created": None, "expires": None, "stale": False,
                "last_check": None, "last_error": None, "source": "static"}

    def stop(self) -> None:
        pass


class TrustedIds:
    """The Chrome extension ids the guard trusts, as they are now: those given for this run
    (``himaya serve --extension-id``) and the ``extension-ids`` setting, re-read when
    config.json changes, so ``himaya config set extension-ids ...`` takes effect (and a
    removed id stops being trusted) without a restart.

    >>> ids = TrustedIds({"a" * 32}, lambda: {"extension-ids": ["b" * 32]})
    >>> "b" * 32 in ids, "c" * 32 in ids
    (True, False)
    """

    def __init__(self, fixed, settings):
        self.fixed = set(fixed)
        self._settings = settings

    def configured(self) -> frozenset:
        return frozenset(self._settings()["extension-ids"])

    def __contains__(self, extension_id) -> bool:
        return extension_id in self.fixed or extension_id in self.configured()

    def __iter__(self):
        return iter(self.fixed | self.configured())


class Companion:
    """What the API views share: rules, store, settings, counters, locks."""

    def __init__(self, home: Path, rules, store: Store, guard: GuardSettings):
        self.home = home
        self.rules = rules
        self.store = store
        self.guard = guard
        self.outbox_wakeup = threading.Event()
        self.health = ScanHealth(home)  # did the extension keep up (counts it reports, no text)
        self.gate = None  # the Guard in front of the app (its 429 count)
        self.scans = 0
        self._scan_lock = threading.Lock()
        self._settings_cache = (None, None)
        self._settings_lock = threading.Lock()
        self.unlocks = Unlocks()
        self._contact_lock = threading.Lock()
        self.last_contact = _epoch(store.meta_get("last_contact"))
        self._contact_saved = self.last_contact or 0.0
        self._allowed = None  # the allow-list, cached; cleared when it changes

    # -- the extension's silences ------------------------------------------------

    def contact(self, now: float | None = None) -> None:
        """The extension spoke: a gap longer than ``silence-minutes`` is kept for the parent."""
        now = time.time() if now is None else now
        threshold = self.settings()["silence-minutes"] * 60
        with self._contact_lock:
            last, self.last_contact = self.last_contact, now
            try:
                if last is not None and now - last > threshold:
                    self.store.add_silence(_iso(last), _iso(now))
                if now - self._contact_saved >= 60 or (last is not None and now - last > threshold):
                    self.store.meta_set("last_contact", _iso(now))
                    self._contact_saved = now
            except StoreError:
                pass  # a busy or full disk must not stop a scan

    def extension_state(self, now: float | None = None) -> dict:
        now = time.time() if now is None else now
        threshold = self.settings()["silence-minutes"] * 60
        last = self.last_contact
        silent = last is None or now - last > threshold
        return {"last_contact": _iso(last) if last else None, "silent": silent,
                "silent_since": _iso(last) if (silent and last) else None,
                "silence_minutes": threshold // 60, "silences": self.store.silences(20)}

    # -- the allow-list ------------------------------------------------------------

    def allowed(self) -> set:
        cached = self._allowed
        if cached is None:
            cached = self._allowed = self.store.allowed_set()
        return cached

    def allow_changed(self) -> None:
        self._allowed = None

    def count_scans(self, n: int = 1) -> None:
        with self._scan_lock:
            self.scans += n

    def settings(self) -> dict:
        """config.json, re-read when it changes (``himaya config set`` while serving)."""
        path = self.home / settings_mod.CONFIG_FILE
        try:
            info = os.stat(path)
            # Settings are written by replacing the file: a new inode even within one mtime tick.
            stamp = (info.st_mtime_ns, info.st_ino, info.st_size)
        except FileNotFoundError:
            stamp = 0
        with self._settings_lock:
            cached_stamp, cached = self._settings_cache
            if cached is None or cached_stamp != stamp:
                try:
                    cached = settings_mod.load(self.home)
                except settings_mod.ConfigError:
                    if cached is None:
                        raise
                    # a hand edit that does not parse: keep the running settings
                    log.warning("config.json unreadable; keeping the settings in use")
                self._settings_cache = (stamp, cached)
            return cached

    def learn_extension(self, extension_id: str) -> None:
        """Trust a Chrome extension id that paired with a valid code, and remember it
        in the ``extension-ids`` setting (which the guard reads)."""
        current = settings_mod.load(self.home)
        if extension_id not in current["extension-ids"]:
            current["extension-ids"] = current["extension-ids"] + [extension_id]
            try:
                settings_mod.save(self.home, current)
            except OSError:
                self.guard.extension_ids.fixed.add(extension_id)  # trusted for this run at least


def _default_rules(path=None):
    from himaya import Scanner

    return StaticRules(Scanner.load(path))


def create_app(config: dict | None = None) -> Flask:
    """Build the companion's WSGI application (see the module docstring)."""
    config = dict(config or {})
    testing = bool(config.get("TESTING"))
    if config.get("DEBUG") and not testing:
        raise RuntimeError("DEBUG is refused outside tests: it would expose the debugger")
    home = Path(config["HOME"]) if config.get("HOME") else settings_mod.data_home()
    settings_mod.ensure_private_dir(home)
    settings = settings_mod.load(home)
    rules = config.get("RULES") or _default_rules(config.get("RULES_PATH"))
    guard = GuardSettings(
        port=int(config.get("PORT") or settings["port"]),
        token=config.get("TOKEN") or settings_mod.load_token(home),
        extension_ids=set(),  # TrustedIds below, once the settings can be read live
        rate=tuple(config.get("RATE_LIMIT", RATE)),
        request_rate=tuple(config.get("REQUEST_RATE_LIMIT", REQUEST_RATE)),
        pair_rate=tuple(config.get("PAIR_RATE_LIMIT", PAIR_RATE)),
    )

    # No static files, no automatic OPTIONS: every route is an API route, every answer JSON.
    app = Flask("himaya", static_folder=None)
    app.config.update(TESTING=testing, DEBUG=bool(config.get("DEBUG")) and testing, PROPAGATE_EXCEPTIONS=False,
                      MAX_CONTENT_LENGTH=max(BODY_CAPS.values()), TRAP_HTTP_EXCEPTIONS=False,
                      PROVIDE_AUTOMATIC_OPTIONS=False)
    app.debug = app.config["DEBUG"]  # FLASK_DEBUG in the environment must not switch it on
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    store = Store(home / "himaya.db", int(config.get("BUSY_TIMEOUT_MS", 5000)))
    companion = app.extensions["himaya"] = Companion(home, rules, store, guard)
    guard.extension_ids = TrustedIds(config.get("EXTENSION_IDS", ()), companion.settings)

    from himaya.companion import api

    app.register_blueprint(api.bp)
    api.register_errors(app)
    app.extensions["himaya"].gate = app.wsgi_app = Guard(app.wsgi_app, guard, direct=api.direct_answers(app))
    return app
