"""Prohibitions (core/negation.py): a carer's "don't go alone" is not a groomer's "come
alone", in the five language varieties; telling verbs and questions are never prohibitions;
a rule group opts in with `unless_after: ["@prohibition"]`."""
import pytest

from himaya.core.negation import prohibited
from himaya.core.normalize import normalize
from himaya.core.relationship import household_voice
from himaya.core.rules.loader import RuleError

from test_matcher import _with_rule, rules_of


def _at(text: str, word: str) -> bool:
    n = normalize(text)
    return prohibited(n, n.tokens.index(normalize(word).tokens[0]))


@pytest.mark.parametrize("text, word", [
    ("ma temchich wa7dek lyoum", "wa7dek"),                 # derja-latn, ma + t...ch
    ("matokhrojch wa7dek ba3d el maghreb", "wa7dek"),       # the same, one word
    ("nji nhezek ba3d el cours, ma tarkbech m3a 7ad", "m3a"),
    ("ما تخرجش وحدك الليلة", "وحدك"),                        # derja-ar, ما + تـ...ش
    ("ماتروحش وحدك", "وحدك"),
    ("متمشيش وحدك للحانوت", "وحدك"),
    ("لا تذهبي وحدك إلى المحطة", "وحدك"),                   # Arabic, لا + تـ...
    ("ولا تركب مع أحد لا تعرفه", "مع"),
    ("dont walk home alone", "alone"),                       # English
    ("don't walk home alone after practice", "walk"),        # the verb is the hit's first word
    ("do not go out alone tonight", "alone"),
    ("never take the bus alone", "alone"),
    ("ne rentre pas seule ce soir", "seule"),                # French
    ("n'y va jamais seule", "seule"),
    ("sors pas seule, je viens te chercher", "seule"),       # spoken, no subject: an imperative
])
def test_prohibitions(text, word):
    assert _at(text, word)


@pytest.mark.parametrize("text, word", [
    ("ija wa7dek ghodwa", "wa7dek"),                        # a request, no negation
    ("ma tkounech wa7dek taw ?", "wa7dek"),                 # a question asked in the negative
    ("t'es pas seule ce soir ?", "seule"),
    ("tu rentres pas seule", "seule"),                       # a subject: a statement, not a command
    ("you're never alone with me", "alone"),
    ("u dont go out alone right", "alone"),
    ("dont you want to come alone", "alone"),
    ("don't worry, come alone", "alone"),                    # punctuation between: another clause
    ("ma t9oulech l 7ad enti wa7dek", "enti"),              # telling: the secrecy tactic itself
    ("ما تقولش لحد إنك وحدك", "وحدك"),
    ("don't tell anyone you are alone", "alone"),
    ("mafamech 7ad m3ak fel dar", "7ad"),                   # "there is nobody": no second person
    ("don't be scared come alone", "alone"),                 # reassurance is the groomer's
    ("ما تخافش تعالى وحدك", "وحدك"),
    ("ما تحسش روحك وحدك، أنا ديما معاك", "وحدك"),          # "don't feel alone": the groomer's availability
    ("ne te sens pas seule", "seule"),
    ("ma tjibch 7ad ija wa7dek", "wa7dek"),                 # "bring no one": isolation
    ("don't bring anyone come alone", "alone"),
])
def test_not_prohibitions(text, word):
    assert not _at(text, word)


def test_household_voice_forbids_going_alone():
    # a carer's rule is the household speaking (relationship.py); a request to come alone is not
    assert household_voice(normalize("nestannak 9odem el bab, ma tokhrojch wa7dek").tokens)
    assert household_voice(normalize("I'll get you at six, don't walk back alone").tokens)
    assert not household_voice(normalize("nestannak 9odem el bab, ija wa7dek").tokens)
    assert not household_voice(normalize("don't tell your mum, come alone").tokens)
    assert not household_voice(normalize("ma tjibech sa7bitek, ija wa7dek").tokens)


PROHIBITION_RULE = """
id: T-PROHIB
title: {en: Come alone, fr: Viens seule, ar: تعالي وحدك}
category: meeting-request
status: test
severity: medium
terms:
  alone: {kind: phrase, values: {en: ["alone"], fr: ["seule"], ar: ["وحدك"], aeb-Latn: ["wa7dek"]}, unless_after: ["@prohibition"]}
condition: alone
explain:
  child: {en: "x", fr: "x", ar: "x"}
  parent: {en: "x", fr: "x", ar: "x"}
"""


@pytest.fixture(scope="module")
def opted_in(tmp_path_factory):
    return _with_rule(tmp_path_factory, "prohibition.yaml", PROHIBITION_RULE)


@pytest.mark.parametrize("text, expected", [
    ("come alone to the park", True),
    ("don't go to school alone", False),
    ("viens seule au parc", True),
    ("ne va pas seule au parc", False),
    ("ma tkhafech ija wa7dek", True),  # reassurance, then the request,
    ("تعالي وحدك", True),
    ("ما تمشيش وحدك", False),
    ("ija wa7dek", True),
    ("ma tji ch wa7dek", True),   # not a verb with its ending: read as written
    ("ma tjich wa7dek", False),
])
def test_rule_group_opts_in(opted_in, text, expected):
    assert ("T-PROHIB" in rules_of(opted_in.scan(text))) is expected


def test_unknown_named_check_is_refused(tmp_path_factory):
    with pytest.raises(RuleError, match="unknown check '@negation'"):
        _with_rule(tmp_path_factory, "bad.yaml", PROHIBITION_RULE.replace("@prohibition", "@negation"))
