"""The default list shipped inside the package: in sync with rules/, intact,
and pinned to a public key whose private half is not in the repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from himaya.bundles.manifest import FILES_DIR, MANIFEST, Manifest, sha256_file
from himaya.bundles.build import read_bundle, verify_files
from himaya.core.rules import load_ruleset
from himaya.bundles.signing import load_trusted_keys
from himaya.bundles.updater import BUNDLED, TRUSTED_KEYS

ROOT = Path(__file__).resolve().parent.parent
REBUILD = "himaya rules build rules --out server/himaya/data/default-bundle"


def test_bundled_default_matches_rules_folder():
    """Fails when rules/ changed without rebuilding the package's copy."""
    manifest = Manifest.from_json((BUNDLED / MANIFEST).read_bytes())
    ruleset = load_ruleset(ROOT / "rules")
    expected = {p.relative_to(ROOT / "rules").as_posix(): sha256_file(p) for p in ruleset.files}
    shipped = {e.path: e.sha256 for e in manifest.files}
    stale = sorted(p for p in expected.keys() | shipped.keys() if expected.get(p) != shipped.get(p))
    assert not stale, f"the bundled list is out of date for {stale}; run: {REBUILD}"


def test_bundled_default_is_intact_and_loads():
    bundle = read_bundle(BUNDLED)
    verify_files(BUNDLED, bundle.manifest)
    ruleset = load_ruleset(BUNDLED / FILES_DIR)
    ids = {r.id for r in ruleset.rules}
    assert len(ruleset.rules) >= 1 and ids == {r.id for r in load_ruleset(ROOT / "rules").rules}
    unknown = set(bundle.manifest.disabled) - ids
    assert not unknown, f"the shipped list disables rules it does not hold: {sorted(unknown)}"


def test_pinned_keys_are_for_the_bundled_list_and_no_private_key_ships():
    trusted = load_trusted_keys(TRUSTED_KEYS)
    assert trusted.list_id == read_bundle(BUNDLED).manifest.list_id and trusted.keys
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        path = ROOT / name
        if path.is_file() and path.suffix in ("", ".key", ".pem", ".json", ".txt"):
            assert b"PRIVATE KEY-----" not in path.read_bytes()[:100_000], name
