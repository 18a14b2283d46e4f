#!/usr/bin/env python3
"""Every documented refusal is caught by a test: remove it, and a test must fail.

For each row of MUTANTS below, this script copies the package (server/himaya) to a
temporary folder, removes one refusal there (an exact piece of source replaced by
code that lets everything through), runs only the test modules that guard it with
that copy first on PYTHONPATH, and expects them to fail. A mutant whose tests still
pass "survives": the refusal could be deleted without any test noticing, and the
script exits 1 naming it. The working tree is never touched.

    python scripts/mutation_check.py            # every mutant (make test runs this)
    python scripts/mutation_check.py --list     # the table: refusal -> where documented -> tests
    python scripts/mutation_check.py guard-host evidence-canonical   # some mutants only

A row whose source piece is no longer found exactly once fails too: the table must
follow the code it checks (update `find` when the refusal is rewritten).
"""

from __future__ import annotations

import argparse
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "server" / "himaya"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # inside server/himaya
    edits: tuple[tuple[str, str], ...]  # (exact source, what replaces it)
    refusal: str  # what is documented, and where
    tests: tuple[str, ...]  # test modules (or node ids) that must catch it


def off(condition: str) -> tuple[tuple[str, str], ...]:
    """`if <condition>:` becomes `if False:` (the refusal never fires)."""
    return ((f"if {condition}:", "if False:"),)


GUARD, EVIDENCE, STORE = "companion/guard.py", "core/evidence.py", "companion/store.py"
UPDATER, MANIFEST, SIGNING, APP = "bundles/updater.py", "bundles/manifest.py", "bundles/signing.py", "companion/app.py"
T_GUARD = ("tests/test_guard.py", "tests/test_security.py")
T_EVIDENCE = ("tests/test_evidence.py",)
# The refusal table first: -x stops at the first failure, so a caught mutant costs only that.
T_UPDATE = ("tests/test_update.py::test_refusal_keeps_the_last_good_set_and_says_why", "tests/test_update.py")
T_SIGN = ("tests/test_bundle.py", "tests/test_update.py::test_refusal_keeps_the_last_good_set_and_says_why",
          "tests/test_update.py")

MUTANTS = [
    # -- the guard: docs/API.md "The guard", docs/SECURITY-TESTS.md --------------------------
    Mutant("guard-host", GUARD, off('environ.get("HTTP_HOST", "") not in self.settings.allowed_hosts()'),
           "API.md guard 1: Host must be 127.0.0.1:<port> or localhost:<port> (400 bad_host)", T_GUARD),
    Mutant("guard-foreign-origin", GUARD,
           (('if kind == "foreign" or (kind == "chrome-new"', 'if (kind == "chrome-new"'),),
           "API.md guard 2: a foreign Origin gets the constant 403", T_GUARD),
    Mutant("guard-new-chrome-id", GUARD,
           (('if kind == "foreign" or (kind == "chrome-new" and (method, path) != ("POST", f"{API}/pair")):',
             'if kind == "foreign":'),),
           "API.md guard 2: an unconfigured Chrome id may only pair", T_GUARD + ("tests/test_api.py",)),
    Mutant("guard-token", GUARD, off("not authenticated and (method, path) not in PUBLIC"),
           "API.md guard 3: a token is required (constant 401)", T_GUARD),
    Mutant("guard-rate", GUARD, (("        wait = buckets.take(client)\n        if wait:", "        wait = buckets.take(client)\n        if False:"),),
           "API.md guard 4: a token bucket per client (429 + Retry-After)", ("tests/test_api.py", "tests/test_guard.py")),
    Mutant("guard-batch-cost", GUARD, (("cost=len(units) - 1)", "cost=0)"),),
           "API.md guard 4: a batch costs one unit per unit it holds", ("tests/test_api.py",)),
    Mutant("guard-length-cap", GUARD, off("length is not None and (length < 0 or length > cap)"),
           "API.md guard 5: Content-Length over the route's cap, refused before reading (413)", T_GUARD),
    Mutant("guard-read-cap", GUARD, off("len(raw) > cap"),
           "API.md guard 5: a body without Content-Length is cut while reading (413)", T_GUARD),
    Mutant("guard-content-type", GUARD,
           off('ctype not in ("application/json", "application/json;charset=utf-8")'),
           "API.md guard 6: POST needs Content-Type application/json (415)", T_GUARD),
    Mutant("guard-get-body", GUARD, off('(length or 0) > 0 or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()'),
           "API.md guard 6: GET must have no body (400 body_not_allowed)", T_GUARD),
    Mutant("json-utf8", GUARD, (('text = raw.decode("utf-8")', 'text = raw.decode("utf-8", "replace")'),),
           "API.md strict JSON: valid UTF-8 only", T_GUARD),
    Mutant("json-bom", GUARD, off('text.startswith("\\ufeff")'), "API.md strict JSON: no BOM", T_GUARD),
    Mutant("json-duplicates", GUARD, off("key in obj"), "API.md strict JSON: no duplicate keys", T_GUARD),
    Mutant("json-constants", GUARD,
           (("object_pairs_hook=_no_duplicates, parse_constant=_no_constants)", "object_pairs_hook=_no_duplicates)"),),
           "API.md strict JSON: no NaN/Infinity", T_GUARD),
    Mutant("json-object", GUARD, off("not isinstance(value, dict)"), "API.md strict JSON: one object at the top level",
           T_GUARD),
    Mutant("json-depth", GUARD, off("depth > max_depth"), "API.md strict JSON: nesting depth at most 8", T_GUARD),
    Mutant("json-control-chars", GUARD, off("_BAD_CHARS.search(value)"),
           "API.md strict JSON: no control characters or lone surrogates in strings", T_GUARD),
    Mutant("json-control-keys", GUARD, off("_BAD_CHARS.search(key)"),
           "API.md strict JSON: no control characters or lone surrogates in keys", T_GUARD),
    Mutant("guard-live-ids", APP, (('return extension_id in self.fixed or extension_id in self.configured()',
                                    'return extension_id in self.fixed'),),
           "COMPANION.md settings: extension-ids changed while running are seen", ("tests/test_app.py",)),
    # -- the evidence verifier: docs/COMPANION.md "Reports and evidence" --------------------
    Mutant("evidence-record-hash", EVIDENCE, off('sha256_hex(body) != row["sha256"]'),
           "COMPANION.md verify: a changed record is named", T_EVIDENCE),
    Mutant("evidence-chain-link", EVIDENCE, off('row["prev"] != previous'),
           "COMPANION.md verify: a removed or reordered record is named", T_EVIDENCE),
    Mutant("evidence-canonical", EVIDENCE, off("canonical(record) != body"),
           "API.md reports: the record is canonical JSON", T_EVIDENCE),
    Mutant("evidence-own-place", EVIDENCE,
           off('(record.get("prev"), record.get("seq"), record.get("id")) != (previous, row["seq"], row["id"])'),
           "COMPANION.md verify: a record moved in the chain is named", T_EVIDENCE),
    Mutant("evidence-unit-hash", EVIDENCE, off('sha256_hex(unit.get("text", "").encode("utf-8")) != unit.get("sha256")'),
           "API.md reports: every unit with the SHA-256 of its text", T_EVIDENCE),
    Mutant("evidence-capture-set", EVIDENCE, off("set(stored) != set(expected)"),
           "COMPANION.md verify: captures are those the record lists", T_EVIDENCE),
    Mutant("evidence-capture-hash", EVIDENCE,
           off('sha256_hex(bytes(stored[name]["data"])) != digest or stored[name]["sha256"] != digest'),
           "COMPANION.md verify: a changed screenshot is named", T_EVIDENCE),
    Mutant("evidence-no-floats", EVIDENCE, off("isinstance(value, float)"),
           "evidence.py: records hold no floats (one byte form)", T_EVIDENCE),
    Mutant("evidence-image-type", EVIDENCE, off("not data.startswith(_MAGIC[mime])"),
           "API.md limits: screenshot is a PNG, JPEG or WebP (the claimed type is true)", T_EVIDENCE),
    # -- the store: docs/SECURITY-TESTS.md, docs/API.md data folder ------------------------
    Mutant("store-append-only", STORE, (('for action in ("UPDATE", "DELETE"):', "for action in ():"),),
           "SECURITY-TESTS.md: the database refuses UPDATE/DELETE of evidence", ("tests/test_store.py",)),
    Mutant("store-keyed-url-hash", STORE,
           (('return hmac.new(self._url_key, url.encode("utf-8"), hashlib.sha256).hexdigest()',
             'return hashlib.sha256(url.encode("utf-8")).hexdigest()'),),
           "API.md: a keyed hash of the page address", ("tests/test_store.py",)),
    # -- the updater: docs/PUBLISHING.md "Each update goes through these checks" -------------
    Mutant("update-rollback", UPDATER, off("manifest.version < active.version"),
           "PUBLISHING.md: rollback", T_UPDATE),
    Mutant("update-not-newer", UPDATER, off("manifest != active"), "PUBLISHING.md: not_newer", T_UPDATE),
    Mutant("update-expired", UPDATER, off("manifest.expired()"), "PUBLISHING.md: expired", T_UPDATE),
    Mutant("update-client-too-old", UPDATER, off("client_too_old(manifest)"),
           "PUBLISHING.md: client_too_old", T_UPDATE),
    Mutant("update-file-size-and-hash", UPDATER,
           off("len(data) != entry.size") + off("sha256_bytes(data) != entry.sha256")
           + (('verify_files(staging, manifest, missing_code="hash_mismatch")', "pass"),),
           "PUBLISHING.md: each changed file's exact size and SHA-256", T_UPDATE),
    Mutant("update-live-url", UPDATER,
           (("changed = {key for key in self.LIVE_SETTINGS if fresh.get(key) != self.config.get(key)}",
               "changed = set()"),),
           "COMPANION.md settings: update-url changed while running is seen",
           ("tests/test_update_runtime.py::test_an_address_set_while_running_is_polled_without_a_restart",
            "tests/test_update_runtime.py")),
    # -- signatures and pinned keys: docs/PUBLISHING.md -------------------------------------
    Mutant("sign-wrong-list", MANIFEST, off("manifest.list_id != trusted.list_id"),
           "PUBLISHING.md: wrong_list", T_SIGN),
    Mutant("sign-threshold-pinned", MANIFEST,  # checked before and after parsing: remove both
           (("problem = verification.problem(trusted.threshold)", "problem = None"),
            ("problem = verification.problem(max(trusted.threshold, manifest.threshold))",
             "problem = verification.problem(manifest.threshold)")),
           "PUBLISHING.md: a manifest never asks for fewer signatures than pinned", T_SIGN),
    Mutant("sign-threshold-manifest", MANIFEST,
           (("problem = verification.problem(max(trusted.threshold, manifest.threshold))",
             "problem = verification.problem(trusted.threshold)"),),
           "PUBLISHING.md: a manifest may ask for more signatures", T_SIGN),
    Mutant("sign-bad-signature", SIGNING,
           (("            public.verify(sig.signature, _prehash(message))\n"
             "            public.verify(sig.global_signature, sig.signature + sig.trusted_comment.encode(\"utf-8\"))\n",
             "            pass\n"),),
           "PUBLISHING.md: bad_signature", T_SIGN),
    Mutant("sign-unknown-key", SIGNING,
           (("result.unknown.append(sig.key_id)\n            continue", "result.valid.add(sig.key_id)\n            continue"),),
           "PUBLISHING.md: unknown_key (only pinned keys count)", T_SIGN),
    Mutant("sign-distinct-keys", SIGNING, (("result.valid.add(sig.key_id)", "result.valid.add(len(result.valid))"),),
           "PUBLISHING.md: k of n counts *different* pinned keys", T_SIGN),
    Mutant("sign-threshold-over-keys", SIGNING, off("threshold > len(keys)"),
           "PUBLISHING.md: a pinned threshold above the number of keys is refused", T_SIGN),
]

def apply(mutant: Mutant, copy: Path) -> None:
    path = copy / mutant.file
    source = path.read_text(encoding="utf-8")
    for find, replace in mutant.edits:
        count = source.count(find)
        if count != 1:
            raise SystemExit(f"{mutant.name}: {find!r} found {count} times in server/himaya/{mutant.file}; "
                             "update scripts/mutation_check.py to follow the code")
        source = source.replace(find, replace)
    path.write_text(source, encoding="utf-8")
    py_compile.compile(str(path), doraise=True)


def run_tests(tests, pythonpath: Path | None, timeout: float = 600) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
           "--no-header", "-W", "ignore::pytest.PytestUnraisableExceptionWarning", *tests]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("FAILED ") or line.startswith("ERROR "):
            return line.split(" ", 1)[1].split(" - ")[0]
    return "?"


def check(mutant: Mutant, workdir: Path) -> tuple[Mutant, str, str, float]:
    """(mutant, outcome, catching test or detail, seconds); outcome: caught, survived, error."""
    started = time.monotonic()
    copy_root = workdir / mutant.name
    shutil.copytree(PACKAGE, copy_root / "himaya", ignore=shutil.ignore_patterns("__pycache__"))
    try:
        apply(mutant, copy_root / "himaya")
        code, output = run_tests(mutant.tests, copy_root)
    finally:
        shutil.rmtree(copy_root, ignore_errors=True)
    seconds = time.monotonic() - started
    if code == 1:
        return mutant, "caught", first_failure(output), seconds
    if code == 0:
        return mutant, "survived", "every test passed without it", seconds
    return mutant, "error", output[-2000:], seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--list", action="store_true", help="print the table and exit")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip running the chosen tests on the unchanged code first (make test has just run them)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    if args.list:
        for m in chosen:
            print(f"{m.name:28} {m.refusal}\n{'':28} tests: {' '.join(m.tests)}")
        return 0

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="himaya-mutants-") as tmp:
        workdir = Path(tmp)
        # The copy must be what the tests import, or every mutant would look caught or survive for nothing.
        probe = workdir / "probe"
        shutil.copytree(PACKAGE, probe / "himaya", ignore=shutil.ignore_patterns("__pycache__"))
        where = subprocess.run([sys.executable, "-c", "import himaya; print(himaya.__file__)"], cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(probe)}, capture_output=True, text=True)
        if not where.stdout.strip().startswith(str(probe)):
            print(f"the package copy is not imported first ({where.stdout.strip() or where.stderr[-500:]})")
            return 2
        shutil.rmtree(probe)
        # Unchanged code: the chosen tests pass, so a failure below is the mutant's doing.
        baseline = sorted({t.split("::")[0] for m in chosen for t in m.tests})
        code, output = (0, "") if args.no_baseline else run_tests(baseline, None)
        if code != 0:
            print(f"the tests fail without any mutant:\n{output[-3000:]}")
            return 2
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda m: check(m, workdir), chosen))

    survivors = [r for r in results if r[1] != "caught"]
    for mutant, outcome, detail, seconds in results:
        shown = detail if outcome != "error" else "pytest error (below)"
        print(f"{outcome:8} {mutant.name:28} {seconds:5.1f} s  {shown}")
    for mutant, outcome, detail, _ in survivors:
        print(f"\n{mutant.name} {outcome}: {mutant.refusal}\n  removed in server/himaya/{mutant.file}; "
              f"tests run: {' '.join(mutant.tests)}")
        if outcome == "error":
            print(detail)
    caught = len(results) - len(survivors)
    print(f"\nmutation check: {caught} of {len(results)} documented refusals caught by a test "
          f"({time.monotonic() - started:.0f} s)")
    print(f"mutants: {caught} passed, {len(survivors)} failed")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
