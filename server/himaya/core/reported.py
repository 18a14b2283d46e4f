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

# Opening quote -> its closing quote. A straight or curly single quote between two
# letters is an apostrophe ("t'es", "bent'i", "l’école"), never a quote.
PAIRS = {"«": "»", "“": "”", "„": "“", "‘": "’", '"': '"', "'": "'"}
APOSTROPHES = {"'", "’"}
QUOTES = frozenset(PAIRS) | {"”", "’"}

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
    "envoyee", "phrase", "phrases",
    # English
    "says", "said", "told", "tells", "wrote", "writes", "asks", "asked", "sent", "received", "texted",
    "messaged", "saying", "showed", "shows", "found", "saw", "words",
}


def quoted_parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each pair of quotes, in order."""
    if not any(ch in QUOTES for ch in text):
        return []
    out = []
    i, last = 0, len(text) - 1
    while i <= last:
        ch = text[i]
        close = PAIRS.get(ch)
        if close is None or (ch in APOSTROPHES and 0 < i and text[i - 1].isalnum()):
            i += 1
            continue
        j = text.find(close, i + 1)
        while j != -1 and close in APOSTROPHES and j < last and text[j + 1].isalnum():
            j = text.find(close, j + 1)  # "'t'es seule ?'": the inner one is an apostrophe
        if j == -1:
            i += 1
            continue
        if len(text[i + 1:j].split()) >= 2:  # a phrase; one quoted word is a code ('jdod', «services»)
            out.append((i + 1, j))
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
    parts = quoted_parts(text)
    if parts:
        parts = [(a, b) for a, b in parts if NAMING.isdisjoint(
            [tok for tok, start in zip(tokens, starts) if start < a][-2:])]
    if not parts:
        return []
    for tok, start in zip(tokens, starts):
        if tok in REPORT and not any(a <= start < b for a, b in parts):
            return parts
    return []


def inside(spans, parts: list[tuple[int, int]]) -> bool:
    """Some span lies within one of the parts."""
    return any(a <= s and e <= b for s, e in spans for a, b in parts)
