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

from operator import itemgetter

try:  # pragma: no cover - exercised by whichever engine is installed
    import ahocorasick_rs as _ac
except ImportError:  # pragma: no cover
    _ac = None


class TokenAutomaton:
    def __init__(self, patterns: dict[str, list], engine: str | None = None):
        self.keys = list(patterns)
        self.refs = [patterns[k] for k in self.keys]
        # Per pattern: its refs, where its first token starts (after the padding
        # space, if it has one) and how many tokens follow the first.
        self._info = [(patterns[k], 1 if k[0] == " " else 0, k.count(" ", 1, len(k) - 1)) for k in self.keys]
        # The longest pattern, in tokens: how far a change can reach.
        self.reach = max((k.strip().count(" ") + 1 for k in self.keys), default=1)
        self.engine = engine or ("ahocorasick-rs" if _ac is not None else "python")
        # Built on first search, not here: a cold `himaya scan` of Latin text never
        # searches the Arabic-only or fuzzy automata (a third of the build time).
        self._ac = None
        self._lazy = self.engine == "ahocorasick-rs" and bool(self.keys)  # an engine to build

    def build(self) -> "TokenAutomaton":
        """Build the engine now (the companion does so before serving)."""
        if self._ac is None and self._lazy:
            self._ac = _ac.AhoCorasick(self.keys, matchkind=_ac.MatchKind.Standard)
        return self

    def find(self, tokens: list[str]) -> list[tuple[list, int, int]]:
        """(refs, first token index, last token index) of every match."""
        return self.search(tokens).where()

    def search(self, tokens: list[str]) -> "Hits":
        """Every match, as the engine gives them: which patterns occur is known at
        once, where they occur is worked out only when asked (`Hits.where`)."""
        if not tokens or not self.keys:
            return Hits("", [], self._info)
        text = " " + " ".join(tokens) + " "
        raw = self._search(text)
        return Hits(text, raw if isinstance(raw, list) else list(raw), self._info)

    def find_near(self, tokens: list[str], changed: list[int], whole: bool = False, form=None):
        """The matches that hold at least one changed token (sorted indexes): the
        text around each is searched, not the whole of it. (A view differs from
        the loose one only in its changed tokens; a match without any is one the
        loose view has already given.) With `whole`, where the changes are so
        dense that the whole view is searched, its `Hits` come back as they are,
        repeats of the loose view's matches included (for a caller to whom a
        repeat changes nothing). `form`: a function of a token, applied to the
        tokens the search reads (those far from every change are never made)."""
        if not changed or not self.keys:
            return []
        reach = self.reach
        dense = len(changed) * (2 * reach + 1) >= len(tokens)  # one pass is cheaper
        if dense and form is not None:
            tokens = list(map(form, tokens))
        if dense and whole:
            return self.search(tokens)
        mark = bytearray(len(tokens))
        for i in changed:
            mark[i] = 1
        if dense:
            return [m for m in self.find(tokens) if mark.find(1, m[1], m[2] + 1) != -1]
        segments: list[list[int]] = []
        for i in changed:
            a, b = max(i - reach, 0), min(i + reach + 1, len(tokens))
            if segments and a <= segments[-1][1]:
                segments[-1][1] = b
            else:
                segments.append([a, b])
        # One search over all the segments, a NUL token between them (no pattern
        # holds one, so no match crosses it): one call instead of one per segment.
        joined: list[str] = []
        where: list[int] = []  # index in `tokens` of each token of `joined`
        for a, b in segments:
            if joined:
                joined.append("\x00")
                where.append(-1)
            joined.extend(tokens[a:b] if form is None else map(form, tokens[a:b]))
            where.extend(range(a, b))
        out = []
        for refs, first, last in self.find(joined):
            first, last = where[first], where[last]
            if mark.find(1, first, last + 1) != -1:
                out.append((refs, first, last))
        return out

    def _search(self, text: str):
        if self._ac is None and self._lazy:
            self.build()
        if self._ac is not None:
            return self._ac.find_matches_as_indexes(text, overlapping=True)
        return self._naive(text)

    def _naive(self, text: str):
        for pi, key in enumerate(self.keys):
            i = text.find(key)
            while i != -1:
                yield pi, i, i + len(key)
                i = text.find(key, i + 1)


class Hits:
    """One search's matches, left as the engine gave them: (pattern index, start,
    end). A text hits many patterns that no rule still in play reads (on a page,
    about 19 in 20 occurrences are common words of lexicons whose rules go no
    further), so the set of patterns found is one C-level pass, and their token
    indexes are worked out only for the patterns asked for."""

    __slots__ = ("text", "raw", "info")  # info[pattern] = (refs, lead space, tokens after the first)

    def __init__(self, text: str, raw: list, info: list):
        self.text, self.raw, self.info = text, raw, info

    def patterns(self) -> set[int]:
        return set(map(itemgetter(0), self.raw))

    def where(self, wanted=None, by_index: bool = False) -> list[tuple]:
        """(refs, first token index, last token index) of the matches of the
        `wanted` patterns (a set of indexes; all when None), in the engine's order;
        `by_index`: the pattern's index instead of its refs."""
        # A token's index is the number of spaces before it, less the padding one.
        # Counting (in C) from the previous match is cheaper than a table of
        # token offsets for every token, since matches are few.
        out = []
        pos = spaces = 0
        count, info = self.text.count, self.info
        for pi, s, _e in self.raw:
            if wanted is not None and pi not in wanted:
                continue
            refs, lead, more = info[pi]
            a = s + lead
            # Matches come by end: a longer one may start before the previous
            # start; count back from there rather than from the text's start.
            if a < pos:
                spaces -= count(" ", a, pos)
            else:
                spaces += count(" ", pos, a)
            pos = a
            first = spaces - 1 if spaces else 0
            out.append((pi if by_index else refs, first, first + more))
        return out
