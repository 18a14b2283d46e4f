"""Staff side of rule bundles: keys, signatures, the manifest, build, sign, publish.

The helpers at the top (rule files, raw bundles, pinned-key files) are shared
with tests/test_update*.py.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from himaya.bundles.manifest import (
    FILES_DIR, MANIFEST, OBJECTS_DIR, SIGNATURES, BundleError, FileEntry, Manifest, check_signatures,
    decode_signatures, format_time, now_utc, sha256_bytes,
)
from himaya.bundles.build import add_signature, build_bundle, publish, read_bundle, sign_bundle
from himaya.cli import main
from himaya.bundles.signing import (
    decode_public_key, encode_public_key, generate_key, load_private_key, load_trusted_keys,
    parse_signature, public_key_id, save_key_pair, sign_bytes, verify_signatures,
)

# ---------------------------------------------------------------------------
# Shared helpers

EXPLAIN = """explain:
  child: {fr: "Tu n'as rien fait de mal.", ar: "لم تفعل أي خطأ.", en: "You did nothing wrong."}
  parent: {fr: "Parlez calmement.", ar: "تحدث بهدوء.", en: "Talk calmly."}
"""


def rule_yaml(rule_id: str, word: str, positive: str | None = None, negative: str = "rien a voir ici",
              kind: str = "phrase", status: str = "experimental") -> str:
    """A small valid rule matching `word` (a phrase, or a regex with kind="regex")."""
    positive = positive if positive is not None else f"il dit {word} encore"
    return (
        f"id: {rule_id}\n"
        f"title: {{fr: \"Test {rule_id}\", ar: \"اختبار\", en: \"Test {rule_id}\"}}\n"
        f"category: move-to-private\nstatus: {status}\nseverity: medium\napplies_to: [message]\n"
        f"terms:\n  w:\n    kind: {kind}\n    values:\n      any: ['{word}']\n"
        "condition: w\n" + EXPLAIN +
        f"tests:\n  positive: [\"{positive}\"]\n  negative: [\"{negative}\"]\n"
    )


def write_rules(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def write_bundle(folder: Path, files: dict[str, str], version: int, list_id: str = "test-list",
                 disabled=(), threshold: int = 1, expires_in=timedelta(days=30), created_ago=timedelta(hours=1),
                 min_client: str = "0.1.0") -> Path:
    """A bundle written directly, without build's checks (to test what computers refuse)."""
    entries = []
    for rel, text in sorted(files.items()):
        data = text.encode("utf-8")
        target = folder / FILES_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entries.append(FileEntry(rel, sha256_bytes(data), len(data)))
    now = now_utc()
    created = now - created_ago
    manifest = Manifest(list_id, version, format_time(created), format_time(now + expires_in),
                        tuple(entries), tuple(disabled), min_client=min_client, threshold=threshold)
    (folder / MANIFEST).write_bytes(manifest.to_json())
    return folder


def lay_out(bundle: Path, site: Path) -> Path:
    """Copy a bundle into the published layout as is (no checks, unlike publish)."""
    (site / OBJECTS_DIR).mkdir(parents=True, exist_ok=True)
    manifest = Manifest.from_json((bundle / MANIFEST).read_bytes())
    for entry in manifest.files:
        (site / OBJECTS_DIR / entry.sha256).write_bytes((bundle / FILES_DIR / entry.path).read_bytes())
    (site / MANIFEST).write_bytes((bundle / MANIFEST).read_bytes())
    sigs = bundle / SIGNATURES
    (site / SIGNATURES).write_bytes(sigs.read_bytes() if sigs.exists() else b'{"format": "himaya-sigs/1", "signatures": []}')
    return site


def trusted_file(path: Path, keys, list_id: str = "test-list", threshold: int = 1) -> Path:
    data = {"format": "himaya-trusted-keys/1", "list_id": list_id, "threshold": threshold,
            "keys": [{"name": f"k{i}", "public_key": encode_public_key(k.public_key())} for i, k in enumerate(keys)]}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def staff_keys():
    return [generate_key() for _ in range(3)]


# ---------------------------------------------------------------------------
# Keys and signatures


def test_signature_verifies_and_tampering_breaks_it(staff_keys):
    key = staff_keys[0]
    pinned = {public_key_id(key.public_key()): key.public_key()}
    sig = sign_bytes(key, b"manifest bytes", "list:x version:1")
    assert verify_signatures(b"manifest bytes", [sig], pinned).problem(1) is None
    assert verify_signatures(b"manifest bytez", [sig], pinned).problem(1)[0] == "bad_signature"
    # Altering the trusted comment breaks the global signature.
    forged = sig.replace("version:1", "version:9")
    assert verify_signatures(b"manifest bytes", [forged], pinned).problem(1)[0] == "bad_signature"


def test_k_of_n_counts_distinct_pinned_keys(staff_keys):
    a, b, stranger = staff_keys
    pinned = {public_key_id(k.public_key()): k.public_key() for k in (a, b)}
    msg = b"payload"
    one = verify_signatures(msg, [sign_bytes(a, msg, "c")] * 3, pinned)
    assert one.problem(2)[0] == "too_few_signatures"
    two = verify_signatures(msg, [sign_bytes(a, msg, "c"), sign_bytes(b, msg, "c")], pinned)
    assert two.problem(2) is None
    only_stranger = verify_signatures(msg, [sign_bytes(stranger, msg, "c")], pinned)
    assert only_stranger.problem(1)[0] == "unknown_key"
    assert verify_signatures(msg, [], pinned).problem(1)[0] == "unsigned"
    assert verify_signatures(msg, ["not a signature"], pinned).problem(1)[0] == "bad_signature"


def test_public_key_and_signature_use_minisign_text_formats(staff_keys):
    key = staff_keys[0]
    key_id, public = decode_public_key(f"untrusted comment: x\n{encode_public_key(key.public_key())}\n")
    assert key_id == public_key_id(key.public_key()) and len(key_id) == 16
    parsed = parse_signature(sign_bytes(key, b"m", "trusted"))
    assert parsed.key_id == key_id and parsed.trusted_comment == "trusted"
    assert encode_public_key(key.public_key()).startswith("RW")  # base64 of "Ed" + ...


def test_private_key_is_0600_and_encrypted_with_a_passphrase(tmp_path):
    key = generate_key()
    key_path, pub_path = save_key_pair(key, tmp_path, "amal", b"a long passphrase")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert b"ENCRYPTED" in key_path.read_bytes()
    with pytest.raises(Exception):
        load_private_key(key_path, None)
    again = load_private_key(key_path, b"a long passphrase")
    assert public_key_id(again.public_key()) == public_key_id(key.public_key())
    with pytest.raises(FileExistsError):
        save_key_pair(generate_key(), tmp_path, "amal", None)


def test_keygen_cli_never_prints_the_private_key(tmp_path):
    result = CliRunner().invoke(main, ["rules", "keygen", "sami", "--out", str(tmp_path), "--no-passphrase"])
    assert result.exit_code == 0, result.output
    pem = (tmp_path / "sami.key").read_text()
    body = "".join(pem.strip().splitlines()[1:-1])
    assert body and body not in result.output.replace("\n", "")
    assert stat.S_IMODE((tmp_path / "sami.key").stat().st_mode) == 0o600
    assert (tmp_path / "sami.pub").read_text().splitlines()[1] in result.output


# ---------------------------------------------------------------------------
# The manifest


def _manifest_dict(**changes):
    m = Manifest("demo", 2, "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z",
                 (FileEntry("a.yaml", "0" * 64, 10),))
    data = json.loads(m.to_json())
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, field", [
    ({"version": 0}, "version"),
    ({"version": "3"}, "version"),
    ({"list_id": "Bad List"}, "list_id"),
    ({"expires": "2025-01-01T00:00:00Z"}, "expires"),
    ({"created": "yesterday"}, "created"),
    ({"files": [{"path": "../etc/passwd.yaml", "sha256": "0" * 64, "size": 1}]}, "files[0].path"),
    ({"files": [{"path": "/abs.yaml", "sha256": "0" * 64, "size": 1}]}, "files[0].path"),
    ({"files": [{"path": "run.sh", "sha256": "0" * 64, "size": 1}]}, "files[0].path"),
    ({"files": [{"path": "a.yaml", "sha256": "0" * 64, "size": 1},
                {"path": "A.yaml", "sha256": "0" * 64, "size": 1}]}, "files[1].path"),
    ({"files": [{"path": "a.yaml", "sha256": "XYZ", "size": 1}]}, "files[0].sha256"),
    ({"files": [{"path": "a.yaml", "sha256": "0" * 64, "size": 10 << 20}]}, "files[0].size"),
    ({"threshold": 0}, "threshold"),
    ({"disabled": ["ok-id", "bad id"]}, "disabled"),
    ({"surprise": 1}, "surprise"),
])
def test_manifest_schema_names_the_bad_field(changes, field):
    with pytest.raises(BundleError) as err:
        Manifest.from_json(json.dumps(_manifest_dict(**changes)).encode())
    assert err.value.code == "bad_manifest" and repr(field) in err.value.detail


@pytest.mark.parametrize("raw", [
    b'{"version": 1, "version": 2}', b'{"version": NaN}', b"\xff\xfe", b"[1, 2]", b"",
])
def test_manifest_json_is_parsed_strictly(raw):
    with pytest.raises(BundleError) as err:
        Manifest.from_json(raw)
    assert err.value.code == "bad_manifest"


def test_check_signatures_refuses_a_manifest_lowering_nothing_and_a_foreign_list(tmp_path, staff_keys):
    a, b, _ = staff_keys
    data = Manifest("test-list", 1, "2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z", threshold=2).to_json()
    trusted = load_trusted_keys(trusted_file(tmp_path / "t.json", [a, b], threshold=1))
    with pytest.raises(BundleError) as err:  # the manifest asks for 2: one is not enough
        check_signatures(data, [sign_bytes(a, data, "c")], trusted)
    assert err.value.code == "too_few_signatures"
    assert check_signatures(data, [sign_bytes(a, data, "c"), sign_bytes(b, data, "c")], trusted).version == 1
    other = load_trusted_keys(trusted_file(tmp_path / "o.json", [a, b], list_id="other-list"))
    with pytest.raises(BundleError) as err:
        check_signatures(data, [sign_bytes(a, data, "c"), sign_bytes(b, data, "c")], other)
    assert err.value.code == "wrong_list"


# ---------------------------------------------------------------------------
# Build, sign, publish (through the CLI, as staff use them)


@pytest.fixture
def rules_dir(tmp_path):
    return write_rules(tmp_path / "rules", {
        "private/invite.yaml": rule_yaml("TST-INV-001", "zidni fel snap"),
        "secrecy/secret.yaml": rule_yaml("TST-SEC-001", "notre secret"),
    })


def _run(*args, env=None):
    result = CliRunner().invoke(main, ["rules", *map(str, args)], env=env)
    return result


def test_build_writes_every_file_with_hash_and_size(rules_dir, tmp_path):
    out = tmp_path / "bundle"
    result = _run("build", rules_dir, "--out", out, "--list-id", "test-list", "--valid-days", "30")
    assert result.exit_code == 0, result.output
    manifest = Manifest.from_json((out / MANIFEST).read_bytes())
    assert manifest.list_id == "test-list" and manifest.version == 1
    assert [e.path for e in manifest.files] == ["private/invite.yaml", "secrecy/secret.yaml"]
    for entry in manifest.files:
        data = (rules_dir / entry.path).read_bytes()
        assert entry.sha256 == sha256_bytes(data) and entry.size == len(data)
        assert (out / FILES_DIR / entry.path).read_bytes() == data


def test_rebuild_bumps_the_version_only_when_something_changed(rules_dir, tmp_path):
    out = tmp_path / "bundle"
    assert build_bundle(rules_dir, out)[0].version == 1
    manifest, changed, _ = build_bundle(rules_dir, out)
    assert (manifest.version, changed) == (1, False)
    (rules_dir / "secrecy/secret.yaml").write_text(rule_yaml("TST-SEC-001", "tout notre secret"), "utf-8")
    assert build_bundle(rules_dir, out)[0].version == 2
    assert build_bundle(rules_dir, out, refresh=True)[0].version == 3


def test_disabled_rules_carry_over_until_enabled(rules_dir, tmp_path):
    out = tmp_path / "bundle"
    assert _run("build", rules_dir, "--out", out, "--disable", "TST-SEC-001").exit_code == 0
    assert build_bundle(rules_dir, out, refresh=True)[0].disabled == ("TST-SEC-001",)
    manifest, changed, _ = build_bundle(rules_dir, out, enable=["TST-SEC-001"])
    assert changed and manifest.disabled == () and manifest.version == 3


BAD_RULES = [  # (rule file, error code, words the detail must contain)
    (rule_yaml("TST-INV-001", "autre chose"), "invalid_rules", "duplicate id"),
    (rule_yaml("TST-BAD-001", "snap", positive="nothing matches"), "rule_tests_failed", "TST-BAD-001"),
    (rule_yaml("TST-RGX-001", r"(a)\1", positive="aa", kind="regex"), "invalid_rules", "RE2"),
]


@pytest.mark.parametrize("bad_rule, code, words", BAD_RULES)
def test_build_refuses_rules_computers_would_refuse(rules_dir, tmp_path, bad_rule, code, words):
    write_rules(rules_dir, {"extra/bad.yaml": bad_rule})
    result = _run("build", rules_dir, "--out", tmp_path / "bundle")
    assert result.exit_code == 1 and f"[{code}]" in result.output and words in result.output
    assert not (tmp_path / "bundle").exists()


def test_sign_and_publish_with_two_of_three_staff_keys(rules_dir, tmp_path, staff_keys):
    a, b, c = staff_keys
    keys = tmp_path / "keys"
    for name, key in zip("abc", staff_keys):
        save_key_pair(key, keys, name, None)
    trusted = trusted_file(tmp_path / "trusted.json", [a, b, c], threshold=2)
    out, site = tmp_path / "bundle", tmp_path / "site"
    assert _run("build", rules_dir, "--out", out, "--list-id", "test-list").exit_code == 0
    assert _run("sign", out, "--key", keys / "a.key").exit_code == 0
    assert _run("sign", out, "--key", keys / "a.key").exit_code == 0  # re-signing replaces
    assert len(read_bundle(out).signatures) == 1
    refused = _run("publish", out, site, "--trusted-keys", trusted)
    assert refused.exit_code == 1 and "[too_few_signatures]" in refused.output
    assert not (site / MANIFEST).exists()
    assert _run("sign", out, "--key", keys / "c.key").exit_code == 0
    result = _run("publish", out, site, "--trusted-keys", trusted)
    assert result.exit_code == 0, result.output
    manifest = Manifest.from_json((site / MANIFEST).read_bytes())
    for entry in manifest.files:
        assert sha256_bytes((site / OBJECTS_DIR / entry.sha256).read_bytes()) == entry.sha256
    assert len(decode_signatures((site / SIGNATURES).read_bytes())) == 2
    assert (site / "README.txt").exists()


def test_encrypted_key_signs_with_the_passphrase_from_the_environment(rules_dir, tmp_path):
    save_key_pair(generate_key(), tmp_path, "enc", b"correct horse")
    out = tmp_path / "bundle"
    build_bundle(rules_dir, out, list_id="test-list")
    wrong = _run("sign", out, "--key", tmp_path / "enc.key", env={"HIMAYA_KEY_PASSPHRASE": "nope"})
    assert wrong.exit_code == 1 and not read_bundle(out).signatures
    ok = _run("sign", out, "--key", tmp_path / "enc.key", env={"HIMAYA_KEY_PASSPHRASE": "correct horse"})
    assert ok.exit_code == 0, ok.output
    assert len(read_bundle(out).signatures) == 1


def test_publish_refuses_unsigned_older_and_tampered_bundles(rules_dir, tmp_path, staff_keys):
    key = staff_keys[0]
    trusted = load_trusted_keys(trusted_file(tmp_path / "t.json", [key]))
    out, site = tmp_path / "bundle", tmp_path / "site"
    build_bundle(rules_dir, out, list_id="test-list", version=5)
    with pytest.raises(BundleError) as err:
        publish(out, site, trusted)
    assert err.value.code == "unsigned"
    sign_bundle(out, key)
    assert publish(out, site, trusted)["version"] == 5
    assert publish(out, site, trusted)["objects_written"] == 0  # idempotent
    older = tmp_path / "older"
    build_bundle(rules_dir, older, list_id="test-list", version=4)
    sign_bundle(older, key)
    with pytest.raises(BundleError) as err:
        publish(older, site, trusted)
    assert err.value.code == "rollback"
    (out / FILES_DIR / "private/invite.yaml").write_text("tampered", "utf-8")
    with pytest.raises(BundleError) as err:
        sign_bundle(out, key)
    assert err.value.code in ("hash_mismatch", "truncated")


def test_a_signature_made_elsewhere_can_be_added(rules_dir, tmp_path, staff_keys):
    key = staff_keys[1]
    out = tmp_path / "bundle"
    build_bundle(rules_dir, out, list_id="test-list")
    minisig = tmp_path / "manifest.json.minisig"
    minisig.write_text(sign_bytes(key, (out / MANIFEST).read_bytes(), "made by minisign"), "utf-8")
    assert _run("sign", out, "--minisig", minisig).exit_code == 0
    trusted = load_trusted_keys(trusted_file(tmp_path / "t.json", [key]))
    assert check_signatures((out / MANIFEST).read_bytes(), read_bundle(out).signatures, trusted).version == 1
    assert add_signature(out, minisig.read_text()) == public_key_id(key.public_key())
    assert len(read_bundle(out).signatures) == 1
