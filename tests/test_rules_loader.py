"""Rule validation: every refusal names the file, the rule and the field."""

import shutil
import textwrap
from pathlib import Path

import pytest

from himaya.core.rules import RuleError, lint, load_ruleset, run_tests

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture
def rules_dir(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(FIXTURES, d)
    return d


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(rules_dir) -> str:
    with pytest.raises(RuleError) as exc:
        load_ruleset(rules_dir)
    return str(exc.value)


def test_fixture_rules_load(rules_dir):
    rs = load_ruleset(rules_dir)
    assert sorted(r.id for r in rs.rules) == ["T-INVITE", "T-LINK", "T-PHOTO", "T-PRICE"]
    assert rs.version.startswith("sha256:")
    assert run_tests(rs) == []
    assert not [p for p in lint(rs) if p[0] == "error"]


def test_version_changes_with_content(rules_dir):
    before = load_ruleset(rules_dir).version
    _edit(rules_dir / "invite.yaml", "cousins", "cousines")
    assert load_ruleset(rules_dir).version != before


def test_regex_that_re2_rejects(rules_dir):
    _edit(rules_dir / "price.yaml", r"'\b1[3-7] ?(ans|yo)\b'", r"'(a)\1'")
    msg = _error(rules_dir)
    assert "price.yaml: rule T-PRICE: terms.minor.values.any[0]" in msg and "RE2" in msg


def test_lookaround_is_refused(rules_dir):
    _edit(rules_dir / "price.yaml", r"'\b1[3-7] ?(ans|yo)\b'", r"'1(?=5)'")
    assert "terms.minor.values.any[0]" in _error(rules_dir)


def test_fuzzy_term_below_the_floor(rules_dir):
    _edit(rules_dir / "invite.yaml", '["add me on"]', '["add"]')
    msg = _error(rules_dir)
    assert "rule T-INVITE: terms.ask.values.en[0]" in msg and "shorter than 4 letters" in msg


def test_duplicate_ids(rules_dir):
    shutil.copy(rules_dir / "invite.yaml", rules_dir / "invite-copy.yaml")
    msg = _error(rules_dir)
    assert "invite.yaml: rule T-INVITE: id: duplicate id, already used by" in msg


def test_unknown_field(rules_dir):
    _edit(rules_dir / "stem.yaml", "status: test", "status: test\nsevrity: high")
    assert "rule T-PHOTO: rule: unknown field(s) ['sevrity']" in _error(rules_dir)


def test_condition_naming_a_missing_group(rules_dir):
    _edit(rules_dir / "stem.yaml", "condition: send and photo", "condition: send and picture")
    msg = _error(rules_dir)
    assert "rule T-PHOTO: condition: condition names group 'picture'" in msg


def test_missing_explain_language(rules_dir):
    _edit(rules_dir / "price.yaml", 'parent: {en: "Price and a minor age.", ', 'parent: {')
    assert "rule T-PRICE: explain.parent.en: missing or empty text" in _error(rules_dir)


def test_explain_needs_both_audiences(rules_dir):
    path = rules_dir / "price.yaml"
    text = path.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("child:"))
    path.write_text(text, encoding="utf-8")
    assert "explain: needs two audiences" in _error(rules_dir)


def test_unknown_lexicon(rules_dir):
    _edit(rules_dir / "invite.yaml", "lexicon: apps", "lexicon: nowhere")
    assert "terms.app.lexicon: no lexicon named 'nowhere'" in _error(rules_dir)


def test_duplicate_yaml_keys_are_refused(rules_dir):
    _edit(rules_dir / "stem.yaml", "severity: low", "severity: low\nseverity: high")
    assert "duplicate key 'severity'" in _error(rules_dir)


def test_not_yaml_and_not_utf8(rules_dir):
    (rules_dir / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    (rules_dir / "latin1.yaml").write_bytes("id: caf\xe9".encode("latin-1"))
    msg = _error(rules_dir)
    assert "broken.yaml: not valid YAML" in msg and "latin1.yaml: file is not valid UTF-8" in msg


def test_oversized_file(rules_dir):
    (rules_dir / "huge.yaml").write_text("# " + "x" * 300_000, encoding="utf-8")
    assert "huge.yaml: file is" in _error(rules_dir)


def test_every_problem_is_listed_at_once(rules_dir):
    _edit(rules_dir / "stem.yaml", "severity: low", "severity: urgent")
    _edit(rules_dir / "price.yaml", "category: services-ad", "category: spam")
    err = pytest.raises(RuleError, load_ruleset, rules_dir).value
    assert len(err.errors) == 2


def test_yaml_tags_cannot_build_objects(rules_dir):
    (rules_dir / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    assert "evil.yaml" in _error(rules_dir)


def test_lint_counts_tests_by_status(rules_dir):
    _edit(rules_dir / "stem.yaml", "status: test", "status: stable")
    path = rules_dir / "stem.yaml"
    _edit(path, '"send me a pic"]', "]")
    problems = lint(load_ruleset(rules_dir))
    assert any(level == "error" and "T-PHOTO" in msg and "at least 3 positive" in msg for level, msg in problems)


def test_run_tests_reports_a_failing_example(rules_dir):
    _edit(rules_dir / "stem.yaml", '"nice photo"]', '"nice photo", "envoie moi tes photos"]')
    failures = run_tests(load_ruleset(rules_dir))
    assert failures == ["rules/stem.yaml: rule T-PHOTO: negative example matches: 'envoie moi tes photos'"]


def test_empty_folder(tmp_path):
    with pytest.raises(RuleError, match="no rule files found"):
        load_ruleset(tmp_path)


def test_rule_file_must_be_a_mapping(rules_dir):
    (rules_dir / "list.yaml").write_text(textwrap.dedent("- a\n- b\n"), encoding="utf-8")
    assert "list.yaml: rule ?: rule: a rule file must hold one mapping" in _error(rules_dir)


@pytest.mark.parametrize("condition, vetoes", [
    ("a and not b", {"b"}),
    ("a and not (b or (c and d))", {"b"}),  # c and d veto only together
    ("a and not (b and not c)", set()),  # c lets the rule through again: no veto
    ("(a or b) and not (c or not d)", {"c"}),
])
def test_the_groups_that_veto_a_rule_alone(condition, vetoes):
    from himaya.core.rules.condition import parse

    assert parse(condition, {"a", "b", "c", "d"}).vetoes() == vetoes


def test_lint_refuses_an_everyday_word_as_a_lone_exclusion(rules_dir):
    from himaya.core.rules.testing import EVERYDAY_MIN_TEXTS

    # "cousins" alone vetoes T-INVITE; risky messages say it all the time here
    risky = ["add me on snap, my cousins are asleep"] * 10 + ["ajoute moi sur snap"] * (EVERYDAY_MIN_TEXTS - 10)
    problems = lint(load_ruleset(rules_dir), risky_texts=risky)
    assert [msg for level, msg in problems if level == "error" and "every day" in msg] == [
        "rules/invite.yaml: rule T-INVITE: the exclusion family holds 'cousins', a word that risky messages use "
        "every day: alone it would silence real warnings; write the honest context it stands for in two or more words"]
    # a word two risky messages in a thousand hold is not everyday
    assert not [m for level, m in lint(load_ruleset(rules_dir), risky_texts=risky[8:]) if "every day" in m]
    # written as the honest context, in two words, it passes
    _edit(rules_dir / "invite.yaml", '"cousins"', '"mes cousins"')
    assert not [m for level, m in lint(load_ruleset(rules_dir), risky_texts=risky) if "every day" in m]
