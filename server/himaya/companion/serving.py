"""Running the companion: waitress on 127.0.0.1, a rotating log, background work.

Never Flask's development server, never the debugger, never an address but
the loopback one::

    server = Server.open(home, port=47615)     # binds, or raises PortBusy
    server.run()                               # until SIGTERM / Ctrl-C

The socket is bound here (not by waitress) so that a busy port gives a clear
error, port 0 gives a free one, and the Host check knows the real port.
"""

from __future__ import annotations

import errno
import json
import logging
import logging.handlers
import os
import signal
import socket
import threading
import time
from pathlib import Path

from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from himaya.companion.app import create_app
from himaya.companion.guard import BODY_CAPS
from himaya.companion.outbox import Outbox
from himaya.core.scanner import settle_memory

HOST = "127.0.0.1"
LOG_FILE = "companion.log"
PURGE_EVERY = 3600.0

log = logging.getLogger("himaya")


class PortBusy(OSError):
    """The port is taken by another program (maybe another companion)."""


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on the loopback address; refuses any other host."""
    if host != HOST:
        raise ValueError(f"the companion binds {HOST} only, not {host!r}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Lets a restarted companion take its port back from TIME_WAIT; on Linux
    # it never allows two live listeners, so a busy port is still refused.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusy(exc.errno, f"port {port} is already in use") from None
        raise
    sock.listen(128)
    return sock


def setup_logging(home: Path, level=logging.INFO) -> logging.Handler:
    """Log to ``home/logs/companion.log``, rotated at 1 MB, five files kept, mode 0600."""
    folder = Path(home) / "logs"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / LOG_FILE
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("himaya", "waitress"):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
    return handler


class _JsonErrorTask(ErrorTask):
    """waitress's own refusals (malformed request, body over its cap) in JSON too."""

    def execute(self):
        problem = self.request.error
        code = {413: "too_large", 431: "too_large"}.get(problem.code, "bad_request")
        body = json.dumps({"error": code, "detail": problem.reason}).encode("utf-8")
        self.status = f"{problem.code} {problem.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _JsonChannel(HTTPChannel):
    error_task_class = _JsonErrorTask


def load_rules(home: Path, settings: dict):
    """The rules holder: the active signed list of this data folder, kept up to date."""
    from himaya.bundles.updater import RuleManager

    manager = RuleManager(home, settings)
    manager.start_polling()
    return manager


class Server:
    """One running companion: socket, app, waitress, outbox and retention threads."""

    def __init__(self, sock, app, threads: int):
        self.sock = sock
        self.app = app
        self.port = sock.getsockname()[1]
        self.companion = app.extensions["himaya"]
        self._stop = threading.Event()
        self._waitress = create_server(app, sockets=[sock], threads=threads, ident="",
                                       max_request_body_size=max(BODY_CAPS.values()) + 65536,
                                       asyncore_use_poll=True, channel_timeout=60)
        self._waitress.channel_class = _JsonChannel
        self._threads: list[threading.Thread] = []

    @classmethod
    def open(cls, home: Path, port: int, extension_ids=(), threads: int = 8, rules=None,
             app_config: dict | None = None) -> "Server":
        """Bind, build the app (``app_config`` adds create_app keys), ready to ``run()``."""
        from himaya.companion import config as settings_mod

        settings = settings_mod.load(home)
        sock = bind(port)
        try:
            rules = rules or load_rules(home, settings)
            app = create_app({**(app_config or {}), "HOME": home, "PORT": sock.getsockname()[1], "RULES": rules,
                              "EXTENSION_IDS": list(extension_ids)})
        except BaseException:
            sock.close()
            raise
        settle_memory()  # the compiled rules out of the collector's way (see scanner.py)
        return cls(sock, app, threads)

    def _background(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _retention(self):
        while not self._stop.is_set():
            try:
                days = self.companion.settings()["retention-days"]
                removed = self.companion.store.purge(days)
                if removed:
                    log.info("retention: %d old metadata rows removed", removed)
            except Exception as exc:
                log.warning("retention purge skipped: %s", exc.__class__.__name__)
            self._stop.wait(PURGE_EVERY)

    def run(self) -> None:
        """Serve until SIGTERM or Ctrl-C, then stop cleanly."""
        outbox = Outbox(self.companion.store, self.companion.settings)
        self._background(lambda: outbox.run(self._stop, self.companion.outbox_wakeup), "himaya-outbox")
        self._background(self._retention, "himaya-retention")

        def terminate(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, terminate)
        log.info("serving on %s:%d", HOST, self.port)
        started = time.monotonic()
        try:
            self._waitress.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()
            log.info("stopped after %.0f s", time.monotonic() - started)

    def close(self) -> None:
        self._stop.set()
        self.companion.outbox_wakeup.set()
        self._waitress.close()
        stop = getattr(self.companion.rules, "stop", None)
        if stop:
            stop()
