"""Grooming builds up across messages: per-conversation stage cues.

One "how old are you?" is ordinary; age probing, flattery, secrecy and a move
to a private app within one conversation is the pattern (docs/DESIGN.md). Each
conversation keeps which stages were seen and in which message each first
appeared, never the text. State is bounded: one cue per stage (at most a
dozen, so no flood of messages can push an earlier stage out), at most
``ConversationStore.cap`` conversations (least recently used forgotten first)
and an idle expiry of a day. A stage fades once ``FADE_AFTER`` messages have
passed since it was last seen; seen again after that, it counts from its new
first message. A WhatsApp Web evening switching between chats keeps every
chat's stages: they are keyed by the extension's conversation id
(``<site>:<the site's chat id>``), not by the page address.

A conversation warns when the stages seen so far weigh at least `THRESHOLD`
and at least two different stages are present, even if no single message
would; it then says which message started it and which stages were seen.
"""

from __future__ import annotations

import re
import threading
import time
from array import array
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from himaya.core.matcher import MAX_TEXT, Match, Verdict
from himaya.core.disclosures import (asks_alone, asks_parents, asks_who_watches, disclosed, minor_age, says_away,
                                     says_nobody, says_yes, school_grade, shrugs_off_age)
from himaya.core.normalize import normalize
from himaya.core.reasons import REASONS, confides, own_reasons, same_age
from himaya.core.relationship import (addressed_kin, answers_first, asks_age, asks_back, asks_if_true, asks_to_register,
                                      called_first, class_group, discounted, family_surprise, guardian_in_loop,
                                      is_question, parent_called_back, parent_informed, peer_answer, relative_shown,
                                      role_vocative, signed_as_kin, SURPRISE, teen_age_given, young_age)
from himaya.core.rules.schema import SEVERITY_RANK

# core/model.py says the same (a test keeps them equal); not imported, so that
# numpy loads only when a list carries a model.
WINDOW = 4  # messages a conversation's model score looks back over

# How much each stage says about grooming once another stage is present.
STAGE_WEIGHT = {
    "age-probe": 1.0, "trust-flattery": 1.0, "secrecy-isolation": 1.5, "move-to-private": 1.0,
    "gifts-money": 1.0, "image-request": 1.5, "meeting-request": 1.5, "blackmail-threat": 2.0,
    "closed-group-invite": 1.0, "recruitment": 1.0, "services-ad": 1.0, "network-page": 1.0,
}
THRESHOLD = 2.0
MAX_STAGES = 32  # more than there are stages (categories): a bound, never a cut
SERIOUS = {"image-request", "meeting-request", "blackmail-threat", "secrecy-isolation"}
REPEAT_WEIGHT = 0.5  # a serious stage shown again in a later message (see summarize)
# The age asked, then (or before) whether the child is alone or watched, in two messages:
# the supervision probe spread over a chat (see summarize). Session 22, on the older sets:
# eight more risky chats warned before their last message, no ordinary chat.
SUPERVISION_WEIGHT = 1.0
CONVERSATION_RULE = "combined-stages"

TITLE = {
    "fr": "Plusieurs signes inquiétants ensemble",
    "ar": "عدة علامات مقلقة معًا",
    "en": "Several worrying signs together",
}
EXPLAIN = {
    "child": {
        "fr": "Tu n'as rien fait de mal. Ici, quelqu'un utilise plusieurs astuces "
              "connues pour gagner ta confiance. Ne réponds pas, n'envoie pas de photo, ne change pas "
              "d'application, et parles-en à un adulte de confiance. Tu peux aussi appeler le 1809.",
        "ar": "لم تفعل أي خطأ. هنا يستعمل شخص عدة حيل معروفة لكسب ثقتك. لا تردّ، لا ترسل صورًا، "
              "لا تنتقل إلى تطبيق آخر، وتحدّث مع شخص بالغ تثق به. يمكنك أيضًا الاتصال بالرقم 1809.",
        "en": "You have done nothing wrong. Here someone is using several known tricks to "
              "win your trust. Don't answer, don't send photos, don't move to another app, and tell an "
              "adult you trust. You can also call 1809.",
    },
    "parent": {
        "fr": "Plusieurs étapes connues de la manipulation d'enfants apparaissent ensemble, dans le même "
              "message ou la même conversation (voir les étapes). Parlez calmement avec votre enfant, sans reproche, ne "
              "supprimez rien et signalez la conversation (bouton Signaler, ligne 1809 ou l'association).",
        "ar": "ظهرت معًا، في نفس الرسالة أو نفس المحادثة، عدة مراحل معروفة من استدراج الأطفال (انظر المراحل). تحدّث مع طفلك بهدوء "
              "ودون لوم، لا تحذف شيئًا، وبلّغ عن المحادثة (زر الإبلاغ، الرقم 1809 أو الجمعية).",
        "en": "Several known stages of child grooming appear together, in one message or one conversation (see the stages). "
              "Talk with your child calmly and without blame, delete nothing, and report the conversation "
              "(Report button, the 1809 line or the NGO).",
    },
}


SPEAKERS = ("other", "child", "unknown")
# A child's disclosure weighs this much once the other side shows a stage: the
# same question means more once the child has said they are 13 and alone.
DISCLOSURE_WEIGHT = 0.5
# A stage the other side first shows after the child has said they are a minor
# weighs this much more: whoever goes on to move the chat, ask for a picture or a
# meeting knows they are talking to a child (not among classmates or family).
AFTER_MINOR_WEIGHT = 0.5
FADE_AFTER = 40  # cues older than this many messages no longer count
# A person types one sentence as a burst of short messages: the rules read the other
# side's last BURST messages together (only evidence that crosses a message boundary
# is added; each message is still judged on its own).
BURST = 3
# ...and so does one who speaks over the child's short replies ("I still have your
# pictures" / "who is this" / "pay, or they go to your school's page"): the look-back
# passes over the child's messages, at most REACH messages back.
REACH = 5
# In a chat, "how old are you?" or "are you alone?" alone is ordinary (classmates
# ask it, a grandmother asks it): asked before the child has disclosed anything,
# it is a cue, not a warning, until another stage follows or the child answers it
# (an age under 18, alone, parents away) without asking it back: the answer is a
# disclosure of its own, so with what was disclosed it adds a full stage's weight.
# Where the page does not show who speaks, no answer can be read as the child's:
# the question then waits for another stage (teenagers ask each other's age far
# more often than anyone else does).
ANSWERED = "answered"
# An age question and a move to Snapchat, and no other stage: what classmates swap on first
# contact ("t'as quel âge ? passe ton snap"). In a chat the two wait for the child's answer
# too: an age under 18 said to the other side warns; the swap of ages classmates make explains
# both. Not when the other side probed more than the age (alone? the parents? which school?),
# and a unit read alone with both still warns.
SWAP = frozenset({"age-probe", "move-to-private"})
FAMILY = frozenset({"family", "relative"})  # contexts where the other side is the child's family


@dataclass(slots=True)  # thousands live at once: no per-instance dict
class _State:
    # One cue per stage: (stage, the message where it first appeared, time), so a
    # flood of one stage cannot push an earlier stage out.
    cues: list[tuple[str, int, float]] = field(default_factory=list)
    last_seen: dict = field(default_factory=dict)  # stage -> the last message that showed it (for fading)
    # The model's feature ids of the last few messages (numbers, not words), so
    # the model can read a conversation as a whole, the way it was trained.
    recent: deque = field(default_factory=lambda: deque(maxlen=WINDOW))
    disclosures: dict = field(default_factory=dict)  # kind -> message index where the child said it
    last_age_question: int = -10
    # Who the other side is, as the replies show it (relationship.py): "family", "peer",
    # "school", "guardian", "relative", "surprise".
    context: frozenset = frozenset()  # (frozensets: the shared empty one costs a conversation nothing)
    asked_back: int = -10  # the message where the age question was turned around
    offered_age: int = -10  # the message where the other side gave its own teen age
    swap_age: int | None = None  # the age given with the question turned around, or the one offered
    answered_age: int = -10  # the message where the child answered an age question with its age
    asked_alone: int = -10  # the message where the other side asked "alone?"
    asked_parents: int = -10  # the message where the other side asked about the reader's parents
    asked_watcher: int = -10  # the message where it asked who is with the reader or sees its phone
    asked_age: int = -10  # the message where the other side asked the reader's age itself
    guessed_age: int = -10  # the message where it asked whether the reader is of an age under 18 ("t'as 13 ans ?")
    child_asked: int = -10  # the child's last message that asked a question
    probed_more: bool = False  # an age-probe stage other than a plain age question (see SWAP)
    repeated: frozenset = frozenset()  # stages shown again in a later message, not faded since
    count: int = 0
    alert_at: int | None = None
    touched: float = 0.0


def _seen(st: _State, stage: str, index: int, now: float) -> None:
    """Note a stage cue in message ``index``: a stage counts from its first message;
    later ones only keep it from fading. Once faded, it starts again from this message."""
    last = st.last_seen.get(stage)
    if last is None or index - last > FADE_AFTER:
        st.cues = [c for c in st.cues if c[0] != stage]
        st.cues.append((stage, index, now))
        if stage in st.repeated:
            st.repeated -= {stage}
    elif index != last and stage not in st.repeated:
        st.repeated |= {stage}
    st.last_seen[stage] = index


class Conversation:
    """Feed messages in order with `add(text, speaker=...)`; each returns that
    message's verdict, raised to a warning when the conversation as a whole
    crosses the threshold.

    `speaker` is who wrote the message, as the site shows it: "other" (the
    other party), "child" (the person at this computer) or "unknown". The
    child's own words are context, not cues: what they disclose (an age under
    18, being alone, parents away) makes the other side's stages weigh more.
    """

    def __init__(self, conversation_id: str, scanner, state: _State, lock: threading.Lock):
        self.id = conversation_id
        self._scanner = scanner
        self._state = state
        self._lock = lock

    def add(self, text: str, url: str | None = None, speaker: str = "unknown", before=()) -> Verdict:
        """`before`: the other side's last messages before this one, passing over
        the child's replies (at most BURST - 1, oldest first, from the last REACH
        messages), as the page shows them: a sentence typed as a burst, or a threat
        spoken over the child's "who is this?", is read whole. The caller holds them
        (the extension's page, corpus.recent_words for a thread); nothing here keeps them."""
        if speaker not in SPEAKERS:
            raise ValueError(f"speaker must be one of {', '.join(SPEAKERS)}")
        # one normalization for the scan, the model and the replies read below
        n = normalize(text) if len(text) <= MAX_TEXT else None
        verdict, ids = self._scanner.assess(text, kind="message", url=url, normalized=n)
        own_ids = ids  # the window quiets only a message that reads as ordinary itself
        if speaker == "child":
            verdict = Verdict()  # the child's own words never warn the child; they are context
        elif speaker == "other" and before and self._scanner.signals != "model" and not (
                n is not None and self._state.child_asked == self._state.count - 1 and answers_first(n.tokens)):
            # (a message that opens by answering the child's question, "bien sûr" to "tu
            # ramènes les makrouds ?", starts a turn of its own: not read on from before it)
            # what the replies already explain (a grandmother's photo request, a club's fee)
            # is not built up from several messages either
            ignored = discounted(self._state.context)
            recent = list(before)[-(BURST - 1):]
            found = self._scanner.across(recent, text)
            alone = verdict
            verdict = _with_burst(verdict, [m for m in found if m.category not in ignored])
            if verdict is not alone and ids is not None:
                # a warning built across messages ("j'ai encore tes photos" / "tu veux que ta
                # mère les voie ?"): each piece reads as ordinary, so the burst is read whole
                own_ids = self._scanner.model.feature_ids(normalize("\n".join([*recent, text])), "message")
        now = time.time()
        st = self._state
        with self._lock:
            index = st.count
            st.count += 1
            st.touched = now
            if ids is not None:
                st.recent.append(array("I", ids))  # 4 bytes an id, not a set's: 2 000 windows stay small
            window = frozenset().union(*st.recent) if ids is not None and len(st.recent) > 1 else None
            if n is not None:  # the replies and the other side's words are read as context
                tokens = n.tokens
            elif speaker != "other" or index - max(st.asked_back, st.answered_age) <= 2:
                tokens = normalize(text[:MAX_TEXT]).tokens
            else:
                tokens = None
            if speaker == "child":
                if tokens and is_question(text) and not asks_if_true(tokens):
                    st.child_asked = index  # ("c'est vrai ??" asks the pitch to go on: no new turn)
                asked = index - st.last_age_question <= 2
                told = disclosed(tokens, replying_to_age_question=asked)
                for kind in told:
                    st.disclosures.setdefault(kind, index)
                swapped = 0 < index - st.offered_age <= 2 and peer_answer(tokens, st.swap_age)  # "i'm 13" - "13 too"
                if asked and told and not asks_back(tokens) and not swapped:
                    # answered the probe (an age under 18, alone, parents away) without
                    # turning it around or swapping ages (as classmates do)
                    st.disclosures.setdefault(ANSWERED, index)
                # "wa7dek?" - "eh"; "et ton père ?" - "en voyage": what the question named, answered
                for asked_at, answers, kind in ((st.asked_alone, says_yes, "alone"),
                                                # "3andek 12 sna?" - "ey" (not "oui, et toi ?": classmates)
                                                (st.guessed_age, _yes_not_back, "minor-age"),
                                                (st.asked_watcher, says_nobody, "alone"),
                                                (st.asked_parents, says_away, "parents-away")):
                    if 0 < index - asked_at <= 2 and answers(tokens):
                        st.disclosures.setdefault(kind, index)
                        st.disclosures.setdefault(ANSWERED, index)
            elif speaker != "child" and tokens and is_question(text):  # (unknown: either side may ask)
                if asks_alone(tokens):
                    st.asked_alone = index
                if asks_parents(tokens):
                    st.asked_parents = index
                if asks_who_watches(tokens):
                    st.asked_watcher = index
                if minor_age(tokens) or school_grade(tokens):
                    st.guessed_age = index
            _read_context(st, speaker, index, tokens, text)
            minor_at = st.disclosures.get("minor-age")
            if (speaker == "other" and minor_at is not None and 0 < index - minor_at <= 2 and tokens
                    and shrugs_off_age(tokens)):
                # told the child is 14, the other side carries on as if it were better
                _seen(st, "trust-flattery", index, now)
        if window and speaker != "child":  # (it may warn, or quiet what the rules warned about)
            self._scanner.window_signal(verdict, window, tokens, own_ids)
        # what this message's own words explain (a secret kept from a little brother, an
        # age the aunt forgot): for this message only, and read only when it has a stage
        # that such words can explain
        own = discounted(_own_context(text, tokens)) - _unexplained(tokens) if tokens is not None and any(
            m.category in OWN_EXPLAINS for m in verdict.matches) else set()
        with self._lock:
            explained = discounted(st.context)  # what the replies explain
            if tokens is not None and st.context & FAMILY and not SURPRISE.isdisjoint(tokens):
                # in a family chat, a secret the message itself calls a surprise ("ما تقولش لماماك،
                # نحبها سوربريز") is the family's, for this message only (st.context read under
                # the lock); a stranger's "surprise for you" has no such chat
                own = own | {"secrecy-isolation"}
            ignored = explained | own  # ... and this message's own words
            if speaker != "child" and verdict.risk and not st.disclosures and _age_question_only(verdict):
                as_cue(verdict)
            elif speaker != "child" and verdict.risk and _within(verdict, ignored):
                # the child has already called the other side "mamie" (a camera call, "how
                # old are you now?") or swapped ages as classmates do: that stage alone no
                # longer warns; any other stage, or a serious request, still does
                as_cue(verdict)
            if speaker != "child":
                for m in verdict.matches:
                    if m.category in own:
                        continue  # explained by the message itself: not a stage of the conversation
                    _seen(st, m.category, index, now)
                    if m.category == "age-probe":
                        st.last_age_question = index
                        if tokens is None or not asks_age(tokens):
                            st.probed_more = True  # alone? parents? school? more than the age
                        else:
                            st.asked_age = index
                del st.cues[:-MAX_STAGES]  # never reached: one cue per stage
            # (what this message's own words explain does not undo a stage an earlier message showed)
            live = [c for c in st.cues if index - st.last_seen[c[0]] <= FADE_AFTER and c[0] not in explained]
            supervision = st.asked_age >= 0 and max(st.asked_alone, st.asked_parents, st.asked_watcher) >= 0
            info = summarize(live, st.disclosures, st.repeated, st.context, swap_waits=not st.probed_more,
                             supervision=supervision)
            if st.alert_at is None and (info["alert"] or (verdict.risk and speaker != "child")):
                st.alert_at = index
            info["context"] = sorted(st.context)
            info["message_index"] = index
            info["alert_at"] = st.alert_at
        verdict.conversation = info
        if info["alert"] and not verdict.risk and speaker != "child":
            _raise_to_warning(verdict, info)
        return verdict

    @property
    def messages(self) -> int:
        return self._state.count


def _yes_not_back(tokens: list[str]) -> bool:
    return says_yes(tokens) and not asks_back(tokens)


def _read_context(st: _State, speaker: str, index: int, tokens: list[str] | None, text: str) -> None:
    """Family, peer or school, from the replies; a guardian brought in or a relative
    named by the other side (`_said_context`), a family surprise. With speakers
    unknown, any message may be the child's, or the other side's."""
    if tokens is None:
        return
    if family_surprise(tokens):
        st.context |= {"surprise"}
    if speaker != "other":
        if kin := addressed_kin(tokens) or called_first(tokens, text):  # "family", or "parent" too
            st.context |= {"family", kin}
        if role_vocative(tokens) or (speaker == "child" and (class_group(tokens) or asks_to_register(tokens))):
            st.context |= {"school"}
        if 0 < index - st.offered_age <= 2 and peer_answer(tokens, st.swap_age):
            st.context |= {"peer"}  # "how old r u? i'm 13" - "13 too lol"
        asked_age = asks_age(tokens) and is_question(text)
        if (asks_back(tokens) and (peer_answer(tokens) or asked_age or index - st.last_age_question <= 2)) or (
                speaker == "child" and asked_age):
            # the age question turned around ("14, et toi ?"; not "EU, et toi ?" about a game
            # server), or the child asked first ("how old r u? im 12")
            st.asked_back, st.swap_age = index, young_age(tokens)
            return
    if speaker == "child":
        if index - st.last_age_question <= 2 and (age := young_age(tokens)) is not None:
            st.answered_age, st.swap_age = index, age  # "t'as quel âge ?" - "j'ai 15"
        if confides(text, tokens):  # the child told a friend its crush: "our secret" is about that
            st.context |= {"confides"}
        return
    if 0 < index - st.asked_back <= 2 and peer_answer(tokens, st.swap_age):
        st.context |= {"peer"}  # (an adult's "17 😅" to a child's "13, et toi ?" is no classmate's)
    if 0 < index - st.answered_age <= 2 and teen_age_given(tokens) and peer_answer(tokens, st.swap_age):
        # "j'ai 15" - "moi 15 aussi": the asker gives a classmate's age. Its age question is
        # explained; not what else it asks (a fake peer's "me too, send your snap" still counts).
        st.context |= {"same-age"}
    if teen_age_given(tokens) or (asks_back(tokens) and peer_answer(tokens)):
        st.offered_age, st.swap_age = index, young_age(tokens)  # "i'm 13", or "13, et toi ?" to the child
    said = _said_context(text, tokens)  # (a surprise was read above, for either side)
    if confides(text, tokens):  # a crush on a named classmate, told to a friend: their secrets are that
        said.add("confides")
    if said:
        st.context |= said


# The stages a message's own words can explain (reasons.py), and those its writer's words
# can (writer_context): every other stage is never explained by them.
OWN_EXPLAINS = frozenset(discounted(REASONS | {"parent-told"}))
WRITER_EXPLAINS = OWN_EXPLAINS | discounted({"surprise", "guardian", "relative", "same-age"})


def writer_context(text: str, tokens: list[str]) -> frozenset:
    """What a message shows of its own writer (relationship.py): a family surprise; a
    guardian brought in or a relative named (`_said_context`); the reasons it gives for
    its own stages (reasons.py)."""
    return frozenset(_said_context(text, tokens) | ({"surprise"} if family_surprise(tokens) else set())
                     | _own_context(text, tokens) | ({"same-age"} if same_age(tokens) else set()))


def _unexplained(tokens: list[str]) -> set[str]:
    """What a message's own words never explain: whether the child is alone, where the
    parents are, who sees the phone. The aunt who forgot the age or the schoolmate of the
    same year needs no such answer ("nsit, 13 wala 14? w enti wa7dek fel dar taw?"); and
    a message that wants the child alone ("kalamni ki tkoun wa7dek, pas devant ton oncle")
    keeps no secret, gift or praise as family business (a schoolmate's "come alone" to a
    swap at recess is still a schoolmate's)."""
    if asks_alone(tokens):  # "call me when you are alone, not in front of your uncle": no family business
        return {"age-probe", "secrecy-isolation", "gifts-money", "trust-flattery"}  # (a swap at recess still is)
    return {"age-probe"} if asks_parents(tokens) or asks_who_watches(tokens) else set()


def _own_context(text: str, tokens: list[str]) -> set[str]:
    """What a message's own words explain of its own stages, for that message only: the
    reasons it gives (reasons.py); "parent-told" when it asks for the child's parent to
    call back ("dis à ta maman de m'appeler"): whatever else it says, it keeps no secret
    from them."""
    return own_reasons(text, tokens) | ({"parent-told"} if parent_called_back(tokens) else set())


def _said_context(text: str, tokens: list[str]) -> set[str]:
    """A guardian brought in or a relative named, in a sentence that is not a question. A
    question about the parents ("does your dad pick you up?") is the supervision probe,
    and "hedhi khaltek ?" asks; "ena mamatek, 3omrek 12 wala 13 taw ?" names the
    grandmother before it asks."""
    found = set()
    guardian, relative = guardian_in_loop(tokens), relative_shown(tokens)
    if (guardian or relative) and is_question(text):  # (a clause is normalized again only then)
        said = [t for part in _STATEMENT.findall(text) for t in normalize(part).tokens]
        guardian, relative = guardian and guardian_in_loop(said), relative and relative_shown(said)
    if guardian or parent_informed(text, tokens):
        found.add("guardian")
    if relative or signed_as_kin(text):
        found.add("relative")
    return found


# the sentences and clauses of a message that do not end with a question mark
_STATEMENT = re.compile(r"[^.!?؟\n,،]+(?=[.!\n,،]|$)")


def explained_alone(verdict: Verdict, text: str, tokens: list[str]) -> Verdict:
    """A message read alone (no conversation) whose every reason, none above medium, is
    a stage its writer's own words explain (`writer_context`: the grandmother who names
    herself and asks the age for a gift, the aunt's birthday surprise with the father
    picking up) is kept as a cue, as it would be in a conversation."""
    # (a warning for a stage that no writer's words explain, such as a move to a private app,
    # a group link or a threat, is not read further: the common case, ~60 µs saved)
    if verdict.risk and _within(verdict, WRITER_EXPLAINS):
        ignored = discounted(writer_context(text, tokens)) - _unexplained(tokens)
        if _within(verdict, ignored):
            as_cue(verdict)
    return verdict


def _with_burst(verdict: Verdict, found: list[Match]) -> Verdict:
    """The message's verdict with the matches that reach back into the messages before
    it. Only warnings (medium and above) are added: the cues of each message already
    add up as the conversation's stages."""
    own = {m.rule for m in verdict.matches}
    found = [m for m in found if m.rule not in own and m.severity != "low"]
    if not found:
        return verdict
    merged = Verdict.from_matches([*verdict.matches, *verdict.experimental, *found])
    merged.signals, merged.partial = verdict.signals, verdict.partial
    return combine_cues(merged)


def _age_question_only(verdict: Verdict) -> bool:
    """Every reason the message warns is an age question (rules or model)."""
    return all(m.category == "age-probe" for m in verdict.matches)


def _within(verdict: Verdict, categories: set[str]) -> bool:
    """Every reason the message warns is in `categories`, none above medium. (A `low`
    cue beside a rule's warning is no reason it warns: it stays a cue of its own stage;
    cues that add up to the warning, `combined-stages`, are each a reason.)"""
    added_up = any(m.rule == CONVERSATION_RULE for m in verdict.matches)
    return bool(categories) and all(
        m.category in categories and SEVERITY_RANK[m.severity] <= SEVERITY_RANK["medium"]
        for m in verdict.matches if added_up or m.severity != "low")


def as_cue(verdict: Verdict) -> None:
    """A message that would warn alone, kept as a conversation cue instead: its
    matches still name the stage, it no longer warns by itself."""
    verdict.matches = [Match(m.rule, m.category, "low", m.status, m.spans, m.title, m.explain) for m in verdict.matches]
    verdict.risk, verdict.severity = False, "low"
    verdict.score = Verdict.from_matches(verdict.matches).score


def summarize(cues: list[tuple[str, int, float]], disclosures: dict | None = None, repeated=(),
              context=frozenset(), swap_waits: bool = False, supervision: bool = False) -> dict:
    """Stages seen, whether they cross the threshold, and the message that started it.
    The child's disclosures add weight (and count as a sign) only once the other
    side has shown at least one stage. A serious stage the other side comes back to
    in a later message (`repeated`: asked again for secrecy, for a picture, for a
    meeting, threatened again) adds half its weight and counts as a sign of its own:
    insisting is the tactic, where one mention may be a misunderstanding. A stage
    first shown after the child said they are a minor weighs more, unless the
    replies already show who the other side is (`context`: family, a classmate...).
    `swap_waits`: the cues of a conversation whose age-probe stage is a plain age question
    only: SWAP then waits for a disclosure. `supervision`: the other side asked the age and,
    in another message, whether the reader is alone, where the parents are or who sees the
    phone: the age-probe stage counts as two (SUPERVISION_WEIGHT), as the same two questions
    in one message raise the rule itself."""
    first: dict[str, int] = {}
    for stage, index, _ in cues:
        first.setdefault(stage, index)
    weight = sum(STAGE_WEIGHT.get(s, 1.0) for s in first)
    signs = len(first)
    for stage in first:
        if stage in repeated and stage in SERIOUS:
            weight += REPEAT_WEIGHT * STAGE_WEIGHT[stage]
            signs += 1
    if supervision and "age-probe" in first:
        weight += SUPERVISION_WEIGHT * STAGE_WEIGHT["age-probe"]
        signs += 1
    told = sorted(disclosures or {}, key=(disclosures or {}).get)
    if first and told:
        weight += DISCLOSURE_WEIGHT * min(len(told), 2)
        signs += 1
        minor_at = disclosures.get("minor-age")
        if minor_at is not None and not context and any(index > minor_at for index in first.values()):
            weight += AFTER_MINOR_WEIGHT
    alert = signs >= 2 and weight >= THRESHOLD
    if alert and swap_waits and not told and set(first) == SWAP:
        alert = False  # classmates swap ages and Snapchat names: wait for the child's answer
    return {
        "stages": sorted(first, key=first.get),
        "disclosures": told,
        "weight": weight,
        "alert": alert,
        "started_at": min(first.values()) if alert else None,
    }


def combine_cues(verdict: Verdict) -> Verdict:
    """Within one unit too, cues of different stages that are harmless alone
    (each a `low` rule) add up the same way as across a conversation."""
    if not verdict.risk and len(verdict.matches) > 1:
        info = summarize([(m.category, 0, 0.0) for m in verdict.matches])
        if info["alert"]:
            _raise_to_warning(verdict, info)
    return verdict


def _raise_to_warning(verdict: Verdict, info: dict) -> None:
    severity = "high" if SERIOUS & set(info["stages"]) else "medium"
    worst = max(info["stages"], key=lambda s: STAGE_WEIGHT.get(s, 1.0))
    verdict.matches.insert(0, Match(CONVERSATION_RULE, worst, severity, "stable", (), TITLE, EXPLAIN))
    verdict.risk = True
    if SEVERITY_RANK[severity] > SEVERITY_RANK[verdict.severity]:
        verdict.severity = severity
    verdict.score = max(verdict.score, 0.5 if severity == "medium" else 0.75)


class ConversationStore:
    """Bounded map of conversation id -> state (LRU cap and idle expiry).

    2 000 conversations of a few kilobytes each (an id of at most 256
    characters, one cue per stage and the model's window: the feature ids of
    the last few messages, 4 bytes each): under 10 MB however long the
    companion runs; a family's chats of a day fit many times over.
    """

    def __init__(self, cap: int = 2_000, ttl_seconds: float = 24 * 3600):
        self.cap, self.ttl = cap, ttl_seconds
        self._states: OrderedDict[str, _State] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str, scanner) -> Conversation:
        if not isinstance(conversation_id, str) or not conversation_id or len(conversation_id) > 256:
            raise ValueError("a conversation id is a non-empty string of at most 256 characters")
        now = time.time()
        with self._lock:
            st = self._states.get(conversation_id)
            if st is None or now - st.touched > self.ttl:
                st = _State(touched=now)
                self._states[conversation_id] = st
            self._states.move_to_end(conversation_id)
            while len(self._states) > self.cap:
                self._states.popitem(last=False)
            self._expire(now)
        return Conversation(conversation_id, scanner, st, self._lock)

    def _expire(self, now: float) -> None:
        while self._states:
            key, st = next(iter(self._states.items()))
            if now - st.touched <= self.ttl:
                break
            del self._states[key]

    def __len__(self) -> int:
        return len(self._states)

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._states.pop(conversation_id, None)
