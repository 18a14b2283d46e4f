"""Documentation is checked: every command, setting and endpoint is documented,
and every command's help gives an example (as sqlite-utils does)."""

import re
from pathlib import Path

import click
import pytest

from himaya.cli import load_all, main

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _commands(group: click.Group, prefix: str = "himaya"):
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


load_all()  # every command registered, not only those named so far
COMMANDS = list(_commands(main))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_is_documented_with_an_example(path, cmd):
    group, _, name = path.rpartition(" ")
    # README's table lists sub-commands together: `himaya rules validate|test|lint`
    mentioned = path in DOCS or any(
        line for line in DOCS.splitlines() if group + " " in line and name in line.split(group + " ", 1)[1][:80])
    assert mentioned, f"{path} is not in README.md or docs/"
    assert cmd.help and "Example" in cmd.help, f"{path} --help gives no example"


def test_every_setting_is_documented():
    from himaya.companion.config import DEFAULTS

    companion = (ROOT / "docs" / "COMPANION.md").read_text(encoding="utf-8")
    missing = [key for key in DEFAULTS if key not in companion]
    assert not missing, f"settings missing from docs/COMPANION.md: {missing}"


def test_every_endpoint_is_documented(himaya_home):
    from himaya.companion.app import create_app

    api = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    app = create_app({"HOME": himaya_home, "PORT": 47615, "RULES": _NoRules()})
    routes = {re.sub(r"<[^>]+>", "<id>", r.rule) for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert len(routes) >= 7
    for route in routes:
        assert f"{route}`" in api or f"{route}?" in api, f"{route} is not in docs/API.md"


class _NoRules:
    """Routes are listed without building a scanner."""

    scanner = None

    def status(self):
        return {}


# -- every concrete claim is checked ---------------------------------------------------------

DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "rules" / "README.md",
             ROOT / "extension" / "PERMISSIONS.md", ROOT / "tests" / "fixtures" / "eval" / "README.md",
             ROOT / "tests" / "fixtures" / "blind-pending" / "README.md"]
TOP_DIRS = ("server/", "extension/", "rules/", "tests/", "docs/", "scripts/", "bench/", ".ci/")


def _doc(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _named_paths(path: Path):
    """Repository paths a document names: backticked paths under a top folder, and relative links."""
    text = _doc(path)
    for token in re.findall(r"`([^`\s]+)`", text):
        if token.startswith(TOP_DIRS) and not re.search(r"[<>*{}|]", token):
            yield token, ROOT / token.rstrip(".,:;")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if not re.match(r"^[a-z]+:", target) and not target.startswith("#"):
            yield target, (path.parent / target.split("#")[0]).resolve()


@pytest.mark.parametrize("doc", DOC_FILES, ids=[str(p.relative_to(ROOT)) for p in DOC_FILES])
def test_every_file_a_document_names_exists(doc):
    missing = [name for name, target in _named_paths(doc) if not target.exists()]
    assert not missing, f"{doc.relative_to(ROOT)} names files the project does not have: {missing}"


def test_no_reference_to_files_the_project_does_not_contain():
    """The project stands on its own: no document, test, comment or help text sends the reader to a
    file outside it (the design notes it was started from live in docs/DESIGN.md and docs/CORPUS.md)."""
    import subprocess

    outside = ["shared" + "/", "../" + "shared", "design" + "/", "DOMAIN" + ".md", "SECURITY" + ".md",
               "ARCHITECTURE" + ".md", "BROWSER_TESTING" + ".md", "LAYOUT" + ".md", "STYLE" + ".md", "dev" + ".jsonl"]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in tracked:
        path = ROOT / name
        if name == "package-lock.json" or path.suffix in (".png", ".jpg", ".ico") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {word}" for word in outside if word in text]
    assert not found, found


def _code_spans():
    for doc in DOC_FILES:
        text = _doc(doc)
        yield from ((doc, span) for span in re.findall(r"`([^`\n]+)`", text))
        for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
            yield from ((doc, line) for line in block.splitlines())
        yield from ((doc, line.strip()) for line in text.splitlines() if line.startswith("    "))


def _himaya_invocations():
    seen = set()
    for doc, span in _code_spans():
        for found in re.finditer(r"(?:^|[\s$(&;])(?<!from )himaya ((?:[a-z][a-z-]*)(?: [a-z][a-z|\\-]*)?)([^#`]*)", span):
            key = (found.group(1), found.group(2).strip())
            if key not in seen:
                seen.add(key)
                yield doc, found.group(1), found.group(2)


def test_every_himaya_command_a_document_shows_exists_with_its_options():
    problems = []
    for doc, words, rest in _himaya_invocations():
        parts = words.replace("\\|", "|").split()
        command = main
        for part in parts:
            if not isinstance(command, click.Group):
                break
            names = part.split("|")
            subs = [command.commands.get(n) for n in names]
            if None in subs:
                if command is main or part.startswith("-"):
                    problems.append(f"{doc.name}: himaya {words}")
                break
            command = subs[0] if len(subs) == 1 else None
            if command is None:
                break
        if command is None or isinstance(command, click.Group):
            continue
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest):
            if option not in known and option != "--help":
                problems.append(f"{doc.name}: himaya {words} {option}")
    assert not problems, problems


def test_every_make_target_a_document_names_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    named = {m for _doc_path, span in _code_spans() for m in re.findall(r"(?:^|[\s$(&;])make ([a-z][a-z-]+)", span)}
    assert named and not named - targets, named - targets


def test_every_test_a_document_cites_exists():
    import ast

    cited = set()
    for doc in DOC_FILES:
        text = _doc(doc)
        cited |= set(re.findall(r"`?(?:tests/)?(test_\w+\.py)::(test_\w+)", text))
        cited |= {("test_security.py", name) for name in re.findall(r"`sec::(test_\w+)", text)}
    missing = []
    for module, name in cited:
        path = next(iter(ROOT.glob(f"tests/**/{module}")), None)
        functions = set() if path is None else {
            node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.FunctionDef)}
        if name not in functions:
            missing.append(f"{module}::{name}")
    assert len(cited) > 30 and not missing, missing


def test_api_limits_are_the_codes():
    from himaya.companion import guard, payloads
    from himaya.core import evidence

    api = _doc(ROOT / "docs" / "API.md")
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", api, re.M))
    KiB, MiB = 1024, 1024 * 1024
    expected = {
        "body of `POST /reports`": f"{guard.BODY_CAPS['/api/v1/reports'] // MiB} MiB",
        "body of `POST /scan/batch`": f"{guard.BODY_CAPS['/api/v1/scan/batch'] // MiB} MiB",
        "any other body": f"{guard.DEFAULT_BODY_CAP // KiB} KiB",
        "`text` of one unit": f"{payloads.MAX_TEXT:,} characters".replace(",", " "),
        "units in one batch": str(payloads.MAX_BATCH),
        "units in one report": f"{payloads.MAX_REPORT_UNITS}; matches {payloads.MAX_MATCHES}",
        "`url`": f"{payloads.MAX_URL:,} characters".replace(",", " "),
        "`title`": f"{payloads.MAX_TITLE:,} characters; `note` {payloads.MAX_NOTE:,}".replace(",", " "),
        "`conversation`, unit `id`, rule ids": f"{payloads.MAX_ID} characters",
        "screenshot": f"PNG, JPEG or WebP data URL, {evidence.MAX_SCREENSHOT // MiB} MiB once decoded",
    }
    for what, value in expected.items():
        assert rows.get(what) == value, (what, rows.get(what), value)
    assert f"nesting depth at most {guard.MAX_DEPTH}" in api


def test_numbers_the_documents_state_are_the_codes(himaya_home):
    """Each (document, phrase) below states a number or a default; the phrase must be there and the
    code must agree."""
    from himaya.bundles import updater
    from himaya.bundles.manifest import LIMITS
    from himaya.companion import config, health, outbox, pairing
    from himaya.companion.app import create_app
    from himaya.core.conversations import FADE_AFTER, ConversationStore

    box = outbox.Outbox(None, {})
    app = create_app({"HOME": himaya_home, "PORT": 47615, "RULES": _NoRules()})
    guard = app.extensions["himaya"].guard
    claims = [
        ("docs/COMPANION.md", "within 10 minutes", pairing.LIFETIME == 600),
        ("docs/COMPANION.md", "after 5 wrong tries", pairing.MAX_TRIES == 5),
        ("docs/API.md", "works once, and is locked after 5 wrong tries", pairing.MAX_TRIES == 5),
        ("docs/COMPANION.md", "| `port` | 47615 |", config.DEFAULTS["port"] == 47615),
        ("docs/COMPANION.md", "| `update-interval` | 21600 |", config.DEFAULTS["update-interval"] == 21600),
        ("docs/COMPANION.md", "(300 to 604800)", _refuses("update-interval", 299) and _refuses("update-interval", 604801)),
        ("docs/COMPANION.md", "| `retention-days` | 90 |", config.DEFAULTS["retention-days"] == 90),
        ("docs/COMPANION.md", "30 s doubling up to 6 h, 20 tries",
         (box.base_delay, box.max_delay, box.max_attempts) == (30.0, 6 * 3600.0, 20)),
        ("docs/COMPANION.md", "1 MB ×", True),
        ("docs/API.md", "1 000 units/s per client, bursts of 4 000", guard.rate == (1000.0, 4000.0)),
        ("docs/COMPANION.md", "(1 000 units/s, bursts of 4 000", guard.rate == (1000.0, 4000.0)),
        ("docs/API.md", "300 requests/s per client, bursts of 600", guard.request_rate == (300.0, 600.0)),
        ("docs/API.md", "(600 units/s, bursts of 2 400, shared by all tabs)", _pace() == (600, 2400)),
        ("docs/COMPANION.md", "(600 units/s, bursts of 2 400)", _pace() == (600, 2400)),
        ("docs/API.md", "| `scan-health.json` (0600) | the latest 20 browser sessions'", health.MAX_SESSIONS == 20),
        ("docs/COMPANION.md", "At most 2 000 conversations are kept", ConversationStore().cap == 2000),
        ("docs/COMPANION.md", "it fades once 40\nmessages have passed without it", FADE_AFTER == 40),
        ("docs/API.md", "(`/pair`: 10 a minute)", guard.pair_rate == (10 / 60, 10.0)),
        ("docs/PUBLISHING.md", "every `update-interval`\nseconds (6 hours by default)", updater.DEFAULT_INTERVAL == 6 * 3600),
        ("docs/PUBLISHING.md", "within 30 seconds", updater.WATCH_SECONDS == 30),
        ("docs/PUBLISHING.md", "(5 minutes doubling, at most a day", updater.MAX_BACKOFF == 24 * 3600),
        ("docs/PUBLISHING.md", "(manifest 1 MiB, a file 2 MiB, all files 32 MiB)",
         (LIMITS.manifest, LIMITS.file, LIMITS.total) == (1 << 20, 2 << 20, 32 << 20)),
        ("docs/COMPANION.md", "within 30 seconds", updater.WATCH_SECONDS == 30),
    ]
    for doc, phrase, true in claims:
        assert phrase in _doc(ROOT / doc), f"{doc} no longer says {phrase!r}: update this test"
        assert true, f"{doc} says {phrase!r}, the code does not"
    import logging.handlers
    from himaya.companion.serving import setup_logging

    handler = setup_logging(himaya_home)
    try:
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert (handler.maxBytes, handler.backupCount) == (1_000_000, 5)  # "1 MB × 5"
    finally:
        for name in ("himaya", "waitress"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()


def _pace() -> tuple:
    """The extension's own pace toward the companion (extension/background/pacer.js)."""
    text = (ROOT / "extension" / "background" / "pacer.js").read_text(encoding="utf-8")
    rate, burst = re.search(r"PACE = Object\.freeze\(\{ rate: (\d+), burst: (\d+) \}\)", text).groups()
    return int(rate), int(burst)


def _refuses(key, value) -> bool:
    from himaya.companion import config

    try:
        config.validate(key, value)
    except config.ConfigError:
        return True
    return False


def test_the_api_examples_name_real_rules_and_versions():
    import json as _json

    from himaya import Scanner, __version__

    api = _doc(ROOT / "docs" / "API.md")
    rules = {r.id: r for r in Scanner.load(ROOT / "rules").rules}
    named = re.findall(r'"rule": "([^"]+)", "category": "([^"]+)", "severity": "([^"]+)"', api)
    assert named
    for rule_id, category, severity in named:
        assert rule_id in rules, rule_id
        rule = rules[rule_id]
        assert rule.category == category and severity in {rule.severity, *(s for _, s in rule.escalate)}, rule_id
    assert set(re.findall(r'"version": "([^"]+)"', api)) == {__version__}
    shape = r"sha256:[0-9a-f]{16}"
    assert re.fullmatch(shape, Scanner.load(ROOT / "rules").version)
    assert all(v == "..." or re.fullmatch(shape, v) for v in re.findall(r'"rules_version": "([^"]+)"', api))
    status = next(block for block in re.findall(r"```json\n(.*?)```", api, re.S) if '"counts"' in block)
    # what `himaya rules status` shows, and the label the API adds (the words `himaya status` and the popup use)
    assert set(_json.loads(status)["rules"]) == set(_status_fields()) | {"label"}


def _status_fields():
    import tempfile

    from himaya.bundles.updater import RuleManager

    with tempfile.TemporaryDirectory() as home:
        return RuleManager(home).status()


def test_the_data_folder_table_lists_what_a_running_companion_writes(himaya_home):
    from himaya.companion import config as settings_mod
    from himaya.companion.app import create_app
    from himaya.companion.pairing import new_code
    from himaya.companion.serving import load_rules, setup_logging

    settings_mod.set_value(himaya_home, "retention-days", "30")
    rules = load_rules(himaya_home, settings_mod.load(himaya_home))
    handler = setup_logging(himaya_home)
    try:
        create_app({"HOME": himaya_home, "PORT": 47615, "RULES": rules})
        new_code(himaya_home)
    finally:
        rules.stop()
        for name in ("himaya", "waitress"):
            logging_module().getLogger(name).removeHandler(handler)
        handler.close()
    api = _doc(ROOT / "docs" / "API.md")
    table = api[api.index("## Files in the data folder"):]
    listed = set(re.findall(r"^\| `([^`]+)`", table, re.M))
    written = {p.name + ("/" if p.is_dir() else "") for p in himaya_home.iterdir()}
    written = {name.split("-wal")[0].split("-shm")[0] for name in written} - {"logs/"} | {"logs/companion.log"}
    assert written <= listed, written - listed
    assert set(settings_mod.DEFAULTS) <= set(re.findall(r"`([a-z-]+)`", table.split("config.json")[1].split("\n")[0]))


def logging_module():
    import logging

    return logging


def test_permissions_page_names_every_site_the_extension_reads():
    import json as _json

    manifest = _json.loads((ROOT / "extension" / "manifest.json").read_text(encoding="utf-8"))
    hosts = {m.split("://", 1)[1].split("/", 1)[0] for c in manifest["content_scripts"] for m in c["matches"]}
    page = _doc(ROOT / "extension" / "PERMISSIONS.md")
    section = page[page.index("## Where the extension reads pages on its own"):page.index("## What it deliberately")]
    for host in hosts:
        labels = host.split(".")
        site = ".".join(labels[-2:])
        sub = labels[0] if len(labels) > 2 else None
        assert site in section, host
        if sub:
            assert f"{sub}.{site}" in section or re.search(rf"{re.escape(site)} \([^)]*\b{sub}\b", section), host


def test_corpus_files_follow_docs_corpus_md():
    import json as _json

    page = _doc(ROOT / "docs" / "CORPUS.md")
    rows = {name: cell for name, cell in re.findall(r"^\| `(\w+)` \| (.+) \|$", page, re.M)}
    allowed = {field: set(re.findall(r"`([a-z-]+)`", rows[field])) for field in ("kind", "lang", "category", "obfuscation")}
    from himaya.core.rules.schema import CATEGORIES

    assert set(CATEGORIES) | {"benign", "benign-hard-negative"} <= allowed["category"]
    for path in sorted((ROOT / "tests" / "fixtures").glob("[eb]*/*.jsonl")):  # eval/ and blind-pending/
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            item = _json.loads(line)
            where = f"{path.name}:{number}"
            assert set(item) <= set(rows), (where, set(item) - set(rows))
            assert item["kind"] in allowed["kind"] and item["lang"] in allowed["lang"], where
            assert item["category"] in allowed["category"] and item["label"] in ("risk", "benign"), where
            assert set(item.get("obfuscation", [])) <= allowed["obfuscation"], where
            if item["kind"] == "thread":
                assert item["text"] == "" and all(m["from"] in ("a", "b") for m in item["messages"]), where
                assert item.get("child", "a") in ("a", "b"), where
