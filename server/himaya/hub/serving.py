"""Running the hub: waitress on 127.0.0.1 (or ``--host``), a rotating log, retention.

    server = HubServer.open(home, port=8470)       # binds, or raises PortBusy
    server.run()                                    # until SIGTERM / Ctrl-C

Put it behind a reverse proxy that terminates TLS (docs/HUB.md); the hub speaks
plain HTTP to that proxy only.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import signal
import socket
import threading
from pathlib import Path

from waitress.server import create_server

DEFAULT_PORT = 8470
PURGE_EVERY = 3600.0
log = logging.getLogger("himaya.hub")


class PortBusy(OSError):
    pass


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusy(exc.errno, f"port {port} is already in use") from None
        raise
    sock.listen(512)
    return sock


def setup_logging(home: Path) -> None:
    folder = Path(home) / "logs"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "hub.log"
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("himaya.hub", "waitress"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)


class HubServer:
    def __init__(self, sock, app, threads: int):
        self.sock, self.app = sock, app
        self.port = sock.getsockname()[1]
        self.hub = app.extensions["hub"]
        self._stop = threading.Event()
        self._waitress = create_server(app, sockets=[sock], threads=threads, ident="",
                                       max_request_body_size=int(self.hub.settings["max-report-bytes"]) + 65536,
                                       channel_timeout=60, connection_limit=1000)

    @classmethod
    def open(cls, home: Path, port: int, host: str = "127.0.0.1", db: str | None = None, threads: int = 8,
             app_config: dict | None = None) -> "HubServer":
        from himaya.hub.app import create_app

        sock = bind(host, port)
        try:
            app = create_app({**(app_config or {}), "HOME": home, **({"DB": db} if db else {})})
        except BaseException:
            sock.close()
            raise
        return cls(sock, app, threads)

    def _retention(self):
        from himaya.hub.triage import purge_dismissed

        while not self._stop.is_set():
            try:
                removed = purge_dismissed(self.hub.db, self.hub.retention_days())
                if removed:
                    log.info("retention: %d dismissed report(s) deleted", removed)
            except Exception as exc:
                log.warning("retention skipped: %s", exc.__class__.__name__)
            self._stop.wait(PURGE_EVERY)

    def run(self) -> None:
        threading.Thread(target=self._retention, name="hub-retention", daemon=True).start()

        def terminate(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, terminate)
        log.info("hub serving on port %d", self.port)
        try:
            self._waitress.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._stop.set()
            self._waitress.close()
            self.hub.db.close()
            log.info("hub stopped")
