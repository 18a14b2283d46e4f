"""Ed25519 staff keys and signatures for rule bundles, minisign-compatible.

A public key and every signature use minisign's text formats (prehashed "ED"
signatures: Ed25519 over BLAKE2b-512 of the file), so anyone can check a
published manifest with the stock tool::

    minisign -Vm manifest.json -p staff.pub -x one-signature.minisig

Private keys are PKCS#8 PEM files (optionally passphrase-encrypted) written
with mode 0600; they are never printed. A bundle's signatures live in
``manifest.sigs.json``, a list of minisign signature texts, so that a manifest
can carry the k of n staff signatures it needs::

    >>> key = generate_key()
    >>> sig = sign_bytes(key, b"{}", trusted_comment="list:demo version:1")
    >>> pinned = {public_key_id(key.public_key()): key.public_key()}
    >>> verify_signatures(b"{}", [sig], pinned).valid == {public_key_id(key.public_key())}
    True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_PK_ALG = b"Ed"  # minisign: algorithm tag of a public key
_SIG_ALG = b"ED"  # minisign: signature over BLAKE2b-512(message)
MAX_SIGNATURES = 32


class SigningError(ValueError):
    """A key or signature file that cannot be read (the message says which)."""


# ---------------------------------------------------------------------------
# Keys


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_id_bytes(public: Ed25519PublicKey) -> bytes:
    # minisign draws its 8-byte key id at random; deriving it from the key keeps
    # the id stable for a PEM private key that has no room to store one.
    return hashlib.sha256(_raw_public(public)).digest()[:8]


def public_key_id(public: Ed25519PublicKey) -> str:
    """The key id as 16 hex digits, as minisign prints it (little-endian)."""
    return _format_key_id(_key_id_bytes(public))


def _format_key_id(raw: bytes) -> str:
    return f"{int.from_bytes(raw, 'little'):016X}"


def encode_public_key(public: Ed25519PublicKey) -> str:
    """The one-line base64 form of a public key (the second line of a .pub file)."""
    return base64.b64encode(_PK_ALG + _key_id_bytes(public) + _raw_public(public)).decode()


def decode_public_key(text: str) -> tuple[str, Ed25519PublicKey]:
    """(key id, key) from a base64 line or a whole minisign .pub text.

    The key id is read from the file, so keys made by the minisign tool itself
    (whose ids are random) can be pinned too.
    """
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("untrusted comment:")]
    if len(lines) != 1:
        raise SigningError("a public key is one base64 line (optionally after a comment line)")
    try:
        raw = base64.b64decode(lines[0], validate=True)
    except binascii.Error as exc:
        raise SigningError(f"public key is not base64: {exc}") from None
    if len(raw) != 42 or raw[:2] != _PK_ALG:
        raise SigningError("not an Ed25519 minisign public key")
    return _format_key_id(raw[2:10]), Ed25519PublicKey.from_public_bytes(raw[10:])


def public_key_file_text(public: Ed25519PublicKey, name: str = "") -> str:
    comment = f"minisign public key {public_key_id(public)}" + (f" ({name})" if name else "")
    return f"untrusted comment: {comment}\n{encode_public_key(public)}\n"


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: never overwrite a staff key by accident; 0600 from the first byte.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def save_key_pair(key: Ed25519PrivateKey, out_dir: Path, name: str, passphrase: bytes | None):
    """Write NAME.key (PKCS#8 PEM, 0600) and NAME.pub (minisign); return both paths.

    Example: ``save_key_pair(generate_key(), Path("keys"), "amal", b"long passphrase")``
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    key_path, pub_path = out_dir / f"{name}.key", out_dir / f"{name}.pub"
    for path in (key_path, pub_path):
        if path.exists():
            raise FileExistsError(f"{path} already exists; refusing to overwrite a key")
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    _write_private(key_path, pem)
    pub_path.write_text(public_key_file_text(key.public_key(), name), encoding="utf-8")
    return key_path, pub_path


def key_is_encrypted(path: Path) -> bool:
    return b"ENCRYPTED" in Path(path).read_bytes()[:64]


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=passphrase or None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"cannot read private key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} is not an Ed25519 private key")
    return key


# ---------------------------------------------------------------------------
# Signatures


def _prehash(message: bytes) -> bytes:
    return hashlib.blake2b(message, digest_size=64).digest()


def sign_bytes(key: Ed25519PrivateKey, message: bytes, trusted_comment: str) -> str:
    """A minisign signature text (four lines) over message."""
    if "\n" in trusted_comment or "\r" in trusted_comment:
        raise ValueError("a trusted comment is one line")
    key_id = _key_id_bytes(key.public_key())
    sig = key.sign(_prehash(message))
    global_sig = key.sign(sig + trusted_comment.encode("utf-8"))
    return (
        f"untrusted comment: signature from himaya key {public_key_id(key.public_key())}\n"
        f"{base64.b64encode(_SIG_ALG + key_id + sig).decode()}\n"
        f"trusted comment: {trusted_comment}\n"
        f"{base64.b64encode(global_sig).decode()}\n"
    )


@dataclass
class ParsedSignature:
    key_id: str
    signature: bytes
    trusted_comment: str
    global_signature: bytes


def parse_signature(text: str) -> ParsedSignature:
    lines = text.strip("\n").split("\n")
    if len(lines) != 4 or not lines[0].startswith("untrusted comment:"):
        raise SigningError("a signature is four lines in minisign format")
    if not lines[2].startswith("trusted comment: "):
        raise SigningError("signature has no trusted comment line")
    try:
        raw = base64.b64decode(lines[1], validate=True)
        global_sig = base64.b64decode(lines[3], validate=True)
    except binascii.Error:
        raise SigningError("signature is not base64") from None
    if len(raw) != 74 or raw[:2] != _SIG_ALG or len(global_sig) != 64:
        raise SigningError("not a prehashed Ed25519 minisign signature")
    return ParsedSignature(_format_key_id(raw[2:10]), raw[10:], lines[2][len("trusted comment: "):], global_sig)


@dataclass
class Verification:
    """What the signatures on one message amount to, against a set of pinned keys."""

    valid: set = field(default_factory=set)  # key ids whose signature verified
    invalid: list = field(default_factory=list)  # pinned key ids whose signature failed
    unknown: list = field(default_factory=list)  # key ids that are not pinned
    unreadable: int = 0

    def problem(self, required: int) -> tuple[str, str] | None:
        """None when at least `required` pinned keys signed, else (code, detail)."""
        if len(self.valid) >= required:
            return None
        if self.invalid:
            return "bad_signature", f"signature by pinned key {self.invalid[0]} does not verify"
        if self.valid:
            return (
                "too_few_signatures",
                f"{len(self.valid)} valid signature(s) from pinned keys, {required} required",
            )
        if self.unknown:
            return "unknown_key", f"signed only by keys that are not pinned: {', '.join(self.unknown)}"
        if self.unreadable:
            return "bad_signature", "no signature could be read"
        return "unsigned", "the manifest carries no signature"


def verify_signatures(message: bytes, signatures: list[str], pinned: dict) -> Verification:
    """Check each signature text over message; pinned maps key id -> public key."""
    result = Verification()
    for text in signatures[:MAX_SIGNATURES]:
        try:
            sig = parse_signature(text)
        except SigningError:
            result.unreadable += 1
            continue
        public = pinned.get(sig.key_id)
        if public is None:
            result.unknown.append(sig.key_id)
            continue
        try:
            public.verify(sig.signature, _prehash(message))
            public.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode("utf-8"))
        except InvalidSignature:
            result.invalid.append(sig.key_id)
            continue
        result.valid.add(sig.key_id)
    return result


# ---------------------------------------------------------------------------
# Pinned keys


@dataclass
class TrustedKeys:
    """The keys a computer accepts for one list, and how many must sign.

    The file (``himaya/data/trusted-keys.json`` by default) looks like::

        {"format": "himaya-trusted-keys/1", "list_id": "himaya-default",
         "threshold": 1, "keys": [{"name": "ngo-2026", "public_key": "RWQ..."}]}
    """

    list_id: str
    threshold: int
    keys: dict  # key id -> Ed25519PublicKey
    names: dict  # key id -> name


def load_trusted_keys(path: Path) -> TrustedKeys:
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SigningError(f"cannot read pinned keys {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != "himaya-trusted-keys/1":
        raise SigningError(f"{path}: not a himaya-trusted-keys/1 file")
    threshold = data.get("threshold", 1)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise SigningError(f"{path}: threshold must be a positive integer")
    if not isinstance(data.get("list_id"), str) or not isinstance(data.get("keys"), list):
        raise SigningError(f"{path}: list_id (text) and keys (list) are required")
    keys, names = {}, {}
    for entry in data["keys"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("public_key"), str):
            raise SigningError(f"{path}: each key needs a public_key")
        key_id, public = decode_public_key(entry["public_key"])
        keys[key_id] = public
        names[key_id] = str(entry.get("name", key_id))
    if threshold > len(keys):
        raise SigningError(f"{path}: threshold {threshold} is more than the {len(keys)} pinned keys")
    return TrustedKeys(data["list_id"], threshold, keys, names)

