"""The reasons a message gives for its own stages (core/reasons.py), and what they change:
a secret kept only from a little brother, a teen's crush on a named classmate, an age the
aunt forgot, a plan made together for the teacher do not warn; the same stages without
those reasons, or with a reason a groomer gives, still do."""

import json
from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.normalize import normalize
from himaya.core.reasons import confides, own_reasons, same_age, sibling_secret
from himaya.core.relationship import (discounted, family_surprise, family_vocative, guardian_in_loop, peer_answer,
                                      relative_shown)

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def scanner():
    return Scanner.load(RULES, signals="rules")


def tokens(text):
    return normalize(text).tokens


@pytest.mark.parametrize("text, expected", [
    ("w ma t9oulech l 5ouk, yghir 😂", True),
    ("ما تقوليش لخوك الصغير", True),
    ("don't tell ur little brother, he'll want one too", True),
    ("ma t9oul l 7ad, 7atta l 5ouk", False),  # kept from everyone
    ("ما تقول حتى لأمك ولا لخوك", False),  # the parents are in it
    ("ne dis rien à ta sœur sur nous", False),  # about "us"
    ("ma t9oul l o5tek 3la 7kayetna", False),  # "our story"
    ("bech ma ychoufnich 5ouk", False),  # hiding the writer
    ("and don't tell ur aunt how much, she'll say i spoil u", True),  # another relative, not a parent
    ("ma t9oul la l mama la l o5tek", False),  # "mama" is a parent
    ("حطيتلك عيدية عند ماما، ما تقولهاش لخوك", True),  # left "with mum", kept from the brother
    ("سر bin ena w enti, ma t9oul l o5tek", False),  # "between me and you"
    ("3andi cadeau lik, ma t9oulch l sghir bech ma ybkich", True),  # "the little one"
    ("un petit cadeau pour toi, ne dis rien au petit", True),
    ("un petit cadeau pour toi, ne dis rien à personne", False),  # "un petit ..." is no one
    ("5ouya sghir ma t9oullouch 3al flous, yghir", True),  # "my little brother": the writer's, so the reader's too
    ("ne dis rien à mon petit frère pour les sous de mamie", True),
    ("ne dis rien à mon frère", True),  # the writer's own brother: the writer's own affair
    ("ma t9oulech l 5ouya 3al flous, yghir", True),
    ("ما تقولش لخويا", True),  # "to my brother", the preposition on the word
    ("don't tell my sister i told u", True),
    ("ne dis rien à personne, ni à mon frère", False),  # kept from everyone
    ("ma t9oul l 7ad, w 5ouya zeda", False),
    ("ne dis rien à ton frère, le cousin qui rentre samedi te l'apporte", True),  # "qui": which cousin
    ("ne dis pas à ton frère qui te l'a donné", False),  # who gave it: the writer hidden
    ("chkoun ychouf tel mte3ek? 5outek?", False),  # who checks the phone: the child watched
    ("kol jem3a nab3athlek flexy, enti kima o5ti sghira, ma t9oul l 7ad", False),  # "like my little sister"
    ("enti kima o5ti sghira", False),
    ("ur cousins dont need to know we talk, they'd tell ur aunt", False),  # "we": about us
    ("un petit quelque chose de papi, ne le dis pas à ta sœur", True),  # "sœur" with its ligature
    ("dis-le à p3rs0nne, même pas à ta sœur", False),  # "nobody" in leet, "not even"
    ("🤐 même ta sœur", False),
    ("لا تخبر أخاك الصغير بما أعطيتك حتى لا يغار", True),  # MSA "your brother"; "حتى لا": so that not
    ("لا تخبر أحدًا حتى أخاك", False),  # "not even your brother": kept from everyone
    ("ma t9oul l 5ouk mnin jek", False),  # where it came from: the giver hidden
    ("ur uncle doesnt need to know where it came from", False),
])
def test_a_secret_kept_only_from_a_sibling(text, expected):
    assert sibling_secret(tokens(text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("3andi sirr: nheb Rayen mta3 8ème B 🙈", True),
    ("promise u won't tell, i like Selim from 9A", True),
    ("je kiffe Ilyes depuis la rentrée", True),
    ("ma t9oul l 7ad eli na7eb Hamza 🙈", True),  # "na7eb", the vowel written
    ("na7eb nchoufek", False),
    ("n7ebek barcha, ma t9oul l 7ad", False),  # "I love you": no one else
    ("nheb nchoufek ghodwa", False),  # "I want to see you"
    ("i like you, keep it between us", False),
    ("i like You more than anyone", False),
    ("ما تقول لحد، نموت على سامي متاع التاسعة 🙈", True),  # Arabic script: a name after "on"
    ("نموت عليك، ما تقول لحد", False),  # "on you": the reader
])
def test_a_crush_on_a_named_person_is_the_writers_own_secret(text, expected):
    assert confides(text) is expected


def test_an_age_asked_by_someone_who_forgot_it():
    assert "known" in own_reasons("9adech 3omrek taw? nsit 😅", tokens("9adech 3omrek taw? nsit 😅"))
    assert "known" not in own_reasons("nsit, ur so mature", tokens("nsit, ur so mature"))  # asks nothing
    assert "age-probe" in discounted({"known"}) and "secrecy-isolation" in discounted({"sibling"})
    assert "gifts-money" in discounted({"known"})  # ... for the Eid present she means to buy
    assert discounted({"confides"}) == {"secrecy-isolation", "trust-flattery"}  # "between you and me", of a crush
    assert discounted({"sibling"}) == {"secrecy-isolation", "gifts-money", "trust-flattery"}


def test_a_forgotten_age_explains_the_age_question_not_whether_the_child_is_alone():
    full = Scanner.load(RULES)  # the message read alone, as the companion reads it
    assert not full.scan("9adech 3omrek taw? nsit 😅 13 wala 14?").risk
    assert full.scan("9adech 3omrek taw? nsit 😅 13 wala 14? w enti wa7dek fel dar taw?").risk
    assert full.scan("je suis dans ton école aussi, t'as quel âge ? tu restes seule à la maison le soir ?").risk


def test_a_secret_kept_from_a_brother_is_no_family_business_when_the_child_is_wanted_alone():
    full = Scanner.load(RULES)
    assert not full.scan("w ma t9oulech l 5ouk, nechrilek cadeau sghir 😉").risk
    assert full.scan("w ma t9oulech l 5ouk, nechrilek cadeau sghir 😉 ab3athli ki tkoun wa7dek").risk


@pytest.mark.parametrize("text, expected", [
    ("ena w enti nechriw l babi montre, ma t9oulech", True),
    ("نجمعو الفلوس ونشريولها كادو، ما تقولش لماما", True),
    ("on organise l'anniversaire de la maîtresse, motus", True),
    ("on organise ton anniversaire, viens seule", False),  # yours: a lure
    ("nechriwlek cadeau, ma t9oul l 7ad", False),  # for you
    ("ما تقولش لماماك، نجيبلها قفة، نحب نفاجئها", True),  # "surprise her"
    ("ما تقولش لماماك، نحب نفاجئك", False),  # "surprise you"
])
def test_a_plan_made_together_for_someone_else_is_a_surprise(text, expected):
    assert family_surprise(tokens(text)) is expected


def test_a_relative_speaking_of_itself_and_a_thanks_to_an_aunt():
    assert relative_shown(tokens("5altek twa7chetek barcha ya 7lowa"))
    assert not relative_shown(tokens("3ammek 9alli nji nhezzek"))  # a go-between: the lure
    assert family_vocative(tokens("thank u auntie!!"))
    assert not family_vocative(tokens("thank u, my auntie is here"))


@pytest.mark.parametrize("text", [
    "ya 7bibi, bch nab3athlek 20 dt, w ma t9oulech l 5ouk bech ma yghirch",
    "promise u won't tell anyone?? i like Selim from 9A 🙈",
    "قداش عمرك توا يا حبيبي؟ نسيت 😅 قولي لماما نجيو الأحد",
    "chkoun ybaddel m3aya cartet? nitla9aw fel récré ghodwa 9odem el cantine, ija wa7dek",  # a swap at recess
    "mamie t9ollek 7ell el caméra ba3d el 3cha, t7eb tchouf el bébé",  # grandma's words passed on
])
def test_a_message_explained_by_its_own_reason_does_not_warn(scanner, text):
    assert not scanner.scan(text).risk, [m.rule for m in scanner.scan(text).matches]


@pytest.mark.parametrize("text, expected", [
    ("ما تحكيش لبابا اللي طيحت التلفون، توا نصلحوه", True),
    ("ma t9oulech l mama elli ksart el verre", True),
    ("dont tell mum i dropped her phone 😭", True),
    ("dis rien à maman, j'ai cassé le vase", True),
    ("i lost the charger, don't tell dad", True),
    ("ton tel est cassé ? je t'en commande un, tes parents poseront pas de questions", False),  # a state, a lure
    ("im broke, dont tell anyone", False),  # money, not a broken thing
    ("i lost you for a while, don't tell anyone we talk again", False),  # a person
    ("je t'ai perdu de vue, ne dis rien à tes parents", False),
    ("ma t9oul l 7ad 3la 7kayetna", False),
])
def test_a_mishap_to_be_covered(text, expected):
    from himaya.core.reasons import mishap

    assert mishap(tokens(text)) is expected


@pytest.mark.parametrize("text", [
    "ma t9oulech l mama elli ksart el verre, ghodwa nchri wa7ed",
    "dont tell mum i dropped her phone, ill fix it before she's back",
])
def test_a_mishap_kept_from_the_parents_does_not_warn(scanner, text):
    assert not scanner.scan(text).risk, [m.rule for m in scanner.scan(text).matches]


@pytest.mark.parametrize("text", [
    "ma t9oul l 7ad 3la 7kayetna, 7atta l 5outek",
    "don't tell ur parents or ur brother we talk",
    "i like You so much, don't tell anyone about us",
])
def test_a_groomers_secret_still_warns(scanner, text):
    assert scanner.scan(text).risk


def test_in_a_chat_the_reason_holds_for_its_own_message_only(scanner):
    conv = scanner.conversation("test:reasons")
    first = conv.add("w ma t9oulech l 5ouk 3al flous, yghir", speaker="other")
    later = conv.add("w ma t9oul l ommek 3la klemna", speaker="other")
    scanner.conversations.forget(conv.id)
    assert not first.risk
    assert later.risk


@pytest.mark.parametrize("text, expected", [
    ("9adech 3omrek? ena 14 w nheb l basket", True),
    ("t'es en quelle classe ? 8ème comme moi ?", True),
    ("قداش عمرك؟ انا زادة في السابعة", True),
    ("how old r u? ur in 8th grade too right?", True),  # the writer's own grade
    ("how old r u? u look mature", False),
])
def test_a_writer_who_puts_itself_at_the_readers_age(text, expected):
    assert same_age(tokens(text)) is expected


def test_an_age_question_alone_from_a_writer_of_the_same_age_does_not_warn_but_a_snap_request_does(scanner):
    assert not scanner.scan("slm 9adech 3omrek? ena 14, jdida fel lycée?").risk
    assert scanner.scan("slm 9adech 3omrek? ena 14, zidni 3al snap w ma t9oul l 7ad").risk


def test_a_parent_registering_their_own_child_brings_the_guardian_in():
    assert guardian_in_loop(tokens("3aslema, binti 3andha 10 snin, n7eb nsajlha fel natation"))
    assert guardian_in_loop(tokens("je voudrais inscrire ma fille au club, elle a 9 ans"))
    assert not guardian_in_loop(tokens("j'ai une fille de ton âge, tu veux la rencontrer ?"))


def test_a_grandparent_the_writer_speaks_for():
    assert relative_shown(tokens("mamie wants u to call her tonight, turn the camera on"))
    assert relative_shown(tokens("jeddi y7eb ychoufek, 7el el camera"))
    assert not relative_shown(tokens("je suis chez mamie, elle veut dormir"))  # ("chez": a place)


def test_ages_swapped_close_together_are_a_peers():
    assert peer_answer(tokens("14 hhh"), 13) and not peer_answer(tokens("17 lol"), 13)
    assert peer_answer(tokens("17 lol"))  # the age it answers unknown


@pytest.mark.parametrize("text, expected", [
    ("qqn peut envoyer une photo de l'exercice 3 ? j'ai oublié mon cahier", True),
    ("التقطي صورة للورقة وأرسليها هنا لأراجعها", True),
    ("ab3athli taswira mta3 el carnet, bech nchouf el notes", True),
    ("send me a pic of your homework so i can check it", True),
    ("envoie moi une photo de toi et de ton devoir", False),  # the child's own person is asked for too
    ("send me a pic in ur school uniform", False),
    ("ab3athli taswira jdida", False),
    ("send me a pic of the essay u wrote so i can read it", True),
])
def test_a_photo_of_schoolwork_or_a_paper(text, expected):
    from himaya.core.reasons import photo_of_a_thing

    assert photo_of_a_thing(tokens(text)) is expected


@pytest.fixture(scope="module")
def with_model():
    return Scanner.load(RULES, signals="both")


@pytest.mark.parametrize("text", ["أرسل لي صورة لما أنجزته حتى الآن لأصحّح لك",
                                  "ab3athli taswira mta3 el carnet mte3ek, bech nchouf el notes"])
def test_a_photo_of_schoolwork_asked_for_does_not_warn_where_a_photo_of_the_child_does(with_model, text):
    # (the model alone reads "send me a photo" as an image request: the message says of what)
    assert with_model.scan(text).signals["model"]["category"] == "image-request"
    assert not with_model.scan(text).risk
    conv = with_model.conversation("test:document")
    asked = conv.add(text, speaker="other")
    with_model.conversations.forget(conv.id)
    assert not asked.risk
    assert with_model.scan("ab3athli taswira jdida mte3ek, bech nchouf wejhek").risk


def test_every_reason_a_message_gives_is_one_conversations_knows():
    # conversations.py reads a message for its own reasons only when it has a stage one of
    # REASONS explains: a reason missing from REASONS would never be read
    from himaya.core.reasons import REASONS

    seen = set()
    for path in sorted((Path(__file__).parent / "fixtures" / "eval").glob("probe*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            for text in [m["text"] for m in item.get("messages", [])] or [item["text"]]:
                seen |= own_reasons(text, normalize(text).tokens)
    assert seen and seen <= REASONS, seen - REASONS


@pytest.mark.parametrize("text, expected", [
    ("ok je demande à ma mère et j'arrive", True),
    ("nestannek 9oddem el 7anout ba3d el 9raya, ommi bech twasalna l dar", True),
    ("let me ask my mom first", True),
    ("my mom is dropping us at 5", True),
    ("ask your mom", False),  # the reader's parent
    ("je demande à ta mère", False),
    ("mama t7eb tchoufek, ija m3aya", False),  # a lure: no leave asked, nobody drives
])
def test_the_writers_own_parent_in_the_plan(text, expected):
    from himaya.core.reasons import own_parent

    assert own_parent(tokens(text)) is expected


def test_a_meeting_the_writers_mother_drives_to_does_not_warn_where_a_plain_one_does(with_model):
    plain = "nestannek 9oddem el 7anout ba3d el 9raya"
    assert with_model.scan(plain).risk
    assert not with_model.scan(plain + ", ommi bech twasalna l dar").risk


@pytest.mark.parametrize("text, expected", [
    ("ma t9oulhomch ghodwa fel 9ism, 5alliha sirr binetna 😂", True),  # kept from the classmates: a game's secret
    ("ما تقوللهمش غدوة في القسم، سر بيناتنا", True),
    ("don't tell them tomorrow in class, our secret lol", True),
    ("5alliha sirr binetna, ma t9oul l 7ad", False),  # no school: "between us" from anyone
    ("ghodwa nchoufek wa7dek, sirr binetna", False),
])
def test_a_secret_to_be_kept_at_school_tomorrow_is_a_schoolmates(text, expected):
    assert ("schoolmate" in own_reasons(text, normalize(text).tokens)) is expected
