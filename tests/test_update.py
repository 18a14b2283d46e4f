"""The update client: every refusal keeps the last good list and says why;
the happy path over HTTP on 127.0.0.1 fetches only what changed; a swap is atomic."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from himaya.bundles.manifest import MANIFEST, OBJECTS_DIR, Manifest
from himaya.bundles.updater import RuleManager
from himaya.bundles.build import sign_bundle
from himaya.bundles.updater import BUNDLED
from test_bundle import lay_out, trusted_file, write_bundle
from test_bundle import rule_yaml as _rule_yaml


def rule_yaml(*args, **kw):
    # "test" status: shown to parents (experimental rules are only counted).
    return _rule_yaml(*args, status="test", **kw)


# Three files; versions change one at a time so "fetch only what changed" shows.
FILES = {
    "alpha/rule-a.yaml": rule_yaml("TST-A-001", "alpha signal"),
    "beta/rule-b.yaml": rule_yaml("TST-B-001", "beta signal"),
    "gamma/rule-c.yaml": rule_yaml("TST-C-001", "gamma signal"),
}
BASE = 5  # the version active when each test starts


class Site:
    """A published folder served on 127.0.0.1, recording each request."""

    def __init__(self, www: Path):
        self.www, self.root = www, www / "list"
        self.root.mkdir(parents=True)
        self.requests: list[tuple[str, str | None]] = []  # (path, If-None-Match)
        self.override: dict[str, tuple[int, dict, bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.path, self.headers.get("If-None-Match")))
                if self.path in site.override:
                    code, headers, body = site.override[self.path]
                    return self._send(code, headers, body)
                target = site.www / self.path.lstrip("/")
                if not target.is_file():
                    return self._send(404, {}, b"")
                data = target.read_bytes()
                etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
                if self.headers.get("If-None-Match") == etag:
                    return self._send(304, {"ETag": etag}, b"")
                self._send(200, {"ETag": etag}, data)

            def _send(self, code, headers, body):
                self.send_response(code)
                headers = {"Content-Length": str(len(body)), **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if body:
                    try:
                        self.wfile.write(body)
                    except OSError:
                        pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/list/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def fetched_objects(self) -> list[str]:
        return sorted(p.rsplit("/", 1)[1] for p, _ in self.requests if f"/{OBJECTS_DIR}/" in p)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def keys():
    from himaya.bundles.signing import generate_key

    return {"a": generate_key(), "b": generate_key(), "stranger": generate_key()}


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path / "www")
    yield s
    s.close()


def publish_version(tmp_path: Path, site_root: Path, files: dict, version: int, signers, **kw) -> Manifest:
    """Write, sign and lay out a version as the NGO would publish it (no staff-side checks)."""
    bundle = tmp_path / f"bundle-{version}-{len(list(tmp_path.glob('bundle-*')))}"
    write_bundle(bundle, files, version, **kw)
    for key in signers:
        sign_bundle(bundle, key)
    lay_out(bundle, site_root)
    return Manifest.from_json((bundle / MANIFEST).read_bytes())


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory, keys):
    """A data folder whose active list is test-list version BASE (built once, copied per test)."""
    root = tmp_path_factory.mktemp("seed")
    trusted = trusted_file(root / "trusted.json", [keys["a"], keys["b"]])
    publish_version(root, root / "usb", FILES, BASE, [keys["a"]])
    home = root / "home"
    rm = RuleManager(home, {"trusted-keys": str(trusted)})
    result = rm.update(str(root / "usb"))
    assert result["status"] == "updated", result
    return home, trusted


@pytest.fixture
def manager(seeded_home, tmp_path, site):
    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    return RuleManager(home, {"update-url": site.url, "trusted-keys": str(seeded_home[1])})


def flags(rm, text: str) -> set:
    return {m.rule for m in rm.scanner.scan(text, kind="message").matches}


# ---------------------------------------------------------------------------
# First start and the happy path


def test_first_start_uses_the_bundled_list_offline(himaya_home):
    rm = RuleManager(himaya_home, {})
    status = rm.status()
    bundled = Manifest.from_json((BUNDLED / MANIFEST).read_bytes())
    assert (status["list_id"], status["version"], status["source"]) == (bundled.list_id, bundled.version, "bundled")
    assert status["last_error"] is None and status["rules"] == len(rm.scanner.ruleset.rules)
    rule = rm.scanner.ruleset.rules[0]
    example = rule.positives[0]
    verdict = rm.scanner.scan(example.text, kind=example.kind or rule.applies_to[0], url=example.url)
    assert rule.id in {m.rule for m in verdict.matches}


def test_update_over_http_fetches_only_changed_files(manager, site, tmp_path, keys):
    assert flags(manager, "alpha signal and beta signal") == {"TST-A-001", "TST-B-001"}
    changed = {**FILES, "beta/rule-b.yaml": rule_yaml("TST-B-001", "delta signal")}
    new = publish_version(tmp_path, site.root, changed, BASE + 1, [keys["a"]])
    result = manager.update()
    assert result["status"] == "updated" and result["fetched"] == ["beta/rule-b.yaml"], result
    beta = next(e for e in new.files if e.path == "beta/rule-b.yaml")
    assert site.fetched_objects() == [beta.sha256]
    assert flags(manager, "alpha signal and beta signal and delta signal") == {"TST-A-001", "TST-B-001"}
    assert "TST-B-001" in flags(manager, "delta signal") and not flags(manager, "beta signal")
    status = manager.status()
    assert status["version"] == BASE + 1 and status["last_error"] is None and status["last_check"]
    # The next check is a conditional request, answered 304.
    again = manager.update()
    assert again["status"] == "not_modified" and site.requests[-1][0].endswith(MANIFEST)
    assert site.requests[-1][1] is not None


def test_an_equal_version_with_the_same_manifest_is_up_to_date(manager, site, tmp_path, keys):
    active = manager.root / "versions" / json.loads((manager.root / "active.json").read_text())["dir"]
    seeded = Manifest.from_json((active / MANIFEST).read_bytes())
    lay_out(active, site.root)
    result = manager.update()
    assert result["ok"] and result["status"] == "up_to_date" and result["version"] == seeded.version


def test_a_disabled_rule_stops_at_once_without_downloading(manager, site, tmp_path, keys):
    publish_version(tmp_path, site.root, FILES, BASE + 1, [keys["a"]], disabled=["TST-A-001"])
    result = manager.update()
    assert result["status"] == "updated" and result["fetched"] == [] and len(result["reused"]) == 3
    assert flags(manager, "alpha signal and beta signal") == {"TST-B-001"}
    assert manager.status()["disabled"] == ["TST-A-001"] and manager.status()["rules"] == 2


def test_a_usb_folder_works_as_a_source(manager, tmp_path, keys):
    usb = tmp_path / "usb"
    publish_version(tmp_path, usb, {**FILES, "gamma/rule-c.yaml": rule_yaml("TST-C-001", "omega signal")},
                    BASE + 1, [keys["b"]])
    assert manager.update(str(usb))["status"] == "updated"
    assert flags(manager, "omega signal") == {"TST-C-001"}


# ---------------------------------------------------------------------------
# Every refusal leaves the previous set active and says why


def _tamper_object(site_root: Path, manifest: Manifest, how: str) -> None:
    entry = next(e for e in manifest.files if e.path == "beta/rule-b.yaml")
    target = site_root / OBJECTS_DIR / entry.sha256
    data = target.read_bytes()
    if how == "flip":
        target.write_bytes(data[:-2] + (b"x" if data[-2:-1] != b"x" else b"y") + data[-1:])
    elif how == "truncate":
        target.write_bytes(data[: len(data) // 2])
    else:
        target.write_bytes(data + b"# extra\n")


NEW_B = {**FILES, "beta/rule-b.yaml": rule_yaml("TST-B-001", "delta signal")}


def _tampered(ctx, how):
    _tamper_object(ctx.site.root, ctx.publish(NEW_B, BASE + 1), how)


def _edit_manifest(ctx):
    ctx.publish(NEW_B, BASE + 1)
    path = ctx.site.root / MANIFEST
    path.write_bytes(path.read_bytes().replace(b'"threshold": 1', b'"threshold": 1 '))


def _huge_manifest(ctx):
    ctx.publish(NEW_B, BASE + 1)
    ctx.site.override["/list/manifest.json"] = (200, {}, b" " * (2 << 20))


def _lying_length(ctx):
    ctx.publish(NEW_B, BASE + 1)
    ctx.site.override["/list/manifest.json"] = (200, {"Content-Length": str(1 << 30)}, b"{}")


REFUSALS = {
    "tampered file": (lambda ctx: _tampered(ctx, "flip"), "hash_mismatch"),
    "truncated download": (lambda ctx: _tampered(ctx, "truncate"), "truncated"),
    "oversized download": (lambda ctx: _tampered(ctx, "grow"), "oversized"),
    "oversized manifest": (_huge_manifest, "oversized"),
    "lying content length": (_lying_length, "oversized"),
    "bad signature": (_edit_manifest, "bad_signature"),
    "unknown key": (lambda ctx: ctx.publish(NEW_B, BASE + 1, signers=["stranger"]), "unknown_key"),
    "unsigned": (lambda ctx: ctx.publish(NEW_B, BASE + 1, signers=[]), "unsigned"),
    "fewer signatures than required": (
        lambda ctx: ctx.publish(NEW_B, BASE + 1, threshold=2), "too_few_signatures"),
    "older version": (lambda ctx: ctx.publish(NEW_B, BASE - 1), "rollback"),
    "equal version": (lambda ctx: ctx.publish(NEW_B, BASE), "not_newer"),
    "expired manifest": (lambda ctx: ctx.publish(
        NEW_B, BASE + 1, expires_in=-timedelta(hours=1), created_ago=timedelta(days=2)), "expired"),
    "a newer client needed": (lambda ctx: ctx.publish(NEW_B, BASE + 1, min_client="99.0"), "client_too_old"),
    "another list": (lambda ctx: ctx.publish(NEW_B, BASE + 1, list_id="another-list"), "wrong_list"),
    "duplicate rule ids": (lambda ctx: ctx.publish(
        {**FILES, "dup/copy.yaml": rule_yaml("TST-A-001", "other words")}, BASE + 1), "invalid_rules"),
    "a rule whose own test fails": (lambda ctx: ctx.publish(
        {**FILES, "beta/rule-b.yaml": rule_yaml("TST-B-001", "delta signal", positive="no match")},
        BASE + 1), "rule_tests_failed"),
    "a regex RE2 rejects": (lambda ctx: ctx.publish(
        {**FILES, "beta/rule-b.yaml": rule_yaml("TST-B-001", r"(de)\1lta", positive="dedelta", kind="regex")},
        BASE + 1), "invalid_rules"),
    "missing file": (lambda ctx: _missing(ctx), "not_found"),
}


# Where the code alone could hide a different cause, the detail must name the real one.
DETAILS = {"duplicate rule ids": "duplicate id", "a regex RE2 rejects": "RE2",
           "a rule whose own test fails": "TST-B-001", "tampered file": "beta/rule-b.yaml",
           "bad signature": "pinned key", "a newer client needed": "99.0"}


def _missing(ctx):
    manifest = ctx.publish(NEW_B, BASE + 1)
    entry = next(e for e in manifest.files if e.path == "beta/rule-b.yaml")
    (ctx.site.root / OBJECTS_DIR / entry.sha256).unlink()


class _Ctx:
    def __init__(self, tmp_path, site, keys):
        self.site, self.tmp, self.keys = site, tmp_path, keys

    def publish(self, files, version, signers=("a",), **kw):
        return publish_version(self.tmp, self.site.root, files, version, [self.keys[s] for s in signers], **kw)


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusal_keeps_the_last_good_set_and_says_why(case, manager, site, tmp_path, keys):
    prepare, code = REFUSALS[case]
    before_dirs = sorted(p.name for p in (manager.root / "versions").iterdir())
    prepare(_Ctx(tmp_path, site, keys))
    result = manager.update()
    assert not result["ok"] and result["error"] == code, result
    assert DETAILS.get(case, "") in result["detail"]
    assert set(result["message"]) == {"fr", "ar", "en"}
    status = manager.status()
    assert status["version"] == BASE and status["last_error"]["error"] == code
    assert "stays active" in status["last_error"]["message"]["en"]
    assert flags(manager, "alpha signal beta signal delta signal") == {"TST-A-001", "TST-B-001"}
    assert sorted(p.name for p in (manager.root / "versions").iterdir()) == before_dirs
    assert not list((manager.root / "staging").iterdir())
    # ... and after a restart too.
    again = RuleManager(manager.home, manager.config)
    assert again.status()["version"] == BASE and again.status()["last_error"]["error"] == code


def test_a_failed_version_is_fetched_again_not_skipped_by_its_etag(manager, site, tmp_path, keys):
    ctx = _Ctx(tmp_path, site, keys)
    ctx.publish(NEW_B, BASE + 1, signers=["stranger"])
    assert manager.update()["error"] == "unknown_key"
    assert manager.update()["error"] == "unknown_key"  # not a 304: the manifest was not remembered
    ctx.publish(NEW_B, BASE + 1)
    assert manager.update()["status"] == "updated" and manager.status()["last_error"] is None


def test_k_of_n_pinned_threshold(seeded_home, tmp_path, site, keys):
    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    strict = trusted_file(tmp_path / "strict.json", [keys["a"], keys["b"]], threshold=2)
    rm = RuleManager(home, {"update-url": site.url, "trusted-keys": str(strict)})
    ctx = _Ctx(tmp_path, site, keys)
    ctx.publish(NEW_B, BASE + 1, signers=["a"])
    assert rm.update()["error"] == "too_few_signatures"
    ctx.publish(NEW_B, BASE + 1, signers=["a", "b"])
    assert rm.update()["status"] == "updated"


def test_pinned_keys_asking_more_signatures_than_keys_are_refused(seeded_home, tmp_path, site, keys):
    """A keys file whose threshold exceeds its keys could never be met: it is refused as
    unreadable (bad_keys), never taken as a list nobody can update."""
    from himaya.bundles.signing import SigningError, load_trusted_keys

    impossible = trusted_file(tmp_path / "impossible.json", [keys["a"]], threshold=2)
    with pytest.raises(SigningError, match="threshold 2 is more than the 1 pinned keys"):
        load_trusted_keys(impossible)
    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    rm = RuleManager(home, {"update-url": site.url, "trusted-keys": str(impossible)})
    _Ctx(tmp_path, site, keys).publish(NEW_B, BASE + 1, signers=["a"])
    result = rm.update()
    assert result["error"] == "bad_keys" and rm.status()["version"] == BASE
