"""Text normalization: one pipeline for the scanned text and for every rule term.

Evasion is undone here, once, so that rules can stay plain words. The text is
cut into tokens (runs of letters, digits, combining marks and invisible format
characters); each token is normalized on its own and keeps the span of the
original text it came from, so every match points at what the person saw::

    >>> n = normalize("t'as q\\u200cuel âââge ?")
    >>> n.tokens
    ['t', 'as', 'quel', 'aage']
    >>> n.spans[2]
    (5, 10)

The views built on top of the tokens (norm, loose, leet, joined, skeleton) are
described in `Views`; the matcher picks which views each rule term is tried on.
"""

from __future__ import annotations

import bisect
import operator
import re
import sys
import unicodedata
from functools import lru_cache
from itertools import accumulate, chain

# ---------------------------------------------------------------------------
# Character classes, derived once from the Unicode database (no hand-kept tables
# that drift from the interpreter's Unicode version).


# Marks and format characters of the scripts Himaya reads, and the invisible
# characters used to break words (a class of every Unicode mark is five times
# slower to match and buys nothing for French, Arabic and English).
_MARKS_AND_FORMAT = (
    "\u00ad\u0300-\u036f\u0483-\u0489\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06dc"
    "\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08ff\u180e\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u20d0-\u20ff\ufe00-\ufe0f"
    "\ufe20-\ufe2f\ufeff"
)
# A token: letters and digits (\w without the underscore, which separates handle
# parts and spaced-out letters). Marks and invisible format characters belong to
# the token they sit in (`q\u200cuel`, Arabic with diacritics), but a class
# with them is five times slower, so the fast split runs first and the full one
# only when such a character stands between tokens.
_FAST_SPLIT = re.compile(r"([^\W_]+)")
_ASCII_SPLIT = re.compile(r"([A-Za-z0-9]+)")  # the same on ASCII text, without Unicode lookups
_FULL_SPLIT = re.compile(rf"((?:[^\W_]|[{_MARKS_AND_FORMAT}])+)")
_MARK_IN_GAP = re.compile(rf"[{_MARKS_AND_FORMAT}]")
_TOKEN_RE = re.compile(_FULL_SPLIT.pattern[1:-1])
# Invisible format characters (category Cf), dropped from tokens. The blocks
# skipped below can hold none by Unicode's own allocation (CJK ideographs,
# Hangul syllables, surrogates, private use, the ideographic plane 2): asking
# the database about them cost every start 10 ms (tests/test_normalize.py
# checks the table against all of planes 0-2).
_CF_SEARCHED = (range(0x4E00), range(0xA000, 0xAC00), range(0xF900, 0x20000), range(0xE0000, 0xE0080))
_DROP_FORMAT = {
    cp: None
    for block in _CF_SEARCHED for cp in block
    if unicodedata.category(chr(cp)) == "Cf"
}
# Emoji variation selectors and the keycap mark: `1️⃣5️⃣` is the number 15 dressed
# as emoji (ages and prices written so); inside a token they say nothing else.
_DROP_FORMAT.update(dict.fromkeys((*range(0xFE00, 0xFE10), 0x20E3)))

# Arabic letter folding (RULES.md step 4), Eastern digits (step 5), French ligatures.
_ARABIC_FOLD = str.maketrans(
    {
        "\u0640": None,  # tatweel
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maksura -> ya
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u06cc": "\u064a",  # Farsi ya
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u06af": "\u0643",  # gaf -> kaf
        "\u06a8": "\u0642",  # Maghrebi qaf with three dots (Tunisian g)
        "\u06a4": "\u0641",  # veh -> fa
        "\u067e": "\u0628",  # peh -> ba
        "\u0686": "\u062c",  # tcheh -> jim
        "\u0698": "\u0632",  # jeh -> zain
        "\u06c1": "\u0647",  # heh goal
        "\u06d5": "\u0647",  # ae
        # French ligatures, which NFKD leaves whole: "sœur" and "soeur" are one word
        "\u0153": "oe", "\u0152": "oe", "\u00e6": "ae", "\u00c6": "ae",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)

# Look-alike letters (step 8): Cyrillic and Greek letters that render like Latin.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
}
_CONFUSE_TABLE = str.maketrans(_CONFUSABLES)
_RUN3 = re.compile(r"(\D)\1{2,}")
# The longest normalized token: no rule word comes near it, and it bounds the work
# per token of every later step whatever a token expands to (see normalize_token).
MAX_TOKEN = 256
_RUN2 = re.compile(r"(\D)\1+")

# Leetspeak (step 9), applied only where the folded word is a known rule word of
# a language that is not written in Arabizi (see matcher), never blindly.
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "9": "g"})

# Arabizi consonant skeleton: spelling varies in vowels and in how a letter is
# written (9adech / kadech, 3omrek / omrek, barcha / bercha), the consonants do not.
_SKELETON_DIGITS = str.maketrans({"2": "", "3": "", "5": "x", "7": "h", "9": "k", "8": "g", "q": "k"})
_SKELETON_PAIRS = (("kh", "x"), ("gh", "g"), ("sh", "c"), ("ch", "c"), ("dh", "d"), ("th", "t"))
_VOWELS = str.maketrans({v: "" for v in "aeiouyw"})


def _is_latin_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "\u00e0" <= ch <= "\u024f"


def normalize_token(raw: str) -> str:
    """Normalize one raw token (possibly to "", e.g. a lone zero-width space).

    >>> normalize_token("Ｂｏｎｊｏｕｒ"), normalize_token("قَدَّاشْ"), normalize_token("соmmе")
    ('bonjour', 'قداش', 'comme')
    """
    if raw.isascii() and raw.isalnum():  # most words: NFKC, marks, Arabic and look-alikes change nothing
        return _RUN3.sub(r"\1\1", raw.lower())
    t = unicodedata.normalize("NFKC", raw).translate(_DROP_FORMAT)
    if len(t) > MAX_TOKEN:
        # NFKC may expand a character 18 times (U+FDFA) and a token may be a run of
        # thousands of letters: bound what the per-character steps below (and every
        # view after them) can be handed. Stretched letters are collapsed first so
        # that a long `saluuu...ut` still reads `saluut`.
        t = _RUN3.sub(r"\1\1", t)[:MAX_TOKEN]
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = unicodedata.normalize("NFC", t).translate(_ARABIC_FOLD).casefold()
    t = _RUN3.sub(r"\1\1", t)
    if any(ch in _CONFUSABLES for ch in t):
        letters = [ch for ch in t if ch.isalpha()]
        foreign = [ch for ch in letters if not _is_latin_letter(ch)]
        # Only for Latin words dressed in look-alikes: every non-Latin letter of the
        # token is a look-alike. Real Cyrillic or Greek words keep their letters.
        if foreign and all(ch in _CONFUSABLES for ch in foreign):
            t = t.translate(_CONFUSE_TABLE)
    if not t.isalnum():  # NFKC can bring punctuation (`㈠` -> `(1)`): keep one token
        t = "".join(_TOKEN_RE.findall(t))
    return t


_WORD_CACHES: list = []
WORD_CACHE_MAX = 1 << 16


def word_cache(fn):
    """Cache a function of one word in a plain dict, emptied past WORD_CACHE_MAX
    entries (by `trim_word_caches`). Not an LRU: its bookkeeping is one tracked
    list per entry, and with a few hundred thousand of them every full pass of
    Python's garbage collector took milliseconds out of a page scan; a dict of
    str -> str is never walked."""
    cached = lru_cache(maxsize=None)(fn)
    _WORD_CACHES.append(cached)
    return cached


def trim_word_caches(limit: int = WORD_CACHE_MAX) -> None:
    """Empty the word caches that grew past `limit` (bounded memory)."""
    for cached in _WORD_CACHES:
        if cached.cache_info().currsize > limit:
            cached.cache_clear()


@word_cache
def loose(token: str) -> str:
    """Every doubled letter single: `trooop` and `trop` meet, `9addeh` and `9adeh`."""
    return _RUN2.sub(r"\1", token)


@word_cache
def leet(token: str) -> str:
    """The leetspeak reading of a token (`t3l3gr4m` -> `telegram`)."""
    return token.translate(_LEET)


@word_cache
def skeleton(token: str) -> str:
    """Consonant skeleton of a Latin-script (Arabizi) token; others unchanged.

    >>> skeleton("9adech"), skeleton("kadech"), skeleton("3omrek"), skeleton("omrek")
    ('kdc', 'kdc', 'mrk', 'mrk')
    """
    if not token or not ("a" <= token[0] <= "z" or token[0].isdigit()):
        return token
    t = token
    for a, b in _SKELETON_PAIRS:
        t = t.replace(a, b)
    t = t.translate(_SKELETON_DIGITS).translate(_VOWELS)
    return _RUN2.sub(r"\1", t)


class Normalized:
    """Normalized tokens of a text, with the original span of each on demand.

    `parts` is the split of the original text: [gap, token, gap, ..., gap];
    `tokens[i]` is the normalized form of `parts[keep[i] * 2 + 1]`; `keep` is
    None when no token normalized to nothing. Read-only once made. (A plain
    class with slots: made once per scan, a frozen dataclass cost 1-2 µs.)
    """

    __slots__ = ("original", "parts", "tokens", "keep", "_cache")

    def __init__(self, original: str, parts: list[str], tokens: list[str], keep: list[int] | None):
        self.original, self.parts, self.tokens, self.keep = original, parts, tokens, keep
        self._cache: dict = {}

    def __repr__(self) -> str:
        return f"Normalized(tokens={self.tokens!r})"

    @property
    def text(self) -> str:
        """The `norm` view: tokens joined by single spaces."""
        got = self._cache.get("text")
        if got is None:
            got = self._cache["text"] = " ".join(self.tokens)
        return got

    def _bounds(self) -> list[int]:
        got = self._cache.get("bounds")
        if got is None:  # end offset of every part: one C-level pass, on first use
            got = self._cache["bounds"] = list(accumulate(map(len, self.parts)))
        return got

    def forms(self) -> tuple[list[str], list[str], list[str]]:
        """The loose, proclitic-free and Arabizi-skeleton forms of every token
        (three lists), from one cache lookup per token."""
        got = self._cache.get("forms")
        if got is None:
            rows = _FORMS.all(self.tokens)
            # three C-level passes: half the time of zip(*rows) on a page's 9 000 tokens
            got = self._cache["forms"] = (list(map(_FIRST, rows)), list(map(_SECOND, rows)), list(map(_THIRD, rows)))
        return got

    def starts_ends(self) -> tuple[list[int], list[int]]:
        """Original start and end offsets of every token, as two lists (for hot loops)."""
        got = self._cache.get("starts_ends")
        if got is None:
            b = self._bounds()
            starts, ends = b[0::2], b[1::2]
            if self.keep is not None:
                starts, ends = [starts[i] for i in self.keep], [ends[i] for i in self.keep]
            got = self._cache["starts_ends"] = (starts, ends)
        return got

    def span(self, i: int) -> tuple[int, int]:
        """(start, end) in the original text of token i."""
        j = i if self.keep is None else self.keep[i]
        b = self._bounds()
        return b[2 * j], b[2 * j + 1]

    @property
    def spans(self) -> list[tuple[int, int]]:
        """(start, end) in the original text of every token."""
        return [self.span(i) for i in range(len(self.tokens))]

    def full(self) -> str:
        """Normalized text that keeps punctuation, for regex terms; map offsets
        back with `full_to_original`."""
        got = self._cache.get("full")
        if got is None:
            gaps = self.parts[0::2]
            if not "".join(gaps).isascii():
                gaps = [g if g.isascii() else _norm_gap(g) for g in gaps]
            toks = self.tokens if self.keep is None else _CACHE.all(self.parts[1::2])
            pieces = [*chain.from_iterable(zip(gaps, toks)), gaps[-1]]
            self._cache["full_pieces"] = pieces
            got = "".join(pieces)
            if not _MODEL_NAMES.isdisjoint(self.tokens):
                got = _MODEL_NUMBER.sub(r"\1_", got)  # one space for one underscore: offsets unchanged
            self._cache["full"] = got
        return got

    def full_to_original(self, pos: int) -> int:
        """Offset in the original text of an offset in `full()`."""
        self.full()
        table = self._cache.get("full_map")
        if table is None:
            table = self._cache["full_map"] = (
                list(accumulate(map(len, self._cache["full_pieces"]), initial=0)),
                list(accumulate(map(len, self.parts), initial=0)),
            )
        full_starts, orig_starts = table
        i = max(bisect.bisect_right(full_starts, pos) - 1, 0)
        i = min(i, len(self.parts) - 1)
        return min(orig_starts[i] + min(pos - full_starts[i], max(len(self.parts[i]) - 1, 0)), len(self.original))

    def token_at(self, offset: int) -> int:
        """Index of the token at or before an original offset (0 when none)."""
        starts = self._cache.get("raw_starts")
        if starts is None:  # once per text, not once per regex, link or emoji hit
            starts = self._cache["raw_starts"] = self._bounds()[0::2]
        j = bisect.bisect_right(starts, offset) - 1  # raw token index
        if self.keep is not None:
            j = bisect.bisect_right(self.keep, j) - 1
        return min(max(j, 0), max(len(self.tokens) - 1, 0))

    def spaced_runs(self) -> list[tuple[int, int]]:
        """(first, last) token indexes of every run of one-letter tokens (`s n a p`).

        A run is 3+ letters; where the writer dotted the letters of each word and
        kept spaces between words (`h.o.w o.l.d`), the run is cut at the spaces.
        """
        got = self._cache.get("runs")
        if got is None:
            try:  # each token's length as a byte: the runs of \x01 are the one-letter runs
                one_letter = bytes(map(len, self.tokens))
            except ValueError:  # a token of 256 characters or more (no byte holds its length)
                one_letter = bytes(map((1).__eq__, map(len, self.tokens)))
            got = []
            for m in _RUN_OF_ONES.finditer(one_letter):
                got.extend(self._cut_at_spaces(m.start(), m.end() - 1))
            self._cache["runs"] = got
        return got

    def _cut_at_spaces(self, first: int, last: int) -> list[tuple[int, int]]:
        """Cut a run where the writer kept a boundary: sentence punctuation
        (`a g e ? t'es`), the spaces between dotted words (`h.o.w o.l.d`), or wider
        spaces between spaced words (`n e  d i s  r i e n`)."""
        if self.keep is not None:  # gaps no longer line up with tokens: keep the run whole
            return [(first, last)]
        gaps = [self.parts[2 * i + 2] for i in range(first, last)]  # the gap after each token but the last
        pieces, start = [], first
        for k, gap in enumerate(gaps):
            if _HARD_GAP.search(gap):
                pieces.append((start, first + k))
                start = first + k + 1
        pieces.append((start, last))
        out = []
        for a, b in pieces:
            inner = gaps[a - first:b - first]
            blank = [not g.strip() for g in inner]
            if any(blank) and not all(blank) and all(bl or _JOINER.fullmatch(g) for bl, g in zip(blank, inner)):
                cuts = blank  # dotted words: the spaces are the boundaries
            elif inner and all(blank) and len(set(map(len, inner))) > 1:
                # one space between letters, more between words (`n e  d i s  r i e n`)
                narrow = min(map(len, inner))
                cuts = [len(gap) > narrow for gap in inner]
            else:
                cuts = ()
            start = a
            for k, cut in enumerate(cuts):
                if cut:
                    out.append((start, a + k))
                    start = a + k + 1
            out.append((start, b))
        # a run is 3+ letters; a piece cut out of one is a word from 2 letters (`h.o.w`, `o.k`)
        return [(a, b) for a, b in out if b - a >= 1]

    def positions(self) -> list[int] | None:
        """Word position of every token, counting a spaced-out word as one word, so
        that `t.e.l.e.g.r.a.m` does not push evidence out of a rule's window.
        None when there is no spaced-out word (positions are the token indexes)."""
        runs = self.spaced_runs()
        if not runs:
            return None
        got = self._cache.get("positions")
        if got is None:
            step = bytearray(b"\x01") * len(self.tokens)
            for first, last in runs:  # the letters after a run's first count for nothing
                step[first + 1:last + 1] = bytes(last - first)
            got = self._cache["positions"] = [p - 1 for p in accumulate(step)]
        return got

    def position(self, i: int) -> int:
        """Word position of token i (see `positions`)."""
        table = self.positions()
        return i if table is None else table[i]


# A number written right after a product's name is its model, not an age: "iphone 13/14",
# "redmi 12", "android 14" are shop talk, while "13/14" alone is how ads give an age band.
# Regexes read `full()`, where the space before such a number becomes "_": `\b` no longer
# stands before the number (RE2 has no lookbehind to say it in the rule), tokens stay the same.
_MODEL_NAMES = frozenset(("iphone", "ipad", "galaxy", "redmi", "xiaomi", "oppo", "huawei", "honor", "infinix", "tecno",
                          "realme", "pixel", "nokia", "android", "ios", "playstation", "fifa", "pes"))
_MODEL_NUMBER = re.compile(rf"\b({'|'.join(sorted(_MODEL_NAMES))}) (?=\d)")


def _norm_gap(gap: str) -> str:
    return unicodedata.normalize("NFKC", gap).translate(_DROP_FORMAT)


def normalize(text: str) -> Normalized:
    """Tokenize and normalize `text`; every token keeps its original span."""
    global _CALLS
    _CALLS += 1
    if not _CALLS & 255:
        trim_word_caches()
    parts = (_ASCII_SPLIT if text.isascii() else _FAST_SPLIT).split(text)
    gaps = "".join(parts[0::2])
    if not gaps.isascii() and _MARK_IN_GAP.search(gaps) and _mark_touches_token(text):
        parts = _FULL_SPLIT.split(text)
    raw = parts[1::2]
    tokens = _CACHE.all(raw)
    keep = None
    if "" in tokens:
        keep = [i for i, t in enumerate(tokens) if t]
        tokens = [tokens[i] for i in keep]
    return Normalized(text, parts, tokens, keep)


def _mark_touches_token(text: str) -> bool:
    """Does a mark or format character stand right before or after a token?
    (Elsewhere, as the variation selector of an emoji, it changes nothing.)
    Only the marks are visited (a search for "a mark beside a letter" scans
    every letter of a page: 2.5 ms on 50 KB); a token character is what
    str.isalnum() says, like the `[^\\W_]` of the split."""
    last = len(text) - 1
    for m in _MARK_IN_GAP.finditer(text):
        i = m.start()
        if (i > 0 and text[i - 1].isalnum()) or (i < last and text[i + 1].isalnum()):
            return True
    return False


_HARD_GAP = re.compile(r"[?!,;:()\"\n\u061f\u060c\u061b]")  # sentence punctuation, Arabic too
_JOINER = re.compile(r"\s*[.\-_·•*/+~|]\s*")  # what evaders put between letters
_RUN_OF_ONES = re.compile(rb"\x01{3,}")  # 3+ one-letter tokens in a row: `s n a p`
_ZERO = re.compile(rb"\x00")


def alt_view(n: "Normalized", leet_vocab: set[str], words: frozenset[str] | set[str] = frozenset()):
    """Spaced letters joined and leetspeak read, or None when nothing changes.

    Leetspeak is read only where the reading is a word of `leet_vocab` (rule
    words of languages not written in Arabizi), and never for a token that is
    itself a rule word (`words`), so `3omrek` and `7ell` stay themselves. A
    spaced run that swallowed a one-letter word on either side (`l c a m e r a`)
    gives that letter back when the rest spells a rule word.
    Returns (tokens, cover, changed): cover[k] = (first, last) indexes into
    n.tokens; changed lists the indexes of the tokens that differ. Candidates
    are found with C-level passes (a byte per token), so a page without any
    costs almost nothing.
    """
    tokens = n.tokens
    edits: list[tuple[int, int, str]] = []  # (first token, last token, replacement)
    for first, last in n.spaced_runs():
        edits.extend(_join_run(tokens, first, last, leet_vocab, words))
    if leet_vocab:
        # tokens made of letters and digits both (tokens hold nothing else): among
        # those that are not all letters (one C-level pass), those not all digits
        for m in _ZERO.finditer(bytes(map(str.isalpha, tokens))):
            i = m.start()
            if tokens[i].isdigit():
                continue
            read = read_leet(tokens[i], leet_vocab, words)
            if read != tokens[i]:
                edits.append((i, i, read))
    if not edits:
        return None
    edits.sort()
    out, changed, covers, i = [], [], [], 0
    for first, last, word in edits:
        if first < i:  # a leet token inside a spaced run already joined
            continue
        out.extend(n.tokens[i:first])
        changed.append(len(out))
        covers.append((first, last))
        out.append(word)
        i = last + 1
    out.extend(n.tokens[i:])
    return out, _Cover(changed, covers), changed


class _Cover:
    """cover[k] = (first, last) tokens of the normalized text under alt token k;
    stored only for the changed tokens, the others shift by what came before."""

    def __init__(self, changed: list[int], covers: list[tuple[int, int]]):
        self.changed, self.covers = changed, covers

    def __getitem__(self, k: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.changed, k) - 1
        if i >= 0 and self.changed[i] == k:
            return self.covers[i]
        if i < 0:
            return k, k
        first, last = self.covers[i]
        orig = last + (k - self.changed[i])
        return orig, orig


def _join_run(tokens: list[str], first: int, last: int, leet_vocab, words) -> list[tuple[int, int, str]]:
    """Edits that join a run of one-letter tokens into the rule words it spells.

    `a j o u t e m o i` is two words spaced out side by side, and `l c a m e r a`
    a one-letter word next to a spaced one: the run is cut into rule words (and
    leftover single letters) with the fewest pieces. When no rule word is in it,
    the whole run is one word, for the fuzzy and skeleton views to judge.
    """
    letters = tokens[first:last + 1]
    n = len(letters)
    if n <= 64 and words:
        # Costs: a rule word of 3+ letters 2, of 2 letters 3 (short ones are
        # ambiguous: `r u alone` is not `ru alone`), a one-letter rule word 1,
        # any other letter 4. On a tie, the cut whose words start earlier wins
        # (`a g e t` is `age t`, read from the left, not `a get`).
        inf = (1 << 30, 0)
        cost, back = [(0, 0)] + [inf] * n, [0] * (n + 1)
        for i in range(n):
            if cost[i] == inf:
                continue
            c, late = cost[i]
            step = (c + (1 if letters[i] in words else 4), late)
            if step < cost[i + 1]:
                cost[i + 1], back[i + 1] = step, i
            for j in range(i + 2, min(n, i + 24) + 1):
                step = (c + (3 if j - i == 2 else 2), late + i)
                if step < cost[j] and loose(read_leet("".join(letters[i:j]), leet_vocab, words)) in words:
                    cost[j], back[j] = step, i
        pieces, j = [], n
        while j > 0:
            pieces.append((back[j], j))
            j = back[j]
        edits = [(first + a, first + b - 1, read_leet("".join(letters[a:b]), leet_vocab, words))
                 for a, b in reversed(pieces) if b - a >= 2]
        if edits:
            return edits
    return [(first, last, read_leet("".join(letters), leet_vocab, words))]


def read_leet(token: str, vocab: set[str], words=frozenset()) -> str:
    """The leet reading of a token when it spells a known word (and is not a
    rule word already), else the token."""
    if loose(token) in words:
        return token
    read = loose(leet(token))
    return read if read in vocab else token


# Arabic writes "and", "so", "with", "to" and the article as prefixes:
# السناب, وسناب, بالواتساب, للمراهقات. Longest first.
# Tunisian also contracts على + ال to عال (عالسناب = on the Snap). Not ك ("like"):
# rare as a prefix, and it starts common words (كلامك would read as لامك, "to your mother").
ARABIC_PROCLITICS = ("وبال", "وعال", "وال", "بال", "فال", "عال", "ولل", "لل", "ال", "و", "ف", "ب", "ل")


# "and not", "and don't": ولا تقولي, وما تقولش, فلا, ولم, ولن
_SHORT_AFTER_WA = frozenset(("لا", "ما", "لن", "لم"))


@word_cache
def strip_clitic(token: str) -> str:
    """An Arabic-script word without its proclitics (the word itself otherwise).

    The future "sa-" of Modern Standard Arabic goes too, before a verb's own person
    prefix (سأنشر "I will publish" reads as أنشر, وسنلتقي as نلتقي); "ساعه", "سناب" stay.

    >>> strip_clitic("والحومه"), strip_clitic("للمراهقات"), strip_clitic("لا"), strip_clitic("snap")
    ('حومه', 'مراهقات', 'لا', 'snap')
    >>> strip_clitic("سانشر"), strip_clitic("وسنلتقي"), strip_clitic("ساعه"), strip_clitic("سناب")
    ('انشر', 'نلتقي', 'ساعه', 'سناب')
    """
    if token and "\u0621" <= token[0] <= "\u064a":
        for p in _FUTURE:
            if len(token) - len(p) >= 4 and token.startswith(p) and token[len(p)] in _PERSON:
                return token[len(p):]
    return strip_proclitic(token)


def strip_proclitic(token: str) -> str:
    """strip_clitic without the future: a rule's value keeps its "sa-" (سأخبر*, "I will
    tell", must not meet أخبرتني, "she told me"; the text's سأخبرك meets it as it is).

    >>> strip_proclitic("وسأخبر"), strip_proclitic("سأخبر")
    ('سأخبر', 'سأخبر')
    """
    if token and "\u0621" <= token[0] <= "\u064a":
        for p in ARABIC_PROCLITICS:
            rest = token[len(p):]
            if token.startswith(p) and (len(rest) >= 3 or (p in ("و", "ف") and rest in _SHORT_AFTER_WA)):
                return rest
    return token


# The future prefix, alone or after "and" / "so", and the person prefixes a verb then starts with.
_FUTURE = ("وس", "فس", "س")
_PERSON = frozenset("انيت")


# The proclitics that hold the article (or "li-" before it): a value's own word
# never starts with one of these by chance, as "بنات" starts with "ب".
_ARTICLE_PROCLITICS = tuple(p for p in ARABIC_PROCLITICS if len(p) > 1)


def strip_article(token: str) -> str:
    """A value's word without the article and what comes before it (الحومة, بالدار,
    للبنات), but with its own first letter even where that reads as a proclitic
    ("بنات", "فلوس", "وليدي"). The text's proclitic view strips one proclitic of any
    size: "لبنات" and "والبنات" give "بنات", which this keeps; stripped of its "ب",
    the value would meet neither.

    >>> strip_article("الكوليج"), strip_article("بنات"), strip_article("للبنات"), strip_article("لأمك")
    ('كوليج', 'بنات', 'بنات', 'لأمك')
    """
    if token and "\u0621" <= token[0] <= "\u064a":
        for p in _ARTICLE_PROCLITICS:
            if token.startswith(p) and len(token) - len(p) >= 3:
                return token[len(p):]
    return token


# A Tunisian object pronoun between a verb and its "to me / to you" ending:
# nechri-hom-lek "I buy them for you", ab3ath-hou-li "send it to me", نشري-هم-لك,
# ابعث-ها-لي. Without it the verb meets the rules' "nechrilek", "ab3athli",
# "نشريلك", "ابعثلي" (the stem keeps at least three letters: "ahlek", "اهالي" stay).
_OBJECT_LATN = re.compile(r"^([a-z0-9]{3,})h(?:a|ou|o|om|oum|um)(l(?:i|ek|ik|k|na|kom|ikom))$")
_OBJECT_ARAB = re.compile("^([\u0621-\u064a]{3,})(?:ها|هو|هم|هوم)(ل(?:ي|ك|كم|نا|يك))$")


def strip_object(word: str) -> str:
    """A Derja verb without the object pronoun before its "to me / to you" ending. (Not
    cached: called once per new token by `_make_forms`, whose table keeps the result.)

    >>> strip_object("nechrihomlek"), strip_object("ab3athhouli"), strip_object("نشريهملك")
    ('nechrilek', 'ab3athli', 'نشريلك')
    >>> strip_object("nab3athlek"), strip_object("ahlek"), strip_object("اهالي")
    ('nab3athlek', 'ahlek', 'اهالي')
    """
    m = (_OBJECT_ARAB if "\u0621" <= word[:1] <= "\u064a" else _OBJECT_LATN).match(word)
    return m.group(1) + m.group(2) if m else word


_CALLS = 0


class WordCache(dict):
    """word -> `make(word)`, made on the first lookup that misses (`__missing__`) and
    kept, up to `limit` entries (then emptied: no LRU order to keep, no lock) and for
    keys of at most `key_max` characters (a long token is rare and would fill memory
    as a key). `cache.all(words)` is one C-level pass over the words that calls
    Python only for the new ones, each made once (a page's few new words, often
    repeated): no pass to find what is missing, no second pass to fill it in.
    `make` must not hold the cache's owner (a scanner replaced by a rules update is
    then freed at once, not left to the cycle collector)."""

    __slots__ = ("make", "limit", "key_max")

    def __init__(self, make, limit: int, key_max: int | None = None):
        super().__init__()
        self.make, self.limit, self.key_max = make, limit, key_max

    def __missing__(self, key: str):
        value = self.make(key)
        if self.key_max is None or len(key) <= self.key_max:
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value

    def all(self, keys) -> list:
        """The value of every key, in order."""
        return list(map(self.__getitem__, keys))


_CACHE_MAX = 200_000
_CACHE = WordCache(normalize_token, _CACHE_MAX, key_max=64)  # raw token -> normalized


_FIRST, _SECOND, _THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)


def token_forms(token: str) -> tuple[str, str, str]:
    """The loose form of a normalized token, its form without Arabic proclitics or a
    Derja object pronoun (`strip_object`), and its Arabizi skeleton."""
    return _FORMS[token]


def _make_forms(token: str) -> tuple[str, str, str]:
    lo = loose(token)
    bare = strip_clitic(lo)
    if bare == lo:
        # no proclitic: the object pronoun is read on the word as typed, before its
        # doubled letters merge ("ab3ath-hou-li" would read "ab3at-hou-li" once loose)
        plain = strip_object(token)
        bare = lo if plain == token else loose(plain)
    else:
        bare = strip_object(bare)
    return lo, bare, skeleton(lo)


_FORMS = WordCache(_make_forms, _CACHE_MAX)  # normalized token -> token_forms()


def changed_indexes(a: list[str], b: list[str]) -> list[int]:
    """Indexes where two views hold different tokens (a C-level pass, then only
    the differences are visited)."""
    if a == b:
        return []
    # By value: caches hand back equal strings that are not the same object, and
    # a token counted as changed when it is not makes a view search it again.
    return [m.start() for m in _ONE.finditer(bytes(map(operator.ne, a, b)))]


_ONE = re.compile(rb"\x01")




def normalize_term(text: str) -> list[str]:
    """The tokens of a rule term, through the very same pipeline as scanned text."""
    return normalize(text).tokens
