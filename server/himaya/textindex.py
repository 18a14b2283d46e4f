"""Multi-pattern search over a token sequence, at token boundaries.

Patterns are padded with a space at each closed end (`" ajoute moi "`), the
tokens are joined by single spaces and padded, so a plain substring search only
finds whole tokens; a pattern without its leading (trailing) space is a stem
that may start (end) inside a token.

The engine is ahocorasick-rs (Rust, measured fastest here, wheels for Windows,
macOS and Linux). Where it cannot be installed, a pure-Python fallback gives the
same answers, slower.

    >>> ta = TokenAutomaton({" snap ": ["S"], " ajoute moi ": ["A"]})
    >>> list(ta.find(["ajoute", "moi", "sur", "snap"]))
    [(['A'], 0, 1), (['S'], 3, 3)]
"""

from __future__ import annotations

import bisect
from itertools import accumulate

try:  # pragma: no cover - exercised by whichever engine is installed
    import ahocorasick_rs as _ac
except ImportError:  # pragma: no cover
    _ac = None


class TokenAutomaton:
    def __init__(self, patterns: dict[str, list], engine: str | None = None):
        self.keys = list(patterns)
        self.refs = [patterns[k] for k in self.keys]
        self.engine = engine or ("ahocorasick-rs" if _ac is not None else "python")
        if self.engine == "ahocorasick-rs" and self.keys:
            self._ac = _ac.AhoCorasick(self.keys, matchkind=_ac.MatchKind.Standard)
        else:
            self._ac = None

    def find(self, tokens: list[str]):
        """Yield (refs, first token index, last token index) for every match."""
        if not tokens or not self.keys:
            return
        text = " " + " ".join(tokens) + " "
        # starts[i]: offset of token i in `text`
        starts = list(accumulate((len(t) + 1 for t in tokens[:-1]), initial=1))
        for pi, s, e in self._search(text):
            key = self.keys[pi]
            first = bisect.bisect_right(starts, s + 1 if key[0] == " " else s) - 1
            last = bisect.bisect_right(starts, e - 2 if key[-1] == " " else e - 1) - 1
            yield self.refs[pi], max(first, 0), max(last, first, 0)

    def _search(self, text: str):
        if self._ac is not None:
            return self._ac.find_matches_as_indexes(text, overlapping=True)
        return self._naive(text)

    def _naive(self, text: str):
        for pi, key in enumerate(self.keys):
            i = text.find(key)
            while i != -1:
                yield pi, i, i + len(key)
                i = text.find(key, i + 1)
