"""What a child says about themself that makes the other side's questions matter.

In a chat the child's own replies are context, not cues: "j'ai 14 ans",
"3andi 13", "عمري ١٤", "im home alone", "mama fil 5edma". A conversation
(conversations.py) keeps which of these the child disclosed, never the words.

Numbers are read as numbers in digits and in words (fr, en, Arabic, Derja in
both scripts), so "quinze ans", "fifteen" and "خمسطاش" are ages too. A school
year is an age as well: a pupil of the 8th year ("8eme", "8th grade",
"الثامنة أساسي", "السيزيام", "6ème B") is a child, whatever number is said. A
short answer to the other side's question says as much without the words: "eh" to
"wa7dek?" (alone), "personne" to "chkoun m3ak fi dar?" (alone), "ey" to "3andek 12
sna?" (an age), "en voyage" or "الستة" to "et ton père ?" (parents away). And the
other side's reply to an age under 18 tells on it when it waves the age away
(`shrugs_off_age`: "pas grave", "au contraire", "just a number").

    >>> from himaya.core.normalize import normalize
    >>> sorted(disclosed(normalize("j'ai quinze ans et je suis seule").tokens))
    ['alone', 'minor-age']
"""

from __future__ import annotations

import re
from datetime import date

# Number words, as the normalizer writes them (lower case, no accents, Arabic letters folded).
NUMBER_WORDS = {
    # French
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "dixsept": 17,
    # English
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
    # Derja, Latin script
    "tmanya": 8, "tes3a": 9, "3achra": 10, "7dach": 11, "7itach": 11, "thnach": 12, "tna3ch": 12, "tnach": 12,
    "tlatta3ch": 13, "tletach": 13, "tlettach": 13, "arba3tach": 14, "arbatach": 14, "arba3ta3ch": 14,
    "5mastach": 15, "khmastach": 15, "5amsta3ch": 15, "sittach": 16, "settach": 16, "sitta3ch": 16,
    "sba3tach": 17, "sbatach": 17,
    # Arabic script (MSA and Derja)
    "ثمانيه": 8, "تسعه": 9, "عشره": 10, "عشر": 10, "حداش": 11, "طناش": 12, "ثلطاش": 13, "تلطاش": 13,
    "اربعطاش": 14, "خمسطاش": 15, "ستاش": 16, "سطاش": 16, "سبعطاش": 17,
}
# Derja teens in Latin letters in any spelling: a unit's consonants, then "(a)ta(3)ch"
# (13 "tlattach", 14 "arba3ta3ch", 15 "khmasta3ch", 16 "sta3ch", "sitta3ch", 17 "sba3tach").
DERJA_TEEN = re.compile(r"(?:(tl[ae]t?t?)|([ao]?rba?3?t)|((?:5|kh)[ae]?m[ae]?st)|(s[ie]?t?t)|(sb[ae]?3?t))a3?ch")
# MSA teens are two words: "خمسة عشر" (five ten).
ARABIC_UNITS = {"ثلاثه": 3, "اربعه": 4, "خمسه": 5, "سته": 6, "سبعه": 7, "احد": 1, "اثنا": 2, "اثني": 2}
ARABIC_TEN = {"عشر", "عشره"}

AGE_WORDS = {
    "ans", "an", "age", "years", "year", "yo", "yrs", "old", "sna", "snin", "sne", "3am", "3omri", "omri",
    "3andi", "andi", "عمري", "عندي", "سنه", "سنوات", "عام", "عاما", "اعوام", "ai", "jai", "im", "am", "m",
}
ALONE = {"seul", "seule", "alone", "wa7di", "wahdi", "wa7dy", "wahdy", "وحدي", "وحيده", "وحيد"}
AWAY_WHO = {"parents", "mama", "maman", "papa", "baba", "mom", "mum", "dad", "mother", "father", "ommi", "oumi",
            "bouya", "ماما", "بابا", "امي", "بويا", "والدي", "والداي", "اهلي", "folks"}
AWAY_WHERE = {"travail", "boulot", "work", "5edma", "khedma", "خدمه", "الخدمه", "sortis", "out", "away",
              "msefrin", "مسافرين", "مسافر", "مسافره", "msafer", "msefer", "msefra", "voyage", "travelling",
              "barra", "برا", "خارج", "asleep", "dorment", "r9dou", "رقدوا"}
# The reader's mother or father as Derja says them ("ommek", "babak", "ماماك"); relationship.py
# and reasons.py read them too.
PARENTS_YOURS = {"ommek", "omek", "mamtek", "mamtik", "mamik", "mamek", "babak", "bouk", "امك", "ماماك", "بوك", "باباك"}
# A clock time in digits: 7, 20h, 19h30, 7pm, 8:30 (not Arabizi "yarj3ou").
CLOCK_TIME = re.compile(r"\d{1,2}(?:h|am|pm|:)?\d{0,2}$")


# School years as the normalizer writes them: the basic school's years (6th to 9th,
# ages 11-15) and the French collège's, in digits with a suffix and in words.
GRADES = {
    "5eme", "6eme", "7eme", "8eme", "9eme", "5e", "6e", "7e", "8e", "9e", "5em", "6em", "7em", "8em", "9em",
    "sixieme", "septieme", "huitieme", "neuvieme", "cinquieme",
    "5th", "6th", "7th", "8th", "9th", "sixth", "seventh", "eighth", "ninth",
    "السادسه", "السابعه", "الثامنه", "التاسعه", "سادسه", "سابعه", "ثامنه", "تاسعه",
    "السيزيام", "سيزيام", "sizyem", "sizyam", "sabe3a", "sab3a", "thamna", "tes3a",
}
# Words that make a grade a school year when it is not a bare reply ("en 8eme annee",
# "8th grade", "السابعة أساسي", "in year 7").
GRADE_WORDS = {
    "annee", "grade", "year", "class", "classe", "college", "colege", "base", "basic", "sna", "3am",
    "اساسي", "اعدادي", "ابتدائي", "سنه", "كوليج", "القسم", "قسم", "fel", "en", "in", "fi", "في",
    "asesi", "asasi", "assasi",
}
# The letter of a class after its year ("en 6eme B", "9eme C", "السابعة ب").
CLASS_LETTERS = {"a", "b", "c", "d", "e", "f", "أ", "ا", "ب", "ج", "د"}
# Nouns a number counts instead of years ("chapter 9", "page 12", "bus 14", "exercice 3").
COUNTED = {"chapter", "chapitre", "page", "exercice", "exo", "question", "bus", "salle", "room",
           "level", "niveau", "episode", "ep", "saison", "season", "numero", "table", "lesson",
           "lecon", "bloc", "etage", "floor", "tome", "partie", "part", "match", "round", "game", "score"}
# A birth year is an age: "2011" answering "what year were you born?", or said with a
# birth word ("born in 2012", "مواليد 2011", "mawlouda 2010").
BIRTH_WORDS = {"born", "nee", "ne", "mawloud", "mawlouda", "moualid", "mawalid", "مواليد", "مولود", "مولوده"}


def school_grade(tokens: list[str], replying_to_age_question: bool = False) -> bool:
    """A school year of a child: a grade word with a school word beside it ("en 8eme
    annee", "7th grade", "السابعة أساسي"), or a short reply to an age or school
    question that names one ("8eme", "fel 7eme w enti?")."""
    for i, tok in enumerate(tokens):
        if tok not in GRADES:
            continue
        if replying_to_age_question and len(tokens) <= 5:
            return True
        if (set(tokens[max(0, i - 2):i]) | set(tokens[i + 1:i + 3])) & GRADE_WORDS:
            return True
        if i + 1 < len(tokens) and tokens[i + 1] in CLASS_LETTERS and (tokens[i + 1] != "a" or i + 2 == len(tokens)):
            return True  # "6eme B", "8th C": a class of that year ("le 6e a gagné": "a" is a verb but at the end)
    return False


def number_at(tokens: list[str], i: int) -> tuple[int | None, int]:
    """The number written at tokens[i] (digits or words) and how many tokens it takes."""
    tok = tokens[i]
    if tok.isdigit() and len(tok) <= 3:
        return int(tok), 1
    if tok in NUMBER_WORDS:
        return NUMBER_WORDS[tok], 1
    if tok.endswith("ch") and (teen := DERJA_TEEN.fullmatch(tok)):  # "sta3ch", "khmasta3ch", any spelling
        return 13 + teen.lastindex - 1, 1
    if tok == "dix" and i + 1 < len(tokens) and tokens[i + 1] == "sept":
        return 17, 2
    unit = ARABIC_UNITS.get(tok.removeprefix("و"))
    if unit and i + 1 < len(tokens) and tokens[i + 1] in ARABIC_TEN:
        return 10 + unit, 2
    return None, 1


def minor_birth_year(tokens: list[str], i: int, replying_to_age_question: bool) -> bool:
    """tokens[i] is the birth year of someone under 18 today (6 to 17), given as a short
    answer to an age question or with a birth word before it."""
    tok = tokens[i]
    if not (len(tok) == 4 and tok.isdigit() and 6 <= date.today().year - int(tok) <= 17):
        return False
    return (replying_to_age_question and len(tokens) <= 5) or bool(set(tokens[max(0, i - 2):i]) & BIRTH_WORDS)


# Between the two ends of a range of ages ("11 to 13", "de 10 à 14 ans", "من 12 إلى 15", "men 10 l 14").
RANGE_TO = {"to", "till", "until", "a", "jusqu", "الي", "الى", "لل", "ل", "l", "lel", "7atta", "hatta", "حتي", "حتى"}


def _in_range(tokens: list[str], i: int, size: int) -> bool:
    """The number at tokens[i] (`size` tokens) is an end of a range of numbers."""
    after = i + size
    if after + 1 < len(tokens) and tokens[after] in RANGE_TO and number_at(tokens, after + 1)[0] is not None:
        return True
    return i >= 2 and tokens[i - 1] in RANGE_TO and number_at(tokens, i - 2)[0] is not None


def minor_age(tokens: list[str], replying_to_age_question: bool = False) -> bool:
    """An age under 18 said with an age word nearby ("j'ai 14 ans", "3andi 13",
    "im 15"), or as a short bare answer to an age question ("15 w enti?"); a birth
    year likewise ("2011", "born in 2012")."""
    for i in range(len(tokens)):
        if minor_birth_year(tokens, i, replying_to_age_question):
            return True
        value, size = number_at(tokens, i)
        if value is None or not 8 <= value <= 17:
            continue
        if i and tokens[i - 1] in COUNTED:
            continue  # "chapter 9", "page 12": a number of something else
        if _in_range(tokens, i, size):
            continue  # "11 to 13", "من 12 إلى 15": the ages of a group, nobody's own
        near = set(tokens[max(0, i - 3):i]) | set(tokens[i + size:i + size + 2])
        if near & AGE_WORDS:
            return True
        if replying_to_age_question and len(tokens) <= 5:
            return True
    return False


# "Alone?" asked of the reader ("wa7dek?", "t'es seule ?", "r u alone", "وحدك؟"), and the
# child's bare yes to it ("eh", "oui", "ya", "ايه"): being alone, said without the word.
ALONE_YOU = {"wa7dek", "wahdek", "wa7dik", "wahdik", "wa7dk", "وحدك", "seul", "seule", "alone", "wa7edek"}
YES = {"eh", "ey", "ih", "iyeh", "eyh", "ayh", "aywa", "oui", "ouais", "ouai", "wi", "yes", "ya", "yeah", "yep", "yup",
       "yh", "ايه", "اي", "نعم", "ايوا", "ah", "mhm"}


def asks_alone(tokens: list[str]) -> bool:
    """The other side asks whether the reader is alone (with a question mark, checked by the caller)."""
    return not ALONE_YOU.isdisjoint(tokens)


# "Who is with you / who looks at your phone?" ("chkoun m3ak fi dar?", "qui regarde ton
# tel ?", "شكون معاك؟"), and the child's short "nobody" or "just me" to it: alone, or no
# one watching, said without the word.
WHO_ASKS = {"chkoun", "chkon", "chkun", "shkoun", "qui", "who", "whos", "شكون", "من"}
WATCHED = {"m3ak", "ma3ak", "m3ek", "avec", "with", "معاك", "معك", "dar", "eddar", "maison", "home", "house", "الدار",
           "دار", "البيت", "telifounek", "tilifounek", "telifonek", "tel", "phone", "telephone", "portable", "تليفونك",
           "تلفونك"}
NOBODY = ("personne", "nobody", "no one", "noone", "just me", "only me", "juste moi", "moi seul", "que moi",
          "ena barka", "ana barka", "ena bark", "ana bark", "ken ena", "kan ena", "7atta 7ad", "hatta had", "7ata 7ad",
          "ma7adech", "ma7ad", "7atta wa7ed", "حتي حد", "انا برك", "انا بركا", "كان انا", "ماحدش", "لا احد", "حتي واحد")
_NOBODY = tuple(f" {p} " for p in NOBODY)


def _says(tokens: list[str], padded: tuple[str, ...]) -> bool:
    """One of the phrases (space-padded, as the normalizer writes them) is in the tokens."""
    text = f" {' '.join(tokens)} "
    return any(p in text for p in padded)


def asks_who_watches(tokens: list[str]) -> bool:
    """The other side asks who is with the reader or sees its phone (question mark checked by the caller)."""
    return not WHO_ASKS.isdisjoint(tokens) and not WATCHED.isdisjoint(tokens)


def says_nobody(tokens: list[str]) -> bool:
    """A short answer that nobody is there ("personne", "ena barka", "just me")."""
    return 0 < len(tokens) <= 5 and _says(tokens, _NOBODY)


def says_yes(tokens: list[str]) -> bool:
    """A short reply that starts with yes ("eh", "oui 😅", "ya why")."""
    return 0 < len(tokens) <= 4 and tokens[0] in YES


# The reader's parents named in a question ("ماماك ترجع وقتاش؟", "et ton père ?", "ur mom works
# late?"), and the child's short answer that says they are away or when they come back ("مسافر",
# "au travail", "الستة", "6h"): parents away, said without naming them again.
PARENTS_ASKED = PARENTS_YOURS | {"والديك", "parents", "mere", "pere", "maman", "papa", "mom", "mum", "dad", "mother",
                                 "father"}
# The hour in words ("الستة", "sitta"), beside CLOCK_TIME in digits.
CLOCK_WORDS = {"السته", "الخمسه", "السبعه", "الثمنيه", "الثمانيه", "التسعه", "العشره", "الاربعه", "الثلاثه", "الواحده",
               "sitta", "setta", "5amsa", "khamsa", "sab3a", "tmanya", "tes3a", "3achra", "arb3a", "tletha"}


def asks_parents(tokens: list[str]) -> bool:
    """The other side names the reader's parents (with a question mark, checked by the caller)."""
    return any(t in PARENTS_ASKED or t.removeprefix("و") in PARENTS_ASKED for t in tokens)


def says_away(tokens: list[str]) -> bool:
    """A short answer that the parents are away, or the hour they come back."""
    return 0 < len(tokens) <= 5 and (not AWAY_WHERE.isdisjoint(tokens) or any(
        t in CLOCK_WORDS or CLOCK_TIME.match(t) for t in tokens))


# "Leave me alone" pushes the other side away; it says nothing of who is at home.
LEAVE_ME = {"leave", "let", "laisse", "laissez", "fiche", "5alini", "khalini", "5allini", "khallini",
            "sibni", "خليني", "اتركني", "اتركوني", "سيبني", "خلوني"}


def left_alone(tokens: list[str]) -> bool:
    """The child asks to be left alone: a "leave" verb just before the alone word."""
    return any(t in ALONE and not LEAVE_ME.isdisjoint(tokens[max(0, i - 2):i]) for i, t in enumerate(tokens))


def disclosed(tokens: list[str], replying_to_age_question: bool = False) -> set[str]:
    """The kinds of disclosure in one of the child's messages."""
    out = set()
    if minor_age(tokens, replying_to_age_question) or school_grade(tokens, replying_to_age_question):
        out.add("minor-age")
    words = set(tokens)
    if words & ALONE and not left_alone(tokens):
        out.add("alone")
    if words & AWAY_WHO and words & AWAY_WHERE:
        out.add("parents-away")
    return out


# What the other side says right after the child gave an age under 18, when it
# waves the age away instead of stepping back: "c'est pas grave", "au contraire",
# "age is just a number", "mouch mochkla", "بالعكس". An employer, a coach or a
# stranger who learns they are talking to a 14-year-old and carries on as if it
# were better is the tactic; a classmate answers with an age, an adult with a limit.
# (Tokens as the normalizer writes them: no accents, apostrophes split words.)
AGE_SHRUGS = (
    "pas grave", "au contraire", "qu un chiffre", "pas un probleme", "aucun probleme", "change rien",
    "peu importe", "encore mieux", "meme mieux", "c est mieux", "on s en fout",
    "just a number", "only a number", "doesnt matter", "doesn t matter", "dont matter", "no problem",
    "even better", "who cares", "no big deal", "not a problem", "age is nothing",
    "mouch mochkla", "mech mochkla", "moch mochkla", "ma3lich", "ma3lech", "ma3leh", "ma yhemch", "bel3aks",
    "bil3aks", "ra9m bark", "a7sen zeda",
    "مش مشكله", "موش مشكله", "ماهيش مشكله", "ما عليش", "ماعليش", "معليش", "ما عليهش", "لا يهم", "ما يهمش",
    "بالعكس", "مجرد رقم", "رقم برك", "احسن زاده",
)
_SHRUG_PHRASES = tuple(f" {p} " for p in AGE_SHRUGS)


def shrugs_off_age(tokens: list[str]) -> bool:
    """The other side waves a minor's age away ("pas grave", "au contraire", "just a number")."""
    return _says(tokens, _SHRUG_PHRASES)
