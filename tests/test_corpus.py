"""Corpus items: scanning in the `himaya scan --jsonl` schema, and the metrics of `himaya eval`."""

import json
from pathlib import Path

import pytest

from himaya import Scanner
from himaya.core.corpus import ItemError, evaluate, parse_item, read_items, scan_item

FIXTURES = Path(__file__).parent / "fixtures" / "rules"

ITEMS = [
    {"id": "r1", "kind": "message", "lang": "fr", "text": "ajoute moi sur snap", "label": "risk",
     "category": "move-to-private", "obfuscation": []},
    {"id": "r2", "kind": "message", "lang": "aeb-Latn", "text": "zidni 3al t.e.l.e.g.r.a.m", "label": "risk",
     "category": "move-to-private", "obfuscation": ["spacing", "arabizi"]},
    {"id": "r3", "kind": "post", "lang": "fr", "text": "bonne soirée", "label": "risk",
     "category": "services-ad", "obfuscation": []},
    {"id": "b1", "kind": "message", "lang": "fr", "text": "ajoute moi sur snap, on révise ensemble",
     "label": "benign", "category": "benign-hard-negative", "obfuscation": []},
    {"id": "b2", "kind": "post", "lang": "en", "text": "nice weather", "label": "benign", "category": "benign",
     "obfuscation": []},
    {"id": "t1", "kind": "thread", "lang": "fr", "text": "", "label": "risk", "category": "image-request",
     "obfuscation": [], "messages": [{"from": "a", "text": "salut"}, {"from": "a", "text": "envoie moi une photo"},
                                     {"from": "a", "text": "rejoins t.me/+AbCd000"}, {"from": "b", "text": "non"}]},
    {"id": "t2", "kind": "thread", "lang": "fr", "text": "", "label": "benign", "category": "benign",
     "obfuscation": [], "messages": [{"from": "a", "text": "salut"}, {"from": "b", "text": "ça va"}]},
]


@pytest.fixture(scope="module")
def fx():
    return Scanner.load(FIXTURES)


def test_scan_item_schema(fx):
    out = scan_item(fx, ITEMS[0])
    assert set(out) == {"id", "risk", "severity", "score", "matches", "first_alert_index"}
    assert out["risk"] and out["first_alert_index"] is None
    assert set(out["matches"][0]) == {"rule", "category", "severity", "spans"}


def test_threads_report_the_first_alerting_message(fx):
    out = scan_item(fx, ITEMS[5])
    assert out["risk"] and out["first_alert_index"] == 2
    assert scan_item(fx, ITEMS[6])["first_alert_index"] is None
    assert len(fx.conversations) == 0  # evaluation threads leave no state behind


def test_evaluate_counts(fx):
    report = evaluate(fx, [dict(i) for i in ITEMS])
    o = report["overall"]
    assert (o["tp"], o["fn"], o["fp"], o["tn"]) == (3, 1, 1, 2)
    assert o["precision"] == 0.75 and o["recall"] == 0.75
    assert report["false_positive_rate"] == {"benign-hard-negative": 1.0, "benign": 0.0}
    assert report["recall_by"]["category"]["services-ad"] == {"n": 1, "recall": 0.0}
    assert report["recall_by"]["obfuscation"]["spacing"]["recall"] == 1.0
    assert report["threads"]["warned_before_last"] == 1 and report["threads"]["benign_warned"] == 0


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"kind": "tweet", "text": "x"}', "kind must be one of"),
        ('{"kind": "thread", "messages": "x"}', "a thread needs messages"),
        ('{"kind": "post", "text": 5}', "text must be a string"),
    ],
)
def test_bad_lines_say_which_line_and_why(line, message):
    with pytest.raises(ItemError, match=f"line 7: {message}"):
        parse_item(line, 7)


def test_read_items_skips_bad_lines_and_keeps_going():
    errors = []
    lines = [json.dumps(ITEMS[0]), "{oops", "", json.dumps(ITEMS[1])]
    assert [i["id"] for i in read_items(lines, errors)] == ["r1", "r2"]
    assert errors == ["line 2: not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"]
