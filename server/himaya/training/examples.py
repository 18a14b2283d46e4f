"""Training examples from labelled corpora and from the rules' own tests.

A corpus item (the schema of docs/CORPUS.md) gives one example; a thread gives
one example per window of `WINDOW` consecutive messages, the same view the
conversation scorer has at run time. In a risky thread only the windows of its
second half carry its category (the opening of a grooming chat is ordinary small
talk); every window of a benign thread is benign.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from himaya.core.corpus import read_items
from himaya.core.model import BENIGN, WINDOW

CATEGORIES = (
    "age-probe", "trust-flattery", "secrecy-isolation", "move-to-private", "image-request", "gifts-money",
    "blackmail-threat", "meeting-request", "services-ad", "closed-group-invite", "recruitment", "network-page",
)


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    label: str  # a risk category or "benign"
    group: str  # "risk", "benign-hard-negative" or "benign": what calibration counts separately
    source: str  # item id, for messages that say which line was wrong


class CorpusError(ValueError):
    """A corpus line that cannot be trained on; says which file, line and why."""


def from_items(items: Iterable[dict], name: str) -> Iterator[Example]:
    for item in items:
        label = item.get("label")
        category = item.get("category", "")
        if label == "risk":
            if category not in CATEGORIES:
                raise CorpusError(f"{name}: {item['id']}: unknown risk category {category!r}")
            target, group = category, "risk"
        elif label == "benign":
            target, group = BENIGN, ("benign-hard-negative" if category == "benign-hard-negative" else "benign")
        else:
            raise CorpusError(f"{name}: {item['id']}: label must be 'risk' or 'benign', not {label!r}")
        if item["kind"] != "thread":
            yield Example(item["text"], item["kind"], target, group, item["id"])
            continue
        texts = [m["text"] for m in item["messages"]]
        for end in range(1, len(texts) + 1):
            window = "\n".join(texts[max(0, end - WINDOW):end])
            if target == BENIGN:
                yield Example(window, "message", BENIGN, group, f"{item['id']}#{end}")
            elif end * 2 > len(texts):
                yield Example(window, "message", target, group, f"{item['id']}#{end}")


def from_corpus(path: Path) -> list[Example]:
    errors: list[str] = []
    with open(path, encoding="utf-8") as fh:
        items = list(read_items(fh, errors))
    if errors:
        raise CorpusError(f"{path}: {errors[0]}")
    if not items:
        raise CorpusError(f"{path}: no items")
    return list(from_items(items, str(path)))


def from_rule_tests(rules_dir: Path) -> list[Example]:
    """Each rule's positive examples that warn (medium or above) as its category;
    its negatives as hard negatives. Low-severity positives are cues the rules
    deliberately do not warn on alone, so the model is not taught to."""
    from himaya.core.rules import load_ruleset
    from himaya.core.rules.schema import SEVERITY_RANK

    def kind_of(case, rule):
        kind = case.kind or (rule.applies_to[0] if rule.applies_to else "message")
        return "message" if kind == "url" else kind

    out = []
    for rule in load_ruleset(rules_dir).rules:
        for i, case in enumerate(rule.positives):
            if SEVERITY_RANK[case.severity or rule.severity] >= SEVERITY_RANK["medium"]:
                out.append(Example(case.text, kind_of(case, rule), rule.category, "risk", f"{rule.id}+{i}"))
        for i, case in enumerate(rule.negatives):
            out.append(Example(case.text, kind_of(case, rule), BENIGN, "benign-hard-negative", f"{rule.id}-{i}"))
    return out
