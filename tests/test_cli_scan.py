"""The scan, eval, bench and rules validate/test/lint commands, through click's CliRunner."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from himaya.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
R = ["--rules", str(FIXTURES)]


@pytest.fixture(autouse=True)
def private_home(himaya_home):
    """Every command here uses a fresh data folder (its compiled-list cache goes there)."""
    return himaya_home


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_scan_readable(run):
    res = run("scan", *R, "ajoute moi sur snap")
    assert res.exit_code == 1  # a warning
    assert "warning: severity medium" in res.output and "T-INVITE" in res.output
    assert "seen: 'ajoute moi', 'snap'" in res.output


def test_scan_readable_in_french(run):
    res = run("scan", *R, "--lang", "fr", "ajoute moi sur snap")
    assert "Invitation vers une appli privée" in res.output


def test_scan_json_and_stdin(run):
    res = run("scan", *R, "--json", "-", input="zidni 3al telegram")
    out = json.loads(res.output)
    assert out["risk"] is True and out["matches"][0]["rule"] == "T-INVITE"
    assert out["rules_version"].startswith("sha256:")


def test_scan_file(run, tmp_path):
    f = tmp_path / "msg.txt"
    f.write_text("bonne journée", encoding="utf-8")
    res = run("scan", *R, "--file", str(f))
    assert res.exit_code == 0 and "nothing found" in res.output


def test_scan_jsonl_streams_one_verdict_a_line(run, tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join([
        json.dumps({"id": "a", "kind": "message", "text": "ajoute moi sur snap"}),
        "{broken",
        json.dumps({"id": "t", "kind": "thread", "text": "", "messages": [
            {"from": "a", "text": "envoie moi une photo"}, {"from": "a", "text": "t.me/+AbCd000"}]}),
    ]), encoding="utf-8")
    res = CliRunner().invoke(main, ["scan", *R, "--jsonl", str(corpus)])
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", "t"]
    assert lines[0]["risk"] and lines[0]["first_alert_index"] is None
    assert lines[1]["first_alert_index"] == 1
    assert "skipped line 2: not valid JSON" in res.stderr
    assert res.exit_code == 2  # a skipped line is not silently lost


def test_scan_needs_text(run):
    res = CliRunner().invoke(main, ["scan", *R], input="")
    assert res.exit_code == 2 and "give a TEXT, --file FILE" in res.output


def test_eval_prints_the_figures(run, tmp_path):
    corpus = tmp_path / "c.jsonl"
    items = [
        {"id": "1", "kind": "message", "text": "ajoute moi sur snap", "label": "risk", "category": "move-to-private",
         "lang": "fr", "obfuscation": []},
        {"id": "2", "kind": "message", "text": "bonjour", "label": "benign", "category": "benign", "lang": "fr",
         "obfuscation": []},
    ]
    corpus.write_text("\n".join(json.dumps(i) for i in items), encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", *R, str(corpus)])
    assert res.exit_code == 0
    assert "precision 1.000  recall 1.000  F1 1.000" in res.stdout
    assert "move-to-private" in res.stdout
    res = CliRunner().invoke(main, ["eval", *R, "--json", str(corpus)])
    assert json.loads(res.stdout)["overall"]["n"] == 2


def test_bench_json(run):
    res = run("bench", "--signatures", "300", "--messages", "200", "--pages", "2", "--json")
    figures = json.loads(res.output)
    assert set(figures) == {"machine", "shipped", "synthetic", "rss_mb"}
    for name in ("shipped", "synthetic"):
        f = figures[name]
        for key in ("message_warm_us", "message_cold_us", "conversation_200_ms", "page_5k_ms", "page_50k_ms",
                    "page_50k_cold_ms", "page_200k_ms"):
            assert f[key]["p50"] > 0 and f[key]["cpu_p50"] > 0, key
        assert f["ref_flashtext_50k_ms"] > 0 and f["ref_ahocorasick_50k_ms"] > 0
        assert f["page_50k_over_flashtext"] > 0 and f["page_200k_over_50k"] > 0
    assert figures["synthetic"]["signatures"] == 300 and figures["shipped"]["rules"] > 0
    # the shipped list has a model: its messages are also timed with the rules alone, in the same loop
    alone = figures["shipped"]["message_warm_rules_alone_us"]
    assert alone["p50"] > 0 and alone["n"] == 200
    assert "message_warm_rules_alone_us" not in figures["synthetic"]


def test_message_floor_bench_times_each_step_on_the_same_blocks():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from message_floor import measure

    figures = measure(blocks=2, per_block=5, warm=20)
    assert set(figures) == {"floor", "floor_without_model", "scan"}
    assert all(f["n"] == 10 and f["p50_us"] > 0 for f in figures.values())


def test_rules_validate_test_lint_ok(run):
    assert "ok: 4 rules" in run("rules", "validate", str(FIXTURES)).output
    assert "ok: 20 examples of 4 rules pass" in run("rules", "test", str(FIXTURES)).output
    assert run("rules", "lint", str(FIXTURES)).exit_code == 0
    assert run("rules", "lint", "--strict", str(FIXTURES)).exit_code == 1  # warnings count as errors


def test_rules_commands_fail_clearly(run, tmp_path):
    bad = tmp_path / "rules"
    shutil.copytree(FIXTURES, bad)
    (bad / "stem.yaml").write_text((bad / "stem.yaml").read_text(encoding="utf-8").replace(
        '"nice photo"]', '"nice photo", "envoie moi tes photos"]'), encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "test", str(bad)])
    assert res.exit_code == 1 and "FAIL" in res.output and "1 of 21 examples failed" in res.output
    (bad / "price.yaml").write_text("id: [", encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "validate", str(bad)])
    assert res.exit_code == 1 and "price.yaml: not valid YAML" in res.output


def test_rules_test_single_rule(run):
    assert "ok: 6 examples of 1 rules pass" in run("rules", "test", str(FIXTURES), "--rule", "T-PHOTO").output
