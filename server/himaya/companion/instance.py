"""One companion per data folder: a second one refuses to start and names the first.

Two companions on one folder would share a database, a token and a pairing
code while only one of them owns the port the extension uses. The running one
holds an exclusive lock on ``companion.lock`` (released by the system when the
process ends, even if it crashes) and writes its process id and port there::

    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> first = claim(home, 47615)
    >>> claim(home, 47616)
    Traceback (most recent call last):
    ...
    himaya.companion.instance.AlreadyRunning: a companion already runs on this data folder (pid ..., port 47615)
    >>> first.release()
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

LOCK_FILE = "companion.lock"


class AlreadyRunning(RuntimeError):
    def __init__(self, info: dict):
        self.info = info
        super().__init__(f"a companion already runs on this data folder (pid {info.get('pid', '?')}, "
                         f"port {info.get('port', '?')})")


def _lock(fd: int) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class Claim:
    """The lock of the running companion; ``update(port)`` once the real port is known."""

    def __init__(self, fd: int, path: Path):
        self.fd, self.path = fd, path

    def update(self, port: int) -> None:
        body = json.dumps({"pid": os.getpid(), "port": port, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                                       time.gmtime())})
        # Written after byte 0 is locked; on Windows the lock covers byte 0 only, readers read the rest.
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, (" " + body).encode("ascii"))

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def running(home: Path) -> dict | None:
    """What the lock file says about the running companion, or None when none runs."""
    path = Path(home) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _lock(fd):
            return None
        return _read(path)
    finally:
        os.close(fd)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text("ascii").strip() or "{}")
    except (OSError, ValueError):
        return {}


def claim(home: Path, port: int) -> Claim:
    """Take the data folder for this process, or raise AlreadyRunning naming the one that has it."""
    path = Path(home) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    if not _lock(fd):
        os.close(fd)
        raise AlreadyRunning(_read(path))
    held = Claim(fd, path)
    held.update(port)
    return held
