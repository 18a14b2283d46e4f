"""Writing files so that a crash or a full disk never leaves half a file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "state.json"
    >>> write_atomic(p, b"{}", mode=0o600)
    >>> p.read_bytes(), oct(p.stat().st_mode & 0o777)
    (b'{}', '0o600')
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write next to `path`, flush to disk, then rename over it: readers see the
    old file or the new one, never a mix. `mode` applies from the first byte
    (0o600 for anything private), before umask."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
