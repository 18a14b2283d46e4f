"""The bundled rule list as a whole (issue 3): it validates, every embedded example
passes, lint reports no error, every risk category is covered in every language
variety, and every rule that can warn tells both audiences where to turn (1809).

    pytest tests/test_rules_corpus.py -q
"""

from __future__ import annotations

from pathlib import Path

import pytest

from himaya.core.rules import CATEGORIES, lint, load_ruleset, run_tests
from himaya.core.rules.schema import SEVERITY_RANK

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
TERM_LANGS = ("fr", "ar", "aeb-Arab", "aeb-Latn", "en")


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(RULES_DIR)


def test_embedded_examples_pass(ruleset):
    assert run_tests(ruleset) == []


def test_lint_reports_no_error(ruleset):
    errors = [msg for level, msg in lint(ruleset) if level == "error"]
    assert errors == []


def test_every_category_has_a_shown_rule(ruleset):
    shown = {r.category for r in ruleset.rules if r.status in ("test", "stable")}
    assert set(CATEGORIES) <= shown, f"no test/stable rule for {sorted(set(CATEGORIES) - shown)}"


def test_every_category_speaks_every_language_variety(ruleset):
    """Each category has word terms (own or from lexicons) in fr, ar, aeb-Arab, aeb-Latn and en."""
    for category in CATEGORIES:
        langs = {lang for r in ruleset.rules if r.category == category
                 for t in r.terms.values() if t.kind in ("phrase", "fuzzy", "regex") for lang in t.values}
        if "any" in langs:
            langs |= set(TERM_LANGS)
        missing = [lang for lang in TERM_LANGS if lang not in langs]
        assert not missing, f"{category}: no terms in {missing}"


def _can_warn(rule) -> bool:
    top = max([rule.severity, *(sev for _, sev in rule.escalate)], key=SEVERITY_RANK.__getitem__)
    return SEVERITY_RANK[top] >= SEVERITY_RANK["medium"]


def test_warning_rules_point_to_1809_for_child_and_parent(ruleset):
    """A warning says where to turn: the national child-protection line, in every language."""
    missing = [f"{r.id} {audience}.{lang}" for r in ruleset.rules if _can_warn(r)
               for audience in ("child", "parent") for lang in ("fr", "ar", "en")
               if "1809" not in r.explain[audience][lang]]
    assert not missing, "explain texts without the 1809 line: " + ", ".join(missing)

