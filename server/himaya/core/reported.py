"""Words quoted from someone else: a parent, a child or a prevention post that
reports what a stranger wrote is not that stranger writing.

"un mec m'a écrit « t'es seule chez toi ? », je l'ai bloqué", "binti warratni
message 'fas5 el conv'", "if someone says 'this stays between us', tell an adult":
the lure stands between quotes, and outside them a verb of saying or receiving
("m'a écrit", "9alelha", "يقلها", "says", "reçu") or a word that names a quote
("message", "عبارة") tells that it is reported. A match whose every piece of
evidence lies inside such quotes is not the writer's own tactic.

An abuser has no reason to quote his own words; a text that is nothing but a
quote (no frame outside it) is read as it is, and so is a quote nobody reports
("«services» dispo 50dt" keeps its warning).

    >>> quoted_parts("un mec m'a écrit « t'es seule ? », je l'ai bloqué")
    [(18, 32)]
    >>> quoted_parts("t'es où ? l'école est fermée")
    []
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

# Opening quote -> its closing quote. A straight or curly single quote between two
# letters is an apostrophe ("t'es", "bent'i", "l’école"), never a quote.
PAIRS = {"«": "»", "“": "”", "„": "“", "‘": "’", '"': '"', "'": "'"}
APOSTROPHES = {"'", "’"}
QUOTES = frozenset(PAIRS) | frozenset(PAIRS.values())  # openers and closers
_QUOTE = re.compile("[" + re.escape("".join(sorted(QUOTES))) + "]")

# Verbs of saying, writing, asking, sending and receiving, and words that name a
# quote, after the normalizer (no accents, Arabic letters folded, lower case).
REPORT = {
    # Derja, Latin script
    "9al", "9alli", "9allek", "9alek", "9alouli", "9alelha", "9alelhom", "9alha", "9alou", "9alet", "9aletli", "9allou", "9alelna",
    "y9oul", "y9ol", "y9oullek", "y9ollek", "y9olek", "yo9olek", "yo9ollek", "y9olha", "y9ollha", "y9olou",
    "y9ollou", "y9olli", "y9ouli", "y9oulou", "yes2el", "yas2el", "yesa2el", "sa2alha", "sa2alni",
    "kteblha", "ktebli", "ktib", "kteb", "jetha", "jeha", "jeh", "jatha", "jatni", "jani", "jetni",
    "warratni", "warrani", "warretni", "yab3ath", "yab3eth", "chefet", "chouft", "chfet", "chefthom", "l9it", "l9a", "l9ina", "wselha", "wsolha", "wsolni", "wsolli",
    # Arabic script
    "قال", "قالي", "قالها", "قاللها", "قاللي", "قالو", "قالت", "قالتلي", "قاللو", "يقول", "يقولك", "يقلك",
    "يقلها", "يقلو", "يقولها", "يقولو", "يقولي", "يقلي", "يقولولهم", "يسال", "سال", "سالها", "سالني",
    "كتب", "كتبلها", "كتبلي", "يكتب", "جاها", "جاه", "جاتها", "جاتني", "جاني", "وريتني", "ورتني", "وراني",
    "لقي", "لقيت", "لقينا", "وصلها", "وصلني", "تلقت", "تلقي", "استلمت", "عباره", "عبارات", "جمله", "شفت", "شفتي",
    # French
    "dit", "disait", "ecrit", "ecrivait", "demandait", "recu", "recue", "recus", "envoye",
    "envoyee", "phrase", "phrases", "messages", "genre",
    # English
    "says", "said", "told", "tells", "wrote", "writes", "asks", "asked", "sent", "received", "texted",
    "messaged", "saying", "showed", "shows", "found", "saw", "words",
}


def quoted_parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each pair of quotes, in order.

    Only the quote characters are visited (a page of 50 000 characters holds a few
    dozen), and each closing quote is found by bisection among those of its kind:
    the work follows the quotes, never the length of the text times their number."""
    marks = [(m.start(), m.group()) for m in _QUOTE.finditer(text)]
    if not marks:
        return []
    last = len(text) - 1
    # where each kind of quote may close one: a straight or curly single quote only
    # where no letter follows it ("'t'es seule ?'": the inner one is an apostrophe)
    closers: dict[str, list[int]] = {}
    for pos, ch in marks:
        if ch not in APOSTROPHES or pos == last or not text[pos + 1].isalnum():
            closers.setdefault(ch, []).append(pos)
    out = []
    i = k = 0
    while k < len(marks):
        pos, ch = marks[k]
        k += 1
        close = PAIRS.get(ch)
        if pos < i or close is None or (ch in APOSTROPHES and pos and text[pos - 1].isalnum()):
            continue
        ends = closers.get(close, ())
        at = bisect_right(ends, pos)
        if at == len(ends):
            continue
        j = ends[at]
        if len(text[pos + 1:j].split()) >= 2:  # a phrase; one quoted word is a code ('jdod', «services»)
            out.append((pos + 1, j))
        i = j + 1
    return out


# A quote right after one of these is a name, not words reported: groupe « Ados Sfax »,
# the page 'Sghar Bizerte', كلمة السر 'ciné'.
NAMING = {"groupe", "group", "groups", "page", "pages", "compte", "account", "channel", "canal", "serveur", "server",
          "club", "code", "mot", "word", "password", "name", "nom", "called", "appele", "appelee", "esm", "kelma",
          "kelmet", "brand", "marque", "hashtag", "tag", "قروب", "جروب", "الجروب", "مجموعه", "صفحه", "الصفحه",
          "حساب", "الحساب", "كلمه", "اسم", "بعنوان"}


def reported(text: str, tokens: list[str], starts: list[int]) -> list[tuple[int, int]]:
    """The quoted parts of a text whose quotes are reported (a frame word outside
    every quote); [] when there is none. A quote that names something (right
    after "groupe", "page", "code"...) is not reported speech. `tokens`, `starts`:
    the normalized tokens and their start offsets in `text`."""
    parts = [(a, b) for a, b in quoted_parts(text) if not _named(tokens, bisect_left(starts, a))]
    if not parts:
        return []
    for tok, start in zip(tokens, starts):
        if tok in REPORT and _part_at(parts, start, start + 1) is None:
            return parts
    return []


def _named(tokens: list[str], at: int) -> bool:
    """One of the two tokens before token `at` names something ("groupe", "page", "code")."""
    return not NAMING.isdisjoint(tokens[max(0, at - 2):at])


def inside(spans, parts: list[tuple[int, int]]) -> bool:
    """Some span lies within one of the parts (sorted, not overlapping)."""
    return any(_part_at(parts, s, e) is not None for s, e in spans)


def _part_at(parts: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The part that holds [start, end), if one does."""
    k = bisect_right(parts, (start, float("inf"))) - 1
    if k >= 0 and parts[k][0] <= start and end <= parts[k][1]:
        return parts[k]
    return None
