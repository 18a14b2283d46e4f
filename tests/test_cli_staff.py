"""The command line as NGO staff and volunteers use it (issue 13.7): which list
`scan` uses, long files read whole, one clear line and exit 2 on bad input,
exit status 0/1/2, a cold scan under half a second, help that shows examples
of files that exist."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from himaya.cli import COMMANDS, load_all, main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
CHAT = ROOT / "tests" / "fixtures" / "cli" / "chat-export.txt"
HIMAYA = [sys.executable, "-c", "import sys; from himaya.cli import main; sys.argv[0] = 'himaya'; main()"]


@pytest.fixture
def run(himaya_home):
    def invoke(*args, input=None, env=None):
        return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


def one_line_refusal(result, *words):
    """Exit 2, one line on standard error naming what to do, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    for word in words:
        assert word in err, (word, err)
    return err


# -- which list ------------------------------------------------------------------

def test_scan_uses_this_computers_active_list_and_rules_chooses_another(run, himaya_home):
    from himaya.bundles.updater import RuleManager

    active = RuleManager(himaya_home)  # what the companion installs in its data folder
    label = f"{active.manifest.list_id} version {active.manifest.version} of {active.manifest.created[:10]}"
    res = run("scan", "--json", "bonne journée")
    assert res.exit_code == 0
    out = json.loads(res.stdout)
    assert out["rules_version"] == active.scanner.version
    assert out["rules_list"] == label
    assert f"rule list: {label}" in run("scan", "bonne journée").stdout
    other = run("scan", "--rules", str(FIXTURES), "--json", "ajoute moi sur snap")
    assert json.loads(other.stdout)["matches"][0]["rule"] == "T-INVITE"  # a rule only the fixtures have


def test_scan_exit_status_is_0_nothing_1_warning_2_error(run):
    assert run("scan", "bonne journée").exit_code == 0
    assert run("scan", "--file", str(CHAT)).exit_code == 1
    assert run("scan", "--rules", str(ROOT / "docs"), "x").exit_code == 2  # a folder without rules


# -- long and bad input ---------------------------------------------------------------

def test_scan_file_reads_all_of_20_mb_in_overlapping_pieces(run, tmp_path):
    from himaya.core.scanner import PIECE

    filler = "bonjour" + " " * 92 + "\n"
    head = filler * (PIECE // len(filler))  # the first cut falls inside the next phrase
    cut = len(head) - 10
    tail = filler * ((20_000_000 - len(head)) // len(filler))
    text = head[:cut] + "ajoute-moi sur snap " + head[cut:] + tail + "t'as quel âge ? ajoute-moi sur snap : yassine_x000\n"
    big = tmp_path / "export.txt"
    big.write_text(text, encoding="utf-8")
    assert big.stat().st_size >= 20_000_000
    res = run("scan", "--json", "--file", str(big))
    assert res.exit_code == 1
    verdict = json.loads(res.stdout)
    spans = {m["rule"]: m["spans"] for m in verdict["matches"]}
    age = [s for s in spans["HIM-AGE-001"]]
    assert text[age[0][0]:age[0][1]].startswith("quel âge"), "the last line of 20 MB was read"
    assert age[0][0] > 19_900_000
    invite = spans["HIM-PRIV-001"][0]
    assert text[invite[0]:invite[1]].startswith("ajoute-moi")  # across the first cut
    assert re.search(r"read all [\d,]+ characters in \d+ overlapping pieces", res.stderr)


def test_scan_long_text_shows_a_progress_bar_on_a_terminal(tmp_path, himaya_home, monkeypatch):
    pty = pytest.importorskip("pty")
    big = tmp_path / "long.txt"
    big.write_text(("salam" + " " * 94 + "\n") * 3000, encoding="utf-8")
    script = f"import sys; sys.argv = ['himaya', 'scan', '--file', {str(big)!r}]; from himaya.cli import main; main()"
    out = bytearray()

    def read(fd):
        data = os.read(fd, 4096)
        out.extend(data)
        return data

    monkeypatch.setenv("HIMAYA_HOME", str(himaya_home))
    monkeypatch.setenv("COLUMNS", "100")
    status = pty.spawn([sys.executable, "-c", script], read)
    text = out.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0
    assert "reading" in text and "100%" in text
    assert "read all 300,000 characters" in text


@pytest.mark.parametrize("content, words", [
    (b"\x00\x01\x02PNG", ["binary", "UTF-8"]),
    ("café".encode("latin-1"), ["not UTF-8", "0xe9", "save it as UTF-8"]),
])
def test_scan_refuses_binary_and_non_utf8_files_in_one_line(run, tmp_path, content, words):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    one_line_refusal(run("scan", "--file", str(bad)), str(bad), *words)
    one_line_refusal(run("scan", "-", input=content), "standard input", *words)


def test_unusable_data_folders_get_one_line(run, tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    one_line_refusal(run("scan", "salut", env={"HIMAYA_HOME": str(a_file)}), "is a file", "HIMAYA_HOME")
    one_line_refusal(run("config", "list", env={"HIMAYA_HOME": str(a_file)}), "is a file")
    one_line_refusal(run("scan", "salut", env={"HIMAYA_HOME": str(a_file / "sub")}), "cannot be used")
    if os.geteuid() == 0:
        locked = Path("/sys/himaya-test-home")  # even root cannot make a folder there
    else:
        parent = tmp_path / "locked"
        parent.mkdir(mode=0o500)
        locked = parent / "home"
    one_line_refusal(run("scan", "salut", env={"HIMAYA_HOME": str(locked)}), "cannot be written", "HIMAYA_HOME")


def test_bench_refuses_zero_in_one_line(run):
    one_line_refusal(run("bench", "--signatures", "0"), "--signatures must be at least 1")
    one_line_refusal(run("bench", "--messages", "0"), "--messages must be at least 1")


def test_eval_fails_clearly_on_empty_non_json_and_unknown_labels(run, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    err = one_line_refusal(run("eval", str(empty)), "nothing to measure", "holds no items")
    assert "precision" not in err
    not_json = tmp_path / "notes.jsonl"
    not_json.write_text("hello\nworld\n")
    res = run("eval", str(not_json))
    assert res.exit_code == 2 and "no line is a JSON object" in res.stderr and "precision" not in res.stdout
    label = tmp_path / "label.jsonl"
    label.write_text(json.dumps({"id": "x1", "text": "salut", "label": "maybe"}) + "\n")
    one_line_refusal(run("eval", str(label)), "x1", "'maybe'", "risk or benign")


def test_eval_errors_shows_the_texts(run, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(i) for i in [
        {"id": "miss", "kind": "message", "text": "on joue au foot demain ?", "label": "risk", "category": "x"},
        {"id": "alarm", "kind": "message", "text": "ajoute moi sur snap", "label": "benign"},
    ]), encoding="utf-8")
    out = run("eval", "--rules", str(FIXTURES), "--errors", str(corpus)).stdout
    assert "missed: miss" in out and "on joue au foot demain ?" in out
    assert "false-positive: alarm" in out and "ajoute moi sur snap" in out


def test_serve_port_0_is_refused(run):
    one_line_refusal(run("serve", "--port", "0"), "--port 0", "1024 to 65535")


# -- speed: the compiled list is cached in the data folder -----------------------------

def test_a_cold_scan_writes_the_compiled_list_once_then_reads_it(himaya_home):
    # How much this saves is a benchmark's figure (bench/cold_scan_bench.py), not a test's.
    env = dict(os.environ, HIMAYA_HOME=str(himaya_home))
    cli = [str(Path(sys.executable).with_name("himaya"))] if Path(sys.executable).with_name("himaya").exists() else HIMAYA
    first = subprocess.run([*cli, "scan", "salut"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    cache = list((himaya_home / "cache").glob("compiled-*.pickle"))
    assert len(cache) == 1 and (cache[0].stat().st_mode & 0o777) == 0o600
    written = cache[0].stat()
    done = subprocess.run([*cli, "scan", "t'as quel âge ? ajoute-moi sur snap"], env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "HIM-AGE" in done.stdout
    again = cache[0].stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # read, not rewritten


def test_a_trusted_cache_is_loaded_without_compiling(tmp_path, monkeypatch):
    from himaya.core import compiled, matcher

    compiled.load_scanner(FIXTURES, tmp_path)

    def no_compiling(*args, **kwargs):
        raise AssertionError("the list was compiled again")

    monkeypatch.setattr(matcher.Index, "__init__", no_compiling)
    assert compiled.load_scanner(FIXTURES, tmp_path).scan("ajoute moi sur snap").matches


def test_the_cache_gives_the_same_verdicts_as_a_fresh_compile(tmp_path):
    from himaya.core.compiled import load_scanner
    from himaya.core.scanner import Scanner

    fresh = Scanner.load(ROOT / "rules")
    load_scanner(ROOT / "rules", tmp_path)  # writes the cache
    cached = load_scanner(ROOT / "rules", tmp_path)
    assert cached.index is not fresh.index
    lines = (ROOT / "tests" / "fixtures" / "eval" / "probe4.jsonl").read_text("utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if json.loads(line).get("text")][:120]
    for text in texts:
        assert cached.scan(text).to_dict() == fresh.scan(text).to_dict(), text


class _Boom:
    def __reduce__(self):
        return (Path.touch, (Path(os.environ["HIMAYA_TEST_MARK"]),))


@pytest.mark.parametrize("mode", [0o644, 0o666])
def test_a_cache_file_others_could_write_is_never_loaded(tmp_path, monkeypatch, mode):
    from himaya.core import compiled

    mark = tmp_path / "pickle-ran"
    monkeypatch.setenv("HIMAYA_TEST_MARK", str(mark))
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    key = compiled.folder_key(FIXTURES)
    path = cache / f"compiled-{key}.pickle"
    path.write_bytes(pickle.dumps(_Boom()))
    path.chmod(mode)
    scanner = compiled.load_scanner(FIXTURES, cache)
    assert not mark.exists(), "a pickle that others could have written was loaded"
    assert scanner.scan("ajoute moi sur snap").matches
    # and the same file, made private, is what the loader would trust
    path.write_bytes(pickle.dumps(_Boom()))
    path.chmod(0o600)
    compiled.load_scanner(FIXTURES, cache)
    assert mark.exists()  # proves the check above is what kept it from running


def test_a_symlinked_cache_is_not_followed(tmp_path):
    from himaya.core import compiled

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.pickle"
    target.write_bytes(b"not a pickle")
    target.chmod(0o600)
    (cache / f"compiled-{compiled.folder_key(FIXTURES)}.pickle").symlink_to(target)
    assert compiled.read(cache / f"compiled-{compiled.folder_key(FIXTURES)}.pickle") is None


# -- help ----------------------------------------------------------------------------

def _commands(group=main, prefix=()):
    load_all()
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_lazy_command_table_names_exactly_the_registered_commands():
    """A command missing from cli.COMMANDS would vanish until its module happened
    to be imported; one listed that no module registers would fail when named."""
    load_all()
    for group in (main, main.commands["rules"]):
        registered = {name for name, cmd in group.commands.items()
                      if cmd.callback.__module__ != "himaya.cli"}  # `rules` itself is defined there
        listed = set(COMMANDS[group.name])
        assert registered == listed, (group.name, registered ^ listed)
        for name, module in COMMANDS[group.name].items():
            assert group.commands[name].callback.__module__ == f"himaya.cli.{module}"


def test_groups_have_help_with_examples(run):
    for group in ("rules", "report", "config"):
        out = run(group, "--help").stdout
        assert "Examples:" in out and f"himaya {group} " in out, group


def test_help_examples_use_files_that_exist():
    checked = 0
    for path, command in _commands():
        # files the examples read (a name with an extension, or a folder written with its slash)
        for found in re.findall(r"\b((?:tests|rules|bench|docs)/(?:[\w.-]+/)*(?:[\w-]+\.\w+)?)(?=[\s`'\"]|$)",
                                command.help or ""):
            checked += 1
            assert (ROOT / found.rstrip(".")).exists(), (" ".join(path), found)
    assert checked >= 5


def test_rules_lint_says_what_it_checked(run):
    out = run("rules", "lint", str(FIXTURES)).stdout
    assert "checked 4 rules" in out
    for what in ("schema", "test examples", "languages", "unused groups"):
        assert what in out, what


def test_rules_lint_flags_a_rule_whose_wrong_rate_stands_out(run, tmp_path):
    feedback = ROOT / "tests" / "fixtures" / "feedback" / "weekly-counts.jsonl"
    out = run("rules", "lint", str(ROOT / "rules"),
              "--feedback", str(feedback)).stdout
    flagged = [line for line in out.splitlines() if "'This is wrong'" in line and line.startswith("warning")]
    assert len(flagged) == 1 and "HIM-TRUST-002" in flagged[0] and "8 of 9" in flagged[0], flagged
    calm = tmp_path / "calm.json"
    calm.write_text(json.dumps({"counts": [{"rule": "HIM-AGE-001", "wrong": 1, "helped": 9},
                                           {"rule": "HIM-PRIV-001", "wrong": 1, "helped": 8}]}))
    calm_out = run("rules", "lint", str(ROOT / "rules"), "--feedback", str(calm)).stdout
    assert not [line for line in calm_out.splitlines() if line.startswith("warning") and "This is wrong" in line]
    assert "rates from the feedback" in calm_out
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    one_line_refusal(run("rules", "lint", str(ROOT / "rules"), "--feedback", str(bad)), "not feedback counts")
