"""Running the hub: waitress on 127.0.0.1 (or ``--host``), a rotating log, retention.

    server = HubServer.open(home, port=8470)       # binds, or raises PortBusy
    server.run()                                    # until SIGTERM / Ctrl-C

Put it behind a reverse proxy that terminates TLS (docs/HUB.md); the hub speaks
plain HTTP to that proxy only.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from pathlib import Path

from waitress.server import create_server

from himaya.listening import PortBusy, listen, private_log  # noqa: F401 (PortBusy: raised by bind)

DEFAULT_PORT = 8470
PURGE_EVERY = 3600.0
log = logging.getLogger("himaya.hub")


def bind(host: str, port: int) -> socket.socket:
    return listen(host, port, backlog=512)


def setup_logging(home: Path) -> logging.Handler:
    """Log to ``home/logs/hub.log``, rotated at 1 MB, five files kept, every file 0600."""
    return private_log(home, "hub.log", ("himaya.hub", "waitress"))


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
