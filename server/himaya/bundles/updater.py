"""The update client on every computer: verified, atomic rule-list updates.

    >>> rm = RuleManager(home, config)          # doctest: +SKIP
    >>> rm.scanner.scan("ajoute-moi sur snap").risk                # doctest: +SKIP
    True
    >>> rm.update("https://ngo.example/himaya/")["status"]        # doctest: +SKIP
    'updated'
    >>> rm.status()["version"]                                     # doctest: +SKIP
    12

On disk (``home/rules/``): ``versions/<list>-v<version>-<tag>/`` bundle folders,
``active.json`` naming the active one (replaced atomically), ``state.json``
(last check, last error, ETag). A new list is fetched into ``staging/``,
checked, moved beside the active one, compiled and tested there; only then
does the pointer change and ``self.scanner`` get the new scanner in one
assignment. Scans hold the scanner they started with, so a scan sees the old
set or the new one, never a mix. On any failure the last good set stays.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from himaya.bundles.manifest import (
    FILES_DIR, LIMITS, MANIFEST, OBJECTS_DIR, SIGNATURES, BundleError, Manifest, check_signatures,
    client_too_old, decode_signatures, encode_signatures, format_time, loads_strict, now_utc,
    sha256_bytes,
)
from himaya.bundles.build import check_rules, read_bundle, verify_files
from himaya.bundles.messages import STALE, message
from himaya.bundles.fetch import NotModified, open_source
from himaya.files import write_atomic
from himaya.bundles.signing import SigningError, load_trusted_keys

log = logging.getLogger("himaya.core.rules")

DATA = Path(__file__).resolve().parents[1] / "data"
BUNDLED = DATA / "default-bundle"
TRUSTED_KEYS = DATA / "trusted-keys.json"
POINTER, STATE = "active.json", "state.json"
DEFAULT_INTERVAL = 6 * 3600  # seconds between checks; each computer adds jitter
MAX_BACKOFF = 24 * 3600
WATCH_SECONDS = 30  # how often the poller looks for a list installed by the CLI


def first_delay(interval: float, rng: random.Random) -> float:
    """Spread the first check after start, so that a morning of computers
    switched on together does not arrive at once."""
    return rng.uniform(0, min(interval, 600))


def next_delay(interval: float, failures: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds until the next check: the interval +-20% when all is well;
    after failures an exponential backoff with jitter, never under Retry-After."""
    if failures <= 0:
        return interval * rng.uniform(0.8, 1.2)
    backoff = min(min(300.0, interval) * 2 ** (failures - 1), MAX_BACKOFF)
    delay = backoff * rng.uniform(0.5, 1.0)
    if retry_after:
        delay = max(delay, min(retry_after, MAX_BACKOFF))
    return delay


@contextmanager
def _process_lock(path: Path):
    """Serialize installs between the service and the CLI (POSIX; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class RuleManager:
    """The active rule list of one data folder, and the way to update it."""

    # Settings the running service takes without a restart (read again by the poller).
    LIVE_SETTINGS = ("update-url", "update-interval", "trusted-keys")

    def __init__(self, home, config: dict | None = None, settings_source=None):
        """``settings_source()``, when given, returns the settings as they are now (the
        companion passes a reader of config.json): the poller takes a changed update-url,
        update-interval or trusted-keys within WATCH_SECONDS, without a restart."""
        self.home = Path(home)
        self.config = dict(config or {})
        self._settings_source = settings_source
        self.root = self.home / "rules"
        for folder in (self.home, self.root, self.root / "versions", self.root / "staging"):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.scanner = None
        self.manifest: Manifest | None = None
        self._active: dict = {}
        self._state = self._read_json(self.root / STATE)
        self.trusted = self._load_trusted()
        with self._lock, _process_lock(self.root / ".lock"):
            self._start()

    # -- start ---------------------------------------------------------------

    def _load_trusted(self):
        path = Path(self.config.get("trusted-keys") or TRUSTED_KEYS)
        try:
            return load_trusted_keys(path)
        except SigningError as exc:
            self._record_error(BundleError("bad_keys", str(exc)))
            return None

    def _start(self) -> None:
        try:
            self._load_pointer()
        except BundleError as exc:
            log.warning("active rule list unusable, falling back to the bundled one: %s", exc)
            self._record_error(exc)
        bundled = read_bundle(BUNDLED)
        active = self.manifest
        if active is None or (
            active.list_id == bundled.manifest.list_id and bundled.manifest.version > active.version
        ):
            # The package's copy is trusted like the package's code: hash-checked, not signed.
            try:
                verify_files(bundled.path, bundled.manifest)
                self._install(bundled.manifest, bundled.manifest_bytes, bundled.signatures,
                              lambda entry: (bundled.path / FILES_DIR / entry.path).read_bytes(), "bundled")
            except BundleError as exc:
                if active is None:
                    raise  # nothing to scan with: a broken install, said loudly
                self._record_error(exc)
        shutil.rmtree(self.root / "staging", ignore_errors=True)
        (self.root / "staging").mkdir(mode=0o700, exist_ok=True)

    def _load_pointer(self) -> bool:
        """Activate what active.json names, if it is not already active; True if it changed."""
        pointer = self._read_json(self.root / POINTER)
        if not pointer.get("dir") or pointer.get("dir") == self._active.get("dir"):
            return False
        folder = self.root / "versions" / Path(pointer["dir"]).name
        bundle = read_bundle(folder)
        verify_files(folder, bundle.manifest)
        # Its rule tests ran before it was activated; compiling is enough here.
        scanner = self._compile(folder, bundle.manifest, with_tests=False)
        self._activate(scanner, bundle.manifest, pointer)
        return True

    def reload_if_changed(self) -> bool:
        """Pick up a list installed by another process (e.g. `himaya rules update`)."""
        with self._lock:
            try:
                return self._load_pointer()
            except BundleError as exc:
                self._record_error(exc)
                return False

    # -- compile, install, swap ----------------------------------------------

    def _compile(self, folder: Path, manifest: Manifest, with_tests: bool):
        from himaya.core.scanner import Scanner

        if with_tests:
            ruleset, _ = check_rules(folder / FILES_DIR, manifest.disabled, with_lint=False)
        else:
            ruleset = self._load_only(folder / FILES_DIR)
        ruleset.list_id = manifest.list_id
        old = self.scanner
        # Conversations carry over, so a swap does not forget a conversation's stages.
        return Scanner(ruleset, manifest.disabled, conversations=old.conversations if old else None)

    @staticmethod
    def _load_only(files: Path):
        from himaya.core.rules import RuleError, load_ruleset

        try:
            return load_ruleset(files)
        except RuleError as exc:
            raise BundleError("invalid_rules", "; ".join(exc.errors[:20])) from None

    def _activate(self, scanner, manifest: Manifest, pointer: dict) -> None:
        scanner.index.build()  # every automaton and rule test ready before the first message meets it
        if scanner.model is not None:
            scanner.model.build()
        self.manifest = manifest
        self._active = pointer
        self.scanner = scanner  # the one assignment every scan sees, before or after
        from himaya.core.scanner import settle_memory

        settle_memory()

    def _install(self, manifest, manifest_bytes, signatures, get, source) -> dict:
        """Lay the files out aside, check, compile and test, then swap. Returns a summary."""
        staging = self.root / "staging" / secrets.token_hex(6)
        (staging / FILES_DIR).mkdir(parents=True, mode=0o700)
        try:
            fetched, reused = self._gather(manifest, staging, get)
            (staging / MANIFEST).write_bytes(manifest_bytes)
            (staging / SIGNATURES).write_bytes(encode_signatures(signatures))
            verify_files(staging, manifest, missing_code="hash_mismatch")
            name = f"{manifest.list_id}-v{manifest.version:08d}-{secrets.token_hex(3)}"
            folder = self.root / "versions" / name
            staging.rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            scanner = self._compile(folder, manifest, with_tests=True)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        pointer = {"dir": name, "list_id": manifest.list_id, "version": manifest.version,
                   "source": source, "activated": format_time(now_utc())}
        write_atomic(self.root / POINTER, (_dumps(pointer)))
        previous = self._active.get("dir")
        self._activate(scanner, manifest, pointer)
        self._prune(keep={name, previous})
        return {"fetched": fetched, "reused": reused}

    def _gather(self, manifest: Manifest, staging: Path, get) -> tuple[list, list]:
        """Copy unchanged files from the active list; fetch only the others."""
        local = {}
        if self.manifest and self._active.get("dir"):
            here = self.root / "versions" / self._active["dir"] / FILES_DIR
            local = {e.sha256: here / e.path for e in self.manifest.files}
        fetched, reused = [], []
        for entry in manifest.files:
            data = None
            if entry.sha256 in local:
                try:
                    data = local[entry.sha256].read_bytes()
                except OSError:
                    data = None
                if data is not None and sha256_bytes(data) != entry.sha256:
                    data = None  # a damaged local copy: fetch it again
            if data is None:
                data = get(entry)
                fetched.append(entry.path)
            else:
                reused.append(entry.path)
            if len(data) != entry.size:
                code = "truncated" if len(data) < entry.size else "oversized"
                raise BundleError(code, f"{entry.path}: {len(data)} bytes, manifest says {entry.size}")
            if sha256_bytes(data) != entry.sha256:
                raise BundleError("hash_mismatch", f"{entry.path} does not match its SHA-256")
            target = staging / FILES_DIR / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return fetched, reused

    def _prune(self, keep: set) -> None:
        for folder in (self.root / "versions").iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    # -- update ----------------------------------------------------------------

    def update(self, source: str | None = None) -> dict:
        """Check a source (default: the configured update-url) and install a newer list.

        Never raises for bad input: the result says what happened, and on any
        failure the last good list stays active and status() says why.
        """
        with self._lock:
            self._state["last_check"] = format_time(now_utc())
            try:
                with _process_lock(self.root / ".lock"):
                    self._load_pointer()
                    result = self._update(source)
                self._state["last_error"] = None
                self._state["failures"] = 0
            except BundleError as exc:
                self._record_error(exc)
                result = {"ok": False, "status": "failed", **exc.to_dict(),
                          "retry_after": getattr(exc, "retry_after", None)}
            except Exception as exc:  # noqa: BLE001 - keep the last good list, whatever happened
                log.exception("rule update failed unexpectedly")
                self._record_error(BundleError("internal", exc.__class__.__name__))
                result = {"ok": False, "status": "failed", **BundleError("internal", "").to_dict()}
            self._save_state()
            result["version"] = self.manifest.version if self.manifest else None
            return result

    def _update(self, source: str | None) -> dict:
        configured = self.config.get("update-url")
        where = source or configured
        src = open_source(where)
        if self.trusted is None:
            raise BundleError("bad_keys", "no pinned keys could be read")
        same = self._state.get("etag_source") == src.where
        try:
            got = src.get(MANIFEST, LIMITS.manifest, etag=self._state.get("etag") if same else None,
                          last_modified=self._state.get("last_modified") if same else None)
        except NotModified:
            return {"ok": True, "status": "not_modified"}
        signatures = decode_signatures(src.get(SIGNATURES, LIMITS.signatures).data)
        manifest = check_signatures(got.data, signatures, self.trusted)
        active = self.manifest
        if active is not None and active.list_id == manifest.list_id:
            if manifest.version < active.version:
                raise BundleError("rollback", f"offered version {manifest.version}, active {active.version}")
            if manifest.version == active.version:
                if manifest != active:
                    raise BundleError("not_newer", f"a different version {manifest.version} is already active")
                self._remember(src, got)
                return {"ok": True, "status": "up_to_date"}
        if manifest.expired():
            raise BundleError("expired", f"version {manifest.version} expired at {manifest.expires}")
        if client_too_old(manifest):
            raise BundleError("client_too_old", f"needs himaya {manifest.min_client} or newer")

        def get(entry):
            return src.get(f"{OBJECTS_DIR}/{entry.sha256}", LIMITS.file, expect=entry.size).data

        summary = self._install(manifest, got.data, signatures, get, src.where)
        self._remember(src, got)
        self._state["last_update"] = format_time(now_utc())
        log.info("rule list %s version %s active", manifest.list_id, manifest.version)
        return {"ok": True, "status": "updated", **summary}

    def _remember(self, src, got) -> None:
        # Only after a manifest was fully handled: a failed one is fetched again next time.
        self._state.update(etag=got.etag, last_modified=got.last_modified, etag_source=src.where)

    # -- status and state ---------------------------------------------------------

    def status(self) -> dict:
        """What the active list is and how the last check went (for CLI and /api/v1/status).

        Lock-free, so the status endpoint answers while a download is running.
        """
        m, active, scanner = self.manifest, self._active, self.scanner
        stale = m.expired() if m else True
        disabled = sorted(m.disabled) if m else []
        rules = [r for r in scanner.ruleset.rules if r.id not in set(disabled)] if scanner else []
        return {
            "list_id": m.list_id if m else None,
            "version": m.version if m else None,
            "created": m.created if m else None,
            "expires": m.expires if m else None,
            "stale": stale,
            "stale_message": dict(STALE) if stale else None,
            "source": active.get("source"),
            "activated": active.get("activated"),
            "last_check": self._state.get("last_check"),
            "last_update": self._state.get("last_update"),
            "last_error": self._state.get("last_error"),
            "update_url": self.config.get("update-url"),
            "rules": len(rules),
            "disabled": disabled,
        }

    def _record_error(self, exc: BundleError) -> None:
        self._state["last_error"] = {"error": exc.code, "detail": exc.detail, "message": message(exc.code),
                                     "at": format_time(now_utc())}
        self._state["failures"] = int(self._state.get("failures") or 0) + 1
        log.warning("rule list update refused: %s", exc.code)

    def _save_state(self) -> None:
        write_atomic(self.root / STATE, _dumps(self._state))

    @staticmethod
    def _read_json(path: Path) -> dict:
        try:
            return loads_strict(path.read_bytes(), path.name)
        except (OSError, BundleError):
            return {}

    # -- polling -------------------------------------------------------------------

    def start_polling(self) -> bool:
        """Start the background checker; True when it will poll the network.

        The thread always watches for a list installed by the CLI and for changed
        settings; it contacts the network only when update-url is set, and only
        that address.
        """
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll_loop, name="himaya-rules", daemon=True)
            self._thread.start()
        return bool(self.config.get("update-url"))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def refresh_settings(self) -> bool:
        """Take the live settings as they are now; True when the address or the interval
        changed (the poller then starts a new schedule)."""
        if self._settings_source is None:
            return False
        try:
            fresh = self._settings_source()
        except Exception as exc:  # noqa: BLE001 - a bad edit of the settings keeps the running ones
            log.warning("settings unreadable, keeping the running ones: %s", exc.__class__.__name__)
            return False
        changed = {key for key in self.LIVE_SETTINGS if fresh.get(key) != self.config.get(key)}
        if not changed:
            return False
        with self._lock:
            self.config.update({key: fresh.get(key) for key in changed})
            if "trusted-keys" in changed:
                self.trusted = self._load_trusted()
        log.info("rule update settings changed: %s", ", ".join(sorted(changed)))
        return bool(changed & {"update-url", "update-interval"})

    def _schedule(self, rng) -> tuple[float, str | None, float]:
        interval = max(1.0, float(self.config.get("update-interval") or DEFAULT_INTERVAL))
        url = self.config.get("update-url")
        due = time.monotonic() + first_delay(interval, rng) if url else float("inf")
        return interval, url, due

    def _poll_loop(self) -> None:
        rng = random.SystemRandom()
        interval, url, due = self._schedule(rng)
        while not self._stop.wait(max(0.0, min(WATCH_SECONDS, due - time.monotonic()))):
            if self.refresh_settings():
                interval, url, due = self._schedule(rng)
            self.reload_if_changed()
            if url and time.monotonic() >= due:
                result = self.update()
                failures = 0 if result["ok"] else int(self._state.get("failures") or 1)
                due = time.monotonic() + next_delay(interval, failures, result.get("retry_after"), rng)


def _dumps(data: dict) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
