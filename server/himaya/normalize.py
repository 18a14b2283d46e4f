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

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# ---------------------------------------------------------------------------
# Character classes, derived once from the Unicode database (no hand-kept tables
# that drift from the interpreter's Unicode version).


def _ranges(pred, stop=0x30000) -> str:
    """A regex character-class body for every code point where pred(cat) holds."""
    out, start, prev = [], None, None
    for cp in list(range(stop)) + list(range(0xE0000, 0xE0080)):
        ok = pred(unicodedata.category(chr(cp)))
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            out.append((start, prev))
            start = None
        prev = cp
    if start is not None:
        out.append((start, prev))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in out
    )


_MARKS_AND_FORMAT = _ranges(lambda c: c in ("Mn", "Mc", "Me", "Cf"))
# A token: letters and digits (\w without the underscore, which joins handle
# parts and spaced-out letters), plus marks and invisible format characters so
# that `q\u200cuel` or a word with Arabic diacritics stays one token. An `@`
# inside a word stays too, for the leet view (`t3l3gr@m`).
_TOKEN_RE = re.compile(rf"(?:[^\W_]|[{_MARKS_AND_FORMAT}])+(?:@(?:[^\W_]|[{_MARKS_AND_FORMAT}])+)*")
_DROP_FORMAT = {
    cp: None
    for cp in (*range(0x30000), *range(0xE0000, 0xE0080))
    if unicodedata.category(chr(cp)) == "Cf"
}

# Arabic letter folding (RULES.md step 4) and Eastern digits (step 5).
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


@lru_cache(maxsize=1 << 16)
def normalize_token(raw: str) -> tuple[str, ...]:
    """Normalize one raw token; may return several tokens (NFKC can split one).

    >>> normalize_token("Ｂｏｎｊｏｕｒ")
    ('bonjour',)
    >>> normalize_token("قَدَّاشْ")
    ('قداش',)
    """
    t = unicodedata.normalize("NFKC", raw).translate(_DROP_FORMAT)
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = unicodedata.normalize("NFC", t).translate(_ARABIC_FOLD).casefold()
    t = _RUN3.sub(r"\1\1", t)
    if any(ch in _CONFUSABLES for ch in t):
        letters = [ch for ch in t if ch.isalpha()]
        foreign = [ch for ch in letters if not _is_latin_letter(ch)]
        # Only for tokens that are Latin words dressed in look-alikes: a token mixing
        # Latin with look-alikes, or made of look-alikes only. Real Cyrillic or Greek
        # words keep their letters.
        if all(ch in _CONFUSABLES for ch in foreign) and foreign:
            t = t.translate(_CONFUSE_TABLE)
    if t.isalnum() or not t:
        return (t,) if t else ()
    return tuple(m.group(0) for m in _TOKEN_RE.finditer(t))


@lru_cache(maxsize=1 << 16)
def loose(token: str) -> str:
    """Every doubled letter single: `trooop` and `trop` meet, `9addeh` and `9adeh`."""
    return _RUN2.sub(r"\1", token)


@lru_cache(maxsize=1 << 16)
def leet(token: str) -> str:
    """The leetspeak reading of a token (`t3l3gr4m` -> `telegram`)."""
    return token.translate(_LEET)


@lru_cache(maxsize=1 << 16)
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


def has_digit_and_letter(token: str) -> bool:
    return any(ch.isdigit() or ch == "@" for ch in token) and any(ch.isalpha() for ch in token)


@dataclass(frozen=True)
class Normalized:
    """Normalized tokens with the original span of each (start, end), in order."""

    original: str
    tokens: list[str]
    spans: list[tuple[int, int]]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The `norm` view: tokens joined by single spaces."""
        got = self._cache.get("text")
        if got is None:
            got = self._cache["text"] = " ".join(self.tokens)
        return got

    def full(self) -> tuple[str, list[int], list[int]]:
        """Normalized text that keeps punctuation (for regex terms).

        Returns the string plus two parallel lists: the start of each piece in
        that string and the original offset it maps to.
        """
        got = self._cache.get("full")
        if got is not None:
            return got
        parts, starts, origin = [], [], []
        pos = 0
        prev_end = 0
        for tok, (s, e) in zip(self.tokens, self.spans):
            if s > prev_end:
                gap = unicodedata.normalize("NFKC", self.original[prev_end:s]).translate(_DROP_FORMAT)
                gap = gap if gap.strip() or not gap else " "
                parts.append(gap)
                starts.append(pos)
                origin.append(prev_end)
                pos += len(gap)
            elif s < prev_end:  # several tokens from one raw token: keep them apart
                parts.append(" ")
                starts.append(pos)
                origin.append(s)
                pos += 1
            parts.append(tok)
            starts.append(pos)
            origin.append(s)
            pos += len(tok)
            prev_end = e
        tail = self.original[prev_end:]
        if tail:
            tail = unicodedata.normalize("NFKC", tail).translate(_DROP_FORMAT)
            parts.append(tail)
            starts.append(pos)
            origin.append(prev_end)
        got = self._cache["full"] = ("".join(parts), starts, origin)
        return got

    def token_at(self, offset: int) -> int:
        """Index of the token at or before an original offset (0 when none)."""
        import bisect

        i = bisect.bisect_right(self.spans, (offset, sys.maxsize)) - 1
        return max(i, 0)


def normalize(text: str) -> Normalized:
    """Tokenize and normalize `text`, keeping the original span of every token."""
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN_RE.finditer(text):
        norm = normalize_token(m.group(0))
        span = m.span()
        for t in norm:
            tokens.append(t)
            spans.append(span)
    return Normalized(text, tokens, spans)


def normalize_term(text: str) -> list[str]:
    """The tokens of a rule term, through the very same pipeline as scanned text."""
    return normalize(text).tokens
