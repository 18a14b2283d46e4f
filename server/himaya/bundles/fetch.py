"""Where a published list is read from: an https address or a folder (a USB key).

Reads are capped before they happen: a declared Content-Length over the cap is
refused without reading, and a body is never read past cap + 1 bytes. Only the
configured address is contacted: redirects are refused, no proxy is used, and
plain http is accepted for the loopback address alone (as in config)::

    >>> src = open_source("/media/usb/himaya")                 # doctest: +SKIP
    >>> src.get("manifest.json", limit=1 << 20).data[:1]        # doctest: +SKIP
    b'{'
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from himaya import __version__
from himaya.bundles.manifest import BundleError

TIMEOUT = 20  # seconds per connect or read
DEADLINE = 120  # seconds for one whole file, so a server trickling bytes cannot hold us
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class NotModified(Exception):
    """The server answered 304: the manifest has not changed since the last check."""


@dataclass
class Fetched:
    data: bytes
    etag: str | None = None
    last_modified: str | None = None


def _check_size(name: str, size: int, limit: int, expect: int | None) -> None:
    if size > limit or (expect is not None and size > expect):
        raise BundleError("oversized", f"{name}: more than the {min(limit, expect or limit)} bytes expected")
    if expect is not None and size < expect:
        raise BundleError("truncated", f"{name}: {size} bytes, {expect} expected")


class DirSource:
    """A published folder on disk (USB key, network share)."""

    def __init__(self, root: Path):
        self.root = root
        self.where = str(root.resolve())

    def get(self, name: str, limit: int, expect: int | None = None, etag=None, last_modified=None) -> Fetched:
        path = self.root / name
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise BundleError("not_found", f"{name} is not in {self.root}") from None
        except OSError as exc:
            raise BundleError("fetch_failed", f"{name}: {exc.strerror}") from None
        _check_size(name, len(data), limit, expect)
        return Fetched(data)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise BundleError(
            "fetch_failed", f"{req.full_url} redirects to {newurl}; configure the final address instead"
        )


class HttpSource:
    """A published folder served over https (or http on 127.0.0.1)."""

    def __init__(self, base: str):
        self.base = base if base.endswith("/") else base + "/"
        self.where = self.base
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def get(self, name: str, limit: int, expect: int | None = None, etag=None, last_modified=None) -> Fetched:
        url = urljoin(self.base, name)
        headers = {"User-Agent": f"himaya/{__version__}", "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self._opener.open(urllib.request.Request(url, headers=headers), timeout=TIMEOUT) as resp:
                declared = resp.headers.get("Content-Length")
                if declared and declared.isdigit():
                    _check_size(name, int(declared), limit, None)
                data = _read_capped(resp, limit, name)
                if declared and declared.isdigit() and len(data) < int(declared):
                    raise BundleError("truncated", f"{name}: {len(data)} of {declared} bytes arrived")
                _check_size(name, len(data), limit, expect)
                return Fetched(data, resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 304:
                raise NotModified() from None
            if exc.code in (404, 410):
                raise BundleError("not_found", f"{url}: HTTP {exc.code}") from None
            error = BundleError("fetch_failed", f"{url}: HTTP {exc.code}")
            error.retry_after = _retry_after(exc.headers.get("Retry-After"))
            raise error from None
        except http.client.IncompleteRead:
            raise BundleError("truncated", f"{name}: connection closed early") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise BundleError("fetch_failed", f"{url}: {reason}") from None


def _read_capped(resp, limit: int, name: str) -> bytes:
    chunks, size, started = [], 0, time.monotonic()
    while True:
        chunk = resp.read(min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
        if time.monotonic() - started > DEADLINE:
            raise BundleError("fetch_failed", f"{name}: download took more than {DEADLINE} s")
    return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    return float(value) if value and value.strip().isdigit() else None


def open_source(where: str):
    """A DirSource or HttpSource for an address; raises BundleError("bad_source")."""
    if not isinstance(where, str) or not where.strip():
        raise BundleError("no_source", "no update address")
    parts = urlsplit(where)
    if parts.scheme in ("https", "http"):
        if parts.username or parts.password or not parts.hostname:
            raise BundleError("bad_source", "an update address has a host and no user name")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise BundleError("bad_source", "use https:// (plain http only for 127.0.0.1)")
        base = where[: -len("manifest.json")] if where.endswith("/manifest.json") else where
        return HttpSource(base)
    if parts.scheme == "file":
        where = parts.path
    elif len(parts.scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise BundleError("bad_source", f"unsupported address scheme {parts.scheme!r}")
    root = Path(where).expanduser()
    if root.is_file() and root.name == "manifest.json":
        root = root.parent
    if not root.is_dir():
        raise BundleError("bad_source", f"{root} is not a folder")
    return DirSource(root)
