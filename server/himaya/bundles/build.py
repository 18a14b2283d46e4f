"""The staff side of bundles: build from rules/, sign, publish for static hosting.

    >>> manifest, changed, warnings = build_bundle("rules", "build/bundle")   # doctest: +SKIP
    >>> sign_bundle("build/bundle", load_private_key("keys/amal.key"))   # doctest: +SKIP
    '3A9F0C21D4E5B6A7'
    >>> publish("build/bundle", "site/himaya", load_trusted_keys(path))  # doctest: +SKIP
    {'version': 4, 'objects_written': 2, 'objects_total': 31}

Every step refuses rather than produce something computers would reject.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from himaya.bundles.manifest import (
    FILE_SUFFIXES, FILES_DIR, LIMITS, MANIFEST, OBJECTS_DIR, PATH_RE, RULE_ID_RE, SIGNATURES,
    BundleError, FileEntry, Manifest, check_signatures, decode_signatures, encode_signatures,
    format_time, now_utc, sha256_file,
)
from himaya.bundles.signing import parse_signature, public_key_id, sign_bytes
from himaya.files import write_atomic

DEFAULT_LIST_ID = "himaya-default"
DEFAULT_VALID_DAYS = 180
# The first client that reads himaya-bundle/1; raise it when a list needs newer matching.
DEFAULT_MIN_CLIENT = "0.1.0"


def check_rules(rules_dir: Path, disabled=(), with_lint: bool = True):
    """Validate, lint and run every rule's tests; return (ruleset, lint warnings).

    Disabled rules are validated but their tests are not required to pass:
    a rule is often disabled precisely because it misbehaves.
    """
    from himaya.core.rules import RuleError, lint, load_ruleset, run_tests

    try:
        ruleset = load_ruleset(rules_dir)
    except RuleError as exc:
        raise BundleError("invalid_rules", "; ".join(exc.errors[:20])) from None
    warnings = []
    if with_lint:
        issues = lint(ruleset)
        errors = [text for level, text in issues if level == "error"]
        if errors:
            raise BundleError("lint_failed", "; ".join(errors[:20]))
        warnings = [text for level, text in issues if level != "error"]
    active = [rule for rule in ruleset.rules if rule.id not in set(disabled)]
    failures = run_tests(ruleset, active)
    if failures:
        raise BundleError("rule_tests_failed", "; ".join(failures[:20]))
    if ruleset.model is not None:
        # The model must reproduce the scores recorded when it was trained.
        failures = ruleset.model.self_test()
        if failures:
            raise BundleError("model_tests_failed", "; ".join(failures[:20]))
    return ruleset, warnings


def _entries(rules_dir: Path, paths) -> tuple:
    entries, total = [], 0
    for path in sorted(paths):
        rel = path.relative_to(rules_dir).as_posix()
        if not PATH_RE.match(rel) or not rel.endswith(FILE_SUFFIXES):
            raise BundleError("bad_manifest", f"{rel}: file names may use letters, digits, . _ - only")
        size = path.stat().st_size
        if size > LIMITS.file:
            raise BundleError("oversized", f"{rel} is {size} bytes (limit {LIMITS.file})")
        total += size
        entries.append(FileEntry(rel, sha256_file(path), size))
    if total > LIMITS.total or len(entries) > LIMITS.files:
        raise BundleError("oversized", f"{len(entries)} files, {total} bytes: over the limits")
    return tuple(entries)


def _previous(out_dir: Path) -> Manifest | None:
    try:
        return Manifest.from_json((out_dir / MANIFEST).read_bytes())
    except (OSError, BundleError):
        return None


def build_bundle(rules_dir, out_dir, *, list_id=None, version=None, valid_days=DEFAULT_VALID_DAYS,
                 disable=(), enable=(), threshold=None, min_client=None, refresh=False):
    """Check rules_dir and write a bundle to out_dir; return (manifest, changed, warnings).

    Settings not given (list id, disabled rules, threshold, minimum client) carry
    over from the bundle already in out_dir. With no explicit version, an
    unchanged rule set leaves out_dir untouched (unless refresh, which re-issues
    the same content with a new version and expiry); a changed one gets the
    previous version + 1.
    """
    rules_dir, out_dir = Path(rules_dir), Path(out_dir)
    previous = _previous(out_dir)
    for rule_id in (*disable, *enable):
        if not RULE_ID_RE.match(rule_id):
            raise BundleError("bad_manifest", f"{rule_id!r} is not a rule id")
    disabled = set(previous.disabled if previous else ()) - set(enable) | set(disable)
    ruleset, warnings = check_rules(rules_dir, disabled)
    known = {rule.id for rule in ruleset.rules}
    if ruleset.model is not None:  # `model.<category>` switches one category of the model off
        known |= {f"model.{c}" for c in ruleset.model.thresholds}
    warnings += [f"disabled rule {rid} is not in the rule set" for rid in sorted(disabled - known)]
    now = now_utc()
    manifest = Manifest(
        list_id=list_id or (previous.list_id if previous else DEFAULT_LIST_ID),
        version=1,
        created=format_time(now),
        expires=format_time(now + timedelta(days=valid_days)),
        files=_entries(rules_dir, ruleset.files),
        disabled=tuple(sorted(disabled)),
        min_client=min_client or (previous.min_client if previous else DEFAULT_MIN_CLIENT),
        threshold=threshold or (previous.threshold if previous else 1),
    )
    same_list = previous is not None and previous.list_id == manifest.list_id
    if version is None:
        if same_list and previous.content_key() == manifest.content_key() and not refresh:
            return previous, False, warnings
        version = previous.version + 1 if same_list else 1
    elif same_list and version <= previous.version:
        raise BundleError("not_newer", f"version {version} is not above the built {previous.version}")
    manifest = Manifest(**{**manifest.__dict__, "version": version})
    Manifest.from_json(manifest.to_json())  # the same checks a computer will make
    _write_bundle(rules_dir, out_dir, manifest)
    return manifest, True, warnings


def _write_bundle(rules_dir: Path, out_dir: Path, manifest: Manifest) -> None:
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).exists():
        raise BundleError("bad_manifest", f"{out_dir} exists and is not a bundle; not overwriting it")
    tmp = out_dir.with_name(f".{out_dir.name}.{secrets.token_hex(4)}.tmp")
    for entry in manifest.files:
        target = tmp / FILES_DIR / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rules_dir / entry.path, target)
    verify_files(tmp, manifest, missing_code="hash_mismatch")  # a file changed while copying
    (tmp / MANIFEST).write_bytes(manifest.to_json())
    old = out_dir.with_name(f".{out_dir.name}.{secrets.token_hex(4)}.old")
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------
# A bundle folder on disk


@dataclass
class LocalBundle:
    path: Path
    manifest: Manifest
    manifest_bytes: bytes
    signatures: list


def read_bundle(path) -> LocalBundle:
    """Read a bundle folder (signatures optional); raises BundleError."""
    path = Path(path)
    try:
        data = (path / MANIFEST).read_bytes()
    except OSError as exc:
        raise BundleError("local_corrupt", f"{path / MANIFEST}: {exc.strerror}") from None
    sigs_path = path / SIGNATURES
    sigs = decode_signatures(sigs_path.read_bytes()) if sigs_path.exists() else []
    return LocalBundle(path, Manifest.from_json(data), data, sigs)


def verify_files(path, manifest: Manifest, missing_code: str = "local_corrupt") -> None:
    """Every listed file present with its size and hash, and nothing else under files/."""
    root = Path(path) / FILES_DIR
    listed = {entry.path for entry in manifest.files}
    for entry in manifest.files:
        target = root / entry.path
        try:
            size = target.stat().st_size
        except OSError:
            raise BundleError(missing_code, f"{entry.path} is missing") from None
        if size != entry.size:
            code = "truncated" if size < entry.size else "oversized"
            raise BundleError(code, f"{entry.path} is {size} bytes, manifest says {entry.size}")
        if sha256_file(target) != entry.sha256:
            raise BundleError("hash_mismatch", f"{entry.path} does not match its SHA-256")
    if root.exists():
        for found in root.rglob("*"):
            if found.is_file() and found.relative_to(root).as_posix() not in listed:
                raise BundleError(missing_code, f"{found.relative_to(root)} is not in the manifest")


def _store_signature(path: Path, text: str, signatures: list) -> str:
    key_id = parse_signature(text).key_id
    kept = [s for s in signatures if parse_signature(s).key_id != key_id]
    write_atomic(path / SIGNATURES, encode_signatures([*kept, text]))
    return key_id


def sign_bundle(path, key) -> str:
    """Add (or replace) this key's signature on the bundle's manifest; return the key id."""
    bundle = read_bundle(path)
    verify_files(bundle.path, bundle.manifest, missing_code="hash_mismatch")
    m = bundle.manifest
    comment = f"list:{m.list_id} version:{m.version} created:{m.created} expires:{m.expires}"
    text = sign_bytes(key, bundle.manifest_bytes, trusted_comment=comment)
    _store_signature(bundle.path, text, bundle.signatures)
    return public_key_id(key.public_key())


def add_signature(path, text: str) -> str:
    """Add a signature made elsewhere (e.g. with the minisign tool); return its key id."""
    bundle = read_bundle(path)
    return _store_signature(bundle.path, text.strip("\n") + "\n", bundle.signatures)


# ---------------------------------------------------------------------------
# Publishing

_README = """This folder is a published Himaya rule list. Serve it as static files
(any web server, a CDN, or a USB key) and point computers at its address:

    himaya config set update-url https://example.org/himaya/
    himaya rules update --from /media/usb/himaya

manifest.json        the signed description of the current version
manifest.sigs.json   the staff signatures over manifest.json
by-hash/<sha256>     the rule and lexicon files, named by their SHA-256

Files under by-hash/ never change; they may be cached forever. manifest.json
and manifest.sigs.json change with each version and should not be cached long.
"""


def publish(bundle_dir, out_dir, trusted) -> dict:
    """Lay out a signed bundle in out_dir for static hosting; return a summary.

    Refuses a bundle that computers pinned to `trusted` would refuse, and a
    version that is not above the one already published there.
    """
    bundle = read_bundle(bundle_dir)
    verify_files(bundle.path, bundle.manifest, missing_code="hash_mismatch")
    manifest = check_signatures(bundle.manifest_bytes, bundle.signatures, trusted)
    if manifest.expired():
        raise BundleError("expired", f"the bundle expired at {manifest.expires}")
    out_dir = Path(out_dir)
    current = _previous(out_dir)
    if current and current.list_id == manifest.list_id:
        if current.version > manifest.version:
            raise BundleError("rollback", f"version {current.version} is already published there")
        if current.version == manifest.version and current != manifest:
            raise BundleError("not_newer", f"another version {current.version} is already published")
    objects = out_dir / OBJECTS_DIR
    objects.mkdir(parents=True, exist_ok=True)
    written = 0
    for entry in manifest.files:
        target = objects / entry.sha256
        if target.exists() and sha256_file(target) == entry.sha256:
            continue  # old objects stay too: a computer mid-update still finds them
        write_atomic(target, (bundle.path / FILES_DIR / entry.path).read_bytes())
        written += 1
    # Signatures first: a computer that reads the new manifest finds its signatures.
    write_atomic(out_dir / SIGNATURES, encode_signatures(bundle.signatures))
    write_atomic(out_dir / MANIFEST, bundle.manifest_bytes)
    (out_dir / "README.txt").write_text(_README, encoding="utf-8")
    return {"version": manifest.version, "objects_written": written,
            "objects_total": len(manifest.files)}
