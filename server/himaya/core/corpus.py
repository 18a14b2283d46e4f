"""Labelled corpora (the JSON Lines schema of docs/CORPUS.md): reading
items safely, scanning them, and measuring precision and recall.

    >>> items = read_items(open("tests/fixtures/eval/probe4.jsonl", encoding="utf-8"))  # doctest: +SKIP
    >>> report = evaluate(scanner, items)                            # doctest: +SKIP
    >>> report["overall"]["precision"]                               # doctest: +SKIP
    0.95
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Iterable, Iterator

from himaya.core.conversations import BURST, REACH
from himaya.core.rules.schema import SEVERITY_RANK

ITEM_KINDS = ("message", "profile", "post", "thread")
MAX_LINE = 1_000_000


class ItemError(ValueError):
    """One corpus line that cannot be used; says which line and why."""


def read_items(lines: Iterable[str], errors: list[str] | None = None) -> Iterator[dict]:
    """Yield valid items one by one (bounded memory). Bad lines are reported in
    `errors` (when given) and skipped, or raise ItemError when it is None."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield parse_item(line, number)
        except ItemError as exc:
            if errors is None:
                raise
            errors.append(str(exc))


def parse_item(line: str, number: int = 0) -> dict:
    if len(line) > MAX_LINE:
        raise ItemError(f"line {number}: longer than {MAX_LINE} characters")
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise ItemError(f"line {number}: not valid JSON ({exc})") from None
    if not isinstance(item, dict):
        raise ItemError(f"line {number}: expected a JSON object")
    kind = item.get("kind", "message")
    if kind not in ITEM_KINDS:
        raise ItemError(f"line {number}: kind must be one of {', '.join(ITEM_KINDS)}")
    if kind == "thread":
        msgs = item.get("messages")
        if not isinstance(msgs, list) or not all(isinstance(m, dict) and isinstance(m.get("text"), str) for m in msgs):
            raise ItemError(f"line {number}: a thread needs messages: [{{from, text}}, ...]")
    elif not isinstance(item.get("text"), str):
        raise ItemError(f"line {number}: text must be a string")
    item.setdefault("id", f"line-{number}")
    item["kind"] = kind
    return item


def recent_words(messages: list[dict], i: int, child: str | None) -> list[str]:
    """The texts the extension sends as `before` for message i (content/units.js
    recentWords): the same side's last messages, oldest first, at most BURST - 1,
    looking back over at most REACH messages; the child's replies between them are
    passed over (speakers known), anyone else's stops the look-back."""
    who = messages[i].get("from")
    if child in ("a", "b") and who == child:
        return []
    out: list[str] = []
    for j in range(i - 1, max(-1, i - 1 - REACH), -1):
        if len(out) >= BURST - 1:
            break
        if messages[j].get("from") == who:
            out.insert(0, messages[j]["text"])
        elif child in ("a", "b") and messages[j].get("from") == child:
            continue
        else:
            break
    return out


def scan_item(scanner, item: dict) -> dict:
    """The verdict line for one item (the `himaya scan --jsonl` schema)."""
    if item["kind"] != "thread":
        v = scanner.scan(item["text"], kind=item["kind"], url=item.get("url"))
        return {
            "id": item["id"], "risk": v.risk, "severity": v.severity, "score": v.score,
            "matches": [_brief(m) for m in v.matches], "first_alert_index": None,
        }
    conv_id = f"eval:{uuid.uuid4()}"
    conv = scanner.conversation(conv_id)
    severity, score, matches, first = "none", 0.0, [], None
    child = item.get("child")
    for i, msg in enumerate(item["messages"]):
        speaker = "unknown" if child not in ("a", "b") else ("child" if msg.get("from") == child else "other")
        v = conv.add(msg["text"], speaker=speaker, before=recent_words(item["messages"], i, child))
        if v.risk and first is None:
            first = i
        if SEVERITY_RANK[v.severity] > SEVERITY_RANK[severity]:
            severity = v.severity
        score = max(score, v.score)
        matches.extend({**_brief(m), "message": i} for m in v.matches)
    scanner.conversations.forget(conv_id)
    return {
        "id": item["id"], "risk": first is not None, "severity": severity, "score": score,
        "matches": matches, "first_alert_index": first,
    }


def _brief(m) -> dict:
    return {"rule": m.rule, "category": m.category, "severity": m.severity, "spans": [list(s) for s in m.spans]}


class _Counts:
    def __init__(self):
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, label_risk: bool, predicted: bool) -> None:
        if label_risk:
            self.tp += predicted
            self.fn += not predicted
        else:
            self.fp += predicted
            self.tn += not predicted

    def summary(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        n = self.tp + self.fp + self.fn + self.tn
        return {"n": n, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def evaluate(scanner, items: Iterable[dict], progress=None) -> dict:
    """Precision, recall, F1; false-positive rates on hard negatives and plain
    benign items; recall per category, language and obfuscation; thread timing.
    `progress(item)` is called after each item (for a progress bar)."""
    overall = _Counts()
    groups: dict[str, dict[str, _Counts]] = defaultdict(lambda: defaultdict(_Counts))
    benign = {"benign-hard-negative": [0, 0], "benign": [0, 0]}
    threads = {"risk": 0, "warned": 0, "warned_before_last": 0, "benign": 0, "benign_warned": 0}
    errors = []
    for item in items:
        out = scan_item(scanner, item)
        risk = item.get("label") == "risk"
        overall.add(risk, out["risk"])
        if risk:
            groups["category"][item.get("category", "?")].add(True, out["risk"])
            groups["language"][item.get("lang", "?")].add(True, out["risk"])
            for tag in item.get("obfuscation") or ["none"]:
                groups["obfuscation"][tag].add(True, out["risk"])
        else:
            cat = item.get("category", "benign")
            bucket = benign.setdefault(cat, [0, 0])
            bucket[0] += 1
            bucket[1] += out["risk"]
            if out["risk"]:
                errors.append({"id": item["id"], "kind": "false-positive", "rules": [m["rule"] for m in out["matches"]]})
        if risk and not out["risk"]:
            errors.append({"id": item["id"], "kind": "missed", "category": item.get("category")})
        if item["kind"] == "thread":
            if risk:
                threads["risk"] += 1
                threads["warned"] += out["risk"]
                last = len(item["messages"]) - 1
                threads["warned_before_last"] += out["first_alert_index"] is not None and out["first_alert_index"] < last
            else:
                threads["benign"] += 1
                threads["benign_warned"] += out["risk"]
        if progress:
            progress(item)
    return {
        "overall": overall.summary(),
        "false_positive_rate": {k: round(v[1] / v[0], 4) if v[0] else 0.0 for k, v in benign.items()},
        "recall_by": {g: {k: {"n": c.tp + c.fn, "recall": c.summary()["recall"]} for k, c in sorted(d.items())}
                      for g, d in groups.items()},
        "threads": {
            **threads,
            "warned_rate": round(threads["warned"] / threads["risk"], 4) if threads["risk"] else None,
            "warned_before_last_rate": round(threads["warned_before_last"] / threads["risk"], 4) if threads["risk"] else None,
            "benign_warned_rate": round(threads["benign_warned"] / threads["benign"], 4) if threads["benign"] else None,
        },
        "errors": errors,
    }
