"""Evasion mutation test (issue 3): every positive example of every rule, rewritten
the way evaders write, must still match the same rule.

For each positive example we pick its *key words*: the words of the example that
are words of the rule's own terms (phrase, fuzzy or lexicon values), as the
normalizer reads them. Among them, the *needed* ones are those the match depends
on (blank one out and the rule no longer matches). Then, as a real evader would,
we disguise them:

- zero-width: a zero-width space between the letters of every key word;
- homoglyph: Cyrillic look-alikes in Latin key words (а е о р с х у і ѕ),
  Persian yeh / keheh in Arabic ones (ی ک);
- spaced: the longest needed key word written letter by letter (`s n a p`);
- stretched: a vowel of the longest needed key word repeated (`saluuuut`), or an
  Arabic tatweel run (`ســـناب`);
- diacritics: accents on Latin key words (`séŕvïçè`), harakat on Arabic ones;
- fullwidth: fullwidth forms for Latin key words, presentation forms for
  Arabic ones;
- leet: the longest French or English (needed) key word in leetspeak (`t3l3gr4m`),
  never an Arabizi one (its digits are letters).

A mutation that would leave the text unchanged (no Latin key word for a
homoglyph, no French or English key word for leet) is not generated. Nor is one
the matcher cannot tell from the example: when the disguised text gives the same
normalized tokens, the same punctuation-keeping text (regexes), the same
spaced-out runs, links and emoji as the example (`what_the_matcher_sees`), the
rule's own positive test already checks it, and `test_disguises_are_undone_by_the_normalizer`
checks that the normalizer undoes it. So each case is a distinct check: the
matcher reads a different input. Cases are named `<rule>-p<n>-<mutation>`.

    >>> spaced_out("snap")
    's n a p'
    >>> leet_word("telegram")
    't3l3gr4m'
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from himaya.core.links import find_emoji, find_links
from himaya.core.matcher import Index
from himaya.core.normalize import loose, normalize, normalize_term
from himaya.core.rules import load_ruleset

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
WORD_KINDS = ("phrase", "fuzzy")
LEET_LANGS = ("fr", "en", "any")

ZWSP = "\u200b"
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ"}
ARABIC_LOOKALIKE = {"ي": "ی", "ك": "ک"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
LATIN_MARKS = ("\u0301", "\u0308", "\u0300", "\u0302")  # acute, diaeresis, grave, circumflex
ARABIC_MARKS = ("\u064e", "\u0651", "\u0652", "\u0650")  # fatha, shadda, sukun, kasra
TATWEEL = "\u0640"


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff"


def _presentation_forms() -> dict[str, str]:
    """Arabic letter -> one of its presentation forms (NFKC folds it back)."""
    out: dict[str, str] = {}
    for cp in range(0xFE70, 0xFEFF):
        base = unicodedata.normalize("NFKC", chr(cp))
        if len(base) == 1 and _is_arabic(base) and base not in out:
            out[base] = chr(cp)
    return out


PRESENTATION = _presentation_forms()


# -- word mutators (each returns the disguised word) --------------------------

def zero_width(word: str) -> str:
    return ZWSP.join(word)


def homoglyph(word: str) -> str:
    return "".join(CYRILLIC.get(ch, ARABIC_LOOKALIKE.get(ch, ch)) for ch in word)


def spaced_out(word: str) -> str:
    return " ".join(word)


def stretched(word: str) -> str:
    """Stretch the first vowel (Latin) or insert a tatweel run (Arabic)."""
    if any(_is_arabic(ch) for ch in word):
        # tatweel only joins letters that connect; after the first letter is the usual spot
        return word[0] + TATWEEL * 3 + word[1:] if len(word) > 1 else word
    for i, ch in enumerate(word):
        if unicodedata.normalize("NFD", ch)[0].lower() in "aeiouy":
            return word[:i] + ch * 4 + word[i + 1:]
    return word + word[-1] * 3


def with_diacritics(word: str) -> str:
    out = []
    for i, ch in enumerate(word):
        out.append(ch)
        if ch.isalpha():
            marks = ARABIC_MARKS if _is_arabic(ch) else LATIN_MARKS
            out.append(marks[i % len(marks)])
    return unicodedata.normalize("NFC", "".join(out))


def fullwidth(word: str) -> str:
    out = []
    for ch in word:
        if "!" <= ch <= "~":
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(PRESENTATION.get(ch, ch))
    return "".join(out)


def leet_word(word: str) -> str:
    return "".join(LEET.get(ch.lower(), ch) for ch in word)


# -- choosing the key words ---------------------------------------------------

def rule_vocab(rule) -> tuple[set[str], set[str]]:
    """(every word of the rule's word terms, the French/English/any ones), loose forms."""
    words, leetable = set(), set()
    for term in rule.terms.values():
        if term.kind not in WORD_KINDS:
            continue
        for lang, values in term.values.items():
            for value in values:
                toks = {loose(t) for t in normalize_term(value.replace("*", " "))}
                words |= toks
                if lang in LEET_LANGS:
                    leetable |= toks
    return words, leetable


def key_words(text: str, vocab: set[str]) -> list[tuple[int, int]]:
    """Spans of the example's words that are rule words (letters only, >= 3 long)."""
    n = normalize(text)
    # Words inside a link are not disguised: a mutated host is no longer the invite.
    links = [(link.start, link.end) for link in find_links(text)]
    out = []
    for tok, (s, e) in zip(n.tokens, n.spans):
        raw = text[s:e]
        if any(a <= s and e <= b for a, b in links):
            continue
        if len(raw) >= 3 and raw.isalpha() and loose(tok) in vocab:
            out.append((s, e))
    return out


def _single_letter_neighbour(text: str, span: tuple[int, int]) -> bool:
    """Would spacing this word out merge it with a one-letter word next to it
    (Arabizi `l`, `f`, `w`; French `à`)? Then another key word is a fairer pick."""
    n = normalize(text)
    idx = [i for i, sp in enumerate(n.spans) if sp == span]
    if not idx:
        return False
    i = idx[0]
    return any(0 <= j < len(n.tokens) and len(n.tokens[j]) == 1 for j in (i - 1, i + 1))


def _replace(text: str, spans: list[tuple[int, int]], fn) -> str:
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + fn(text[s:e]) + text[e:]
    return text


def _longest(spans, text, key=lambda s: True):
    picked = [s for s in spans if key(s)]
    return [max(picked, key=lambda s: (s[1] - s[0], -s[0]))] if picked else []


def necessary(text: str, spans, matches) -> list[tuple[int, int]]:
    """Key words the match depends on: blank one out and the rule no longer matches.
    Disguising these is what an evader would do (and what tests the matcher)."""
    return [sp for sp in spans if not matches(text[:sp[0]] + "x" * (sp[1] - sp[0]) + text[sp[1]:])]


def mutations(text: str, rule, matches) -> dict[str, str]:
    """Every applicable disguise of one positive example, by name. `matches(text)`
    says whether the rule matches a text (used to find the words it depends on)."""
    vocab, leetable = rule_vocab(rule)
    spans = key_words(text, vocab)
    if not spans:
        return {}
    latin = [s for s in spans if not any(_is_arabic(ch) for ch in text[s[0]:s[1]])]
    needed = necessary(text, spans, matches) or spans
    longest = _longest(needed, text)
    spaced_pick = _longest(needed, text, lambda s: not _single_letter_neighbour(text, s)) or longest

    def leetable_word(s):
        word = text[s[0]:s[1]]
        # a word that would become all digits (toi -> 701) reads as a number, not as leet
        return (loose(normalize(word).tokens[0]) in leetable and any(ch.lower() in LEET for ch in word)
                and any(ch.isalpha() for ch in leet_word(word)))

    leet_pick = _longest(needed, text, leetable_word) or _longest(spans, text, leetable_word)
    out = {
        "zero-width": _replace(text, spans, zero_width),
        "homoglyph": _replace(text, spans, homoglyph),
        "spaced": _replace(text, spaced_pick, spaced_out),
        "stretched": _replace(text, longest, stretched),
        "diacritics": _replace(text, spans, with_diacritics),
        "fullwidth": _replace(text, spans, fullwidth),
    }
    if leet_pick:
        out["leet"] = _replace(text, leet_pick, leet_word)
    if not latin and out["homoglyph"] == text:
        del out["homoglyph"]
    return {name: variant for name, variant in out.items() if variant != text}


# -- the cases ----------------------------------------------------------------

def what_the_matcher_sees(text: str) -> tuple:
    """Everything a scan reads of a text (matcher.Index.scan): the normalized tokens (all
    word views are built from them), the punctuation-keeping text the regexes run on, the
    runs of spaced-out letters (the joined view and token positions), links and emoji."""
    n = normalize(text)
    links = tuple((link.host, link.path) for link in find_links(text))
    return tuple(n.tokens), n.full(), tuple(n.spaced_runs()), links, tuple(ch for ch, _ in find_emoji(text))


def rule_matches(index: Index, rule, example, text: str) -> bool:
    verdict = index.scan(text, example.kind or rule.applies_to[0], example.url)
    return rule.id in {m.rule for m in (*verdict.matches, *verdict.experimental)}


def _matcher(index: Index, rule, example):
    return lambda text: rule_matches(index, rule, example, text)


def _cases():
    ruleset = load_ruleset(RULES_DIR)
    index = Index(ruleset.rules)
    cases, same = [], []
    for rule in ruleset.rules:
        if rule.status == "deprecated":
            continue
        for i, ex in enumerate(rule.positives, 1):
            seen = what_the_matcher_sees(ex.text)
            for name, variant in mutations(ex.text, rule, _matcher(index, rule, ex)).items():
                if what_the_matcher_sees(variant) == seen:
                    same.append((name, variant, ex.text))
                    continue
                cases.append(pytest.param(rule.id, ex, name, variant, id=f"{rule.id}-p{i}-{name}"))
    return ruleset, index, cases, same


RULESET, INDEX, CASES, SAME = _cases()


@pytest.mark.parametrize("rule_id, example, mutation, variant", CASES)
def test_mutated_positive_still_matches(rule_id, example, mutation, variant):
    assert rule_matches(INDEX, RULESET.by_id(rule_id), example, variant), f"{rule_id} no longer matches the {mutation} example {variant!r} (was {example.text!r})"


def test_every_mutation_kind_is_exercised():
    """The generator is not silently producing nothing: each disguise is generated for many
    rules, and the ones the matcher must work at (not only the normalizer) stay as cases."""
    generated, kept = {}, {}
    for param in CASES:
        rule_id, _example, mutation, _variant = param.values
        kept.setdefault(mutation, set()).add(rule_id)
    for mutation, _variant, _text in SAME:
        generated.setdefault(mutation, 0)
        generated[mutation] += 1
    for name in ("spaced", "stretched", "leet"):
        assert len(kept.get(name, ())) >= 5, f"mutation {name} kept for only {len(kept.get(name, ()))} rules"
    for name in ("zero-width", "homoglyph", "diacritics", "fullwidth"):
        assert generated.get(name, 0) + len(kept.get(name, ())) >= 5, f"mutation {name} generated too rarely"


def test_the_normalizer_undoes_character_level_disguises_in_the_rules_examples():
    """Zero-width, homoglyph, diacritic and fullwidth disguises are the normalizer's job: on the
    rules' own examples nearly all of them give the example's exact tokens (and so are not
    cases). A normalizer that stops undoing one turns its variants into cases, and fails here."""
    undone, generated = {}, {}
    for mutation, _variant, _text in SAME:
        undone[mutation] = undone.get(mutation, 0) + 1
    for param in CASES:
        generated[param.values[2]] = generated.get(param.values[2], 0) + 1
    for name in ("zero-width", "homoglyph", "diacritics", "fullwidth"):
        total = undone.get(name, 0) + generated.get(name, 0)
        assert total >= 100 and undone.get(name, 0) >= 0.95 * total, (name, undone.get(name), total)


@pytest.mark.parametrize("fn, word, expected", [
    (zero_width, "snap", "s\u200bn\u200ba\u200bp"),
    (homoglyph, "snap", "ѕnар"),
    (spaced_out, "dispo", "d i s p o"),
    (stretched, "salut", "saaaalut"),
    (stretched, "سناب", "ســـناب"),
    (leet_word, "secret", "53cr37"),
])
def test_mutators_write_what_evaders_write(fn, word, expected):
    assert fn(word) == expected


def test_disguises_are_undone_by_the_normalizer():
    """Every disguise of a word normalizes back to the word (the matcher's job starts there)."""
    for word in ("telegram", "privé", "الخاص"):
        for fn in (zero_width, homoglyph, with_diacritics, fullwidth):
            assert normalize(fn(word)).tokens == normalize(word).tokens, (fn.__name__, word)
