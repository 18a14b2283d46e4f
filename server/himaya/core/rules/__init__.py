"""The rule language: schema and validation, condition parser, loader, tests and lint.

    >>> from himaya.core.rules import load_ruleset, run_tests, lint
    >>> rs = load_ruleset("rules")          # doctest: +SKIP
    >>> run_tests(rs)                       # doctest: +SKIP
    []
"""

from himaya.core.rules.condition import ConditionError, parse
from himaya.core.rules.loader import RuleError, RuleSet, load_ruleset
from himaya.core.rules.schema import CATEGORIES, SEVERITIES, Rule, SchemaError, Term
from himaya.core.rules.testing import lint, run_tests

__all__ = [
    "CATEGORIES", "SEVERITIES", "ConditionError", "Rule", "RuleError", "RuleSet", "SchemaError",
    "Term", "lint", "load_ruleset", "parse", "run_tests",
]
