"""Prohibitions: a command in the negative, addressed to the reader.

A carer's safety rule uses the very words of a groomer's request under a
negated command: "don't walk home alone", "ne rentre pas seule", "ما تخرجش
وحدك", "لا تركبي مع أحد", "ma temchich wa7dek". A rule group that such a rule
turns inside out opts in with `unless_after: ["@prohibition"]` (rules/README.md):
a hit right after a prohibition then does not count. Listing the verbs one by
one ("ma temchich", "ma tarja3ch", ...) misses the next verb; the shapes below
read any verb, in the five language varieties:

- English: "don't" / "dont" / "do not" / "never" + a verb;
- French: "ne" / "n'" + verb + "pas" / "jamais", or the spoken "verb + pas"
  with no subject before it (an imperative: "sors pas seule"; "t'es pas
  seule ?" is a question about the reader);
- Arabic: "لا" + a second-person verb (تـ...): "لا تذهبي";
- Derja, both scripts: "ما" / "ma" + a second-person verb with the negative
  ending (تـ...ش, t...ch), or the two written as one word (ماتمشيش, متمشيش,
  matemchich).

The verb is the hit's first word, or one of the three words just before it
("don't walk home | alone", "ما تخرجش | وحدك", "never take the bus | alone"). Never a
prohibition:
- a verb of telling or showing ("don't tell anyone you are alone", "ما
  تقولش لحد إنك وحدك"): keeping quiet is the secrecy tactic itself; of fear or
  feeling ("ma tkhafech ija wa7dek", "ما تحسش روحك وحدك", "don't be scared"):
  reassurance is the groomer's; of bringing or letting ("ما تجيبش حد", "don't
  bring anyone"): isolation;
- a clause that ends in a question mark ("ma tkounech wa7dek ?", "won't you
  be alone?") or that punctuation separates from the hit.

    >>> from himaya.core.normalize import normalize
    >>> n = normalize("nji nhezek, ma temchich wa7dek")
    >>> prohibited(n, 4)
    True
    >>> prohibited(normalize("ma tkounech wa7dek ?"), 2)
    False
"""

from __future__ import annotations

import re

from himaya.core.normalize import Normalized

PROHIBITION = "@prohibition"  # the unless_after value that asks for this check

# heads that stand before the verb
_EN_HEADS = {"dont", "never"}
_FR_NE = {"ne", "n"}
_FR_AFTER = {"pas", "jamais"}
_AR_LA = {"لا", "ولا"}
_DERJA_MA = {"ما", "وما", "ma"}

# second-person verbs with the negative ending (the head is "ma" / "ما" before them)
_DERJA_VERB = re.compile(r"^(?:t[a-z0-9]{2,}(?:ch|sh|che)|ت\w{2,}ش)$")
# the same, fused with their head: ماتمشيش, متمشيش, matemchich, mat5arjich
_DERJA_FUSED = re.compile(
    r"^(?:mat[a-z0-9]{2,}(?:ch|sh|che)|mt[a-z0-9]{3,}(?:ch|sh)|مات\w{2,}ش|مت(?!اع)\w{2,}ش)$")
_AR_VERB = re.compile(r"^ت\w{2,}$")

# Never the verb of a safety rule (stems read after the "t" / "ت" of the second person):
# telling and showing ("don't tell" is the secrecy tactic itself), fear and feeling ("don't
# be afraid", "ما تحسش روحك وحدك": the groomer's reassurance), bringing and letting ("don't
# bring anyone": isolation).
_NOT_SAFETY = {
    "tell", "say", "show", "let", "text", "dis", "dites", "raconte", "montre", "parle", "laisse", "dire",
    "be", "worry", "fear", "panic", "stress", "aie", "inquiete", "inquietes", "stresse", "panique", "feel", "sens",
    "sentes", "bring", "amene", "ramene", "emmene", "invite",
}
_NOT_SAFETY_STEMS = (
    "9ou", "9ol", "9ul", "gou", "gol", "7ki", "a7ki", "ahki", "kal", "kel", "war", "khab", "5ab", "fadh", "fad",
    "3alem", "khaf", "5af", "9la9", "9ale9", "stressi", "7ess", "7as", "hess", "jib", "jeb", "khall", "5all",
    "قو", "قل", "حك", "خب", "كل", "ور", "فض", "علم", "عل", "خاف", "خف", "قلق", "حس", "جيب", "جب", "خل",
)
# French forms of "to be" / "to have" before "pas": a statement or a question about the reader
_FR_STATE = {"es", "est", "suis", "etes", "êtes", "sont", "as", "a", "ai", "avez", "serai", "seras", "sera"}
_FR_SUBJECTS = {"je", "j", "tu", "t", "il", "elle", "on", "vous", "nous", "ils", "elles", "c", "ce", "ça", "ca"}

# a subject or "to be" before "don't" / "never": a statement about someone, not a command
_EN_SUBJECTS = {"i", "you", "u", "we", "they", "he", "she", "it", "re", "m", "s", "are", "am", "is", "ll", "d", "ur"}

_CLAUSE_END = re.compile(r"[,.;:!?؟،\n]")


def _not_safety(verb: str) -> bool:
    """The verb is never a safety rule's (see _NOT_SAFETY), read with or without its
    negative head ("matkhafech", "ما تقولش") and its second-person "t"."""
    if verb in _NOT_SAFETY:
        return True
    stem = verb
    for head in ("ma", "ما", "م"):
        if stem.startswith(head) and len(stem) > len(head) + 2:
            stem = stem[len(head):]
            break
    if stem[:1] in ("t", "ت"):
        stem = stem[1:]
    return stem.startswith(_NOT_SAFETY_STEMS)


def _negated_verb(toks: list[str], v: int) -> bool:
    """Token v is a verb under a prohibition (see the module's doc)."""
    verb = toks[v]
    if _not_safety(verb):
        return False
    before = toks[v - 1] if v >= 1 else ""
    if _DERJA_FUSED.match(verb):
        return True
    if _DERJA_VERB.match(verb) and before in _DERJA_MA:
        return True
    if before in _AR_LA and _AR_VERB.match(verb):
        return True
    head = 1 if before in _EN_HEADS else 2 if v >= 2 and (toks[v - 2], before) in (("don", "t"), ("do", "not")) else 0
    if head:
        # an imperative: no subject before the head ("you're never alone", "u dont go out")
        # and no "you" after it ("don't you...?" asks)
        subject = toks[v - head - 1] if v - head >= 1 else ""
        return verb not in ("you", "u", "ya", "have") and subject not in _EN_SUBJECTS
    after = toks[v + 1] if v + 1 < len(toks) else ""
    if after in _FR_AFTER and verb not in _FR_STATE:
        return before in _FR_NE or before not in _FR_SUBJECTS
    return False


def prohibition_at(toks: list[str], i: int) -> int | None:
    """The index of the verb under a prohibition that token i (a hit's first token)
    comes right after (it may be token i itself), or None. Tokens only: `prohibited`
    adds what the punctuation says."""
    for v in (i, i - 1, i - 2, i - 3):
        if 0 <= v < len(toks) and _negated_verb(toks, v):
            return v
    return None


def prohibited(n: Normalized, i: int) -> bool:
    """Is token i (a hit's first token) right after a prohibition addressed to the reader,
    in the same clause, and is that clause no question?"""
    toks = n.tokens
    if i >= len(toks):
        return False
    v = prohibition_at(toks, i)
    if v is None:
        return False
    starts, ends = n.starts_ends()
    if v < i and _CLAUSE_END.search(n.original, ends[v], starts[i]):
        return False  # "don't worry, come alone"
    end = _CLAUSE_END.search(n.original, starts[i])
    return end is None or end.group() not in "?؟"
