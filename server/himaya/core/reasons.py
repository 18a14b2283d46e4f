"""The ordinary reasons a message's own words give for a stage.

relationship.py reads who the other side is from the replies; this module reads
what one message says about itself, whoever wrote it. A secret kept from a
little brother so that he is not jealous of the pocket money, a teen's secret
crush on a named classmate, a broken phone to mend before mum sees it, an age asked by
the aunt who forgot it, a photo of the exercise for the teacher: each is a secrecy, an age
question or a photo request on the surface, and each message says why. A groomer's secret is
kept from the parents or from everyone, and is about "us" (never about a broken thing); a
groomer asks an age he never knew, and a photo of the child.

Each reason is a context name that `relationship.discounted` turns into the
stages it explains; conversations.py applies them to that message only (a later
message's "don't tell your parents" still counts), and to a message read alone.

    >>> sorted(own_reasons("ma t9oulech l 5ouk", ["ma", "t9oulech", "l", "5ouk"]))
    ['sibling']
    >>> sorted(own_reasons("ma t9oul l 7ad", ["ma", "t9oul", "l", "7ad"]))
    []
"""

from __future__ import annotations

import re

from himaya.core.normalize import leet, token_forms
from himaya.core.disclosures import PARENTS_YOURS
from himaya.core.relationship import (AUNT_UNCLE_NOUN, AUNT_UNCLE_YOURS, SIBLING_NOUN, SIBLING_YOURS, is_question,
                                      teen_age_given)

SIBLING_LEAD = {"ta", "ton", "tes", "your", "ur", "little", "petit", "petite"}  # "ur little brother"
# Who a groomer keeps the secret from, or what he calls it: a secret kept from a sibling
# is the sibling's only when none of these is in the message.
KEPT_FROM_ALL = PARENTS_YOURS | {
    "7ad", "l7ad", "la7ad", "حد", "احد", "احدا", "لحد", "personne", "anyone", "anybody", "nobody", "noone", "parents",
    "mom", "mum", "mother", "dad", "father", "maman", "mere", "pere", "papa",
    "binetna", "بيناتنا", "بيننا", "entre", "bin", "بين",
    "between", "us", "we", "nous", "nos", "notre", "our", "ours", "me", "moi", "3lia", "3liya", "عليا", "عني",
}
# "Who gave it to you", "who checks your phone?": the writer hidden, the child watched. After a
# noun with its article ("le cousin qui rentre samedi") "qui" only says which cousin.
WHO = {"chkoun", "chkon", "شكون", "who", "qui"}
ARTICLE = {"le", "la", "les", "un", "une", "l", "the", "a", "ce", "cet", "cette"}
# "Mum" and "dad" as Derja says them: kept from them only after "to" ("ma t9oul l mama", "لماما"); "I
# left it with mum" ("عند ماما") keeps nothing from her.
MAMA = {"mama", "baba", "ماما", "بابا"}
# "Not even your sister" ("même pas à ta sœur", "7atta o5tek", "حتى أختك"): the secret is kept
# from everyone, the sister named last.
EVEN = {"meme", "even", "7atta", "hatta", "7ata", "حتي"}
TO = {"l", "la", "lel", "ل", "a", "to"}
# "The little one" after "to" ("ma t9oulch l sghir", "ne dis rien au petit"): the child's
# younger brother or sister ("un petit cadeau" is no one).
LITTLE = {"sghir", "sghira", "الصغير", "الصغيره", "petit", "petite"}
# "My little brother" beside "little" ("5ouya sghir", "mon petit frere", "my little sister"):
# the writer's brother is the reader's too, siblings keeping their pocket money from the youngest.
MY_SIBLING = {"5ouya", "khouya", "o5ti", "okhti", "خويا", "اختي", "frere", "soeur", "brother", "sister"}
MY_LEAD = {"mon", "ma", "my"}
_LITTLE_BEFORE = LITTLE | {"little"}  # "mon petit frere", "my little sister"
# "Like my little sister" ("enti kima o5ti sghira") is a groomer's bond, not a sibling.
LIKE = {"kima", "kif", "comme", "like", "zay", "كيما", "كيف", "مثل"}
TO_LITTLE = TO | {"au"}
TO_TELL = TO_LITTLE | {"tell", "show"}  # "don't tell my sister": English names the one told without "to"
# "Ours" and "me" in Derja ("7kayetna", "حكايتنا"; "bech ma ychoufnich", "ما يشوفنيش"): a secret
# about us, or hiding the writer from the brother, is no sibling's secret.
_OURS = re.compile(r"^(?:[a-z0-9]{3,}(?:etna|itna|atna|nich|nech)|\w{3,}(?:تنا|نيش))$")

# A teen's own secret: a crush on a named person ("nheb Amine mta3 9ème C", "I like Sami
# from 9B", "je kiffe Yanis"). The name is capitalized in the original text; "n7ebek"
# (I love you) and "nheb nchoufek" (I want to see you) are no crush on someone else.
_CRUSH = re.compile(r"(?i:\b(?:i\s+(?:really\s+)?like|i\s+love|i\s+have\s+a\s+crush\s+on|crush\s+on|je\s+kiffe"
                    r"|j'?aime\s+bien|amoureuse\s+de|amoureux\s+de|na?[7h][ei]bb?|nmout\s+3l?a|crush\s+3l?a))"
                    r"\s+(?!(?:You|Toi|Te|Enti|Inti)\b)[A-Z][a-zà-ÿ]+"
                    # Arabic script has no capitals: "نحب على أمين", "نموت على سامي", someone named
                    # after "on" ("عليك", on you, is one word: the reader, no crush on someone else)
                    r"|(?:نحب|نموت|نعشق)\s+(?:على|علي|عل)\s+[\u0621-\u064a]{3,}")

# A crush, the child's or the writer's ("pour ton crush", "my crush"): a teen's secret.
CRUSH_WORDS = {"crush", "crushes", "كراش"}
# The writer will see the reader at school ("demain à la récré", "ghodwa fel 9raya", "في
# الراحة"): a schoolmate's secret or age question, not a stranger's.
_AT_SCHOOL = re.compile(r"(?:^| )(?:a la recre|en recre|fil recre|fel recre|at recess|at break|in class tomorrow"
                        r"|tomorrow in class|demain en classe|ghodwa f[ei]l (?:9raya|classe|9ism|9esm)"
                        r"|في الراحه|في الفسحه|غدوه في (?:القرايه|القسم))(?: |$)")
# An age question from someone who knew it and forgot ("nsit 😅", "جدك نسى", "I forgot").
FORGOT = {"nsit", "nsat", "nsa", "nsina", "oublie", "oubliee", "forgot", "نسيت", "نسات", "نسي", "نسا", "نسيتو"}


# Every word that may name a sibling, looked for inside the joined tokens (proclitics
# included): most messages hold none, and are not read further (a substring test each, in C).
# Kept from a brother, a sister or another relative who is not a parent ("don't tell ur aunt how
# much I sent": the mother's own secret from her sister); not from a grandparent, who may be the
# one looking after the child.
_KEPT_YOURS = SIBLING_YOURS | AUNT_UNCLE_YOURS
_KEPT_NOUN = SIBLING_NOUN | AUNT_UNCLE_NOUN
_KEPT_PIECES = tuple(_KEPT_YOURS | _KEPT_NOUN | LITTLE | MY_SIBLING)
_WHO_AFTER = _KEPT_YOURS | SIBLING_NOUN | MY_SIBLING  # "le frère qui ..." may still be the one kept from


# "Where it came from" ("mnin jek", "d'où ça vient", "من وين جاك"): the giver hidden, as "who gave it".
_FROM_WHERE = re.compile(r"(?:^| )(?:mnin|mnine|men win|where|d ou|منين|من وين)(?: \w+)? "
                         r"(?:jek|jet|jak|came|comes|vient|جاك|جات|جا)(?: |$)")


def sibling_secret(tokens: list[str]) -> bool:
    """The message keeps something from the child's brother, sister, aunt, uncle or cousin
    and from no one else: no parents, no "anyone", no "between us", not where it came from."""
    joined = " ".join(tokens)
    if not any(piece in joined for piece in _KEPT_PIECES) or _FROM_WHERE.search(joined):
        return False
    clitic = [token_forms(t)[1] for t in tokens]
    sibling = False
    for i, (tok, bare) in enumerate(zip(tokens, clitic)):
        if (tok in KEPT_FROM_ALL or bare in KEPT_FROM_ALL or leet(tok) in KEPT_FROM_ALL or _OURS.match(tok)
                or (tok == "one" and i and tokens[i - 1] == "no")  # ("p3rs0nne": nobody)
                or (tok in EVEN and tokens[i + 1:i + 2] != ["لا"])  # (MSA "حتى لا يغار": so that he is not)
                or (tok in WHO and not (i >= 2 and tokens[i - 2] in ARTICLE and tokens[i - 1] not in _WHO_AFTER))):
            return False
        if bare in MAMA and (tok != bare or (i and tokens[i - 1] in TO)):  # "la l mama", "لماما" (not "عند ماما")
            return False
        if tok in _KEPT_YOURS or bare in _KEPT_YOURS or (
                tok in _KEPT_NOUN and i and tokens[i - 1] in SIBLING_LEAD) or (
                tok in LITTLE and i and tokens[i - 1] in TO_LITTLE) or (
                tok in MY_SIBLING and (_little_beside(tokens, i) or _to_mine(tokens, i))) or (
                tok != bare and bare in MY_SIBLING and bare not in SIBLING_NOUN):  # "لخويا": to my brother
            sibling = True
    return sibling


def _to_mine(tokens: list[str], i: int) -> bool:
    """tokens[i] is the writer's own brother or sister, after "to": "ma t9oulech l 5ouya",
    "ne dis rien a mon frere", "don't tell my sister". What is kept from the writer's sibling
    is the writer's own affair, not the reader's family cut out."""
    if tokens[i] in SIBLING_NOUN:  # "frere", "sister": the writer's only after "my"
        return i >= 2 and tokens[i - 1] in MY_LEAD and tokens[i - 2] in TO_TELL
    return i >= 1 and tokens[i - 1] in TO_LITTLE


def _little_beside(tokens: list[str], i: int) -> bool:
    """tokens[i], a brother or a sister, is "my little" one: "5ouya sghir", "mon petit frere",
    "my little sister" (a possessive of the writer's then "little", or "little" after it)."""
    if not LIKE.isdisjoint(tokens[max(0, i - 3):i]):
        return False
    if i + 1 < len(tokens) and tokens[i + 1] in LITTLE:
        return tokens[i] not in SIBLING_NOUN or (i and tokens[i - 1] in MY_LEAD)
    return i >= 2 and tokens[i - 1] in _LITTLE_BEFORE and tokens[i - 2] in MY_LEAD


# The verbs _CRUSH starts with, as tokens: a message without any is not searched.
_CRUSH_VERBS = {"like", "love", "crush", "kiffe", "aime", "amoureuse", "amoureux", "nheb", "n7eb", "nhebb", "n7ebb",
                "na7eb", "na7ib", "n7ib", "nhib", "nmout", "نحب", "نموت", "نعشق"}


def confides(text: str, tokens: list[str] | None = None) -> bool:
    """The writer tells its own crush on a named person."""
    if tokens is not None and _CRUSH_VERBS.isdisjoint(tokens):
        return False
    return _CRUSH.search(text) is not None


# "Like me", "me too", "the same year": a writer who puts itself at the child's own age.
LIKE_ME = {("kifi",), ("kifkif",), ("comme", "moi"), ("like", "me"), ("نفس", "العام"), ("nafs", "el", "3am"),
           ("same", "year"), ("meme", "annee"), ("same", "grade"), ("grade", "too"), ("same", "class"),
           ("meme", "classe"), ("classe", "aussi"), ("نفس", "القسم"), ("nafs", "el", "9esm"), ("زاده", "انا"), ("انا", "زاده"), ("ena", "zeda"), ("ana", "zeda"),
           ("zeda", "ena"), ("moi", "aussi"), ("me", "too")}


_LIKE_ME_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in LIKE_ME:
    _LIKE_ME_BY_FIRST.setdefault(_phrase[0], []).append(_phrase)


def same_age(tokens: list[str]) -> bool:
    """The writer gives its own teen age ("ena 15", "j'ai 14 ans") or puts itself at the
    reader's age or grade ("15 kifi ?", "moi aussi", "نفس العام")."""
    if teen_age_given(tokens):
        return True
    if _LIKE_ME_BY_FIRST.keys().isdisjoint(tokens):
        return False
    return any(tuple(tokens[i:i + len(p)]) == p for i, t in enumerate(tokens) for p in _LIKE_ME_BY_FIRST.get(t, ()))


# A photo of a thing, not of the child: the exercise, the page, the notebook, the report
# card, a prescription ("photo de l'exercice 3", "صوريلي الصفحة", "taswira mta3 el carnet", "el wasfa").
# Asked with a word for the child's own person ("de toi", "selfie", "تصويرتك") it is no longer only that.
PHOTO_WORDS = {"photo", "photos", "pic", "pics", "picture", "image", "capture", "scan", "صوره", "صور", "تصويره",
               "taswira", "tsawer", "صوريلي", "صورلي", "sawerli", "sawarli", "sawer"}
THINGS = {"exercice", "exercices", "exo", "devoir", "devoirs", "cahier", "carnet", "bulletin", "correction", "feuille",
          "copie", "exercise", "homework", "notebook", "worksheet", "assignment", "ورقه", "تمرين", "واجب", "صفحه",
          "كراس", "كراسه", "دفتر", "كارني", "درس", "انجزته", "كتبته", "wajeb", "tamrin", "kras", "facture", "receipt",
          "فاتوره", "ordonnance", "prescription", "wasfa", "وصفه", "ticket", "recu", "بطاقه", "essay", "redaction",
          "dissertation", "rapport", "report", "projet", "project", "انشاء", "بحث"}
PERSONAL = {"toi", "urself", "yourself", "selfie", "selfies", "وجهك", "wejhek", "تصويرتك", "taswirtek",
            "ليك", "lik", "face", "visage"}
# English "you" is the child's person after "of" or "with" ("a pic of u and the homework"); "the
# essay u wrote" is the one who wrote it.
YOU_EN, OF_EN = {"you", "u"}, {"of", "with", "and"}


def photo_of_a_thing(tokens: list[str]) -> bool:
    """The message asks for a photo of schoolwork or a paper, and of nothing personal."""
    if PHOTO_WORDS.isdisjoint(tokens) or not PERSONAL.isdisjoint(tokens) or any(
            t in YOU_EN and i and tokens[i - 1] in OF_EN for i, t in enumerate(tokens)):
        return False
    # (the word as written, or without its proclitics: token_forms also folds doubled letters,
    # "essay" -> "esay", so both are looked up)
    things = [t in THINGS or token_forms(t)[1] in THINGS for t in tokens]
    return any(tok in PHOTO_WORDS and any(things[max(0, i - 2):i + 6]) for i, tok in enumerate(tokens))


# A mishap to be covered: the writer (or the reader) broke, dropped, lost, burnt or spilled
# something, failed a test or missed a class ("ma t9oulech l mama elli ksart el tel", "ما تحكيش
# لبابا اللي طيحت التلفون", "don't tell mum i dropped her phone", "dis rien, j'ai cassé le
# vase"). A sibling's or a friend's secret: a groomer's is about the two of them, never about a
# broken thing. Past forms only, with an object suffix or a conjunction at most; no "lost you"
# (a person) or "i'm broke" (a lure of money).
_MISHAP = re.compile(
    r"^(?:[وف]?(?:كسرت|تكسرت|تكسر|طيحت|طاحت|ضيعت|ضاعت|حرقت|تحرقت|رسبت|اضعت|اتلفت|اوقعت|سكبت|دفقت|غبت)"
    r"(?:ها|هم|و|ه|ولها|ولو)?"
    r"|w?(?:kass?(?:a|e)?rt|ksart|tkass?(?:e|a)?r(?:et|t)|tay+a?[7h]t|dhay+(?:a|e)?3t|7ra9t|hra9t|ghebt|ghibt)"
    r"(?:ha|hom|ou|o|h)?"
    r"|dropped|cracked|smashed|crashed|spilled|spilt|scratched|dented|wrecked|ruined)$")
# French says it with the auxiliary ("j'ai cassé", "t'as renversé"): "ton tel est cassé" is a state, and
# a lure's opening ("je peux t'en commander un").
_FR_MISHAP = {"casse", "cassee", "abime", "abimee", "brule", "brulee", "renverse", "perdu", "perdue", "rate"}
_FR_AUX = {"ai", "as", "a", "avons", "avez", "ont"}
_BROKE_BY = {"i", "u", "you", "we", "he", "she", "they", "accidentally", "literally"}  # "i broke": not "i m broke"
_MISHAP_BY = {"i", "u", "you", "we", "he", "she", "they"}  # "i lost", "we failed": said of a thing
_YOU = {"you", "u", "t", "te", "toi", "vous"}  # "i lost you", "je t'ai perdu de vue": a person, no thing


def mishap(tokens: list[str]) -> bool:
    """The message tells of something broken, dropped, lost or failed (see _MISHAP)."""
    for i, tok in enumerate(tokens):
        if _MISHAP.match(tok) or (tok == "broke" and i and tokens[i - 1] in _BROKE_BY):
            return True
        if ((tok in _FR_MISHAP and i and tokens[i - 1] in _FR_AUX)
                or (tok in ("lost", "failed", "skipped") and i and tokens[i - 1] in _MISHAP_BY)) and _YOU.isdisjoint(
                tokens[max(0, i - 3):i - 1] + tokens[i + 1:i + 2]):
            return True
    return False



# The writer's own parent in the plan: the writer asks them for leave ("je demande à ma mère",
# "let me ask my mom", "nas2el ommi", "نستأذن ماما") or they drive or come along ("ommi bech
# twasalna", "my mom is dropping us", "ma mère nous dépose"). A child arranging a meeting with a
# friend; an adult who wants a child alone brings no mother of his own.
MY_PARENT = {"ommi", "omi", "oummi", "mama", "maman", "baba", "papa", "mom", "mum", "dad", "امي", "ماما", "بابا",
             "mere", "pere", "parents"}
_TO_MY_PARENT = ("لماما", "لامي", "لبابا")  # "to mum", the preposition on the word ("نستأذن لماما")
_ASK_LEAVE = re.compile(r"(?:^| )(?:je demande a|faut que je demande a|je dois demander a|let me ask|i ll ask|ill ask"
                        r"|i have to ask|gotta ask|nas2el|nes2el|nsa2el|nesta2den|nasta2den|نسال|نستاذن|نشاور)"
                        r"(?: (?:ma|mon|my|mes|l|el))? (\S+)")
_DRIVES = re.compile(r"(?:^| )(?:ma mere|mon pere|maman|papa|my mom|my mum|my dad|mom|ommi|mama|baba|امي|ماما|بابا)"
                     r"(?: s| is| bech| باش| va| will| ll)? (?:nous|twasalna|twasselna|tjibna|توصلنا|تجيبنا|dropping|drop"
                     r"|depose|amene|emmene|driving|drive|picking)(?: |$)")


def own_parent(tokens: list[str]) -> bool:
    """The writer's own parent gives leave for the plan or takes part in it (see MY_PARENT)."""
    if MY_PARENT.isdisjoint(tokens) and not any(t.startswith(_TO_MY_PARENT) for t in tokens):
        return False
    joined = " ".join(tokens)
    m = _ASK_LEAVE.search(joined)
    if m is not None and (m.group(1) in MY_PARENT or m.group(1).startswith(_TO_MY_PARENT)):
        return True
    return _DRIVES.search(joined) is not None


# Every reason own_reasons gives (conversations.py reads a message for them only when it has
# a stage one of them explains).
REASONS = frozenset({"sibling", "confides", "schoolmate", "known", "document", "mishap", "own-parent"})


def own_reasons(text: str, tokens: list[str]) -> set[str]:
    """The reasons the message gives for its own stages: "sibling" (a secret kept from a
    brother or sister only), "confides" (a crush, the writer's or the reader's), "mishap"
    (something broken, dropped or failed, kept from the parents), "own-parent" (the writer's own
    parent gives leave for the meeting or drives to it),
    "schoolmate" (the writer sees the reader at school tomorrow), "known" (an age asked
    by someone who forgot it), "document" (a photo of schoolwork or a paper)."""
    found = set()
    if sibling_secret(tokens):
        found.add("sibling")
    if confides(text, tokens) or not CRUSH_WORDS.isdisjoint(tokens):
        found.add("confides")
    if _AT_SCHOOL.search(" ".join(tokens)):
        found.add("schoolmate")
    if not FORGOT.isdisjoint(tokens) and is_question(text):  # "I forget ur that age" asks nothing
        found.add("known")
    if photo_of_a_thing(tokens):
        found.add("document")
    if mishap(tokens):
        found.add("mishap")
    if own_parent(tokens):
        found.add("own-parent")
    return found
