"""Conversations: stage cues add up across messages; state is bounded and holds no text."""

from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.conversations import CONVERSATION_RULE, ConversationStore, summarize

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


def test_cues_of_different_stages_add_up_within_one_message(fx):
    alone = fx.scan("envoie moi une photo")
    assert not alone.risk and alone.severity == "low"
    both = fx.scan("envoie moi une photo et viens ici t.me/+AbCd000")
    assert both.risk and both.severity == "high"
    assert both.matches[0].rule == CONVERSATION_RULE
    assert {m.category for m in both.matches[1:]} == {"image-request", "closed-group-invite"}
