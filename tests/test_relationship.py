"""Who the other side is, as the replies show it (core/relationship.py): a grandparent on a
video call and two classmates swapping Snapchat names stay quiet; an adult who claims to be
a classmate and then asks for secrecy and a meeting is still flagged."""

from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.normalize import normalize
from himaya.core.relationship import (asks_back, called_first, discounted, family_surprise, family_vocative, peer_answer,
                                      relative_shown)

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture(scope="module")
def scanner():
    return Scanner.load(RULES, signals="rules")


def _talk(scanner, messages):
    conv = scanner.conversation(f"test:{id(messages)}")
    verdicts = [conv.add(text, speaker=who) for who, text in messages]
    scanner.conversations.forget(conv.id)
    return verdicts


def tokens(text):
    return normalize(text).tokens


@pytest.mark.parametrize("text, expected", [
    ("Salut mamie !", True), ("12 mamie 😂", True), ("bonsoir mémé", True), ("باهي جدو", True),
    ("ok jeddo nji", True), ("mamie", True),
    ("عسلامة ماما خديجة!", True), ("12 يا ماما 😂", True), ("merci papa", True),  # parents, once addressed
    ("ok mama 😘", True), ("ok papa taw", True), ("عسلامة ماماتي!", True), ("papa, j'arrive", True),
    ("baba mazel fel 5edma", False), ("إيه عند خالتي", False), ("ena m3a mamie", False),  # where, not whom
    ("ma mamie dort, je suis seule", False),  # a disclosure, not an address
    ("mama w baba fel 5edma", False), ("mon papa rentre tard", False), ("ey mama fil 5edma", False),
    ("salut maman est partie", False),
    ("😒 ماما", True), ("ey ya mamie, ommi mchet lel souk", True), ("hi aunty!!", True),  # a reply, an aunt
    ("3id mabrouk khalti", True), ("ok baba, chnowa nechriw?", True), ("3aslema tonton!", True),
    ("ok mama 9aletli nrawa7", False), ("ey baba mazel fel 5edma", False), ("ahla 3ammi", False),
    ("c'est la même", False), ("moi même", False), ("mama fel 5edma", False),
    ("عسلامة ماميتي", True), ("12 ya mamiti", True),  # "my mamie"
    ("عسلامة يا ستي", True),
    ("wow merci cousin !!", True), ("salut cousine", True),  # the child thanks or greets a cousin
    ("mon cousin joue aussi", False),  # a cousin talked about
])
def test_a_grandparent_is_recognised_only_when_addressed(text, expected):
    assert family_vocative(tokens(text)) is expected


def test_asking_back_and_a_peer_answer():
    assert asks_back(tokens("14, et toi ?")) and asks_back(tokens("15 w enti")) and asks_back(tokens("13 و انتي"))
    assert asks_back(tokens("13 u?")) and not asks_back(tokens("love u")) and not asks_back(tokens("i dont know you"))
    assert not asks_back(tokens("et toi tu fais quoi ce soir avec les autres après le cours de sport"))
    assert peer_answer(tokens("moi aussi")) and peer_answer(tokens("ena zeda 14")) and peer_answer(tokens("fifteen lol"))
    assert not peer_answer(tokens("j'ai 32 ans")) and not peer_answer(tokens("ça dépend"))
    assert discounted({"peer"}) == {"age-probe", "move-to-private", "closed-group-invite"}
    assert discounted({"family"}) == {"age-probe", "image-request", "meeting-request", "gifts-money", "trust-flattery",
                                      "move-to-private"}
    assert discounted({"family", "parent"}) == discounted({"family"}) | {"secrecy-isolation"}
    assert discounted(set()) == set()


CALL = [("other", "allume la caméra stp"), ("child", "{hello}"), ("other", "tu as quel âge maintenant, 10 ?"),
        ("child", "{age}")]


def test_a_grandparent_on_a_video_call_does_not_warn(scanner):
    as_stranger = _talk(scanner, [(w, t.format(hello="bonjour", age="11")) for w, t in CALL])
    assert as_stranger[2].risk  # the same words without the address: camera + age add up
    family = _talk(scanner, [(w, t.format(hello="bonjour mamie", age="11 mamie")) for w, t in CALL])
    assert not any(v.risk for v in family)
    assert family[-1].conversation["context"] == ["family"]


@pytest.mark.parametrize("text, expected", [
    ("ماما، يحبو يزيدوني في جروب القسم", "parent"), ("أبي، هل يمكنني الذهاب؟", "parent"),
    ("Papa, je peux sortir ?", "parent"), ("mamie ! regarde ma ceinture", "family"), ("5alti, ija", "family"),
    ("ماما قالتلي نستناك", None), ("mama 9aletli, ok", None), ("ma mère, elle dort", None),  # about her
    ("Salut, mamie dort", None), ("abi nchouf", None),  # not first, or no comma
])
def test_a_message_that_opens_by_calling_a_parent_or_a_relative(text, expected):
    assert called_first(tokens(text), text) == expected


def test_a_parents_advice_after_the_child_called_them_does_not_warn(scanner):
    advice = [("child", "{call} يحبو يزيدوني في جروب القسم"), ("other", "شكون عملو؟"), ("child", "المعلمة"),
              ("other", "باهي، أما ما تبعث تصاورك لحد غريب، وكي يكلمك واحد ما تعرفوش قولي")]
    assert any(v.risk for v in _talk(scanner, [(w, t.format(call="")) for w, t in advice]))
    mother = _talk(scanner, [(w, t.format(call="ماما،")) for w, t in advice])
    assert not any(v.risk for v in mother) and "parent" in mother[-1].conversation["context"]


CAMERA = "حلي الكاميرا نحب نشوفك، قداش عمرك توا؟"  # a camera request and an age question: warns alone


def test_once_the_child_has_called_the_other_side_grandma_a_camera_request_no_longer_warns(scanner):
    assert scanner.scan(CAMERA).risk
    stranger = _talk(scanner, [("child", "عسلامة"), ("other", CAMERA)])
    assert stranger[1].risk  # a greeting alone says nothing of who is on the other side
    family = _talk(scanner, [("child", "عسلامة جدو"), ("other", CAMERA)])
    assert not family[1].risk and family[1].matches  # still seen as a stage, kept as a cue
    # what is not a family stage still warns: secrecy from the parents
    secret = _talk(scanner, [("child", "عسلامة جدو"), ("other", CAMERA + " و ما تقول لحد")])
    assert secret[1].risk


def test_coaches_teachers_classmates_and_family_surprises_read_from_the_chat(scanner):
    from himaya.core.relationship import family_surprise, role_vocative, teen_age_given
    assert role_vocative(tokens("عسلامة كوتش")) and role_vocative(tokens("ok coach")) and not role_vocative(tokens("le coach est parti"))
    assert role_vocative(tokens("صباح الخير كوتش، شفت الإعلان"))  # a two-word greeting
    assert teen_age_given(tokens("how old r u? i'm 13")) and not teen_age_given(tokens("how old r u? i'm 32"))
    assert family_surprise(tokens("on prépare une surprise pour son anniv samedi"))
    assert not family_surprise(tokens("j'ai une surprise pour toi, dis rien à ta mère"))  # a lure, not a family's
    # a coach's age question for the age group no longer adds up with the answer
    age = [("other", "قداش عمرك باش نحطك في الصنف الصحيح؟"), ("child", "12"), ("other", "باهي، التمارين الثلاثاء")]
    coach = _talk(scanner, [("other", "عسلامة"), ("child", "عسلامة كوتش")] + age)
    stranger = _talk(scanner, [("other", "عسلامة"), ("child", "عسلامة")] + age)
    assert stranger[-1].risk and not any(v.risk for v in coach)
    # classmates: the other side gives its own age of 13, the child says "13 too"
    peers = _talk(scanner, [("other", "how old r u? i'm 13"), ("child", "13 too lol"),
                            ("other", "cool, add me on snap for the study group")])
    assert not any(v.risk for v in peers) and "peer" in peers[-1].conversation["context"]
    # a brother's "delete this" about a surprise for their mother's birthday
    surprise = _talk(scanner, [("other", "on prépare une surprise pour son anniv samedi, ma t9oul chay"),
                               ("child", "ok"), ("other", "w supprime ce msg, elle regarde ton tel parfois 😂")])
    assert not any(v.risk for v in surprise)


def test_a_number_of_something_else_is_not_an_age():
    from himaya.core.disclosures import disclosed
    assert not disclosed(tokens("almost, chapter 9"), replying_to_age_question=True)
    assert not disclosed(tokens("page 12"), replying_to_age_question=True)
    assert "minor-age" in disclosed(tokens("12"), replying_to_age_question=True)
    # Derja teens in words, however they are spelled
    from himaya.core.disclosures import number_at
    assert [number_at([w], 0)[0] for w in ("sta3ch", "sitta3ch", "khmasta3ch", "orbta3ch", "sbe3ta3ch", "mouch")] == [
        16, 16, 15, 14, 17, None]
    assert "minor-age" in disclosed(tokens("ena sta3ch"), replying_to_age_question=True)
    assert "minor-age" in disclosed(tokens("عشر سنوات"))  # ten, the MSA word without its ending


def test_a_class_is_a_school_year():
    from himaya.core.disclosures import disclosed
    assert "minor-age" in disclosed(tokens("oui 6ème B"))
    assert "minor-age" in disclosed(tokens("ena fel 9eme C"))
    assert not disclosed(tokens("le 6e a gagné le tournoi"))  # "a" is a verb there


def test_a_club_that_brings_the_parent_in_is_not_an_age_probe(scanner):
    from himaya.core.relationship import guardian_in_loop
    assert guardian_in_loop(tokens("viens avec ta mère samedi pour l'inscription"))
    assert guardian_in_loop(tokens("ويجب أن يحضر وليّك للتسجيل"))
    assert not guardian_in_loop(tokens("pas besoin de tes parents, viens seule"))
    assert not guardian_in_loop(tokens("9oul l ommek 3andek cours"))  # an alibi, not a parent in the loop
    assert guardian_in_loop(tokens("ta7t 14 lazem wa7ed men ahlek m3ak"))  # someone of your family with you
    assert guardian_in_loop(tokens("تربص صيفي لمن هم فوق 16 بإمضاء الولي"))  # with the guardian's signature
    assert guardian_in_loop(tokens("his parent needs to fill the form too"))
    assert not guardian_in_loop(tokens("your parents don't need to sign anything"))  # the negation between them
    assert not guardian_in_loop(tokens("tes parents n'ont pas besoin de signer"))
    assert guardian_in_loop(tokens("lel junior lazem accord mel waldin, mamatek tab3athli msg"))
    assert not guardian_in_loop(tokens("ma t9oul l mamtek, ija wa7dek"))
    assert guardian_in_loop(tokens("تجي السبت مع بابك باش يمضيو الترخيص"))
    assert not guardian_in_loop(tokens("الخلاص باهي، وما يلزمش ترخيص الوالدين"))  # no need for the parents' permit
    talk = [("other", "t'as quel âge ?"), ("child", "12"), ("other", "ok, groupe des 11-13 ans, mardi 17h au stade")]
    club = _talk(scanner, [("other", "viens avec ta mère samedi pour l'inscription")] + talk)
    stranger = _talk(scanner, [("other", "salut, ça va ?")] + talk)
    assert stranger[-1].risk and not any(v.risk for v in club)
    assert club[-1].conversation["context"] == ["guardian"]
    # a question about the parents is the supervision probe, not a parent in the loop
    asked = _talk(scanner, [("other", "tu rentres seule ou ton père vient avec toi ?")] + talk)
    assert "guardian" not in asked[-1].conversation["context"]


@pytest.mark.parametrize("question, age, back, snap, same", [
    ("9adeh 3omrek?", "14", "14 w enti?", "3andek snap?", "ena zeda 14, 3andek snap?"),
    ("how old are u", "15", "15 hbu", "add me on snap", "same! add me on snap"),
])
def test_classmates_swapping_snapchat_names_do_not_warn(scanner, question, age, back, snap, same):
    stranger = _talk(scanner, [("other", question), ("child", age), ("other", snap)])
    assert stranger[-1].risk  # asked the age, then a private app: the pattern, from a stranger
    peers = _talk(scanner, [("other", question), ("child", back), ("other", same)])
    assert not any(v.risk for v in peers) and peers[-1].conversation["context"] == ["peer"]


def test_an_adult_posing_as_a_classmate_is_still_flagged(scanner):
    verdicts = _talk(scanner, [("other", "quel âge tu as ?"), ("child", "13 et toi ?"), ("other", "moi aussi 13"),
                               ("other", "on se voit demain tout seuls, et n'en parle à personne")])
    assert verdicts[-1].risk and verdicts[-1].conversation["context"] == ["peer"]


def test_with_speakers_unknown_the_replies_still_count(scanner):
    verdicts = _talk(scanner, [("unknown", "9adeh 3omrek?"), ("unknown", "14 w enti?"),
                               ("unknown", "ena zeda 14, 3andek snap?")])
    assert not any(v.risk for v in verdicts) and verdicts[-1].conversation["context"] == ["peer"]


GUESS = "9adech 3omrek enti? 14 wala 15?"  # an age question that warns alone (a minor-age guess)


def test_an_age_question_alone_waits_for_the_answer(scanner):
    """Speakers known: the other side's age question is a stage, not a warning, until the
    child answers it (without asking it back) or another stage follows."""
    assert scanner.scan(GUESS).risk  # alone, out of a chat, it warns
    classmates = _talk(scanner, [("other", GUESS), ("child", "14 w enti?"), ("other", "ena zeda 14 hhh"),
                                 ("child", "nchoufek ghodwa fel 9raya")])
    assert not any(v.risk for v in classmates)
    assert classmates[0].matches and classmates[0].matches[0].category == "age-probe"  # still seen as a stage
    stranger = _talk(scanner, [("other", GUESS), ("child", "14"), ("other", "behi behi")])
    assert not stranger[0].risk and stranger[2].risk  # the answer makes it a warning
    assert "answered" in stranger[2].conversation["disclosures"]


def test_an_age_question_after_a_disclosure_still_warns(scanner):
    after = _talk(scanner, [("other", "cv?"), ("child", "ey, ena wa7di fel dar"), ("other", GUESS)])
    assert after[2].risk  # the child already said they are alone: the question means more


def test_with_unknown_speakers_an_age_question_waits_for_another_stage(scanner):
    """No answer can be read as the child's: teenagers swapping ages stay quiet, a
    question followed by a move to a closed app and a secret warns."""
    teens = _talk(scanner, [("unknown", GUESS), ("unknown", "14 w enti?"), ("unknown", "ena zeda 14 hhh")])
    assert not any(v.risk for v in teens)
    assert teens[0].matches and teens[0].matches[0].category == "age-probe"  # still seen as a stage
    stranger = _talk(scanner, [("unknown", GUESS), ("unknown", "14"),
                               ("unknown", "zidni 3al snap w ma t9oul l7ad")])
    assert not stranger[0].risk and stranger[2].risk


@pytest.mark.parametrize("text, replying, expected", [
    ("8eme", True, True), ("fel 7eme w enti?", True, True), ("je suis en 8ème année", False, True),
    ("الثامنة أساسي", False, True), ("in 7th grade lol", False, True), ("نقرى في السيزيام", False, True),
    ("8eme", False, False),  # a bare grade word outside a reply says nothing
    ("on se voit à 8e", False, False), ("rdv au 8e étage", False, False),
    ("je suis en 8ème année et j'aime le dessin et le foot avec mes cousins", True, True),
    ("le 7e art", False, False),
])
def test_a_school_year_is_read_as_a_childs_age(text, replying, expected):
    from himaya.core.disclosures import disclosed
    assert ("minor-age" in disclosed(tokens(text), replying_to_age_question=replying)) is expected


def test_a_birth_year_is_read_as_an_age():
    from datetime import date

    from himaya.core.disclosures import disclosed
    child, adult = str(date.today().year - 13), str(date.today().year - 30)
    assert "minor-age" in disclosed(tokens(child), replying_to_age_question=True)
    assert "minor-age" in disclosed(tokens(f"born in {child}"))
    assert "minor-age" in disclosed(tokens(f"مواليد {child}"))
    assert not disclosed(tokens(child))  # a bare year outside a reply: a date, not an age
    assert not disclosed(tokens(adult), replying_to_age_question=True)
    assert "minor-age" in disclosed(tokens("sab3a asesi"))  # the 7th year of basic school, in Derja


def test_a_grade_given_in_answer_makes_the_age_question_count(scanner):
    talk = [("other", "t'as quel âge ?"), ("child", "{answer}"), ("other", "tu es très mignonne, ça reste entre nous")]
    graded = _talk(scanner, [(w, t.format(answer="8eme")) for w, t in talk])
    assert graded[-1].risk and "answered" in graded[-1].conversation["disclosures"]
    evasive = _talk(scanner, [(w, t.format(answer="pourquoi ?")) for w, t in talk])
    assert "answered" not in evasive[-1].conversation["disclosures"]


@pytest.mark.parametrize("text, expected", [
    ("ahla ya Sami, ena khaltek Najet", True), ("هذا عمك رضا، وصلت البارح", True),
    ("c'est ton oncle Karim, je rentre de Lyon", True), ("hi it's your aunt Mona!", True),
    ("ena ben 3ammek Walid", True), ("ya 7bibti ena mamatek", True), ("sallemli barcha 3la mamtek", True), ("سلملي على ماماك", True),
    ("passe le bonjour à ta maman", True), ("say hi to your mom for me", True),
    ("embrasse ta maman pour moi", True), ("ab3athli taswira bel keswa jdida — tata", True),  # a kiss relayed, a signature
    ("je passe te prendre avec papa. Tata Héla", True), ("merci tata", False),
    ("hey sweetie, dad here. how was the exam?", True), ("is your dad here", False),
    ("ena sa7eb 3ammek", False),  # "your uncle's friend": the lure of a family friend
    ("ton oncle m'a dit de venir te chercher", False),  # a relative as a go-between: a lure
    ("ahla ya wled 3ammi", False),  # "cousin" among friends
    ("hi, is your mom home", False), ("ma tsallem 3la 7ad", False),
    ("ya Sirine, 3amtek Latifa mel Italie, sama7ni", True),  # the child called by name, then who writes
    ("ahla ya Malek, bent 3ammek Ines mel Canada", True),
    ("ya Sirine, 3amtek Latifa 9aletli nji nhezzek", False),  # the aunt as a go-between: a lure
    ("habibti it's mama, just sent u the money", True), ("hi it's mama's friend, she sent me", False),
    ("hi sweetie it's nana, turn on the camera", True), ("c'est mamie, appelle-moi", True),
    ("hi it's nana's neighbour", False),
])
def test_a_relative_is_read_from_what_the_other_side_says(text, expected):
    from himaya.core.relationship import relative_shown
    assert relative_shown(tokens(text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("ok be home by 7, dad will pick u up", True), ("rentre avant 20h30 stp", True),
    ("tu dois rentrer avant le dîner", True), ("arja3i lel dar 9bal el maghreb", True),
    ("ترجعي للدار قبل الثمانية", True), ("win ra9ed? mama t3ayetlek", True), ("maman t'appelle, descends", True),
    ("i'll be home by 7, come over after", False),  # the writer's own plan
    ("rawa7 m3aya 9bal ma yarj3ou", False),  # "before they come back" is no hour: a lure
    ("je t'appelle ce soir", False), ("come back before your parents wake up", False),
    ("ما تمشيش مع حد، نجيك بالكرهبة", True), ("dont open the door for anyone", True),  # a parent's safety rules
    ("ne pars avec personne, j'arrive", True),
    ("ما تجي مع حد", False), ("come alone, dont tell anyone", False),  # the lure: come alone, tell no one
    ("don't talk to strangers on the way", True), ("i dont talk like this w anyone else", False),  # a special bond
])
def test_the_household_sets_the_hour_home_passes_on_a_call_or_gives_safety_rules(text, expected):
    from himaya.core.relationship import household_voice
    assert household_voice(tokens(text)) is expected


def test_a_parent_who_sets_the_hour_home_and_asks_for_a_photo_does_not_warn(scanner):
    from himaya.core.corpus import scan_item

    def first_warning(lines):  # read as the page sends it: the other side's words before each message
        item = {"id": "t", "kind": "thread", "text": "", "child": "b", "label": "benign",
                "messages": [{"from": who, "text": text} for who, text in lines]}
        return scan_item(scanner, item)["first_alert_index"]

    lines = [("a", "where are u"), ("b", "at the cafe with Sarra"),
             ("a", "ok be home by 7, dad will pick u up from the corner"), ("b", "can i stay till 8"),
             ("a", "7:30 and send me a pic when u get in the car")]
    assert first_warning(lines) is None
    lines[2] = ("a", "ok, i'll pick u up from the corner")  # the same requests, never said as the household
    assert first_warning(lines) == 4


def test_a_relative_asking_the_age_and_a_photo_does_not_warn(scanner):
    ask = [("other", "9adech wallit 3omrek taw? 12?"), ("child", "13 hhh"),
           ("other", "ab3athli taswira jdida mte3ek, n7eb nchoufek kif kbert")]
    stranger = _talk(scanner, [("other", "ahla ya Sami"), ("child", "ahla")] + ask)
    assert any(v.risk for v in stranger)
    aunt = _talk(scanner, [("other", "ahla ya Sami, ena khaltek Najet, jit mel Lyon"), ("child", "ahla")] + ask)
    assert not any(v.risk for v in aunt) and aunt[-1].conversation["context"] == ["relative"]
    # what is not a family stage still warns: secrecy from the parents
    secret = _talk(scanner, [("other", "ahla ya Sami, ena khaltek Najet"), ("child", "ahla"),
                             ("other", "ab3athli taswira w ma t9oul l 7ad, mamtek ma ta3rafch")])
    assert secret[-1].risk


def test_the_other_side_answering_the_childs_question_with_its_own_teen_age_is_a_peer(scanner):
    """The child asks first; "13, et toi ?" is the other side's own age, and "moi aussi 13" a classmate's answer."""
    chat = _talk(scanner, [("child", "t'as quel âge ?"), ("other", "13, et toi ?"), ("child", "moi aussi 13 !"),
                           ("other", "t'es en quelle classe ? t'as snap ?")])
    assert "peer" in chat[-1].conversation["context"]
    stranger = _talk(scanner, [("child", "t'as quel âge ?"), ("other", "j'ai 31 ans, et toi ?"), ("child", "13"),
                               ("other", "t'es en quelle classe ? t'as snap ?")])
    assert "peer" not in stranger[-1].conversation["context"]


GIFT_FOR_EID = "9adech wallit 3omrek taw? 12 wala 13? bech nab3athlek flous el 3id"


@pytest.mark.parametrize("writer, explained", [
    ("ya 7bibti ena mamatek, ", True),  # the grandmother names herself, then asks
    ("هذا عمك رضا، ", True),
    ("ya 7bibti ena Sami, ", False),  # a stranger's name explains nothing
    ("ya 7bibti hedhi mamatek? ", False),  # a question about a relative is not one
])
def test_a_message_read_alone_is_explained_by_its_writers_own_words(scanner, writer, explained):
    """Out of a chat, the same contexts as in one: a relative who names herself and asks the
    age for the Eid money is a cue, not a warning; the same words from anyone else warn."""
    verdict = scanner.scan(writer + GIFT_FOR_EID)
    assert verdict.matches and verdict.risk is not explained
    assert {m.category for m in verdict.matches} >= {"age-probe", "gifts-money"}


def test_a_parent_kept_away_is_not_a_parent_in_the_loop(scanner):
    from himaya.core.relationship import guardian_in_loop
    assert guardian_in_loop(tokens("tji m3a ommek")) and not guardian_in_loop(tokens("waqtech tkoun makech m3a ommek"))
    assert scanner.scan("نشريلك الكسوة اللي تحبها، قلي وقتاش تكون ماكش مع أمك").risk


def test_classmates_who_swapped_ages_can_swap_snapchat_names(scanner):
    """Asking for a Snapchat name warns from a stranger; after the ages were swapped it is a classmate's."""
    snap = ("other", "أنا زادة 14، ابعثلي السناب متاعك")
    stranger = _talk(scanner, [("other", "قداش عمرك؟"), ("child", "14"), snap])
    peers = _talk(scanner, [("other", "قداش عمرك؟"), ("child", "14 وانت؟"), snap])
    assert stranger[-1].risk and not any(v.risk for v in peers)
    assert "move-to-private" in discounted({"peer"}) and "image-request" not in discounted({"peer"})


def test_a_teen_age_given_to_the_childs_own_age_question_is_a_peer(scanner):
    """The child asks first and gives its age; "13, add me in the game" answers as a classmate does.
    The same reply to a stranger's question (the child did not ask) is no peer's."""
    asked = _talk(scanner, [("child", "how old r u? im 12"), ("other", "13, add me in the game not on discord")])
    assert "peer" in asked[-1].conversation["context"] and not any(v.risk for v in asked)
    told = _talk(scanner, [("other", "how old r u?"), ("child", "12"), ("other", "13, add me on discord")])
    assert "peer" not in told[-1].conversation["context"]




def test_an_asker_who_gives_the_childs_own_age_asked_as_a_classmate(scanner):
    """"t'as quel âge ?" - "j'ai 15" - "moi aussi 15, on révise demain ?": the age question is a
    classmate's. Only the age question: a fake peer's "me too, send me your snap" still warns (above),
    and an age years apart explains nothing."""
    question = ("other", "t'as quel âge au fait ?")
    classmates = _talk(scanner, [question, ("child", "j'ai 15"),
                                 ("other", "moi aussi 15, on révise demain à la bibliothèque à 14h ?")])
    assert "same-age" in classmates[-1].conversation["context"] and not any(v.risk for v in classmates)
    older = _talk(scanner, [question, ("child", "j'ai 13"),
                            ("other", "moi 17, on se voit demain à la bibliothèque à 14h ?")])
    assert "same-age" not in older[-1].conversation["context"] and older[-1].risk
def test_the_class_group_the_child_asked_for_is_the_schools(scanner):
    """The pupil asks to be added to the class group: the delegate who asks the class and sends
    the link with "don't share it outside the class" is not inviting a child into a closed group."""
    reply = [("other", "طبعا، في أي قسم أنت؟"), ("child", "السنة الثامنة، القسم الثاني"),
             ("other", "هذا الرابط: chat.whatsapp.example/Rm000Q2 ، لا ترسليه لأحد من خارج القسم")]
    asked = _talk(scanner, [("child", "هل يمكن أن تضيفني إلى مجموعة القسم؟")] + reply)
    assert "school" in asked[-1].conversation["context"] and not any(v.risk for v in asked)
    stranger = _talk(scanner, [("other", "مرحبا، عندي مجموعة سرية")] + reply)
    assert "school" not in stranger[-1].conversation["context"]


def test_a_signed_permission_brings_the_parents_in():
    from himaya.core.relationship import family_surprise, guardian_in_loop
    assert guardian_in_loop(tokens("viens avec l'autorisation signée par tes parents"))
    assert family_surprise(tokens("ما تقوليش لأختك، نحب نعملها سربريز لماما"))


def test_an_older_teen_who_flatters_after_swapping_ages_still_counts(scanner):
    """Swapped ages make a classmate's Snapchat request ordinary, not flattery that sets the
    child apart from those of its age: that still warns."""
    chat = _talk(scanner, [("other", "t'as quel âge ? moi 16"), ("child", "14"),
                           ("other", "t'es trop mature pour ton âge, les filles de mon âge sont nulles, t'es différente")])
    assert "peer" in chat[-1].conversation["context"] and chat[-1].risk


@pytest.mark.parametrize("child, other, peer", [("13 w enti?", "17 😅 presque le même âge", False),
                                                ("13 w enti?", "14 hhh", True), ("i'm 12, u?", "16", False),
                                                ("i'm 12, u?", "me too", True)])
def test_ages_swapped_years_apart_make_no_classmates(scanner, child, other, peer):
    """A "peer" answers the child's age with one close to it: an adult's "17" to a child's "13"
    is the fake-peer opener, and the age question still counts."""
    chat = _talk(scanner, [("other", "t'es trop fort au jeu. 9adeh omrek?"), ("child", child), ("other", other),
                           ("other", "tes parents sont où là ? t'es seul ?")])
    assert ("peer" in chat[-1].conversation["context"]) is peer


def test_a_question_turned_around_about_something_else_is_no_age_swap(scanner):
    """"EU, et toi ?" about a game server, answered "pareil", says nothing of anyone's age: the
    move to Telegram that follows is still a stranger's."""
    chat = _talk(scanner, [("other", "tu joues sur quel serveur ?"), ("child", "EU, et toi ?"), ("other", "pareil 😄"),
                           ("other", "ici c'est nul, viens sur telegram, personne nous lira")])
    assert "peer" not in chat[-1].conversation["context"]
    ages = _talk(scanner, [("other", "t'as quel âge ?"), ("child", "13, et toi ?"), ("other", "pareil 😄")])
    assert "peer" in ages[-1].conversation["context"]


def test_a_child_who_confides_a_crush_makes_our_secret_a_friends(scanner):
    """The child tells a friend whom it likes; the friend's "between you and me" is about that crush.
    The same words to a child who confided nothing still count."""
    secret = ("other", "ok sirr bin ena w enti, ma n9oul l 7ad 🤐")
    crush = _talk(scanner, [("child", "nheb Amine mta3 el 8eme B 🙈 ma t9oul l7ad"), secret])
    assert "confides" in crush[-1].conversation["context"] and not any(v.risk for v in crush[1:])
    plain = _talk(scanner, [("child", "ahla"), secret])
    assert "confides" not in plain[-1].conversation["context"]


def test_a_group_project_is_school_work(scanner):
    from himaya.core.relationship import class_group
    assert class_group(tokens("add me on snap so we can do the group project pics"))
    assert not class_group(tokens("add me to the group, its private"))



def test_a_child_asking_a_club_about_registering_explains_its_age_question(scanner):
    lines = [("child", "slm, l'inscription au club de natation est ouverte ?"), ("other", "oui, t'as quel âge ?"),
             ("child", "12 ans"), ("other", "groupe des 11-13 ans, mardi et jeudi à 17h")]
    assert not any(v.risk for v in _talk(scanner, lines))
    lines[0] = ("other", "slm, t'es dans quel club ?")  # the same age question from someone who wrote first
    assert any(v.risk for v in _talk(scanner, lines))


@pytest.mark.parametrize("text, expected", [
    ("A plain photo of your face, white background. Your mom can send it from her phone", True),
    ("ommek tnajem tab3athha mel telifoun mte3ha", True),
    ("dont send it to your mom, send it to me", False),
])
def test_a_parent_who_sends_it_is_a_parent_in_the_loop(text, expected):
    from himaya.core.relationship import guardian_in_loop
    assert guardian_in_loop(tokens(text)) is expected


def test_a_parent_or_an_aunt_the_child_calls_so_explains_what_a_stranger_could_not(scanner):
    from himaya.core.relationship import addressed_kin
    assert addressed_kin(tokens("نعم ماما")) == "parent" and addressed_kin(tokens("ok papa j'arrive")) == "parent"
    assert addressed_kin(tokens("إيه بابا يقلي ضيعان وقت")) == "family"  # says what dad says: not dad himself
    assert addressed_kin(tokens("ey khalti")) == "family" and addressed_kin(tokens("mama fel 5edma")) is None
    # a mother's safety rule: "don't tell anyone who calls that you are alone"
    rule = [("other", "هل أنتِ وحدك في البيت الآن؟"), ("child", "{}"), ("other", "أغلقي الباب ولا تفتحي لأحد"),
            ("child", "حسنا"), ("other", "وإذا اتصل أحد لا تقولي إنك وحدك ولا تخبري أحدا")]
    mother = _talk(scanner, [(who, text.format("نعم ماما")) for who, text in rule])
    stranger = _talk(scanner, [(who, text.format("نعم")) for who, text in rule])
    assert stranger[-1].risk and not any(v.risk for v in mother)
    assert "parent" in mother[-1].conversation["context"]
    # an aunt the child calls "khalti" asks for the code on WhatsApp; a stranger doing so still warns
    ask = [("other", "3andek recharge 5d?"), ("child", "{}"),
           ("other", "ab3athli el code 3al whatsapp, w el flous nab3athhomlek m3a sa7bi")]
    aunt = _talk(scanner, [(who, text.format("ey khalti")) for who, text in ask])
    other = _talk(scanner, [(who, text.format("ey")) for who, text in ask])
    assert other[-1].risk and not any(v.risk for v in aunt)


def test_parents_addressed_as_a_group_are_in_the_loop_and_a_relatives_shop_is_no_signature():
    from himaya.core.relationship import guardian_in_loop, relative_shown
    assert guardian_in_loop(tokens("يا أمهات ابعثولي فيديوات البنات في الحفلة"))
    assert guardian_in_loop(tokens("Chers parents, envoyez-moi les photos de la sortie"))
    assert not guardian_in_loop(tokens("envoie-moi tes photos, tes parents sont où ?"))
    assert not relative_shown(tokens("je te vois tous les soirs au cyber de tata Hela"))  # her shop, not her name
    assert relative_shown(tokens("rentre avant la nuit mon chéri, bisous tata Hela"))


def test_without_its_reason_the_same_meeting_or_camera_call_warns(scanner):
    assert scanner.scan("chkoun ybaddel m3aya cartet? nitla9aw ghodwa 9odem el cantine, ija wa7dek").risk
    assert scanner.scan("7ell el caméra ba3d el 3cha, n7eb nchoufek").risk


def test_a_secret_kept_from_the_grandmother_who_raises_the_child_is_no_surprise(scanner):
    # children whose parents work abroad live with a grandmother: she is the one kept out
    assert scanner.scan("get telegram, ill add u there. dont tell ur grandma, its just a gamer thing").risk
    assert not scanner.scan("dont tell grandma about the cake, its her birthday saturday, bring a gift").risk


@pytest.mark.parametrize("text, expected", [
    ("et dis à ta maman de m'appeler ce soir", True),
    ("و قولي لماماك تعيطلي", True),  # "to your mum" written on the word
    ("tell ur mom to text me when she can", True),
    ("dis à ta mère que tu dors chez une copine", False),  # an alibi to tell her, not a call back
    ("ما تقولش لبوك", False),
])
def test_a_parent_asked_to_call_back_is_sought_out_not_kept_out(text, expected):
    from himaya.core.relationship import guardian_in_loop, parent_called_back
    assert parent_called_back(tokens(text)) is expected
    assert guardian_in_loop(tokens(text)) is expected


def test_a_reminder_is_no_negation_of_the_parent():
    from himaya.core.relationship import guardian_in_loop
    assert guardian_in_loop(tokens("N'oublie pas l'autorisation signée par tes parents et 30dt"))
    assert not guardian_in_loop(tokens("ne viens pas avec tes parents"))


def test_thanks_then_a_kin_word_addresses_the_kin():
    from himaya.core.relationship import addressed_kin
    assert addressed_kin(tokens("يعيشك خالتي! 14")) == "family"
    assert addressed_kin(tokens("ya3tik 5alti")) == "family"
    assert addressed_kin(tokens("عند خالتي")) is None  # where the child is


def test_a_message_that_has_the_parent_call_back_keeps_no_secret_from_them(scanner):
    call = [("other", "how old r u now?"), ("child", "11"), ("other", "i sent u a little gift card for ur grades"),
            ("child", "thanks!!"), ("other", "{}")]
    back = _talk(scanner, [(who, text.format("and tell ur mom to call me tonight")) for who, text in call])
    hide = _talk(scanner, [(who, text.format("and dont tell ur mom tonight")) for who, text in call])
    assert hide[-1].risk and not back[-1].risk
    back = _talk(scanner, [("other", "قداش عمرك توا؟"), ("child", "13"), ("other", "بعثتلك 30 دينار على D17 هدية النجاح"),
                           ("child", "يعيشك"), ("other", "و قولي لماماك تعيطلي غدوة")])
    assert not back[-1].risk


@pytest.mark.parametrize("reply", ["11 to 13", "de 10 à 14 ans", "من 12 إلى 15 سنة", "men 10 l 14"])
def test_a_range_of_ages_is_nobodys_own_age(reply):
    """"How old are the others in your group?" - "11 to 13": the group's ages, not the child's
    disclosure; "13", "j'ai 13 ans" and "13 wala 14" (not sure of one's own) still are."""
    from himaya.core.disclosures import minor_age

    assert not minor_age(normalize(reply).tokens, True)
    for own in ("13", "j'ai 13 ans", "13 wala 14", "عمري 12"):
        assert minor_age(normalize(own).tokens, True), own


@pytest.mark.parametrize("text, expected", [
    ("أين أنت الآن؟ أرسل لي موقعك، سآتي لأخذك من الدرس. أبوك", True),  # "your dad"
    ("ab3athli taswira mta3 l carnet — khaltek Nour", True),
    ("je passe te prendre à 17h. Papa", True),
    ("send me a pic of the menu - your aunt Sonia", True),
    ("ma t9oul chay l babak", False),  # ends with "your dad", no signature
    ("come alone. your mom doesnt need to know", False),  # a clause, not a name
    ("viens seule. Ton ami", False),  # a friend is no relative
])
def test_a_message_signed_by_a_parent_or_a_relative(text, expected):
    from himaya.core.relationship import signed_as_kin

    assert signed_as_kin(text) is expected


def test_a_pick_up_signed_by_the_father_does_not_warn_where_an_unsigned_one_does():
    from himaya import Scanner

    with_model = Scanner.load(RULES, signals="both")
    asked = "envoie-moi ta position, je viens te chercher après le cours"
    assert with_model.scan(asked).risk
    assert not with_model.scan(asked + ". Papa").risk
    assert not with_model.scan(asked + " — ta tante Sonia").risk


@pytest.mark.parametrize("text, expected", [
    ("يا مريم، نجيو نزوروكم نهار الأحد، قولي لبابك. جبتلك كادو", True),  # the clause ends with "your dad"
    ("نبعثلك 20dt recharge كادو النجاح، قول لماماك باش تعرف", True),  # "so she knows"
    ("tell ur mom so she knows", True),
    ("préviens ta mère que je passe", True),
    ("let your mom know i said hi", True),
    ("9oul l ommek 3andek cours", False),  # an alibi: what to tell her
    ("tell your mom you are at a friend's", False),
    ("don't tell your mom.", False),
    ("you don't have to tell your mom", False),
    ("pas besoin de prévenir ta mère", False),
    ("did u tell ur mom?", False),  # a question
])
def test_the_child_asked_to_tell_a_parent(text, expected):
    from himaya.core.relationship import parent_informed

    assert parent_informed(text, tokens(text)) is expected


def test_a_visit_announced_to_the_father_explains_the_age_question_after_it(scanner):
    visit = _talk(scanner, [("other", "يا مريم، نجيو نزوروكم نهار الأحد، قولي لبابك."), ("child", "إيه"),
                            ("other", "قداش ولى عمرك، 11؟"), ("child", "12"), ("other", "ما شاء الله")])
    stranger = _talk(scanner, [("other", "يا مريم، نحب نتعرف عليك."), ("child", "إيه"),
                               ("other", "قداش ولى عمرك، 11؟"), ("child", "12"), ("other", "ما شاء الله")])
    assert stranger[-1].risk and not any(v.risk for v in visit)


def test_a_cousin_greeting_the_child_is_a_relative():
    from himaya.core.relationship import relative_shown

    assert relative_shown(tokens("hey cuz! can u turn on ur camera, mom wants to see how tall u got"))
    assert relative_shown(tokens("salut cousine, tu viens dimanche ?"))
    assert relative_shown(tokens("ciao cugina!! ab3athli taswira mta3 el coupe jdida"))
    assert not relative_shown(tokens("cuz ur so mature, u can turn on ur camera"))  # "because"


@pytest.mark.parametrize("text, expected", [
    ("يا ولد خالتي، ابعثلي الكود متاعك نزيدك", True),  # my cousin
    ("يا ولد أختي، غدوة نعدي عليكم", True),  # my nephew: the writer is the uncle or the aunt
    ("ya bent 3amti, ija lel 3ers", True),
    ("ya bent 3ammi, 9olli 3omrek", True),
    ("ahla ya wled 3ammi, chna7welek", False),  # friends call each other "my uncle's son"
    ("bent 5alti jet lyoum", False),  # speaks of the cousin, does not call the reader so
    ("يا ولد، وينك؟", False),  # "hey boy": no one's child named
])
def test_calling_the_child_a_cousin_or_a_nephew_shows_a_relative(text, expected):
    assert relative_shown(normalize(text).tokens) is expected


def test_a_surprise_with_its_article_for_mums_birthday_is_the_familys():
    assert family_surprise(normalize("و ما تقول لحتى حد على المفاجأة متاع عيد ميلاد ماما").tokens)
    assert not family_surprise(normalize("عندي ليك المفاجأة، ما تقول لحد").tokens)
