"""The signature list on the project's own labelled sets (tests/fixtures/eval/README.md):
a rule change that loses recall or precision there fails CI, the way the benign collection
catches single false alarms."""

from pathlib import Path

import pytest

from himaya.core.corpus import evaluate, read_items

EVAL = Path(__file__).parent / "fixtures" / "eval"

# (file, minimum precision, minimum recall, maximum false-positive rate on hard negatives)
FLOORS = [
    ("probe1.jsonl", 0.97, 0.97, 0.03),
    ("probe2.jsonl", 0.97, 0.97, 0.03),
    ("probe3.jsonl", 0.97, 0.97, 0.03),
    ("probe4.jsonl", 0.95, 0.88, 0.05),  # blind when written: the honest figure
]


@pytest.mark.parametrize("name, precision, recall, fp_hard", FLOORS, ids=[f[0] for f in FLOORS])
def test_rules_hold_their_figures(scanner, name, precision, recall, fp_hard):
    with open(EVAL / name, encoding="utf-8") as fh:
        report = evaluate(scanner, read_items(fh))
    o = report["overall"]
    assert o["precision"] >= precision and o["recall"] >= recall, (o, report["errors"])
    assert report["false_positive_rate"]["benign-hard-negative"] <= fp_hard, report["errors"]
    threads = report["threads"]
    assert threads["warned_rate"] >= 0.9 and threads["benign_warned_rate"] <= 0.1, threads
