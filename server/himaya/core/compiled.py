"""A compiled rule list kept on disk, so that a cold `himaya scan` does not
parse and compile every rule again (about 1 s) when the list has not changed.

The file is a pickle of the Scanner's rule set and index, keyed by a hash of
every file of the rules folder and the program's version. Pickle runs code
when loaded, so a cache file is loaded only when it is a regular file owned by
the current user, not a symlink, and readable and writable by that user alone
(mode 0600) in a folder only that user can write to; anything else is ignored
and rebuilt::

    >>> scanner = load_scanner(Path("rules"), cache_dir=Path.home() / ".local/share/himaya/cache")  # doctest: +SKIP

The objects of the Rust and C engines (Aho-Corasick automata, RE2 patterns and
Sets) are rebuilt from their patterns when loaded, and the index recompiles its
conditions (matcher.Index.__setstate__): tens of milliseconds; the list's model
keeps its weights and gets a fresh token cache.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import stat
from dataclasses import fields
from pathlib import Path

import re2

from himaya import __version__
from himaya.core.model import Model
from himaya.core.textindex import TokenAutomaton

FORMAT = 10  # raised whenever what is pickled changes shape (an old cache is then never read)
MAX_FILES = 5000


def folder_key(root: Path, signals: str = "both") -> str:
    """A hash of every file below `root` (names and bytes), the program version and `signals`."""
    h = hashlib.sha256(f"himaya-compiled/{FORMAT}/{__version__}/{signals}\0".encode())
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    if len(files) > MAX_FILES:
        raise ValueError("too many files to key a cache")
    for p in files:
        h.update(str(p.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:32]


# -- pickling the engines' objects by their patterns --------------------------------

def _automaton(keys, refs, engine):
    return TokenAutomaton(dict(zip(keys, refs)), engine=engine)


def _regex(pattern):
    return re2.compile(pattern)


def _model(state):
    return Model(**state)  # a fresh token cache and lock


_REGEX_TYPE = type(re2.compile("a"))


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, TokenAutomaton):
            return _automaton, (obj.keys, obj.refs, obj.engine)
        if isinstance(obj, _REGEX_TYPE):
            return _regex, (obj.pattern,)
        if isinstance(obj, Model):
            return _model, ({f.name: getattr(obj, f.name) for f in fields(obj) if not f.name.startswith("_")},)
        return NotImplemented


def dumps(scanner) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
        {"ruleset": scanner.ruleset, "index": scanner.index, "disabled": scanner.disabled,
         "signals": scanner.signals})
    return buffer.getvalue()


def loads(data: bytes, scanner_class):
    # Unpickling makes some 300 000 objects; the cycle collector, left on, walks
    # them again and again as they come (0.3 s instead of 0.14 s). Nothing here
    # is garbage, so it waits until they are all made.
    was_on = gc.isenabled()
    gc.disable()
    try:
        state = pickle.loads(data)  # noqa: S301 (only the user's own 0600 file, see _trusted)
    finally:
        if was_on:
            gc.enable()
    scanner = scanner_class.__new__(scanner_class)
    scanner_class.__init__(scanner, state["ruleset"], state["disabled"], signals=state["signals"],
                           index=state["index"])
    return scanner


def _trusted(fd: int, folder: Path) -> bool:
    """The open file is a regular file of ours, mode 0600, in a folder of ours that no one else can write."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o177:
        return False
    if hasattr(os, "getuid"):
        folder_info = os.stat(folder)
        if info.st_uid != os.getuid() or folder_info.st_uid != os.getuid() or folder_info.st_mode & 0o022:
            return False
    return True


def read(path: Path) -> bytes | None:
    """The cache file's bytes when it can be trusted, else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not _trusted(fd, path.parent):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def load_scanner(root: Path, cache_dir: Path | None, signals: str = "both"):
    """The Scanner for the rules folder `root`, from the cache when it is there and trusted."""
    from himaya.core.scanner import Scanner
    from himaya.files import write_atomic

    if cache_dir is None:
        return Scanner.load(root, signals=signals)
    try:
        key = folder_key(Path(root), signals)
    except (OSError, ValueError):
        return Scanner.load(root, signals=signals)
    path = Path(cache_dir) / f"compiled-{key}.pickle"
    data = read(path)
    if data is not None:
        try:
            return loads(data, Scanner)
        except Exception:  # an old or broken cache: rebuild it below
            pass
    scanner = Scanner.load(root, signals=signals)
    try:
        data = dumps(scanner)
    except (pickle.PicklingError, TypeError, AttributeError):
        return scanner  # an object that cannot be kept (a bug, which tests catch): scan without a cache
    try:
        Path(cache_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in Path(cache_dir).glob("compiled-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        write_atomic(path, data, mode=0o600)
    except OSError:
        pass  # a read-only data folder: scan without a cache
    return scanner
