"""The second signal (core/model.py, training/): deterministic training, a model that
checks itself before activation, and the rules for combining it with the rules."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from himaya.core.matcher import Match, Verdict
from himaya.core.model import Model, ModelError
from himaya.core.rules import RuleError, load_ruleset
from himaya.core.scanner import MODEL_MIN_WORDS, MODEL_SEVERITY, UNIT_FACTOR, Scanner, apply_model

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_RULES = Path(__file__).parent / "fixtures" / "rules"
TRAINING = sorted((ROOT / "rules" / "training").glob("*.jsonl"))


def small_corpus(tmp_path: Path, per_category: int = 8) -> list[Path]:
    """A few items of every category from each training file: quick to fit."""
    out = []
    for src in TRAINING:
        taken, keep = {}, []
        for line in src.read_text(encoding="utf-8").splitlines():
            cat = json.loads(line)["category"]
            if taken.get(cat, 0) < per_category * (4 if cat.startswith("benign") else 1):
                taken[cat] = taken.get(cat, 0) + 1
                keep.append(line)
        dst = tmp_path / src.name
        dst.write_text("\n".join(keep) + "\n", encoding="utf-8")
        out.append(dst)
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from himaya.training.examples import from_corpus
    from himaya.training.fit import train

    tmp = tmp_path_factory.mktemp("model")
    corpora = small_corpus(tmp)
    examples = [e for path in corpora for e in from_corpus(path)]
    train(examples, tmp / "a", {}, progress=lambda _m: None)
    train(examples, tmp / "b", {}, progress=lambda _m: None)
    return tmp


def test_training_is_deterministic(trained):
    for name in ("model.json", "vocab.txt", "weights.bin"):
        assert (trained / "a" / name).read_bytes() == (trained / "b" / name).read_bytes(), name


def test_trained_model_passes_its_own_checks_and_damage_is_caught(trained, tmp_path):
    model = Model.load(trained / "a")
    assert model.meta["tests"] and model.self_test() == []
    # A weight changed behind the recorded hash: refused at load.
    bad = tmp_path / "bad"
    shutil.copytree(trained / "a", bad)
    weights = bytearray((bad / "weights.bin").read_bytes())
    weights[:] = bytes((256 - b) % 256 for b in weights)  # every weight negated
    (bad / "weights.bin").write_bytes(bytes(weights))
    with pytest.raises(ModelError, match="SHA-256"):
        Model.load(bad)
    # The same damage with the hash "fixed": the self-test catches the changed scores.
    meta = json.loads((bad / "model.json").read_text(encoding="utf-8"))
    meta["sha256"]["weights.bin"] = hashlib.sha256(bytes(weights)).hexdigest()
    (bad / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    assert Model.load(bad).self_test()


def test_a_rules_folder_with_a_broken_model_is_refused(trained, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURE_RULES, rules)
    shutil.copytree(trained / "a", rules / "model")
    assert load_ruleset(rules).model is not None
    (rules / "model" / "vocab.txt").write_text("tampered\n", encoding="utf-8")
    with pytest.raises(RuleError, match="SHA-256"):
        load_ruleset(rules)


def test_a_bundle_refuses_a_model_that_fails_its_self_test(trained, tmp_path):
    from himaya.bundles.build import check_rules
    from himaya.bundles.manifest import BundleError

    rules = tmp_path / "rules"
    shutil.copytree(FIXTURE_RULES, rules)
    shutil.copytree(trained / "a", rules / "model")
    check_rules(rules, with_lint=False)
    meta = json.loads((rules / "model" / "model.json").read_text(encoding="utf-8"))
    first = meta["tests"][0]["scores"]
    cat = next(iter(first))
    first[cat] = round(1.0 - first[cat], 6)
    (rules / "model" / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(BundleError) as err:
        check_rules(rules, with_lint=False)
    assert err.value.code == "model_tests_failed"


class _FakeModel:
    """Thresholds and switches as a shipped model has them; probabilities given by the test."""

    def __init__(self, enabled=None):
        self.thresholds = {"meeting-request": 0.6, "age-probe": 0.8, "blackmail-threat": 0.6}
        self.enabled = dict(enabled or {c: True for c in self.thresholds})

    pick = Model.pick


def _probs(**values):
    probs = {"meeting-request": 0.0, "age-probe": 0.0, "blackmail-threat": 0.0, "benign": 0.0}
    probs.update({k.replace("_", "-"): v for k, v in values.items()})
    return probs


def test_model_alone_warns_at_medium_only_above_its_threshold():
    """A unit at UNIT_FACTOR of the calibrated threshold (meeting requests: 0.6 x 0.8 = 0.48),
    a conversation's window at the threshold itself."""
    assert UNIT_FACTOR == 0.8
    quiet = Verdict()
    apply_model(quiet, _FakeModel(), _probs(meeting_request=0.47, benign=0.53))
    assert not quiet.risk and quiet.signals["model"]["category"] == "meeting-request"
    unit, window = Verdict(), Verdict()
    apply_model(unit, _FakeModel(), _probs(meeting_request=0.55, benign=0.45))
    apply_model(window, _FakeModel(), _probs(meeting_request=0.55, benign=0.45), window=True)
    assert unit.risk and unit.signals["model"]["threshold"] == 0.48 and not window.risk
    loud = Verdict()
    apply_model(loud, _FakeModel(), _probs(blackmail_threat=0.99))
    assert loud.risk and loud.severity == MODEL_SEVERITY == "medium"  # never high or critical alone
    assert loud.matches[0].rule == "model.blackmail-threat" and loud.matches[0].explain["child"]["fr"]
    # the likeliest category is under its own threshold, a less likely one is over its own: that one warns
    second = Verdict()
    apply_model(second, _FakeModel(), _probs(age_probe=0.62, meeting_request=0.5))  # under 0.64, over 0.48
    assert second.risk and second.matches[0].rule == "model.meeting-request"
    assert second.signals["model"] == {"category": "meeting-request", "score": 0.5, "threshold": 0.48, "warned": True}


def test_the_model_does_not_warn_alone_on_a_text_that_reports_a_quote():
    """A prevention post or a mother quoting the stranger: the model reads the quote as the
    writer's own words, so it does not warn alone (the rules drop matches inside such quotes)."""
    asked = []
    quiet = Verdict()
    apply_model(quiet, _FakeModel(), _probs(blackmail_threat=0.99), quoted=lambda: asked.append(1) or True)
    assert not quiet.risk and quiet.signals["model"]["category"] == "blackmail-threat" and asked
    loud = Verdict()
    apply_model(loud, _FakeModel(), _probs(blackmail_threat=0.99), quoted=lambda: False)
    assert loud.risk
    untouched = Verdict()  # under its threshold: the quotes are never looked for
    apply_model(untouched, _FakeModel(), _probs(meeting_request=0.3), quoted=lambda: 1 / 0)
    assert not untouched.risk


def test_a_switched_off_category_never_warns():
    v = Verdict()
    apply_model(v, _FakeModel({"meeting-request": False, "age-probe": True, "blackmail-threat": True}),
                _probs(meeting_request=0.95))
    assert not v.risk


def test_the_model_raises_a_rule_cue_it_agrees_with():
    cue = Match("HIM-X", "age-probe", "low", "test", ((0, 3),), {}, {})
    v = Verdict.from_matches([cue])
    assert not v.risk
    apply_model(v, _FakeModel(), _probs(age_probe=0.5))  # 0.5 >= 0.8 x 0.8 x 0.6: agrees with the cue
    assert v.risk and v.matches[0].rule == "model.age-probe" and v.matches[0].spans == ((0, 3),)
    w = Verdict.from_matches([cue])
    apply_model(w, _FakeModel(), _probs(age_probe=0.3))
    assert not w.risk


def test_a_unit_too_short_to_read_is_shown_the_model_but_not_warned_or_raised_by_it():
    cue = Match("HIM-X", "age-probe", "low", "test", ((0, 3),), {}, {})
    short = Verdict.from_matches([cue])
    apply_model(short, _FakeModel(), _probs(age_probe=0.99), may_warn=False)
    assert not short.risk and short.signals["model"]["category"] == "age-probe"
    alone = Verdict()
    apply_model(alone, _FakeModel(), _probs(blackmail_threat=0.99), may_warn=False)
    assert not alone.risk


def test_the_scanner_gives_the_model_no_say_on_two_words():
    """"عندك سناب؟" (do you have Snap?) between classmates: the rules' cue stays a cue; the
    same question with a reason to be alone is read whole."""
    assert MODEL_MIN_WORDS == 2
    shipped = Scanner.load(ROOT / "rules")
    short = shipped.scan("عندك سناب؟")
    assert not short.risk and "model" in short.signals
    assert shipped.scan("3andek snap? nheb nkalmek wa7dek ki yor9dou darkom").risk


def test_rules_that_warn_are_never_raised_or_joined_by_the_model():
    rule = Match("HIM-Y", "blackmail-threat", "critical", "test", (), {}, {})
    v = Verdict.from_matches([rule])
    apply_model(v, _FakeModel(), _probs(meeting_request=0.99), known=lambda: 1.0)
    assert v.severity == "critical" and [m.rule for m in v.matches] == ["HIM-Y"]
    assert v.signals["rules"] == {"risk": True, "severity": "critical"}


def _warning(severity="medium", category="meeting-request"):
    return Verdict.from_matches([Match("HIM-Z", category, severity, "test", ((0, 4),), {}, {})])


def test_the_model_quiets_a_rules_warning_it_reads_as_ordinary_life():
    """Sure of benign, far from the matched category, and knowing the words: the warning
    becomes a cue (kept for the conversation, not shown); the signals say so."""
    v = _warning()
    apply_model(v, _FakeModel(), _probs(benign=0.9, meeting_request=0.05), known=lambda: 0.9)
    assert not v.risk and v.severity == "low" and [(m.rule, m.severity) for m in v.matches] == [("HIM-Z", "low")]
    assert v.signals["rules"] == {"risk": True, "severity": "medium"} and v.signals["model"]["quieted"] is True


@pytest.mark.parametrize("severity, probs, known", [
    ("critical", {"benign": 0.99}, 1.0),  # a critical match is never quieted
    ("medium", {"benign": 0.79}, 1.0),  # not sure enough of benign
    ("medium", {"benign": 0.85, "meeting_request": 0.1}, 1.0),  # over 0.6 x 0.8 x 0.2: near agreeing
    ("medium", {"benign": 0.95}, 0.6),  # most words unknown to it: its benign is only its prior
    ("medium", {"benign": 0.95}, None),  # nothing to judge the words by
])
def test_the_model_leaves_a_warning_it_is_not_sure_of(severity, probs, known):
    v = _warning(severity)
    apply_model(v, _FakeModel(), _probs(**probs), known=None if known is None else (lambda: known))
    assert v.risk and v.severity == severity and "quieted" not in v.signals["model"]


def test_a_conversation_window_quiets_the_rules_but_never_the_model():
    v = _warning("high")
    apply_model(v, _FakeModel(), _probs(benign=0.9), window=True, known=lambda: 1.0)
    assert not v.risk and v.signals["model"] == {"category": "meeting-request", "score": 0.0, "threshold": 0.6,
                                                 "window": True, "quieted": True}
    w = Verdict()
    apply_model(w, _FakeModel(), _probs(blackmail_threat=0.99))  # the message's own model warned...
    apply_model(w, _FakeModel(), _probs(benign=0.99), window=True, known=lambda: 1.0)  # ...the window leaves it
    assert w.risk and w.matches[0].rule == "model.blackmail-threat" and "window" not in w.signals["model"]


def test_shipped_list_model_kill_switch_and_signals(tmp_path):
    scanner = Scanner.load(ROOT / "rules")
    assert scanner.model is not None, "the shipped list carries a model (docs/MODEL.md)"
    on = [c for c, e in scanner.model.enabled.items() if e]
    assert on, "at least one category passed the gate"
    cat = on[0]
    killed = Scanner(load_ruleset(ROOT / "rules"), disabled={f"model.{cat}"})
    assert not killed.model.enabled[cat]
    assert Scanner.load(ROOT / "rules", signals="rules").model is None
    v = scanner.scan("slt", kind="message")
    assert set(v.to_dict()["signals"]) == {"rules", "model"}


def test_a_bundle_can_switch_one_model_category_off(tmp_path):
    """The kill switch of PUBLISHING.md: `--disable model.<category>` in the manifest."""
    from himaya.bundles.build import build_bundle

    ruleset = load_ruleset(ROOT / "rules")
    cat = next(c for c, on in ruleset.model.enabled.items() if on)
    manifest, changed, warnings = build_bundle(ROOT / "rules", tmp_path / "b", disable=[f"model.{cat}"])
    assert changed and f"model.{cat}" in manifest.disabled
    assert not any(f"model.{cat}" in w for w in warnings), warnings
    scanner = Scanner(load_ruleset(tmp_path / "b" / "files"), disabled=manifest.disabled)
    assert not scanner.model.enabled[cat]


def test_model_commands_show_the_model_and_measure_side_by_side(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from himaya.cli import main

    monkeypatch.setenv("HIMAYA_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    info = runner.invoke(main, ["model", "info", "--rules", str(ROOT / "rules"), "--json"])
    assert info.exit_code == 0, info.output
    data = json.loads(info.output)
    # session 17's model ships every category on (docs/MODEL.md): info shows each switch
    assert len(data["enabled"]) == 12 and all(data["enabled"].values()), data["enabled"]
    # and the thresholds a unit alone is read at: lower, but for network pages
    unit = data["unit_thresholds"]
    assert unit["network-page"] == data["thresholds"]["network-page"]
    assert all(unit[c] < t for c, t in data["thresholds"].items() if c != "network-page")
    corpus = tmp_path / "small.jsonl"
    corpus.write_text("\n".join(json.dumps(item) for item in [
        {"id": "r1", "kind": "message", "text": "ab3athli taswira tawa w ma t9oul l 7ad", "label": "risk",
         "category": "image-request"},
        {"id": "b1", "kind": "message", "text": "match ce soir au stade, on se retrouve devant la porte 3",
         "label": "benign", "category": "benign"},
    ]) + "\n", encoding="utf-8")
    out = runner.invoke(main, ["model", "eval", str(corpus), "--rules", str(ROOT / "rules"), "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output[out.output.index("{"):])
    assert set(report) == {"rules", "model", "both"}
    assert report["both"]["overall"]["tp"] >= report["rules"]["overall"]["tp"]
