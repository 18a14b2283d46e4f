"""The benign collection (issue 3): ordinary Tunisian posts, profiles, messages and
chats in every language variety, written by the project, that no rule may warn on.

Like Sigma's community CI, every rule runs over the collection and the test fails
on any warning not listed in rules/benign/known-false-positives.yaml. A warning is
what a person would see: a match of severity medium or higher, or a conversation
alert in a chat. Low-severity cues are counted by the conversation logic, and the
threads of the collection check that ordinary chats do not add up to an alert.

    pytest tests/test_benign_collection.py -q
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import pytest
import yaml

from himaya.core.rules.schema import SEVERITY_RANK

ROOT = Path(__file__).resolve().parent.parent
BENIGN = ROOT / "rules" / "benign"
LANGS = ("fr", "ar", "aeb-Arab", "aeb-Latn", "en", "mixed")
KINDS = ("message", "profile", "post", "thread")
WARN_FROM = SEVERITY_RANK["medium"]


def _items() -> list[dict]:
    items = []
    for path in sorted(BENIGN.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                item = json.loads(line)
                item["_where"] = f"{path.name}:{number}"
                items.append(item)
    return items


ITEMS = _items()
KNOWN = yaml.safe_load((BENIGN / "known-false-positives.yaml").read_text(encoding="utf-8"))["entries"] or []
ACCEPTED = {(e["id"], e["rule"]) for e in KNOWN}


def warnings_for(scanner, item: dict) -> set[str]:
    """Rule ids that warn on the item (conversation alerts count as their own id)."""
    if item["kind"] != "thread":
        verdict = scanner.scan(item["text"], kind=item["kind"], url=item.get("url"))
        return {m.rule for m in verdict.matches if SEVERITY_RANK[m.severity] >= WARN_FROM}
    conv_id = f"benign:{uuid.uuid4()}"
    conv = scanner.conversation(conv_id)
    found = set()
    try:
        for msg in item["messages"]:
            verdict = conv.add(msg["text"])
            found |= {m.rule for m in verdict.matches if SEVERITY_RANK[m.severity] >= WARN_FROM}
            if (verdict.conversation or {}).get("alert"):
                found.add("conversation-alert")
    finally:
        scanner.conversations.forget(conv_id)
    return found


def test_collection_is_well_formed():
    ids = Counter(item["id"] for item in ITEMS)
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids in the benign collection"
    for item in ITEMS:
        assert item["kind"] in KINDS, item["_where"]
        assert item["lang"] in LANGS, item["_where"]
        if item["kind"] == "thread":
            assert len(item["messages"]) >= 2 and all(m["text"].strip() for m in item["messages"]), item["_where"]
        else:
            assert item["text"].strip(), item["_where"]


def test_collection_covers_every_language_variety():
    singles = [i for i in ITEMS if i["kind"] != "thread"]
    assert len(singles) >= 150
    per_lang = Counter(i["lang"] for i in singles)
    for lang in LANGS:
        assert per_lang[lang] >= 20, f"only {per_lang[lang]} benign items in {lang}"
    topics = Counter(i.get("topic") for i in singles)
    # the hard negatives of docs/DESIGN.md must be there, not only small talk
    for topic in ("sale", "tutoring", "club", "class-group", "surprise", "homework-photo", "fruit-emoji",
                  "birthday-emoji", "awareness", "news", "adult-dating", "adult-job"):
        assert topics[topic] >= 2, f"the collection has {topics[topic]} '{topic}' items"


@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_no_rule_warns_on_benign_item(scanner, item):
    unexpected = {r for r in warnings_for(scanner, item) if (item["id"], r) not in ACCEPTED}
    assert not unexpected, f"{item['id']} ({item['_where']}) warned by {sorted(unexpected)}: {item.get('text') or item['messages']!r}"


def test_known_false_positives_are_real_and_current(scanner):
    by_id = {item["id"]: item for item in ITEMS}
    rule_ids = {r.id for r in scanner.rules} | {"conversation-alert"}
    if scanner.model is not None:
        rule_ids |= {f"model.{c}" for c in scanner.model.thresholds}
    for entry in KNOWN:
        assert set(entry) == {"id", "rule", "reason"} and str(entry["reason"]).strip(), entry
        assert entry["id"] in by_id, f"known false positive names an unknown item {entry['id']}"
        assert entry["rule"] in rule_ids, f"known false positive names an unknown rule {entry['rule']}"
        assert entry["rule"] in warnings_for(scanner, by_id[entry["id"]]), (
            f"{entry['id']} / {entry['rule']} no longer warns: remove it from known-false-positives.yaml")


def test_the_check_can_fail(scanner):
    """The scanner used here does warn on a real coded ad (so a clean run means something)."""
    ad = {"kind": "post", "text": "🍒 dispo ce soir, Lafayette 21h, 16-17 ans, 80dt, réservation en DM 🔒"}
    assert warnings_for(scanner, ad)
