"""Properties that must hold for any text: the normalizer and the matcher never
raise, spans always index the original text, and no text takes unbounded time
(RE2 plus linear passes; checked here by size, not by a clock)."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from himaya import Scanner
from himaya.core.normalize import normalize

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
SCANNER = Scanner.load(FIXTURES)

# Text that looks like the evasion it must survive: words, Arabizi digits,
# Arabic, look-alikes, marks, format characters, emoji, links and punctuation.
PIECES = st.sampled_from([
    "ajoute", "moi", "sur", "snap", "zidni", "3al", "telegram", "t.me/+AbC000", "🔒", "🤫", "\ufe0f", "\u200b",
    "\u200d", "\u0301", "\u064e", "ـ", "زيدني", "على", "السناب", "ѕ", "а", "Ｓ", " ", ".", "-", "_", "@", "50dt",
    "16 ans", "https://", "xn--", "\u202e", "\ud7ff", "ﷺ", "㈠", "ß", "İ", "\x00", "\n",
])
TEXTS = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=40).map("".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_normalize_never_raises_and_spans_index_the_original(text):
    n = normalize(text)
    assert len(n.spans) == len(n.tokens)
    for (s, e), tok in zip(n.spans, n.tokens):
        assert 0 <= s < e <= len(text) and tok
    assert all(n.spans[i][0] <= n.spans[i + 1][0] for i in range(len(n.spans) - 1))
    full = n.full()
    for pos in range(0, len(full), 7):
        assert 0 <= n.full_to_original(pos) <= len(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(["message", "profile", "post", "url"]))
def test_scan_never_raises_and_spans_are_in_range(text, kind):
    v = SCANNER.scan(text, kind=kind, url=text if kind == "url" else None)
    assert v.severity in ("none", "low", "medium", "high", "critical")
    assert 0.0 <= v.score <= 1.0
    for m in (*v.matches, *v.experimental):
        for s, e in m.spans:
            assert 0 <= s < e <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=20).map("".join))
def test_matches_survive_surrounding_noise(noise):
    text = "ajoute moi sur snap"
    assert any(m.rule == "T-INVITE" for m in SCANNER.scan(f"{noise}. {text} .{noise}").matches) or any(
        w in noise for w in ("famille", "cousins"))


def test_hostile_sizes_are_linear():
    # Inputs that make backtracking engines explode: here they are just long text.
    for text in ["a" * 100_000, "a" * 50_000 + "!", "(" * 50_000, "\u200b" * 50_000, "s " * 50_000,
                 "t." * 50_000, "🔒" * 20_000, "x" + "\u0301" * 50_000]:
        v = SCANNER.scan(text)
        assert v.severity in ("none", "low", "medium", "high", "critical")
