"""The boolean condition of a rule, parsed by a small recursive-descent parser.

A shared rule file is untrusted input: nothing of it is ever evaluated. The
matcher's fast tests (`compile_bits`, `compile_masks`) are Python expressions
written here from the parsed tree, holding only int masks and operators.

Grammar (lowest precedence first)::

    expr   := term ("or" term)*
    term   := factor ("and" factor)*
    factor := "not" factor | "(" expr ")" | count | NAME
    count  := (INT | "any" | "all") "of" ("(" NAME ("," NAME)* ")" | "them")

>>> c = parse("ask_age and (school or alone) and not family", {"ask_age", "school", "alone", "family"})
>>> c.evaluate({"ask_age", "alone"}, {"ask_age", "alone"})
True
>>> c.evaluate({"ask_age", "alone"}, {"ask_age", "alone", "family"})
False
>>> parse("2 of (a, b, c)", {"a", "b", "c"}).evaluate({"a", "c"}, set())
True
"""

from __future__ import annotations

import re2
from dataclasses import dataclass


class ConditionError(ValueError):
    """A condition that does not parse or names a group that does not exist."""


_TOKEN = re2.compile(r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)|(?P<punct>[(),]))")
_KEYWORDS = {"and", "or", "not", "of", "any", "all", "them"}


@dataclass(frozen=True)
class Node:
    """A condition node. `evaluate(window, unit)`: positive groups are looked up in
    `window` (the groups hit inside the rule's token window), negated ones in `unit`
    (the whole text), so that an exclusion outside the window still excludes."""

    op: str  # "name" | "and" | "or" | "not" | "count"
    args: tuple = ()
    name: str = ""
    n: int = 0

    def evaluate(self, window: set[str], unit: set[str]) -> bool:
        if self.op == "name":
            return self.name in window
        if self.op == "and":
            return all(a.evaluate(window, unit) for a in self.args)
        if self.op == "or":
            return any(a.evaluate(window, unit) for a in self.args)
        if self.op == "not":
            return not self.args[0].evaluate(unit, unit)
        # count: N of (names)
        return sum(1 for a in self.args if a.evaluate(window, unit)) >= self.n

    def compile_bits(self, bits: dict[str, int]):
        """The condition on the whole unit (``evaluate(unit, unit)``) as one function
        ``f(mask) -> bool`` of an int with one bit per group (`bits`): the matcher
        knows which groups a text reached as such an int before it gathers any
        occurrence, and most rules a text reaches fail here, for a few int
        operations. (tests/test_condition.py checks it agrees with `evaluate`.)

        >>> f = parse("a and (b or c) and not d", {"a", "b", "c", "d"}).compile_bits({"a": 1, "b": 2, "c": 4, "d": 8})
        >>> f(1 | 4), f(1 | 4 | 8), f(2 | 4)
        (True, False, False)
        """
        return _function("m", self.source(bits, "m", "m"))

    def compile_masks(self, bits: dict[str, int]):
        """`evaluate` over masks: ``f(window, unit) -> bool`` where each is an int with
        one bit per group (`bits`) — the groups hit inside the rule's window, and in
        the whole unit (what a `not` looks at).

        >>> f = parse("a and not d", {"a", "d"}).compile_masks({"a": 1, "d": 8})
        >>> f(1, 1), f(1, 1 | 8), f(0, 1)
        (True, False, False)
        """
        return _function("w, u", self.source(bits, "w", "u"))

    def source(self, bits: dict[str, int], w: str, u: str) -> str:
        """The condition as a Python expression over two int masks named `w` and `u`.
        It holds only those two names, hexadecimal literals (each a group's bit,
        never a word of the rule file), parentheses and the operators below, so
        compiling it runs nothing a rule author wrote; `_function` checks that."""
        if self.op == "name":
            return f"({w} & {bits[self.name]:#x})"
        if self.op == "not":
            return f"(not {self.args[0].source(bits, u, u)})"
        if self.op == "count":  # a name given twice counts twice
            masks = [bits[a.name] for a in self.args]
            if len(set(masks)) == len(masks):
                return f"(({w} & {sum(masks):#x}).bit_count() >= {self.n:d})"
            return "((" + " + ".join(f"(({w} & {m:#x}) != 0)" for m in masks) + f") >= {self.n:d})"
        # and/or: the names among the parts in one int operation, first (cheapest)
        every = 0
        for a in self.args:
            if a.op == "name":
                every |= bits[a.name]
        parts = []
        if every:
            parts.append(f"({w} & {every:#x} == {every:#x})" if self.op == "and" else f"({w} & {every:#x})")
        parts += [a.source(bits, w, u) for a in self.args if a.op != "name"]
        return "(" + f" {self.op} ".join(parts) + ")"

    def cover(self, cost: dict[str, float]) -> frozenset[str] | None:
        """Positive groups of which one at least is present whenever the condition
        holds, the cheapest such set by `cost` (how often a group is expected to
        be hit), or None when there is none (`not a`). The matcher considers a
        rule only when a group of its cover is hit: a rule whose cover is its rare
        words is not looked at for every time, place or price a text holds.

        >>> sorted(parse("a and (b or c) and not d", set("abcd")).cover({"a": 9, "b": 1, "c": 2, "d": 0}))
        ['b', 'c']
        >>> sorted(parse("2 of (a, b, c)", set("abc")).cover({"a": 9, "b": 1, "c": 2}))
        ['b', 'c']
        """
        if self.op == "name":
            return frozenset((self.name,))
        if self.op == "not":
            return None
        if self.op == "count":  # fewer than n present means one of any len - n + 1 of them is
            names = sorted((a.name for a in self.args), key=lambda g: (cost.get(g, 0), g))
            return frozenset(names[:len(names) - self.n + 1])
        covers = [a.cover(cost) for a in self.args]
        if self.op == "or":
            return None if None in covers else frozenset().union(*covers)
        known = [c for c in covers if c is not None]
        return min(known, key=lambda c: (sum(cost.get(g, 0) for g in c), sorted(c))) if known else None

    def names(self, positive: bool = True) -> set[str]:
        """Group names used positively (or, with positive=False, under a `not`)."""
        if self.op == "name":
            return {self.name} if positive else set()
        if self.op == "not":
            inner = self.args[0]
            return inner.names(True) | inner.names(False) if not positive else set()
        out: set[str] = set()
        for a in self.args:
            out |= a.names(positive)
        return out

    def vetoes(self, negated: bool = False) -> set[str]:
        """The groups that silence the rule on their own: reached from a `not` through
        `or` (and further `not`s) only. A group inside an `and` under the `not` ("not
        (mine and pick)") vetoes only with its partner; in "not (a and not x)", x lets
        the rule through again."""
        if self.op == "name":
            return {self.name} if negated else set()
        if self.op == "not":
            negated = not negated
        elif self.op != "or":  # an "and" or a count: only a `not` deeper in may veto alone
            return set().union(*(a.vetoes(negated) for a in self.args if a.op in ("not", "and")))
        return set().union(*(a.vetoes(negated) for a in self.args))


# What a compiled condition may hold: the mask names, hex literals, the operators
# and keywords `source` writes, and parentheses. Anything else is a bug here.
_SAFE_SOURCE = re2.compile(r"(?:[wum(),&=!>+ ]|0x[0-9a-f]+|\d+|and|or|not|\.bit_count\(\))*")


def _function(args: str, expression: str):
    """A function of int masks from `Node.source`'s expression: one call per test,
    where nested closures cost a call per node (the matcher tests the conditions of
    every rule a text reaches, and the windows of those that hold)."""
    if not _SAFE_SOURCE.fullmatch(expression):
        raise ConditionError("internal error: unexpected text in a compiled condition")
    return eval(f"lambda {args}: bool({expression})", {"__builtins__": {"bool": bool}})  # noqa: S307 - see _SAFE_SOURCE


class _Parser:
    def __init__(self, text: str, groups: set[str]):
        self.text = text
        self.groups = groups
        self.toks: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ConditionError(f"unexpected character {text[pos]!r} at position {pos}")
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind)))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ConditionError(f"condition ends too early (expected {value!r})" if value else "condition ends too early")
        if value is not None and tok[1] != value:
            raise ConditionError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise ConditionError("condition is empty")
        node = self.expr()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()[1]!r} after a complete condition")
        return node

    def expr(self) -> Node:
        return self._chain("or", self.term)

    def term(self) -> Node:
        return self._chain("and", self.factor)

    def _chain(self, op: str, operand) -> Node:
        """operand (op operand)*, folded into one n-ary node."""
        args = [operand()]
        while self.peek() and self.peek()[1] == op:
            self.take()
            args.append(operand())
        return args[0] if len(args) == 1 else Node(op, tuple(args))

    def factor(self) -> Node:
        kind, value = self.take()
        if value == "not":
            return Node("not", (self.factor(),))
        if value == "(":
            node = self.expr()
            self.take(")")
            return node
        if kind == "num" or value in ("any", "all"):
            return self.count(value)
        if kind == "name" and value not in _KEYWORDS:
            if value not in self.groups:
                raise ConditionError(f"condition names group {value!r}, which is not defined under terms")
            return Node("name", name=value)
        raise ConditionError(f"unexpected {value!r}")

    def count(self, head: str) -> Node:
        self.take("of")
        if self.peek() and self.peek()[1] == "them":
            self.take()
            names = sorted(self.groups)
        else:
            self.take("(")
            names = [self.group_name()]
            while self.peek() and self.peek()[1] == ",":
                self.take()
                names.append(self.group_name())
            self.take(")")
        args = tuple(Node("name", name=n) for n in names)
        n = 1 if head == "any" else len(args) if head == "all" else int(head)
        if not 1 <= n <= len(args):
            raise ConditionError(f"'{head} of' needs between 1 and {len(args)} groups, not {n}")
        return Node("count", args, n=n)

    def group_name(self) -> str:
        kind, value = self.take()
        if kind != "name" or value in _KEYWORDS:
            raise ConditionError(f"expected a group name, found {value!r}")
        if value not in self.groups:
            raise ConditionError(f"condition names group {value!r}, which is not defined under terms")
        return value


def parse(text: str, groups: set[str]) -> Node:
    """Parse a condition over the given group names; raises ConditionError."""
    if not isinstance(text, str):
        raise ConditionError("condition must be a string")
    return _Parser(text, groups).parse()
