"""The rule language: schema and validation, condition parser, loader, tests and lint.

    >>> from himaya.rules import load_ruleset, run_tests, lint
    >>> rs = load_ruleset("rules")          # doctest: +SKIP
    >>> run_tests(rs)                       # doctest: +SKIP
    []
"""

from .condition import ConditionError, parse
from .loader import RuleError, RuleSet, load_ruleset
from .schema import CATEGORIES, SEVERITIES, Rule, SchemaError, Term
from .testing import lint, run_tests

__all__ = [
    "CATEGORIES", "SEVERITIES", "ConditionError", "Rule", "RuleError", "RuleSet", "SchemaError",
    "Term", "lint", "load_ruleset", "parse", "run_tests",
]
