"""The condition parser: a small grammar, never eval."""

import pytest

from himaya.core.rules.condition import ConditionError, parse

G = {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    "text, present, expected",
    [
        ("a and b", {"a", "b"}, True),
        ("a and b", {"a"}, False),
        ("a or b and c", {"a"}, True),  # and binds tighter than or
        ("(a or b) and c", {"a"}, False),
        ("not a", set(), True),
        ("a and not b", {"a", "b"}, False),
        ("2 of (a, b, c)", {"a", "c"}, True),
        ("2 of (a, b, c)", {"c"}, False),
        ("any of (a, b)", {"b"}, True),
        ("all of (a, b)", {"b"}, False),
        ("3 of them", {"a", "b", "d"}, True),
        ("not not a", {"a"}, True),
    ],
)
def test_evaluate(text, present, expected):
    assert parse(text, G).evaluate(present, present) is expected


def test_negation_looks_at_the_whole_unit_not_the_window():
    cond = parse("a and not b", G)
    assert cond.evaluate({"a"}, {"a"}) is True
    assert cond.evaluate({"a"}, {"a", "b"}) is False  # b outside the window still excludes


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("a and", "ends too early"),
        ("a b", "unexpected 'b'"),
        ("a and zz", "group 'zz'"),
        ("4 of (a, b)", "between 1 and 2"),
        ("0 of (a, b)", "between 1 and 2"),
        ("(a or b", "expected ')'"),
        ("a; import os", "unexpected character"),
        ("__import__('os')", "unexpected"),
        ("2 of a", "expected '('"),
    ],
)
def test_errors_say_what_is_wrong(text, message):
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text, G)


def test_names_split_positive_and_negated():
    cond = parse("a and (b or not c) and not (d)", G)
    assert cond.names(True) == {"a", "b"}
    assert cond.names(False) == {"c", "d"}


def _rule_conditions():
    from pathlib import Path

    from himaya.core.rules import load_ruleset

    ruleset = load_ruleset(Path(__file__).resolve().parent.parent / "rules")
    for rule in ruleset.rules:
        groups = sorted(rule.terms)
        yield rule.id, rule.condition, groups
        for i, (cond, _severity) in enumerate(rule.escalate):
            yield f"{rule.id}-escalate{i}", cond, groups


CONDITIONS = list(_rule_conditions()) + [(t, parse(t, G), sorted(G)) for t in (
    "a and b", "a or b and c", "not a", "2 of (a, b, c)", "2 of (a, a)", "all of (a, b)", "3 of them",
    "not not a", "a and not (b or c)", "(a and b) or (c and not d)", "any of (a, b) and not 2 of (c, d, a)")]


@pytest.mark.parametrize("name, cond, groups", CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_compiled_condition_agrees_and_its_cover_is_hit(name, cond, groups):
    """The matcher's fast forms (compile_masks, compile_bits, cover) say what evaluate says."""
    import random

    rng = random.Random(name)
    bits = {g: 1 << (3 + k) for k, g in enumerate(groups)}  # not from bit 0: offsets as in the matcher
    fast, on_bits = cond.compile_masks(bits), cond.compile_bits(bits)
    cover = cond.cover({g: rng.random() for g in groups})
    for _ in range(400):
        unit = {g for g in groups if rng.random() < 0.5}
        window = {g for g in unit if rng.random() < 0.7}
        expected = cond.evaluate(window, unit)
        assert fast(sum(bits[g] for g in window), sum(bits[g] for g in unit)) is expected
        assert on_bits(sum(bits[g] for g in unit)) is cond.evaluate(unit, unit)
        if expected and cover is not None:  # the matcher looks at a rule only when its cover is hit
            assert cover & window


def test_a_compiled_condition_holds_nothing_but_masks_and_operators():
    """The fast forms are Python written from the parsed tree: group names never reach it."""
    from himaya.core.rules.condition import ConditionError, _function

    names = {"ask", "school", "family", "gift"}
    cond = parse("any of (ask, school) and not (family or 2 of (ask, family, gift))", names)
    text = cond.source({g: 1 << k for k, g in enumerate(sorted(names))}, "w", "u")
    assert not any(name in text for name in names) and "0x" in text
    with pytest.raises(ConditionError):
        _function("w, u", "__import__('os')")
