"""Who the other side of a chat is, as the replies show it.

Everyday conversations look like grooming on the surface. A grandmother on
a video call asks the child to turn the camera on and how old they are now; two
classmates ask each other's age and swap Snapchat names; a club asks the age,
the fee and the training time; a brother asks to keep their mother's birthday
surprise and to delete the message. The replies tell them apart (contexts):
"family", the child calls the other "mamie", "جدو", an aunt ("khalti", "tata") or
a parent ("عسلامة ماما", "ok papa"); "peer", the child asks the age back ("et toi ?")
or first, and gets an age under 18 or "me too", or the other side gave its own teen
age ("i'm 13", "13, et toi ?") and the child answers "13 too"; "school", the child
calls the other "coach" or "أستاذ", or asks for the class group; "guardian", the
other side brings the parent in ("viens avec ta mère", "يجب أن يحضر وليّك",
"l'autorisation signée par tes parents") or asks the child to tell a parent ("قولي
لبابك."), which a groomer never does; "relative",
the other side names itself as the child's aunt, uncle, cousin or parent ("ena
khaltek", "هذا عمك", "dad here"), greets the child as a cousin ("hey cuz!"), greets the
child's parents ("sallemli 3la mamtek"), or signs as a relative ("— tata", "... . أبوك"),
or speaks as the household (sets the hour the child is
to be home by, passes on a parent's call, gives a parent's safety rules); "surprise", a
surprise for someone else in the family (never "pour toi").

What conversations.py does with it, and what it never does: the stages a
context explains stop counting toward the conversation's warning (`discounted`:
age questions for all; for a peer also the move to Snapchat and the class group;
for school the class group; for family and a relative also
camera and photo requests, visits, pocket money and "how you've grown"; for a
guardian fees, training times, a tutor's camera and a job; for a surprise its
secret; and the reasons a message gives for its own stages, core/reasons.py: a
secret kept only from a sibling, a crush, a schoolmate's "tomorrow at recess", an
age the aunt forgot, a writer of the same age or a photo of the exercise asked for), and a message whose only reasons
are those, none above medium, is kept as a cue. Every other stage still counts, and a message that warns for any
other reason still warns, so an adult who claims to be 14 and then asks for
secrecy or a meeting is still flagged. Nothing of the text is kept: only which
context was seen.

    >>> family_vocative(["salut", "mamie"]), family_vocative(["ma", "mamie", "dort", "je", "suis", "seule"])
    (True, False)
    >>> family_vocative(["عسلامه", "ماما", "خديجه"]), family_vocative(["mama", "fel", "5edma"])
    (True, False)
"""

from __future__ import annotations

import re

from himaya.core.disclosures import ALONE_YOU, CLOCK_TIME, PARENTS_YOURS, number_at
from himaya.core.negation import prohibition_at
from himaya.core.normalize import normalize

# Grandparents, as a child addresses them (after the normalizer: no accents,
# Arabic letters folded). Parents are left out on purpose: "mama fel 5edma" is a
# disclosure that the child is alone, not an address.
GRANDPARENT = {
    "mamie", "mami", "mamy", "papi", "papy", "pepe", "grandma", "grandpa", "granny", "nana",
    "jeddo", "jaddo", "jeddou", "jaddou", "jedou", "jedda", "jadda", "jeddi", "jedti", "mima", "mimti", "teta", "tita",
    "جدو", "جدي", "جده", "جدتي", "ميمتي", "ميمه", "تيتا", "تيته", "ماماتي", "mamati", "mametti", "مامي", "طاطا",
    "ماميتي", "mamiti", "mamitti",  # "my mamie"
    "ستي", "sitti", "setti",  # a grandmother in the south and the Sahel
    # aunts and a mother's brother, as a child calls them ("3ammi", "عمي" is said to any older man)
    "khalti", "5alti", "khalto", "3amti", "3ammti", "tata", "tati", "tatie", "tonton", "aunty", "auntie",
    "5ali", "khali", "خالتي", "عمتي", "خالي",
}
# "meme" is also French "même" ("la même"): a grandmother only right after a greeting. So is a
# cousin ("merci cousin !!", "hi cuz"): alone, "cousin" is also what friends call each other.
GRANDPARENT_AFTER_GREETING = GRANDPARENT | {"meme", "cousin", "cousine", "cuz"}
# Parents are addressed after a greeting or a thanks ("عسلامة ماما", "merci papa"; a
# grandmother called "ماما خديجة" too), or after a yes ("ok mama", "ok baba chnowa nechriw?");
# "ey mama fil 5edma" tells where she is (the child is alone), "ok mama 9aletli" what she
# said, and so does any parent word followed by where she is, what she knows or said.
PARENT = {"maman", "mama", "mom", "mum", "mommy", "papa", "baba", "dad", "daddy", "ماما", "بابا", "يما", "ommi", "omi",
          "oummi", "ummi", "امي"}
_HELLO = {"salut", "coucou", "bonjour", "bonsoir", "allo", "alo", "hi", "hey", "hello", "aslema", "3aslema", "3aslama",
          "aslama", "slm", "salam", "ahla", "ahlan", "marhba", "mar7ba", "cc", "bjr", "bsr", "merci", "mer9i",
          "شكرا", "سلام", "عسلامه", "اهلا", "مرحبا",
          "morning", "ciao", "الخير", "النور", "lkhir", "elkhir", "el5ir"}  # greetings and thanks (with "صباح الخير")
GREETING = _HELLO | {"mercii", "ya", "يا"}  # before a parent's name (with the vocative "ya")
NOW = {"taw", "tawa", "توا", "stp", "svp", "please", "pls"}  # may close an address: "ok papa taw"
# What a child says right after calling a parent at the start of a reply ("papa, j'arrive",
# "mama hani jeya"); "mama fel 5edma", "baba mazel" tell where the parent is instead.
REPLY_START = {"j", "je", "ok", "hani", "jey", "jeya", "ena", "taw", "tawa", "coming", "omw", "i", "im", "oui",
               "ey", "yes", "نجي", "جاي", "جايه", "هاني", "توا", "حاضر", "باهي"}
TELLS_WHERE = {"fil", "fel", "f", "fi", "في", "at", "is", "est", "au", "a", "rahi", "rahou", "راهي", "راهو",
               "mch", "moch", "مش", "ماهيش", "ماهوش", "mouch", "not", "pas", "out", "left", "partie", "parti",
               "mazel", "mazelet", "mazal", "مازال", "مازالت", "ma", "ما", "w", "و", "et", "and", "3and", "عند",
               "5arjet", "5raj", "خرجت", "خرج", "msafer", "msafra", "مسافر", "مسافره", "ta3ref", "يعرف", "تعرف",
               "said", "says", "9alet", "9aletli", "9alli", "dit", "قالت", "قال", "knows", "sait"}
# Words that may come before a name when a child answers (greetings, "yes", "now").
LEAD = _HELLO | {"oui", "ouais", "ok", "okay", "eyy", "ey", "ih", "ayh", "taw", "yes", "yeah", "ايه", "نعم", "توا", "باهي"}
SELF = {"im", "i", "m", "ena", "ana", "moi", "j", "ai", "jai", "انا", "عندي", "3andi", "andi", "عمري", "3omri"}
ASK_BACK = {("et", "toi"), ("w", "enti"), ("w", "inti"), ("wenti",), ("winti",), ("and", "you"), ("and", "u"),
            ("wbu",), ("hbu",), ("toi",), ("و", "انتي"), ("و", "انت"), ("وانتي",), ("وانت",),
            ("و", "انتا"), ("وانتا",)}
BARE_YOU = {"u", "you", "toi", "enti", "inti", "انت", "انتي", "انتا"}
THANKS = {"thank", "thanks", "thx", "merci", "mer9i", "ya3tik", "y3aychek", "يعطيك", "يعيشك"}  # "thank u auntie"
SAME = {("pareil",), ("moi", "aussi"), ("me", "too"), ("same",), ("ena", "zeda"), ("ana", "zeda"),
        ("ena", "zada"), ("7atta", "ena"), ("7ata", "ana"), ("حتي", "انا"), ("انا", "زاده"), ("انا", "ايضا"),
        ("انا", "كذلك"), ("kif", "kif"), ("كيف", "كيف")}


# "At / with / and" before a relative's word: a place or a company, not an address.
AT_KIN = {"عند", "chez", "3and", "3end", "at", "with", "avec", "m3a", "مع", "dar", "دار", "w", "و", "et", "and"}


def family_vocative(tokens: list[str]) -> bool:
    """The message addresses a grandparent, an aunt, a mother's brother or a parent."""
    return addressed_kin(tokens) is not None


def addressed_kin(tokens: list[str]) -> str | None:
    """"parent" when the message addresses a parent, after a greeting, a thanks or a yes
    ("عسلامة ماما", "ok mama") when what follows does not tell where the parent is, or
    opening a reply ("papa, j'arrive"); "family" when it addresses a grandparent, an aunt
    or a mother's brother: the word ends it ("13 mamie"), or follows a greeting, a yes or a
    number ("Salut mémé", "توا جدو", "hi aunty"); None otherwise.

    >>> addressed_kin(["نعم", "ماما", "بابا", "خرج"]), addressed_kin(["16", "يا", "خالتي"])
    ('parent', 'family')
    >>> addressed_kin(["ايه", "بابا", "يقلي", "ضيعان", "وقت"])
    'family'
    """
    for i, tok in enumerate(tokens):
        if tok in PARENT:
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            # Only a parent called and nothing said of them ("نعم ماما", "ok papa j'arrive") is
            # the parent on the other side; "إيه بابا يقلي ..." (yes, dad tells me) is only family talk.
            called = "parent" if after is None or after in PARENT or after in REPLY_START or after in NOW else "family"
            if i and tokens[i - 1] in GREETING and after not in TELLS_WHERE:
                return called
            if i and tokens[i - 1] in LEAD and after not in TELLS_WHERE:
                return called
            if i == 0 and (after in REPLY_START or len(tokens) == 1):  # "papa, j'arrive", "😒 ماما"
                return "parent"
            continue
        if tok not in GRANDPARENT_AFTER_GREETING:
            continue
        before = tokens[i - 1] if i else None
        if before in AT_KIN:  # "إيه عند خالتي", "chez mamie": where the child is, not whom it addresses
            continue
        led = before is not None and (before in LEAD or before in GREETING or before.isdigit()  # "ya mamie"
                                      or before in THANKS  # "يعيشك خالتي", "ya3tik 5alti"
                                      or (before in BARE_YOU and i >= 2 and tokens[i - 2] in THANKS))  # "thank u auntie"
        if led or (tok in GRANDPARENT and (i == len(tokens) - 1 or (i == 0 and len(tokens) <= 3))):
            return "family"
    return None


# A message that opens by calling someone, a comma or an exclamation right after the first
# word ("ماما، يحبو يزيدوني...", "Papa, je peux...", "mamie ! regarde"): in a letter-like
# opening the word is a vocative, never what the sentence is about ("mama 9aletli", "ma mère").
_CALLED_FIRST = re.compile(r"^\W{0,4}\w+\s*[,،!]")  # (\w: Arabizi's "5alti," too)
CALLED_PARENT = PARENT | {"ابي", "pere", "mere", "abi"}  # (MSA "أبي", "my father")


def called_first(tokens: list[str], text: str) -> str | None:
    """"parent" or "family" when the message opens by calling a parent or a relative
    followed by a comma or an exclamation (`addressed_kin` reads the other ways).

    >>> called_first(["ماما", "يحبو", "يزيدوني"], "ماما، يحبو يزيدوني"), called_first(["mama", "9aletli"], "mama 9aletli")
    ('parent', None)
    """
    if not tokens or not _CALLED_FIRST.match(text):
        return None
    if tokens[0] in CALLED_PARENT:
        return "parent"
    return "family" if tokens[0] in GRANDPARENT else None


# The people whose age questions are routine, as the child addresses them ("عسلامة كوتش",
# "ok coach", "merci madame"): a coach or a teacher registering a group. Only their age
# questions stop counting; a picture, a meeting or a secret still does.
# ("sidi", "m3allem" are said to any man, "ya m3allem" among friends: not roles.)
ROLE = {"coach", "couch", "كوتش", "الكوتش", "prof", "professeur", "madame", "monsieur", "maitresse", "teacher", "sir",
        "miss", "استاذ", "استاذه", "الاستاذ", "الاستاذه", "معلم", "معلمه"}
# A surprise for someone else in the family ("une surprise pour son anniv", "surprise l mama",
# "سوربريز لماما"): its secret and its "delete this" are the family's, not the other side's.
SURPRISE = {"surprise", "surprize", "sarprise", "سوربريز", "سربريز", "سبريز", "مفاجاه", "مفاجئه",
            "المفاجاه", "المفاجئه", "السوربريز", "السربريز"}  # (with the article: "على المفاجأة")
# A brother or a sister of the child's ("l 5ouk", "لخوك", "ta sœur", "ur little brother").
SIBLING_YOURS = {"5ouk", "khouk", "khok", "5ok", "o5tek", "okhtek", "5outek", "khoutek", "خوك", "اختك", "خوتك", "اخوك",
                 "اخاك"}  # (MSA's "tell your brother": لا تخبر أخاك)
SIBLING_NOUN = {"frere", "soeur", "brother", "sister", "bro", "sis"}
FOR_FAMILY = {"maman", "mama", "papa", "baba", "mamie", "papi", "son", "sa", "ses", "his", "her", "their", "leur",
              "anniv", "anniversaire", "birthday", "bday", "ماما", "بابا", "لماما", "لبابا", "عيد", "ميلاد", "ميلادها",
              "ميلادو", "mom", "mum", "dad", "grandma", "grandpa", "jeddou", "jedda", "3id", "miled",
              # a sibling it is kept from ("ما تقوليش لأختك، نحب نعملها سربريز")
              "لاختك", "لخوك"} | SIBLING_YOURS | (SIBLING_NOUN - {"bro", "sis"})
FOR_YOU = {"toi", "you", "u", "ليك", "lik", "likom", "ليكم", "te", "t"}
# A plan made together for someone else, said as "we" ("nechriw l babi montre", "نجمعو الفلوس
# ونشريولها", "سنفاجئ المعلمة", "secret planning for mum's 50th"), or that someone's birthday
# ("anniversaire mama"): read as a surprise when that someone is in the family, or the
# teacher. (Stems: the verbs take object suffixes, "نشريولها".)
_PLAN = re.compile(r"(?:^| )(?:و?(?:نشريو|نجمعو|نلمو|نحضرو|نعملولها|نعملولو|سنحتفل|نحتفل|سنفاجي|نفاجي|سنشتري|نشتريو)"
                   r"|nechriw|nchriw|njam3ou|nlemmou|nlammou|n7adhrou|nhadhrou|n7adrou|nfajj?2ou|nfajjou|planning|organise|cagnotte"
                   r"|cotise|collecting|anniversaire|anniv|birthday|bday)")
FOR_OTHER = FOR_FAMILY - {"anniv", "anniversaire", "birthday", "bday", "عيد", "ميلاد", "3id", "miled"} | {
    "babi", "mamti", "ommi", "prof", "maitresse", "teacher", "المعلمه", "للمعلمه", "الاستاذه", "her", "lha", "leha"}
# The other side brings the child's parent in ("come with your mom", "your guardian must
# come to register", "ija m3a babak"): a coach, a club, a school. A groomer keeps the
# parents out; the negations that do so ("pas besoin de tes parents", "sans ta mère",
# "بلا ما يعرف بوك") are checked right before.
GUARDIAN = {"parents", "parent", "mom", "mum", "dad", "mother", "father", "guardian", "maman", "papa", "mere", "pere",
            "ommek", "omek", "babak", "bouk", "waldik", "waliyek", "وليك", "الولي", "وليي", "امك", "بابك", "بوك",
            "والديك", "والدك", "والدتك", "ماماك", "باباك", "wali", "walik", "والداك",
            "ahlek", "a7lek", "اهلك",  # ("wa7ed men ahlek m3ak": someone of your family with you)
            "waldin", "walidin", "الوالدين", "الاولياء"} | PARENTS_YOURS  # ("mamtek", "ماماك")
# the same words, also written with Arabic "to" or "and" on them ("لماماك", "وبوك"): one set, read in C
GUARDIAN_WRITTEN = frozenset(GUARDIAN | {prefix + word for prefix in ("ل", "و") for word in GUARDIAN})
WITH_GUARDIAN = {"with", "avec", "accompagne", "accompagnee", "accompagnes", "m3a", "مع", "يحضر", "تحضر", "يجي", "تجي",
                 "يمضي", "sign", "signe", "signee", "signed", "signer", "signature", "autorisation", "permission",
                 "vient", "viennent", "around", "present", "presente", "presents",  # ("should be around")
                 "m3ak", "معاك", "يوقع", "توقيع", "بتوقيع", "امضاء", "بامضاء", "fill", "remplir", "remplit",
                 "accord", "consent", "موافقه", "bmwaf9a",  # ("lazem accord mel waldin")
                 "يمضيو", "يمضيوا", "yemdhi", "yemdhiw", "ترخيص", "الترخيص"}
# The parent as the one who sends it ("your mom can send it from her phone"), not the one it
# is sent to ("send it to your mom"): a send verb just after the guardian word.
SENDS = ("send", "envoie", "envoyer", "tab3ath", "tab3ith", "yab3ath", "تبعث", "يبعث", "ترسل", "ترسله")
SENT_TO = {"to", "a", "l", "lel", "ل", "الى", "لـ"}
KEEP_OUT = {"pas", "sans", "no", "not", "without", "dont", "never", "jamais", "bla", "bidoun", "ma", "ما", "بلا",
            "بدون", "دون", "لا", "ماش", "mouch", "mch", "besoin", "need", "tell", "dis", "9oul", "قول", "ma3ach",
            # "when you are not with your mother": Derja's negated "to be"
            "ماكش", "ماكيش", "makech", "makich", "موش", "مش", "mech", "mich", "مانيش", "manich", "ماهوش", "mahouch",
            "ماهيش", "mahich", "isnt", "arent", "wont", "won", "wasnt", "werent",
            # "no need for": "وما يلزمش ترخيص الوالدين", "ma yelzemch"
            "وما", "wma", "يلزمش", "مايلزمش", "yelzemch", "yelzamch", "lazemch", "مالازمش"}
# "Don't forget the form your parents sign" is a reminder, not a parent kept out: a negation
# on a forget verb negates nothing of the parent.
FORGET = {"oublie", "oublies", "oubliez", "oublier", "forget", "tensech", "tensach", "tansech", "tensa", "tansa",
          "tnsech", "تنساش", "تنسى", "تنساو", "تنسي", "تنسوش"}
# The parent asked to call or write back ("dis à ta maman de m'appeler", "قولي لماماك تعيطلي",
# "tell ur mom to text me"): the adult seeks the parent out, which no one hiding from them does.
TELL = {"dis", "dites", "tell", "ask", "demande", "9oul", "9oulha", "9olha", "9oulou", "قول", "قولي", "قوللها",
        "9ouli", "9olli"}
CALL_BACK = {"appeler", "appelle", "appelles", "rappeler", "contacter", "ecrire", "call", "text", "ring", "contact",
             "t3ayetli", "t3aytli", "t3aytelna", "tkallemni", "tkalemni", "tkallamni", "ta3tini", "تعيطلي", "تكلمني",
             "تعيطلنا", "تتصل", "يتصل", "يكلمني", "يعيطلي"}


def role_vocative(tokens: list[str]) -> bool:
    """The child addresses a coach or a teacher: after a greeting, a thanks or a yes, or
    closing a short message ("عسلامة كوتش", "ok coach", "merci madame")."""
    for i, tok in enumerate(tokens):
        if tok not in ROLE:
            continue
        if i and (tokens[i - 1] in GREETING or tokens[i - 1] in LEAD):
            return True
        if i == len(tokens) - 1 and len(tokens) <= 6:
            return True
    return False


# The class group, as a pupil asks for it ("tzidni fel group mta3 l 9ism ?", "هل يمكن أن تضيفني
# إلى مجموعة القسم؟"): who shares it is a classmate or a class delegate.
GROUP = {"group", "groupe", "grp", "groupchat", "قروب", "القروب", "مجموعه", "المجموعه", "جروب", "الجروب"}
CLASS = {"classe", "class", "9ism", "9esm", "9asm", "القسم", "قسم", "قسمنا", "الفصل", "فصل", "8b", "7a", "9c",
         "project", "projet", "expose", "mochrou3", "مشروع", "المشروع"}  # (a group project is school work)


def class_group(tokens: list[str]) -> bool:
    """The message names the class group (a group word and a class word)."""
    return not GROUP.isdisjoint(tokens) and not CLASS.isdisjoint(tokens)


# A plan's object pronoun "her" ("نعملولها", "نفاجيها", "n7adhrou-lha"): made for someone else.
HER = ("ولها", "يها", "lha", "elha", "iha", "ouha")


def family_surprise(tokens: list[str]) -> bool:
    """A surprise said to be for someone else in the family: a family word or a birthday
    within four tokens of it, and no "for you" ("une surprise pour toi" is a lure); or a
    plan made as "we" for a relative or the teacher, or a relative's birthday, with no
    "for you" near it."""
    if not SURPRISE.isdisjoint(tokens):
        for i, tok in enumerate(tokens):
            if tok in SURPRISE:
                window = set(tokens[max(0, i - 4):i + 5])
                if window & FOR_FAMILY and not window & FOR_YOU:
                    return True
    joined = " ".join(tokens)
    if _PLAN.search(joined) is None:
        return False
    for i, tok in enumerate(tokens):
        if _PLAN.match(tok):
            near = set(tokens[max(0, i - 4):i + 5])
            if (near & FOR_OTHER or tok.endswith(HER)) and not near & (FOR_YOU | YOUR):
                return True
    return False


# A parent registering their own child ("weldi 3andou 11 sna, n7eb nsajlou", "je voudrais
# inscrire ma fille"): the parent is the one writing, the club's answers are to a guardian.
CHILD_NOUN = {"fils", "fille", "son", "daughter"}  # "my" before it: "ma fille", "my son"
MY_CHILD = {"weldi", "wildi", "binti", "benti", "wlidi", "ولدي", "بنتي", "ابني", "ابنتي"} | CHILD_NOUN
MY = {"ma", "mon", "my"}
REGISTER = {"nsajlou", "nsajjlou", "nsajlo", "nsajel", "nsajjel", "nsajlha", "inscrire", "inscription", "register",
            "registration", "enroll", "enrol", "نسجلو", "نسجل", "نسجلها", "التسجيل", "تسجيل", "اسجل"}


def parent_registers(tokens: list[str]) -> bool:
    """A parent speaks of registering their own child: a "my son / my daughter" word and a
    register word within six tokens."""
    if MY_CHILD.isdisjoint(tokens) or REGISTER.isdisjoint(tokens):
        return False
    kids = [i for i, t in enumerate(tokens) if t in MY_CHILD and (t not in CHILD_NOUN or (i and tokens[i - 1] in MY))]
    return any(tokens[j] in REGISTER for i in kids for j in range(max(0, i - 6), min(len(tokens), i + 7)))


def asks_to_register(tokens: list[str]) -> bool:
    """The child asks a club, a course or a school about registering ("is registration open?",
    "kifech nsajel?"): the age question that follows places the child in a group."""
    return not REGISTER.isdisjoint(tokens)


# Parents addressed as a group at the start of a message ("يا أمهات", "chers parents",
# "dear moms"): the writer speaks to them, not to their children behind their backs.
PARENTS_GROUP = {"امهات", "الامهات", "اولياء", "الاولياء", "parents", "mamans", "moms", "mums", "mamet", "mametet",
                 "oulia", "awlia"}
_TO_PARENTS = GREETING | {"chers", "cheres", "dear", "les", "aux"}  # (GREETING has "bonjour", "hi", "salam"...)


def _parents_addressed(tokens: list[str]) -> bool:
    return any(tok in PARENTS_GROUP and (i == 0 or tokens[i - 1] in _TO_PARENTS) for i, tok in enumerate(tokens[:3]))


def _calls_back(tokens: list[str], i: int) -> bool:
    """The guardian word at i is told to call or write back ("dis à ta maman de m'appeler")."""
    return not TELL.isdisjoint(tokens[max(0, i - 3):i]) and not CALL_BACK.isdisjoint(tokens[i + 1:i + 5])


def parent_called_back(tokens: list[str]) -> bool:
    """The message asks the child to have a parent call or write back: the adult seeks
    the parent out (the narrowest of `guardian_in_loop`'s readings)."""
    return any(tok in GUARDIAN_WRITTEN and _calls_back(tokens, i) for i, tok in enumerate(tokens))


# The child asked to tell a parent, and nothing more: "قولي لبابك." (we are coming on Sunday),
# "tell ur mom so she knows", "9oul l ommek bech ta3ref", "préviens ta mère". An alibi goes on
# with what to say ("9oul l ommek 3andek cours": tell her you have class), so the parent word must
# end its clause, or be followed by "so she knows".
INFORM = {"previens", "prevenez", "informe", "informez"}
LET = {"let"}  # "let your mom know"
KNOW = {"ta3ref", "ya3ref", "ta3rif", "تعرف", "يعرف", "sache", "sachent", "know", "knows", "courant"}
# ("ma t9oul l babak", "don't tell your mom": keep it from them)
_NEGATED = KEEP_OUT - TELL - {"tell", "dis", "9oul", "قول"} | {"don", "doesn", "didn", "shouldn", "mustn"}
_CLAUSES = re.compile(r"[^.!?؟\n,،;]+(?=[.!\n,،;]|$)")  # (not a question: "did you tell your mom?")


def parent_informed(text: str, tokens: list[str]) -> bool:
    """The message asks the child to tell a parent, not what to tell them (see INFORM)."""
    if GUARDIAN_WRITTEN.isdisjoint(tokens) or (TELL | INFORM | LET).isdisjoint(tokens):
        return False
    for clause in _CLAUSES.findall(text):
        toks = normalize(clause).tokens
        for i, tok in enumerate(toks):
            if tok not in GUARDIAN_WRITTEN or not i or set(toks[max(0, i - 6):i]) & _NEGATED:
                continue
            lead = toks[max(0, i - 3):i]
            after = toks[i + 1:i + 4]
            if not INFORM.isdisjoint(lead):
                return True
            if not LET.isdisjoint(lead) and not KNOW.isdisjoint(after):
                return True
            if not TELL.isdisjoint(lead) and (not after or not KNOW.isdisjoint(after)):
                return True
    return False


def guardian_in_loop(tokens: list[str]) -> bool:
    """The other side has the child come or sign with a parent: a guardian word and a
    with / come / sign word within three tokens, no negation just before either (but for a
    reminder's: "n'oublie pas"); or has the parent send it (SENDS) or call back (TELL ...
    CALL_BACK); or a parent registers their own child (`parent_registers`); or the message
    opens by addressing the parents ("يا أمهات", "chers parents")."""
    if parent_registers(tokens) or _parents_addressed(tokens):
        return True
    if GUARDIAN_WRITTEN.isdisjoint(tokens):
        return False
    for i, tok in enumerate(tokens):
        if tok not in GUARDIAN_WRITTEN:
            continue
        if (any(t.startswith(SENDS) for t in tokens[i + 1:i + 4]) and SENT_TO.isdisjoint(tokens[max(0, i - 2):i])
                and not set(tokens[max(0, i - 3):i + 4]) & KEEP_OUT):
            return True
        if _calls_back(tokens, i):
            return True
        near = range(max(0, i - 3), min(len(tokens), i + 4))
        for j in near:
            if tokens[j] in WITH_GUARDIAN:
                # a negation before the two words or between them ("your parents don't need to sign")
                lead = set(tokens[max(0, min(i, j) - 3):max(i, j)])
                if not lead & KEEP_OUT or not FORGET.isdisjoint(tokens[max(0, min(i, j) - 5):min(i, j)]):
                    return True
    return False


# The other side shows it is the child's relative: it names itself as the child's aunt,
# uncle, cousin or grandparent ("ena khaltek", "هذا عمك", "ena ben 3ammek", "c'est ta tante",
# "it's your uncle"), or sends its greetings to the child's parents ("sallemli 3la mamtek",
# "سلملي على ماماك", "say hi to your mom"), which no stranger hiding from them does. "My
# cousin" as a friendly address ("ya wled 3ammi") and a relative as a go-between ("your
# uncle told me to pick you up", a lure) are not read as this.
# (Aunts, uncles and cousins apart from grandparents and godparents: a secret kept from an aunt
# only is the family's own, reasons.py; one kept from a grandparent, who may be looking after the
# child, is not.)
AUNT_UNCLE_YOURS = {"3ammek", "3amek", "3amtek", "3ammtek", "khaltek", "5altek", "khalek", "5alek", "عمك", "عمتك",
                    "خالك", "خالتك"}
KIN_YOURS = AUNT_UNCLE_YOURS | {"jaddek", "jeddek", "jadtek", "jaddtek", "jeddtek", "mamatek", "mametek", "جدك", "جدتك",
                                "ماماتك"}
AUNT_UNCLE_NOUN = {"tante", "tata", "oncle", "tonton", "cousin", "cousine", "aunt", "auntie", "aunty", "uncle"}
KIN_NOUN = AUNT_UNCLE_NOUN | {"parrain", "marraine", "grandma", "grandpa", "granny", "godmother", "godfather", "mamie",
                              "papi", "grand"}
YOUR = {"ta", "ton", "votre", "your", "ur"}
KIN_TITLE = {"tonton", "tata", "tati", "tatie", "aunt", "aunty", "auntie", "uncle", "khalti", "5alti", "3amti"}
THIS_IS = {"ena", "ana", "انا", "hedha", "hedhi", "hadha", "هذا", "هذي", "هاذي", "هاذا", "est", "is", "its", "s",
           "moi", "me"}
# Who names itself after "it's" / "c'est": a parent, a grandparent, an aunt ("it's nana").
_SELF_NAMED = PARENT | GRANDPARENT
# What follows "it's mama" when it is someone else speaking of her ("it's mama's friend").
OF_SOMEONE = {"s", "friend", "amie", "ami", "copine", "copain", "de", "du", "d", "mta3", "sa7bet", "sa7eb", "صاحبه",
              "صاحب", "متاع"}
VOCATIVE = {"ya", "يا"}  # calling the child by name: "ya Sirine, 3amtek Latifa"
CHILD_OF = {"ben", "bent", "wled", "wlad", "ould", "weld", "ولد", "بنت", "بن"}  # "ben 3ammek": your uncle's son
GREET_RELAY = {"sallem", "sallemli", "sallmi", "sallemlna", "salem", "slem", "سلم", "سلملي", "سلمي", "سلملنا",
               "salue", "saluer", "bonjour", "bisous", "bises", "embrasse", "hi", "hello", "regards", "greet"}
RELAY_TO = {"3la", "3al", "ala", "علي", "a", "to", "l", "ل"}  # greetings *to* someone
HERE = {"here", "ici", "hna", "houni", "هنا", "هوني"}  # "dad here", "maman ici"
KISS_RELAY = {"embrasse", "embrasses", "bisous", "bisou", "kiss", "hug", "bousli", "boussli", "بوسلي"}  # "... ta maman pour moi"
# The child greeted as a cousin ("hey cuz!", "salut cousine", "ciao cugina"): the writer is the cousin.
COUSIN_CALL = {"cuz", "cousin", "cousine", "couz", "cuzzo", "cugina", "cugino"}
# A relative's signature at the end of a message ("— tata", "bisous, mamie").
# ("mta3 mamatek" at the end mentions the grandmother: "your ..." is never a signature.)
SIGNED = {"tata", "tati", "tatie", "tonton", "mamie", "mamy", "papi", "papy", "jeddo", "jaddo", "jadda", "jedda", "teta"}
# A grandparent the message speaks for ("mamie wants u to call her", "jeddi y7eb ychoufek", "so
# grandpa can see it"): the writer is family, relaying the grandparent's wish.
GRAND_WISH = {"wants", "misses", "can", "veut", "voudrait", "y7eb", "t7eb", "t7ebb", "y7ebb", "twa7chetek", "twa7chek",
              "يحب", "تحب", "توحشتك", "توحشك",
              # passing on what she says ("mamie t9ollek 7ell el caméra", "جدك يقلك")
              "t9ollek", "t9olek", "t9oullek", "y9ollek", "y9olek", "y9oullek", "تقلك", "تقولك", "يقلك", "يقولك",
              "says", "dit"}
GRAND_SUBJECT = {"mamie", "mami", "papi", "grandma", "grandpa", "granny", "jeddi", "jedti", "jaddi", "jadti", "mimti",
                 "teta", "جدي", "جدتي", "ميمتي"}  # (not "mama": "mama t7eb tchoufek, ija m3aya" is a lure)
# How a relative opens a message before naming itself ("ya 7bibti, jeddtek, ..."); what a
# go-between says right after the relative's name ("3ammek 9alli ...", "khaltek ba3thetni"): the lure.
ENDEARING = {"ya", "يا", "7bibti", "7bibi", "habibti", "habibi", "حبيبتي", "حبيبي", "7lowa", "7louwa", "omri",
             "3omri", "عمري", "cherie", "cheri", "sweetie", "darling", "mon", "ma", "coucou", "salut", "aslema",
             "3aslema", "عسلامه", "hi", "hello"}
GO_BETWEEN = {"9alli", "9aletli", "9alet", "9al", "ba3thni", "ba3thetni", "b3athni", "قالي", "قالتلي", "قال", "قالت",
              "بعثني", "بعثتني", "told", "sent", "asked", "said", "says", "wants", "m", "a", "dit"}
# A relative speaking of itself in the third person, as Tunisian grandparents and aunts do
# ("5altek twa7chetek", "جدك نسى", "jeddek y7ebek"): missing, loving or forgetting the child.
# ("your uncle wants you to come", "3ammek 9alli", a go-between's lure, is not among them.)
KIN_FEELS = {"twa7chetek", "twa7chtek", "twahchetek", "twa7chek", "twa7shek", "t7ebek", "y7ebek", "nsat", "nsa",
             "توحشتك", "توحشك", "تحبك", "يحبك", "نسات", "نسي", "تسلم", "يسلم", "tsallem", "ysallem"}
PARENT_YOURS = PARENTS_YOURS | KIN_YOURS
PARENT_NOUN = {"mere", "maman", "mama", "pere", "papa", "parents", "mom", "mum", "mother", "dad", "father", "mamie",
               "papi", "grand", "grandma", "grandpa", "granny"}


# "Of / at / with" before a relative's title and name: a place or a thing of hers, not a signature.
OWNED_BY = AT_KIN | {"mta3", "mte3", "ta3", "te3", "متاع", "نتاع", "متع", "de", "du", "of", "s"}


# The writer's own aunt, uncle, sister or brother after "son of" / "daughter of": "يا ولد خالتي" (my
# cousin), "ya bent o5ti" (my niece). Called so, the child is the writer's relative. "My father's
# brother" only for a girl ("ya bent 3ammi"): friends call each other "wled 3ammi".
MY_KIN = {"خالتي", "عمتي", "خالي", "اختي", "خويا", "5alti", "khalti", "3amti", "3ammti", "khali", "5ali", "o5ti",
          "okhti", "khouya", "5ouya"}
MY_UNCLE = {"عمي", "3ammi", "3ami"}
DAUGHTER_OF = {"bent", "بنت"}


def kin_called(tokens: list[str]) -> bool:
    """The message calls the child "son / daughter of my aunt, my sister...", after "ya":
    "يا ولد خالتي", "ya bent o5ti" ("bent 5alti jet" speaks of the cousin)."""
    return any(tok in CHILD_OF and (tokens[i + 1] in MY_KIN or (tok in DAUGHTER_OF and tokens[i + 1] in MY_UNCLE))
               and i and tokens[i - 1] in VOCATIVE for i, tok in enumerate(tokens[:-1]))


def _kin_at(tokens: list[str], i: int) -> bool:
    """A relative of the child's starts at token i: "3ammek", "ben 3ammek", "ta tante",
    or a relative's title before a name ("tonton Mehdi", "aunt Nadia")."""
    if i < len(tokens) and tokens[i] in CHILD_OF:
        i += 1
    if i >= len(tokens):
        return False
    if tokens[i] in KIN_TITLE and i + 1 < len(tokens) and tokens[i + 1].isalpha():
        return True
    return tokens[i] in KIN_YOURS or (tokens[i] in YOUR and i + 1 < len(tokens) and tokens[i + 1] in KIN_NOUN)


# The other side speaks as the child's household: it sets the hour the child must be home
# by ("be home by 7", "rentre avant 20h", "arja3 9bal el maghreb", "ارجعي قبل المغرب"), or
# passes on a parent's call ("mama t3ayetlek", "maman t'appelle"). A stranger wants the
# child out, not home on time; "I'll be home by 7" is the writer's own plan, not this.
HOME_VERB = {"rentre", "rentres", "rentrez", "rentrer", "rentree", "reviens", "arja3", "arja3i", "arj3i", "rja3",
             "rawa7", "rawa7i", "rawwa7", "rawwa7i", "trawa7", "tarja3", "tarj3i", "ارجع", "ارجعي", "روح", "روحي",
             "ترجع", "ترجعي", "تروح", "تروحي", "عد", "عودي"}
BE_HOME = {("be", "home"), ("be", "back"), ("get", "home"), ("come", "home"), ("get", "back"), ("come", "back")}
WRITER_WILL = {"i", "ll", "ill", "we", "im", "gonna"}  # "i'll be home by 7": the writer's plan
BEFORE_HOUR = {"avant", "9bal", "kbal", "قبل", "by", "before"}
HOUR_WORDS = {"dark", "midnight", "dinner", "minuit", "diner", "nuit", "maghreb", "lmaghreb", "3cha", "el3cha",
              "المغرب", "مغرب", "العشاء", "الليل", "الظلام", "الثمانيه", "التسعه", "العشره", "الستة", "السته", "السبعه"}
CALLS_YOU = {"t3ayet", "t3ayetlek", "t3ayetlik", "t3ayatlek", "t3ayetek", "تعيط", "تعيطلك", "تعيطك", "appelle",
             "calling"}


# ...or it gives the safety rules a parent gives: go with no one, open the door to no one,
# talk to no stranger ("ما تمشيش مع حد", "dont open the door for anyone", "ne pars avec
# personne"). A groomer's "come alone" is about coming (تجي, come), never about going with
# or opening to others.
SAFE_VERB = {"تمشيش", "تمشي", "temchich", "temchi", "timchich", "go", "pars", "leave", "تفتحي", "تفتح", "تحلش",
             "تحليش", "تحل", "t7ellech", "t7ellich", "t7ell", "open", "ouvre", "ouvres"}
TALK_VERB = {"talk", "parle", "parles", "تكلمش", "تحكيش", "te7kich", "tkallemch"}  # to strangers only: "i dont
# talk like this with anyone else" is the groomer's special bond
SAFE_NEG = {"ma", "ما", "لا", "dont", "ne", "n", "never", "jamais"}
STRANGERS = {"strangers", "stranger", "inconnus", "inconnu", "الغرباء", "غريب", "غرباء"}
NO_ONE = STRANGERS | {"حد", "لحد", "لاحد", "احد", "7ad", "l7ad", "anyone", "anybody", "personne"}


# ...or forbids going alone ("ma temchich wa7dek", "ما تخرجش وحدك", "ne rentre pas seule",
# "don't walk home alone"), whatever the verb (core/negation.py): the reader's "alone" of
# disclosures.py, and the forms with "by" that a rule says rather than asks.
GOING_ALONE = ALONE_YOU | {"لوحدك", "بمفردك", "بوحدك"}


def _safety_rule(tokens: list[str], i: int) -> bool:
    """tokens[i] is a parent's safety rule: a negated go / open with "anyone" after it, a
    negated talk with "strangers", or "alone" right after a prohibition."""
    tok = tokens[i]
    if tok in GOING_ALONE:  # (the verb at most one word before: tokens hold no comma to end a clause)
        v = prohibition_at(tokens, i)
        return v is not None and i - 2 <= v < i
    if i == 0 or (tok not in SAFE_VERB and tok not in TALK_VERB):
        return False
    negated = tokens[i - 1] in SAFE_NEG or (i > 1 and tokens[i - 2:i] == ["don", "t"])
    who = NO_ONE if tok in SAFE_VERB else STRANGERS
    return negated and any(t in who for t in tokens[i + 1:i + 5])


def _hour_at(tokens: list[str], i: int) -> bool:
    """A clock time or the hour of the day a child goes home by, at or just after i."""
    return any(CLOCK_TIME.match(t) or t in HOUR_WORDS for t in tokens[i:i + 3])


# Every word household_voice starts from: a message without any (nearly all) is not read
# token by token (relative_shown asks it of every message of the other side).
_HOUSEHOLD_WORDS = HOME_VERB | {t for pair in BE_HOME for t in pair[1:]} | SAFE_VERB | TALK_VERB | CALLS_YOU | GOING_ALONE


def household_voice(tokens: list[str]) -> bool:
    """The other side sets the hour the child is to be home by, passes on a parent's call
    (see HOME_VERB) or gives a parent's safety rules (SAFE_VERB): a parent's, a
    grandparent's or an older sibling's message."""
    if _HOUSEHOLD_WORDS.isdisjoint(tokens):
        return False
    for i, tok in enumerate(tokens):
        if _safety_rule(tokens, i):
            return True
        home = tok in HOME_VERB or (i and (tokens[i - 1], tok) in BE_HOME
                                    and (i < 2 or tokens[i - 2] not in WRITER_WILL))
        if home:
            for j in range(i + 1, min(len(tokens), i + 5)):
                if tokens[j] in BEFORE_HOUR and _hour_at(tokens, j + 1):
                    return True
        if tok in CALLS_YOU and any(t in PARENT for t in tokens[max(0, i - 3):i]):
            return True
    return False


def relative_shown(tokens: list[str]) -> bool:
    """The other side names itself as the child's relative or parent ("ena khaltek", "dad
    here") or calls the child its relative ("يا ولد أختي", `kin_called`), greets the child's
    parents ("sallemli 3la mamtek", "embrasse ta maman pour moi"),
    or signs as a relative ("... — tata", "... Tonton Karim"), or speaks as the household
    (`household_voice`)."""
    if household_voice(tokens) or kin_called(tokens):
        return True
    if len(tokens) > 1 and tokens[0] in _HELLO and tokens[1] in COUSIN_CALL:  # "hey cuz!", "salut cousine"
        return True
    if len(tokens) > 4 and (tokens[-1] in SIGNED or (tokens[-2] in KIN_TITLE and tokens[-1].isalpha()
                                                     and tokens[-3] not in OWNED_BY)):  # not "fil cyber mta3 tata Hela"
        return True
    for i, tok in enumerate(tokens):
        if tok in THIS_IS and _kin_at(tokens, i + 1):
            return True
        if tok in THIS_IS and i + 1 < len(tokens) and tokens[i + 1] in _SELF_NAMED and (
                i + 2 == len(tokens) or tokens[i + 2] not in OF_SOMEONE):  # "it's mama", "it's nana" (not "it's mama's friend")
            return True
        if tok in KIN_YOURS and i + 1 < len(tokens) and tokens[i + 1] in KIN_FEELS:  # "5altek twa7chetek"
            return True
        if 0 < i <= 3 and _kin_at(tokens, i) and _opening(tokens[:i]) and GO_BETWEEN.isdisjoint(tokens[i + 1:i + 4]):
            return True  # "ya 7bibti, jeddtek, ...", "ahla ya Malek, bent 3ammek Ines" (not "3ammek Ali 9alli")
        if tok in GRAND_SUBJECT and i + 1 < len(tokens) and tokens[i + 1] in GRAND_WISH and (
                i == 0 or tokens[i - 1] not in AT_KIN | YOUR):  # "mamie wants u to call her" (not "ur mom can")
            return True
        if (tok in PARENT and i <= 2 and i + 1 < len(tokens) and tokens[i + 1] in HERE
                and (i == 0 or tokens[i - 1] not in YOUR | {"is", "est"})):  # "hey sweetie, dad here"
            return True
        if tok in KISS_RELAY and any(_parent_at(tokens, j) for j in range(i + 1, min(len(tokens), i + 3))):
            return True
        if tok in GREET_RELAY and not set(tokens[max(0, i - 3):i]) & KEEP_OUT:
            for j in range(i + 1, min(len(tokens) - 1, i + 4)):  # "sallemli (barcha) 3la mamtek"
                if tokens[j] in RELAY_TO and _parent_at(tokens, j + 1):
                    return True
    return False


# A message signed by the child's parent or relative, after its last full stop or dash: "... je
# passe te prendre à 17h. Papa", "... بعد نصف ساعة. أبوك", "— خالتك نور", "- your aunt Sonia".
# A closing clause of one to three words: "ma t9oul chay l babak" ends with "your dad" too, and is
# no signature.
_LAST_CLAUSE = re.compile(r"[.!…\n—–-]\s*([^.!?؟…\n,،—–-]+?)\s*[.!❤️😘🤍💕]*\s*$")
SIGNER_YOURS = PARENT_YOURS | {"ابوك", "والدك", "والدتك"}
_SIGNER_NOUN = PARENT_NOUN | KIN_NOUN | {"baba"}


def signed_as_kin(text: str) -> bool:
    """The message ends with a signature naming the writer as the child's parent or relative
    ("... . أبوك", "— khaltek Nour", "- your aunt Sonia", "... . Papa")."""
    m = _LAST_CLAUSE.search(text)
    if m is None:
        return False
    if len(m.group(1).split()) > 3:  # a sentence, not a signature: not normalized again
        return False
    toks = normalize(m.group(1)).tokens
    if not 1 <= len(toks) <= 3:
        return False
    first = toks[0]
    if first in SIGNER_YOURS:  # (PARENT_YOURS holds the aunts and grandparents too)
        return True
    if first in YOUR and len(toks) >= 2 and toks[1] in _SIGNER_NOUN:
        return True
    return len(toks) <= 2 and first in (SIGNED | PARENT | KIN_TITLE)  # ". Papa", "— tata Hela"


def _opening(lead: list[str]) -> bool:
    """How a relative opens a message before naming itself: greetings and endearments, and
    at most one more word when it calls the child by name ("ya Sirine, 3amtek ...")."""
    other = [t for t in lead if t not in ENDEARING and t not in _HELLO]
    return not other or (len(other) == 1 and not VOCATIVE.isdisjoint(lead))


def _parent_at(tokens: list[str], i: int) -> bool:
    """The child's parent or grandparent starts at token i: "mamtek", "ta maman", "your mom"."""
    return tokens[i] in PARENT_YOURS or (tokens[i] in YOUR and i + 1 < len(tokens) and tokens[i + 1] in PARENT_NOUN)


def _has(tokens: list[str], phrases: set[tuple[str, ...]], last: int | None = None) -> bool:
    n = len(tokens)
    start = 0 if last is None else max(0, n - last)
    return any(tuple(tokens[i:i + len(p)]) == p for i in range(start, n) for p in phrases)


_AGE_OR_GRADE = re.compile(r"\d{1,2}(?:st|nd|rd|th|e|eme|yo|ans)?$")  # (not Arabizi "7ata enti")


def asks_back(tokens: list[str]) -> bool:
    """A short reply that turns the question around: "14, et toi ?", "15 w enti", "wbu",
    or an age followed by a bare "you" ("13 u?"; a bare "you" alone is not a question)."""
    if not 0 < len(tokens) <= 8:
        return False
    return _has(tokens, ASK_BACK, last=3) or (
        tokens[-1] in BARE_YOU and any(map(_AGE_OR_GRADE.match, tokens[:-1])))  # "13 u?", "9th grade. u?"


# An age question's own words ("how old", "quel âge", "9adech 3omrek", "قداش عمرك").
AGE_ASKED = {"old", "age", "3omrek", "omrek", "3omrk", "3mrk", "عمرك", "سنك"}


def asks_age(tokens: list[str]) -> bool:
    """The message asks an age (the caller knows it is a question)."""
    return not AGE_ASKED.isdisjoint(tokens)


PEER_GAP = 2  # years between two ages swapped that still make classmates ("13, et toi ?" - "17": not one)


def young_age(tokens: list[str]) -> int | None:
    """The first age of 8 to 17 among a reply's first tokens."""
    for i in range(min(len(tokens), 8)):
        value, _size = number_at(tokens, i)
        if value is not None and 8 <= value <= 17:
            return value
    return None


def peer_answer(tokens: list[str], near: int | None = None) -> bool:
    """An answer that puts the other side among the young: an age of 8 to 17 or "me too";
    `near`, the age it answers, when known: within PEER_GAP years of it."""
    if _has(tokens, SAME):
        return True
    age = young_age(tokens)
    return age is not None and (near is None or abs(age - near) <= PEER_GAP)


def teen_age_given(tokens: list[str]) -> bool:
    """The other side states its own age of 8 to 17 ("i'm 13", "ena 14", "j'ai 15 ans")."""
    if SELF.isdisjoint(tokens):
        return False
    for i in range(len(tokens)):
        value, _size = number_at(tokens, i)
        if value is not None and 8 <= value <= 17 and set(tokens[max(0, i - 2):i]) & SELF:
            return True
    return False


# A message that opens by answering ("bien sûr", "of course", "akid", "بالطبع"): after the
# child's question it is a turn of its own, whatever the other side said before.
ANSWER_OPENERS = {("bien", "sur"), ("of", "course"), ("sure",), ("oui",), ("yes",), ("ok",), ("okay",), ("akid",),
                  ("akeed",), ("لا", "باس"), ("بالطبع",), ("طبعا",), ("اكيد",), ("اي",), ("ايه",), ("نعم",), ("باهي",),
                  ("behi",), ("ey",), ("eyh",), ("d", "accord"), ("evidemment",), ("bien", "entendu")}
# (never "no": "no no, parents make it awkward" to "would my parents need to come?" is the
# refused chaperone, the pitch going on)


def answers_first(tokens: list[str]) -> bool:
    """The message opens with an answer word (ANSWER_OPENERS)."""
    return bool(tokens) and ((tokens[0],) in ANSWER_OPENERS or tuple(tokens[:2]) in ANSWER_OPENERS)


# "Really?": the child asks the other side to confirm what it just said; the answer goes on
# with the same pitch ("c'est vrai ??" - "bien sûr. bourse complète...").
IF_TRUE = {"vrai", "vraiment", "serieux", "really", "srsly", "seriously", "fr", "bel7a9", "bel7a9a", "belha9",
           "بالحق", "حقا", "صحيح", "wallah", "walla", "والله", "sur", "sure", "bellehi", "billehi", "billahi", "bellahi",
           "بالله", "blehi"}


def asks_if_true(tokens: list[str]) -> bool:
    """The child's question asks whether what was said is true (IF_TRUE)."""
    return not IF_TRUE.isdisjoint(tokens[:4])


def is_question(text: str) -> bool:
    """The text holds a question mark (Latin or Arabic)."""
    return "?" in text or "؟" in text


def discounted(context: set[str]) -> set[str]:
    """The other side's stages that no longer count toward a conversation's warning."""
    out = set()
    if {"peer", "family", "relative", "school"} & set(context):  # classmates, relatives, a coach's age group
        out.add("age-probe")
    if "peer" in context:  # classmates who swapped ages swap their Snapchat names and class groups
        out |= {"move-to-private", "closed-group-invite"}  # (flattery still counts: "im 16, u talk like ur 17")
    if "school" in context:  # a teacher or a class delegate who shares the class group
        out.add("closed-group-invite")
    if "family" in context or "relative" in context:  # a grandparent's camera call, "you've grown", pocket money,
        out |= {"image-request", "meeting-request", "gifts-money", "trust-flattery", "move-to-private"}  # "on WhatsApp"
    if "parent" in context:  # the child's mother or father: what they ask to keep is kept from others, with them
        out.add("secrecy-isolation")
    if "parent-told" in context:  # a message that brings the parent in keeps nothing from them (conversations.py)
        out.add("secrecy-isolation")
    if "guardian" in context:  # a club that asks the age, names its fee and the training time; a tutor's
        out |= {"age-probe", "gifts-money", "meeting-request", "image-request", "recruitment"}  # camera, a job
    if {"surprise", "sibling", "confides", "mishap"} & set(context):  # the family's secret for a birthday; a
        out.add("secrecy-isolation")  # message's secret kept from a brother only, its writer's own crush, a
        # broken phone to be mended before the parents see it (reasons.py)
    if "confides" in context:  # "between you and me" about the writer's own crush is a friend's bond
        out.add("trust-flattery")
    if "sibling" in context:  # pocket money kept from the little brother, "so he is not jealous"
        out |= {"gifts-money", "trust-flattery"}
    if {"known", "same-age", "schoolmate"} & set(context):  # the aunt who forgot the age she knew; a message
        out.add("age-probe")  # read alone whose writer gives its own teen age or "like me" (reasons.py)
    if "known" in context:  # (she asks it for the Eid present she means to buy)
        out.add("gifts-money")
    if "schoolmate" in context:  # "tell me tomorrow at recess": a schoolmate's secret, a swap at recess
        out |= {"secrecy-isolation", "meeting-request"}
    if "document" in context:  # a photo of the exercise, the page, the report card (reasons.py)
        out.add("image-request")
    if "own-parent" in context:  # the writer's mother drives them, the writer asks its father for leave
        out.add("meeting-request")
    return out
