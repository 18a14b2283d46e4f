"""Conversations: stage cues add up across messages; state is bounded and holds no text."""

from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.conversations import CONVERSATION_RULE, FADE_AFTER, ConversationStore, summarize
from himaya.core.model import Model

FIXTURES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture
def fx():
    return Scanner.load(FIXTURES)


def test_two_cues_that_are_harmless_alone_warn_together(fx):
    conv = fx.conversation("chat-1")
    first = conv.add("salut ça va")
    assert not first.risk and first.conversation["stages"] == []
    cue = conv.add("envoie moi une photo")  # image-request, low: a cue, not a warning
    assert not cue.risk and cue.conversation["stages"] == ["image-request"]
    link = conv.add("et viens ici t.me/+AbCd000")  # closed-group-invite, low
    assert link.risk and link.severity == "high"  # image-request is a serious stage
    info = link.conversation
    assert info["alert"] and info["stages"] == ["image-request", "closed-group-invite"]
    assert info["started_at"] == 1 and info["alert_at"] == 2 and info["message_index"] == 2
    assert link.matches[0].rule == CONVERSATION_RULE
    assert set(link.matches[0].explain) == {"child", "parent"}


def test_separate_conversations_do_not_mix(fx):
    fx.conversation("a").add("envoie moi une photo")
    v = fx.conversation("b").add("t.me/+AbCd000")
    assert not v.risk and v.conversation["stages"] == ["closed-group-invite"]


def test_a_risky_message_alone_sets_the_alert_index(fx):
    conv = fx.conversation("c")
    conv.add("bonjour")
    v = conv.add("ajoute moi sur snap")
    assert v.risk and v.conversation["alert_at"] == 1


def test_state_holds_cue_ids_and_times_never_text(fx):
    conv = fx.conversation("d")
    conv.add("envoie moi une photo de toi stp")
    state = fx.conversations._states["d"]
    assert all(isinstance(stage, str) and isinstance(i, int) for stage, i, _ in state.cues)
    assert "photo" not in repr(state)


def test_store_is_bounded_and_expires():
    store = ConversationStore(cap=3, ttl_seconds=60)
    sc = Scanner.load(FIXTURES)
    for i in range(10):
        store.get(f"c{i}", sc)
    assert len(store) == 3 and set(store._states) == {"c7", "c8", "c9"}
    store._states["c7"].touched -= 120
    store.get("c10", sc)
    assert "c7" not in store._states


@pytest.mark.parametrize("bad", ["", "x" * 300, None, 42])
def test_conversation_ids_are_checked(fx, bad):
    with pytest.raises(ValueError):
        fx.conversation(bad)


def test_summarize_threshold():
    assert summarize([("age-probe", 0, 0.0)])["alert"] is False
    assert summarize([("age-probe", 0, 0.0), ("age-probe", 3, 0.0)])["alert"] is False
    two = summarize([("age-probe", 0, 0.0), ("move-to-private", 4, 0.0)])
    assert two["alert"] and two["started_at"] == 0 and two["stages"] == ["age-probe", "move-to-private"]


def test_a_serious_stage_asked_again_in_a_later_message_adds_up():
    once = summarize([("secrecy-isolation", 2, 0.0)], repeated=set())
    again = summarize([("secrecy-isolation", 2, 0.0)], repeated={"secrecy-isolation"})
    assert not once["alert"] and again["alert"] and again["started_at"] == 2
    # only the serious stages: classmates asking twice for a Snapchat name stay a cue
    assert not summarize([("move-to-private", 1, 0.0)], repeated={"move-to-private"})["alert"]


def test_a_stage_shown_after_the_child_said_they_are_a_minor_weighs_more():
    told = {"minor-age": 3}
    after = summarize([("move-to-private", 4, 0.0)], told)
    before = summarize([("move-to-private", 2, 0.0)], told)
    among_classmates = summarize([("move-to-private", 4, 0.0)], told, context={"peer"})
    assert after["alert"] and after["started_at"] == 4
    assert not before["alert"] and not among_classmates["alert"]


def test_moving_the_chat_after_the_child_said_13_warns_where_among_classmates_it_does_not(shipped):
    stranger = shipped.conversation("minor-then-move")
    assert not stranger.add("do u sell commissions?", speaker="other").risk
    assert not stranger.add("not yet im 13", speaker="child").risk
    assert stranger.add("np, add me on telegram", speaker="other").risk
    classmates = shipped.conversation("peers-then-move")
    classmates.add("how old r u", speaker="other")
    classmates.add("13 u?", speaker="child")
    classmates.add("same 13", speaker="other")
    assert not classmates.add("add me on telegram", speaker="other").risk


@pytest.mark.parametrize("shrug", ["pas grave, au contraire 😉", "age is just a number", "mouch mochkla", "بالعكس"])
def test_the_other_side_waving_away_a_childs_age_warns(shipped, shrug):
    conv = shipped.conversation(f"shrug-{shrug}")
    conv.add("salut, on cherche des jeunes pour un job cet ete", speaker="other")
    conv.add("j'ai 14 ans, c'est un probleme ?", speaker="child")
    verdict = conv.add(shrug, speaker="other")
    shipped.conversations.forget(conv.id)
    assert verdict.risk and "trust-flattery" in verdict.conversation["stages"], verdict.conversation


def test_a_shrug_without_a_childs_age_or_long_after_it_is_nothing(shipped):
    adult = shipped.conversation("shrug-adult")
    adult.add("on cherche des jeunes pour un job cet ete", speaker="other")
    adult.add("j'ai 19 ans, c'est un probleme ?", speaker="child")
    assert not adult.add("pas grave, au contraire", speaker="other").risk
    later = shipped.conversation("shrug-later")
    later.add("j'ai 14 ans", speaker="child")
    for text in ("cool", "t'as vu le match", "oui"):
        later.add(text, speaker="other")
    assert not later.add("pas grave", speaker="other").risk  # three messages on: about something else
    for conv in (adult, later):
        shipped.conversations.forget(conv.id)


def test_a_bare_yes_to_are_you_alone_is_a_disclosure(shipped):
    def chat(reply, question="wa7dek?"):
        conv = shipped.conversation(f"alone-{reply}-{question}")
        conv.add(question, speaker="other")
        conv.add(reply, speaker="child")
        verdict = conv.add("waldik wa9tech yrawwa7ou?", speaker="other")
        shipped.conversations.forget(conv.id)
        return verdict

    said_yes = chat("eh")
    assert said_yes.risk and "alone" in said_yes.conversation["disclosures"], said_yes.conversation
    assert "alone" not in chat("la, m3a ommi").conversation["disclosures"]
    assert "alone" not in chat("eh", question="wa7dek ki tetfarrej wala m3a s7abek").conversation["disclosures"]  # no question


def disclosed_after(shipped, question, reply):
    """What the child disclosed by answering the other side's question with reply."""
    conv = shipped.conversation(f"answer-{question}-{reply}")
    conv.add(question, speaker="other")
    verdict = conv.add(reply, speaker="child")
    shipped.conversations.forget(conv.id)
    return verdict.conversation["disclosures"]


@pytest.mark.parametrize("question, reply, away", [
    ("ماماك ترجع وقتاش من الخدمة؟", "الستة", True),  # the hour she comes back
    ("et ton père ?", "en voyage", True),
    ("ur mom works late?", "ya till 7", True),
    ("ta mère va mieux ?", "oui merci", False),
    ("ماماك ترجع وقتاش؟", "ما نعرفش، علاش تسأل؟", False),  # no answer: a question back
])
def test_a_short_answer_about_the_parents_is_a_disclosure(shipped, question, reply, away):
    assert ("parents-away" in disclosed_after(shipped, question, reply)) is away


@pytest.mark.parametrize("question, reply, alone", [
    ("chkoun m3ak fi dar tawa?", "7atta 7ad", True),
    ("qui regarde ton téléphone chez toi ?", "personne", True),
    ("شكون معاك في الدار؟", "انا برك", True),
    ("who's home with u?", "just me rn", True),
    ("qui est avec toi ?", "ma sœur et ma mère", False),
    ("chkoun rbe7 el match?", "7atta 7ad, ta3adel", False),  # not who is with the reader
])
def test_nobody_in_answer_to_who_watches_is_being_alone(shipped, question, reply, alone):
    assert ("alone" in disclosed_after(shipped, question, reply)) is alone


@pytest.mark.parametrize("reply, alone", [
    ("leave me alone", False),  # pushing the other side away, not being alone at home
    ("laisse-moi seule", False),
    ("خليني وحدي", False),
    ("5alini wa7di", False),
    ("je suis seule", True),
    ("ana wa7di tawa", True),
])
def test_asking_to_be_left_alone_is_not_being_alone(shipped, reply, alone):
    assert ("alone" in disclosed_after(shipped, "hey", reply)) is alone


@pytest.mark.parametrize("question, reply, minor", [
    ("3andek 12 sna?", "ey", True),
    ("t'as 13 ans c'est ça ?", "oui", True),
    ("t'es en 6e ?", "ouais", True),
    ("t'es dans la 9ème B ?", "oui, et toi ?", False),  # asked back: classmates
    ("t'as 20 ans ?", "oui", False),  # an adult's age
])
def test_yes_to_a_guessed_age_under_18_is_a_disclosure(shipped, question, reply, minor):
    assert ("minor-age" in disclosed_after(shipped, question, reply)) is minor


def test_the_other_side_insisting_on_a_picture_warns_where_one_request_does_not(fx):
    conv = fx.conversation("insist")
    first = conv.add("envoie moi une photo", speaker="other")  # image-request, low
    between = conv.add("non", speaker="child")
    same_message_twice = fx.conversation("once").add("envoie moi une photo, envoie moi une photo", speaker="other")
    assert not first.risk and not between.risk and not same_message_twice.risk
    again = conv.add("allez envoie moi une photo", speaker="other")
    assert again.risk and again.matches[0].rule == CONVERSATION_RULE
    assert again.conversation["stages"] == ["image-request"] and again.conversation["started_at"] == 0


def test_cues_of_different_stages_add_up_within_one_message(fx):
    alone = fx.scan("envoie moi une photo")
    assert not alone.risk and alone.severity == "low"
    both = fx.scan("envoie moi une photo et viens ici t.me/+AbCd000")
    assert both.risk and both.severity == "high"
    assert both.matches[0].rule == CONVERSATION_RULE
    assert {m.category for m in both.matches[1:]} == {"image-request", "closed-group-invite"}


def test_a_flood_of_one_stage_cannot_push_an_earlier_stage_out(fx):
    """Issue 17: a few hundred lines must not end protection. Each stage is kept
    once, from its first message, so an early stage survives any flood until it
    fades (FADE_AFTER messages after it was last seen, as every stage does)."""
    conv = fx.conversation("wa:flooded")
    conv.add("envoie moi une photo")  # image-request, message 0
    for i in range(FADE_AFTER - 1):
        conv.add(" ".join(f"rejoins t.me/+Flood{i:03d}{k}000" for k in range(4)))  # closed-group-invite, again and again
    late = conv.add("t.me/+Last000")
    assert late.risk and late.conversation["alert"]
    assert late.conversation["stages"] == ["image-request", "closed-group-invite"]
    assert late.conversation["started_at"] == 0 and late.conversation["message_index"] == FADE_AFTER
    assert len(fx.conversations._states["wa:flooded"].cues) == 2
    # hundreds more: the stage that keeps coming stays, the one that stopped fades, one cue each
    for i in range(300):
        flood = conv.add(f"rejoins t.me/+More{i:03d}000")
    assert flood.conversation["stages"] == ["closed-group-invite"] and flood.conversation["started_at"] is None
    assert len(fx.conversations._states["wa:flooded"].cues) == 2
    again = conv.add("envoie moi une photo")  # seen again: it counts from this message
    assert again.conversation["alert"] and again.conversation["stages"] == ["closed-group-invite", "image-request"]
    assert again.conversation["started_at"] == 1


def test_switching_chats_keeps_each_chats_stages(fx):
    """A single-address site (WhatsApp Web): the person goes from chat to chat
    and back; each conversation id keeps its own stages."""
    fx.conversation("whatsapp:21600000001@c.us").add("envoie moi une photo")
    for other in range(30):
        fx.conversation(f"whatsapp:2160000{other:04d}@c.us").add("on se voit au match samedi ?")
    back = fx.conversation("whatsapp:21600000001@c.us").add("et viens ici t.me/+AbCd000")
    assert back.risk and back.conversation["stages"] == ["image-request", "closed-group-invite"]


def test_default_store_is_bounded_in_memory():
    import tracemalloc

    sc = Scanner.load(FIXTURES)
    sc.scan("envoie moi une photo et viens ici t.me/+AbCd000")  # libraries loaded on first use are not state
    store = ConversationStore()
    assert store.cap == 2_000
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(store.cap + 500):
        conv = store.get(f"site:{'x' * 200}{i:06d}", sc)
        conv.add("envoie moi une photo et viens ici t.me/+AbCd000")
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(store) == store.cap
    assert used < 4 * 1024 * 1024, f"{used} bytes for {store.cap} conversations"


def test_with_the_shipped_model_a_conversation_stays_a_few_kilobytes():
    """The model's window (the last messages' feature ids) is the largest part of a
    conversation's state: kept as 4-byte ids, the 2 000 conversations stay under 10 MB."""
    import tracemalloc

    sc = Scanner.load()  # the shipped rules and model
    assert sc.model is not None
    lines = ["Le bus passe à 8h, n'oublie pas ton cartable", "quel âge as-tu ?",
             "Le cours de maths samedi, merci !", "envoie moi une photo de toi"]
    warm = ConversationStore().get("warm", sc)
    for line in lines:  # the normalizer's caches are not the conversations'
        warm.add(line)
    store, n = ConversationStore(), 100
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        conv = store.get(f"whatsapp:{'x' * 200}{i:06d}", sc)
        for line in lines:
            conv.add(line)
    per_conversation = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    assert len(store._states[f"whatsapp:{'x' * 200}{0:06d}"].recent) == len(lines)
    assert per_conversation * store.cap < 10 * 1024 * 1024, f"{per_conversation:.0f} bytes a conversation"


# -- a sentence typed as a burst of messages ----------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return Scanner.load()


def test_a_threat_typed_over_two_messages_warns_on_the_second(shipped):
    """What one person holds, then what happens if: each message alone is harmless,
    together they are the threat; the second message warns, its own words highlighted."""
    held, condition = "j'ai encore tes photos", "tu veux que ta mère les voie ?"
    assert not shipped.scan(held).risk and not shipped.scan(condition).risk
    conv = shipped.conversation("burst-1")
    assert not conv.add(held, speaker="other").risk
    verdict = conv.add(condition, speaker="other", before=[held])
    assert verdict.risk and verdict.matches[0].category == "blackmail-threat"
    assert all(0 <= a < b <= len(condition) for m in verdict.matches for a, b in m.spans), "spans in this message"
    # the same two messages, the child answered between them: the caller passes the first
    # over the reply (content/units.js, corpus.recent_words), and the threat still warns
    # (the rules alone here: the model's window over the last messages may see the threat too)
    rules_only = Scanner(shipped.ruleset, signals="rules", index=shipped.index)
    other = rules_only.conversation("burst-2")
    other.add(held, speaker="other")
    other.add("quoi ?", speaker="child")
    assert not other.add(condition, speaker="other").risk  # nothing passed: each message alone
    again = shipped.conversation("burst-2b")
    again.add(held, speaker="other")
    again.add("quoi ?", speaker="child")
    assert again.add(condition, speaker="other", before=[held]).risk
    # after ordinary talk, the model's window of the last four messages reads as ordinary; it
    # quiets only what reads as ordinary itself, and a burst is read whole
    later = shipped.conversation("burst-3")
    for line in ("La réunion des parents est à 17h15, c'est noté", "Il pleut, prends un parapluie"):
        later.add(line, speaker="other")
    later.add(held, speaker="other")
    verdict = later.add(condition, speaker="other", before=[held])
    assert verdict.risk and "quieted" not in verdict.signals["model"], verdict.signals


def test_an_answer_to_the_childs_own_question_starts_a_turn_of_its_own(shipped):
    """The grandmother's "say nothing to your sister" and, after the child asks for a cake,
    her "of course, and tell your mother I'm coming" are two turns: read as one burst they
    made "say nothing ... your mother". A "really?" from the child, a plain thanks, or a
    refusal of what the child asked keep the burst whole."""
    rules_only = Scanner(shipped.ruleset, signals="rules", index=shipped.index)
    first = "je passe dimanche avec un petit billet, ne dis rien à ta sœur"
    answer = "bien sûr, et dis à ta mère que j'arrive vers midi"
    assert [m.rule for m in rules_only.across([first], answer)] == ["HIM-SEC-001"]  # what the burst would read

    def third(reply: str, text: str = answer):
        conv = rules_only.conversation(f"turn-{reply}-{text}")
        conv.add(first, speaker="other")
        conv.add(reply, speaker="child")
        return conv.add(text, speaker="other", before=[first])

    asked = third("tu peux apporter le gâteau ?")
    assert not asked.risk and asked.conversation["stages"] == []
    assert third("c'est vrai ??").risk  # "really?": the answer goes on with the same pitch
    assert third("merci").risk  # no question: the caller's burst stands
    assert third("tu peux apporter le gâteau ?", "non, et dis à ta mère que j'arrive vers midi").risk


def test_an_age_question_and_a_snap_wait_for_the_childs_answer(shipped):
    """Classmates swap Snapchat names and ages on first contact: the two stages alone wait
    for the child's answer. An age under 18 told to the other side warns at its next
    message; the swap of ages explains both; "alone at home?" is more than an age, and
    does not wait."""
    rules_only = Scanner(shipped.ruleset, signals="rules", index=shipped.index)
    snap = "ta3tini snap mte3ek? bech nab3athlek el résumé"

    def chat(name, lines):
        conv = rules_only.conversation(f"swap-{name}")
        return [conv.add(text, speaker=who).risk for who, text in lines]

    told = chat("told", [("other", snap), ("child", "ok c'est lina.000"), ("other", "t'as quel âge ?"),
                         ("child", "14"), ("other", "cool, on parle là-bas ce soir")])
    assert told == [False, False, False, False, True]
    swapped = chat("swapped", [("other", snap), ("child", "ok c'est lina.000, w enti ?"),
                               ("other", "t'as quel âge d'ailleurs ?"), ("child", "15 et toi ?"),
                               ("other", "15 aussi, on est au même lycée")])
    assert not any(swapped)
    alone = chat("alone", [("other", snap), ("child", "ok c'est lina.000"), ("other", "tu es seule chez toi ce soir ?")])
    assert alone == [False, False, True]
    # in one message read alone, both together still warn
    assert rules_only.scan("t'as quel âge ? " + snap).risk


def test_what_the_caller_passes_as_the_other_sides_recent_words():
    from himaya.core.corpus import recent_words

    chat = [{"from": "a", "text": "1"}, {"from": "a", "text": "2"}, {"from": "b", "text": "who?"},
            {"from": "a", "text": "3"}, {"from": "b", "text": "?"}, {"from": "b", "text": "??"},
            {"from": "b", "text": "???"}, {"from": "b", "text": "????"}, {"from": "a", "text": "4"}]
    assert recent_words(chat, 3, child="b") == ["1", "2"]  # over the child's reply, at most two
    assert recent_words(chat, 2, child="b") == []  # the child's own message
    assert recent_words(chat, 8, child="b") == ["3"]  # four replies later: five messages back, in reach
    longer = chat[:8] + [{"from": "b", "text": "?????"}, {"from": "a", "text": "5"}]
    assert recent_words(longer, 9, child="b") == []  # five replies later: out of reach
    assert recent_words(chat, 3, child=None) == []  # speakers unknown: anyone may be the child


def test_built_across_messages_only_what_the_replies_do_not_explain(shipped):
    """A cue built up from several of the other side's messages warns only at medium or
    above, and never for a stage the chat's context already explains (a grandmother)."""
    age, gift = "9adech wallit 3omrek taw?", "b3athtlek recharge w mahba sghira"
    photo = "w ab3athli taswira bel 7wayej el jdod ki tlabeshom"
    assert not shipped.scan(photo).matches  # alone, nothing: the stages come from the messages before
    built = shipped.across([age, gift], photo)
    assert any(m.severity == "high" for m in built)

    def chat(reply):
        conv = shipped.conversation(f"burst-{reply}")
        conv.add(age, speaker="other")
        conv.add(reply, speaker="child")
        conv.add(gift, speaker="other", before=[age])
        verdict = conv.add(photo, speaker="other", before=[age, gift])
        shipped.conversations.forget(conv.id)
        return verdict

    assert chat("12").severity == "high"  # a stranger: age, a gift, then a photo
    granny = chat("12 mamie")
    assert not granny.risk and granny.conversation["context"] == ["family"]


def test_a_burst_reads_only_the_other_sides_words_and_adds_only_what_crosses(shipped):
    conv = shipped.conversation("burst-3")
    plain = conv.add("à 15h avec toute l'équipe", speaker="other", before=["on se retrouve au stade samedi"])
    assert not plain.risk, [m.rule for m in plain.matches]
    # the child's own burst never warns the child
    child = conv.add("tu veux que ta mère les voie ?", speaker="child", before=["j'ai encore tes photos"])
    assert not child.risk and not child.matches
    # signals="model" leaves the rules out, in a burst too
    model_only = Scanner.load(signals="model").conversation("burst-4")
    verdict = model_only.add("tu veux que ta mère les voie ?", speaker="other", before=["j'ai encore tes photos"])
    assert not any(m.rule.startswith("HIM-") for m in verdict.matches)


class _ReadsTheWindow:
    """A stand-in model: each message alone is unclear to it (benign 0.5); the
    conversation's last messages together, which carry the feature id 0 of the
    first message ("le match de samedi"), it reads as ordinary (benign 0.95)."""

    thresholds = {"move-to-private": 0.6}
    enabled = {"move-to-private": True}

    def __init__(self, known=1.0):
        self.known = known

    def feature_ids(self, n, kind):
        return frozenset({0} if "match" in n.tokens else {len(n.tokens) + 1})

    def probabilities(self, ids):
        benign = 0.95 if 0 in ids and len(ids) > 1 else 0.5
        return {"move-to-private": 0.02, "benign": benign}

    def known_share(self, tokens):
        return self.known

    pick = Model.pick


def test_after_ordinary_talk_a_message_that_is_risky_itself_still_warns(shipped):
    """The window of the last four messages reads as ordinary after small talk; it quiets
    only a message that leans ordinary itself (QUIET_WINDOW_OWN)."""
    conv = shipped.conversation("evening")
    for line in ("La réunion des parents est à 17h15, c'est noté", "Il pleut, prends un parapluie",
                 "On mange chez mamie dimanche"):
        assert not conv.add(line, speaker="other").risk
    verdict = conv.add("ajoute moi sur snap : sami_x000, on parle en privé", speaker="other")
    assert verdict.risk and "quieted" not in verdict.signals["model"], verdict.signals


def test_the_model_never_quiets_a_long_text():
    """In a long text, ordinary words drown one sentence: a stand-in model that reads
    everything as ordinary quiets a short message, never 60 words and more."""
    sc = Scanner.load(FIXTURES)
    sc.model = _ReadsTheWindow()
    sc.model.probabilities = lambda ids: {"move-to-private": 0.02, "benign": 0.95}
    assert not sc.scan("le match de samedi: ajoute moi sur snap").risk
    long = sc.scan("ajoute moi sur snap " + "le match de samedi est à 10h, " * 12)
    assert long.risk and "quieted" not in long.signals["model"]


@pytest.mark.parametrize("known, quieted", [(1.0, True), (0.3, False)])
def test_the_models_window_quiets_a_rules_warning_in_an_ordinary_conversation(known, quieted):
    sc = Scanner.load(FIXTURES)
    sc.model = _ReadsTheWindow(known)
    alone = sc.conversation("alone").add("ajoute moi sur snap", speaker="other")
    assert alone.risk  # (one message: no window, and the message alone is unclear to the model)
    conv = sc.conversation("club")
    conv.add("le match de samedi est à 10h", speaker="other")
    verdict = conv.add("ajoute moi sur snap", speaker="other")
    assert verdict.risk is not quieted
    assert verdict.signals["model"].get("quieted", False) is quieted
    if quieted:  # kept as the conversation's cue
        assert verdict.severity == "low" and verdict.conversation["stages"] == ["move-to-private"]


def test_in_a_family_chat_a_secret_called_a_surprise_is_the_familys(shipped):
    asked = "قداش عمرك توا؟ نسيت، باش نشريلك كادو"

    def chat(last):
        conv = shipped.conversation(f"surprise-{last}")
        conv.add(asked, speaker="other")
        conv.add("ستاش يا خالتي 😂", speaker="child")  # the child calls her "auntie"
        verdict = conv.add(last, speaker="other", before=[asked])
        shipped.conversations.forget(conv.id)
        return verdict

    assert not chat("تحب بلايستيشن ولا تلفون؟ ما تقولش لماماك، نحبها سوربريز").risk
    assert chat("تحب بلايستيشن ولا تلفون؟ ما تقولش لماماك").risk  # the same secret, not called a surprise


def test_the_age_then_whether_the_parents_are_home_in_two_messages_warns(shipped):
    """The supervision probe spread over a chat: the age asked, a reply that gives nothing,
    then where the parents are. Either question alone, or the age with a question about
    school, stays a cue."""
    def chat(second):
        conv = shipped.conversation(f"probe-{second}")
        conv.add("how old r u btw?", speaker="other")
        conv.add("why", speaker="child")
        verdict = conv.add(second, speaker="other")
        shipped.conversations.forget(conv.id)
        return verdict

    assert chat("are ur parents home rn?").risk
    assert chat("wa7dek fel dar taw?").risk
    assert not chat("lol ok. did u see the match yesterday?").risk
    alone = shipped.conversation("probe-parents-only")
    alone.add("salut", speaker="other")
    alone.add("salut", speaker="child")
    assert not alone.add("tes parents sont à la maison ?", speaker="other").risk
    shipped.conversations.forget(alone.id)


def test_where_the_page_does_not_show_who_speaks_the_two_probes_still_add_up(shipped):
    """Speakers unknown: no reply is read as the child's, but the age asked and then who
    looks at the phone, each a question, are the same probe spread over the chat."""
    conv = shipped.conversation("probe-unknown")
    for text in ("salut t'as quel âge ?", "13"):
        assert not conv.add(text, speaker="unknown").risk
    assert conv.add("ok. et tes parents regardent ton tel des fois ?", speaker="unknown").risk
    shipped.conversations.forget(conv.id)
    plain = shipped.conversation("probe-unknown-plain")
    for text in ("salut t'as quel âge ?", "13", "ok. tu joues à quoi ce soir ?"):
        assert not plain.add(text, speaker="unknown").risk
    shipped.conversations.forget(plain.id)
