"""Issue 14.1: one short message must never freeze the scanner.

The worst inputs found (long runs of one letter, of U+FDFA which NFKC turns
into 18 characters, of combining marks, of zero-width characters, of emoji
with variation selectors, long tokens just past the fuzzy search's reach,
mixes of all) each scan a 2 000-character unit within 50 ms of CPU time with
the shipped default list, caches cold. Before the fix one such message took
minutes (the fuzzy deletion neighbourhood of a 1 500-letter token).

CPU time, not wall time (other work on a shared machine does not count), the
best of three different texts of each kind, and the bounded work is also
asserted by counting, where a count says it better than a clock.
"""

from __future__ import annotations

import random
import signal
import time

import pytest

from himaya.core import matcher
from himaya.core.matcher import Index, clear_caches
from himaya.core.normalize import MAX_TOKEN, normalize
from himaya.core.rules.loader import load_ruleset
from himaya.core.scanner import PACKAGE_RULES

UNIT = 2_000
LIMIT_S = 0.050


@pytest.fixture(scope="module")
def index():
    return Index(load_ruleset(PACKAGE_RULES).rules)


def _letters(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def _words_of(rng, length):
    return " ".join(_letters(rng, length) for _ in range(UNIT // (length + 1)))


WORST = {
    "one-letter-run": lambda rng: rng.choice("aeiouxyz") * UNIT,
    "fdfa-run": lambda rng: "\ufdfa" * (UNIT - 1) + rng.choice("ab"),
    "fdfa-words": lambda rng: " ".join("\ufdfa" * rng.randint(1, 30) for _ in range(UNIT // 16)),
    "combining-marks": lambda rng: rng.choice("aeo") + "".join(rng.choice("\u0301\u0308\u064e\u0651") for _ in range(UNIT - 1)),
    "zero-width-inside": lambda rng: "".join(rng.choice("abcdefgh") + rng.choice("\u200b\u200c\u2060\ufeff") for _ in range(UNIT // 2)),
    "emoji-variation": lambda rng: "".join(rng.choice("🍒🍭❤🌽🔥") + "\ufe0f" + rng.choice(["", "\u200d", "🏽"]) for _ in range(UNIT // 3)),
    "spaced-letters": lambda rng: " ".join(_letters(rng, UNIT // 2)),
    "one-long-token": lambda rng: _letters(rng, UNIT),
    "arabic-long-token": lambda rng: _letters(rng, UNIT, "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"),
    "tokens-at-fuzzy-reach": lambda rng: _words_of(rng, 18),
    "tokens-of-12": lambda rng: _words_of(rng, 12),
    "mixed": lambda rng: "".join(rng.choice(["\ufdfa", "a", "\u0301", "\u200b", "🍒\ufe0f", " ", "ب", "?", "7", "t.", "ك"])
                                 for _ in range(UNIT)),
}


class _TooSlow(Exception):
    pass


def _cpu_time_of_scan(index, text) -> float:
    """CPU seconds of one cold scan; a scan past 10 s wall fails fast (old code: minutes)."""
    def stop(signum, frame):
        raise _TooSlow(f"a {len(text)}-character unit took more than 10 s")

    clear_caches(index)
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 10.0)
    try:
        start = time.thread_time()
        verdict = index.scan(text[:UNIT], "post", budget=None)  # no budget: bounded work, not a cut-off
        return time.thread_time() - start, verdict
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", sorted(WORST))
def test_worst_inputs_scan_a_2000_character_unit_within_50_ms(index, kind):
    index.scan("warm up the compiled sets", "post")
    best = None
    for seed in range(3):  # three different texts: no cache helps the next one
        text = WORST[kind](random.Random(seed))[:UNIT]
        seconds, verdict = _cpu_time_of_scan(index, text)
        assert not verdict.partial
        best = seconds if best is None else min(best, seconds)
    assert best <= LIMIT_S, f"{kind}: {best * 1e3:.1f} ms of CPU time for {UNIT} characters"


def test_fuzzy_work_per_token_is_bounded(index, monkeypatch):
    """Count the deletion variants the fuzzy search builds, whatever the text."""
    made = []
    real = matcher._deletions

    def counting(word, k):
        out = real(word, k)
        made.append(len(out))
        return out

    monkeypatch.setattr(matcher, "_deletions", counting)
    longest = index._fuzzy.longest
    bound = 1 + (longest + 2) + (longest + 2) * (longest + 1) // 2  # up to 2 deletions of the longest reachable token
    for kind in ("fdfa-run", "one-long-token", "tokens-at-fuzzy-reach", "mixed", "spaced-letters"):
        clear_caches(index)
        made.clear()
        index.scan(WORST[kind](random.Random(7))[:UNIT], "post", budget=None)
        assert all(n <= bound for n in made), kind
        assert sum(made) <= 200 * bound, kind  # at most one search per distinct token, few of them this long


def test_normalization_cannot_expand_a_token_without_bound():
    n = normalize("\ufdfa" * 2_000)  # NFKC: 18 characters each
    assert n.tokens and all(len(t) <= MAX_TOKEN for t in n.tokens)
    assert n.spans[0] == (0, 2_000)  # still points at what the person saw
    stretched = normalize("sal" + "u" * 5_000 + "t")  # a stretched word stays the word
    assert stretched.tokens == ["saluut"]


def test_a_scan_past_its_budget_returns_what_it_has_flagged_partial(index):
    text = "t'as quel âge ? " * 50
    full = index.scan(text, "message")
    assert not full.partial and "partial" not in full.to_dict()
    cut = index.scan(text, "message", budget=0.0)
    assert cut.partial and cut.to_dict()["partial"] is True


def test_long_input_is_scanned_whole_in_overlapping_pieces():
    """Past MAX_TEXT characters the text is no longer cut: a sign at the end is found."""
    scanner_index = Index(load_ruleset(PACKAGE_RULES).rules)
    sign = "rejoins notre groupe secret t.me/+Ab000Cd pour les 13-16 ans, cadeaux"
    alone = scanner_index.scan(sign, "post")
    assert alone.risk
    filler = ("bonjour tout le monde " * 21_000)[:450_000]
    verdict = scanner_index.scan(filler + " " + sign, "post", budget=None)
    assert {m.rule for m in verdict.matches} == {m.rule for m in alone.matches}
    offset = len(filler) + 1
    for m, m0 in zip(sorted(verdict.matches, key=lambda m: m.rule), sorted(alone.matches, key=lambda m: m.rule)):
        assert m.spans == tuple((s + offset, e + offset) for s, e in m0.spans)
    across = filler[:matcher.MAX_TEXT - 20] + " " + sign + " " + filler  # straddles the first cut
    verdict = scanner_index.scan(across, "post", budget=None)
    assert {m.rule for m in verdict.matches} >= {m.rule for m in alone.matches}


def test_window_search_does_work_linear_in_hits():
    """Issue 15: the window check is one sorted pass (it was a list rebuilt per anchor)."""
    calls = []

    def condition(window, unit):  # "a and b" (bits 1 and 2): never inside a window of 3 below
        calls.append(1)
        return window & 3 == 3

    a = [(i * 10, i * 10, i, i + 1, i) for i in range(20_000)]  # (first, last, start, end, token)
    b = [(i * 10 + 7, i * 10 + 7, i, i + 1, i) for i in range(20_000)]
    start = time.thread_time()
    assert matcher._in_window(condition, 3, {"a": [a], "b": [b]}, {"a", "b"}, 3, {"a": 1, "b": 2}) is None
    assert len(calls) <= 2 * 40_000 and time.thread_time() - start < 1.0
