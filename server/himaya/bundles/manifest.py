"""Rule bundles: the signed manifest, building one from rules/, checking and publishing it.

A bundle is a folder::

    manifest.json        what the list is: id, version, dates, files with SHA-256 and size
    manifest.sigs.json   Ed25519 signatures over manifest.json's exact bytes (minisign format)
    files/               the rule and lexicon files, laid out as in rules/

A published folder (for static hosting or a USB key) holds the same two
manifest files plus ``by-hash/<sha256>``: files named by their hash never change,
so mirrors can cache them forever and a computer fetches only what changed.

    >>> m = Manifest("demo", 3, "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", files=())
    >>> Manifest.from_json(m.to_json()) == m
    True

The update client lives in `himaya.bundles.updater`; ``from himaya.bundles.manifest import
RuleManager`` works too.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from himaya import __version__
from himaya.bundles.messages import message

FORMAT = "himaya-bundle/1"
MANIFEST = "manifest.json"
SIGNATURES = "manifest.sigs.json"
FILES_DIR = "files"
OBJECTS_DIR = "by-hash"
# What a bundle may carry: rule files and shared word lists, nothing executable.
FILE_SUFFIXES = (".yaml", ".yml", ".txt", ".json", ".csv", ".tsv", ".bin")
LIST_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
RULE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_PATH_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
PATH_RE = re.compile(rf"^(?:{_PATH_PART}/){{0,3}}{_PATH_PART}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Limits:
    """Size caps, checked before anything is read in full."""

    manifest: int = 1 << 20
    signatures: int = 64 << 10
    file: int = 2 << 20
    total: int = 32 << 20
    files: int = 4000


LIMITS = Limits()


class BundleError(Exception):
    """A bundle was refused; `code` is stable (see bundle_messages), `detail` says where."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail

    def to_dict(self, keeps_current: bool = True) -> dict:
        return {"error": self.code, "detail": self.detail, "message": message(self.code, keeps_current)}


# ---------------------------------------------------------------------------
# Small helpers


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def format_time(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone.utc)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def version_tuple(text: str) -> tuple:
    """'0.10.2' -> (0, 10, 2); anything unparsable compares as very new (refused)."""
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (1 << 30,)


def loads_strict(data: bytes, what: str) -> dict:
    """Parse a JSON object refusing NaN, duplicate keys and invalid UTF-8."""

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BundleError("bad_manifest", f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BundleError("bad_manifest", f"{what} must be a JSON object")
    return value


# ---------------------------------------------------------------------------
# The manifest


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """The signed description of one version of a list."""

    list_id: str
    version: int
    created: str
    expires: str
    files: tuple = ()
    disabled: tuple = ()
    min_client: str = "0.1.0"
    threshold: int = 1
    format: str = field(default=FORMAT)

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "list_id": self.list_id,
            "version": self.version,
            "created": self.created,
            "expires": self.expires,
            "min_client": self.min_client,
            "threshold": self.threshold,
            "disabled": list(self.disabled),
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        """Parse and validate; raises BundleError("bad_manifest", ...) naming the field."""
        if len(data) > LIMITS.manifest:
            raise BundleError("oversized", f"manifest is {len(data)} bytes (limit {LIMITS.manifest})")
        raw = loads_strict(data, MANIFEST)
        return cls(**_validate_manifest(raw))

    def expired(self, now: datetime | None = None) -> bool:
        return parse_time(self.expires) <= (now or now_utc())

    def content_key(self) -> tuple:
        """What a rebuild compares to decide whether anything changed."""
        return (self.list_id, self.files, self.disabled, self.min_client, self.threshold)


def _bad(field_name: str, why: str):
    raise BundleError("bad_manifest", f"manifest field {field_name!r}: {why}")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_manifest(raw: dict) -> dict:
    known = {"format", "list_id", "version", "created", "expires", "min_client", "threshold",
             "disabled", "files"}
    for name in raw:
        if name not in known:
            _bad(name, "unknown field (a newer format needs a newer client)")
    if raw.get("format") != FORMAT:
        _bad("format", f"expected {FORMAT!r}")
    if not isinstance(raw.get("list_id"), str) or not LIST_ID_RE.match(raw["list_id"]):
        _bad("list_id", "lowercase letters, digits, dots and dashes, up to 64")
    if not _is_int(raw.get("version")) or not 1 <= raw["version"] < 2**53:
        _bad("version", "a positive integer")
    for name in ("created", "expires"):
        try:
            parse_time(raw.get(name) if isinstance(raw.get(name), str) else "")
        except ValueError:
            _bad(name, f"a UTC time like {format_time(now_utc())}")
    if parse_time(raw["expires"]) <= parse_time(raw["created"]):
        _bad("expires", "must come after created")
    if not isinstance(raw.get("min_client", "0"), str) or not re.match(
        r"^\d+(\.\d+){0,3}$", raw.get("min_client", "0")
    ):
        _bad("min_client", "a version such as 0.1.0")
    if not _is_int(raw.get("threshold", 1)) or not 1 <= raw.get("threshold", 1) <= 32:
        _bad("threshold", "an integer from 1 to 32")
    disabled = raw.get("disabled", [])
    if not isinstance(disabled, list) or not all(
        isinstance(d, str) and RULE_ID_RE.match(d) for d in disabled
    ):
        _bad("disabled", "a list of rule ids")
    files = raw.get("files")
    if not isinstance(files, list) or len(files) > LIMITS.files:
        _bad("files", f"a list of at most {LIMITS.files} entries")
    entries, seen, total = [], set(), 0
    for i, entry in enumerate(files):
        if not isinstance(entry, dict) or set(entry) != {"path", "sha256", "size"}:
            _bad(f"files[{i}]", "needs exactly path, sha256 and size")
        path, digest, size = entry["path"], entry["sha256"], entry["size"]
        if not isinstance(path, str) or not PATH_RE.match(path) or not path.endswith(FILE_SUFFIXES):
            _bad(f"files[{i}].path", "a relative path of plain names ending in a data suffix")
        if path.lower() in seen:  # case-insensitive file systems would merge them
            _bad(f"files[{i}].path", f"{path} appears twice")
        if not isinstance(digest, str) or not SHA256_RE.match(digest):
            _bad(f"files[{i}].sha256", "64 lowercase hex digits")
        if not _is_int(size) or not 0 <= size <= LIMITS.file:
            _bad(f"files[{i}].size", f"an integer from 0 to {LIMITS.file}")
        seen.add(path.lower())
        total += size
        entries.append(FileEntry(path, digest, size))
    if total > LIMITS.total:
        _bad("files", f"{total} bytes in all (limit {LIMITS.total})")
    return {
        "list_id": raw["list_id"], "version": raw["version"], "created": raw["created"],
        "expires": raw["expires"], "files": tuple(entries), "disabled": tuple(disabled),
        "min_client": raw.get("min_client", "0.1.0"), "threshold": raw.get("threshold", 1),
    }


def client_too_old(manifest: Manifest) -> bool:
    return version_tuple(__version__) < version_tuple(manifest.min_client)


# ---------------------------------------------------------------------------
# Signatures file


def encode_signatures(signatures: list[str]) -> bytes:
    data = {"format": "himaya-sigs/1", "signatures": list(signatures)}
    return (json.dumps(data, indent=1) + "\n").encode("utf-8")


def decode_signatures(data: bytes) -> list[str]:
    if len(data) > LIMITS.signatures:
        raise BundleError("oversized", f"{SIGNATURES} is {len(data)} bytes")
    raw = loads_strict(data, SIGNATURES)
    sigs = raw.get("signatures")
    if raw.get("format") != "himaya-sigs/1" or not isinstance(sigs, list) or not all(
        isinstance(s, str) for s in sigs
    ):
        raise BundleError("bad_manifest", f"{SIGNATURES} is not a himaya-sigs/1 list")
    return sigs


def check_signatures(manifest_bytes: bytes, signatures: list[str], trusted) -> Manifest:
    """Verify signatures against pinned keys, then parse: the only way in for a manifest.

    The required count is the larger of the pinned threshold and the manifest's
    own, so a manifest cannot lower the bar that the computer was set up with.
    """
    from himaya.bundles.signing import verify_signatures

    verification = verify_signatures(manifest_bytes, signatures, trusted.keys)
    problem = verification.problem(trusted.threshold)
    if problem:
        raise BundleError(*problem)
    manifest = Manifest.from_json(manifest_bytes)
    problem = verification.problem(max(trusted.threshold, manifest.threshold))
    if problem:
        raise BundleError(*problem)
    if manifest.list_id != trusted.list_id:
        raise BundleError(
            "wrong_list", f"manifest is for list {manifest.list_id!r}, pinned {trusted.list_id!r}"
        )
    return manifest


