"""What the parent chose, applied to every verdict: sensitivity per category and
the local allow-list ("This is wrong" on a page or conversation).

Levels (``himaya config set sensitivity.<category> LEVEL``):

- ``normal``: the list as published (the default);
- ``low``: only high and critical matches of the category warn;
- ``high``: cues of the category (low-severity matches, which do not warn
  alone) warn too, as medium;
- ``off``: the category never warns; refused for blackmail-threat and
  services-ad (config.NEVER_OFF).

Example::

    >>> v = {"risk": True, "severity": "medium", "score": 0.5, "matches": [
    ...     {"rule": "A", "category": "age-probe", "severity": "medium", "spans": []}]}
    >>> apply(v, {"age-probe": "low"}, set(), None)["risk"]
    False
"""

from __future__ import annotations

from himaya.core.rules.schema import SEVERITY_RANK

WEIGHT = {"low": 0.25, "medium": 0.5, "high": 0.75, "critical": 1.0}
RISK_FROM = SEVERITY_RANK["medium"]


def apply(result: dict, sensitivity: dict, allowed: set, url_hash: str | None) -> dict:
    """The verdict (``Verdict.to_dict()``) after the parent's choices; unchanged when there are none."""
    if not result.get("matches") or (not sensitivity and not allowed):
        return result
    kept, changed = [], False
    for match in result["matches"]:
        level = sensitivity.get(match.get("category"), "normal")
        severity = match["severity"]
        if url_hash and (match["rule"], url_hash) in allowed:
            changed = True
            continue
        if level == "off" or (level == "low" and SEVERITY_RANK[severity] < SEVERITY_RANK["high"]):
            changed = True
            continue
        if level == "high" and severity == "low":
            match = {**match, "severity": "medium", "raised_by": "sensitivity"}
            changed = True
        kept.append(match)
    if not changed:
        return result
    kept.sort(key=lambda m: -SEVERITY_RANK[m["severity"]])
    worst = kept[0]["severity"] if kept else "none"
    score = 0.0
    for match in kept:
        score = 1 - (1 - score) * (1 - WEIGHT[match["severity"]])
    out = {**result, "matches": kept, "severity": worst, "score": round(score, 4),
           "risk": SEVERITY_RANK[worst] >= RISK_FROM}
    return out
