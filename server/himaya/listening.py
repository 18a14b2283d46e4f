"""What the companion and the hub share to run: a listening socket that says
clearly when its port is taken, and a rotating log whose every file is private.

    >>> sock = listen("127.0.0.1", 0)
    >>> sock.getsockname()[0]
    '127.0.0.1'
    >>> sock.close()
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import socket
from pathlib import Path


class PortBusy(OSError):
    """The port is taken by another program (maybe another companion or hub)."""


def listen(host: str, port: int, backlog: int = 128) -> socket.socket:
    """A listening TCP socket on host:port (IPv6 when the host has a colon)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    # Lets a restarted server take its port back from TIME_WAIT; on Linux it
    # never allows two live listeners, so a busy port is still refused.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortBusy(exc.errno, f"port {port} is already in use") from None
        raise
    sock.listen(backlog)
    return sock


class PrivateLog(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is created 0600, the first one and each
    one started after a rotation (the standard handler leaves that to the umask)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def private_log(home: Path, file_name: str, loggers: tuple[str, ...], level=logging.INFO) -> logging.Handler:
    """Log `loggers` to ``home/logs/<file_name>``, rotated at 1 MB, five files kept, all 0600."""
    folder = Path(home) / "logs"
    folder.mkdir(mode=0o700, exist_ok=True)
    handler = PrivateLog(folder / file_name, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in loggers:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
    return handler
