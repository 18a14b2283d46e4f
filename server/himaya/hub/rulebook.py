"""The rules as staff read them: titles, categories and parent texts by rule id,
and a scanner to find the matched words when a report carries no spans.

Loaded once, lazily (about a second), from the ``rules`` hub setting or the
bundled default list::

    book = Rulebook(None)
    book.title("HIM-PRIV-001", "fr")      # -> "Demande de passer en privé ..."
"""

from __future__ import annotations

import threading


class Rulebook:
    def __init__(self, path=None):
        self.path = path
        self._lock = threading.Lock()
        self._rules = None
        self._scanner = None

    def _load(self):
        if self._rules is None:
            with self._lock:
                if self._rules is None:
                    from himaya.core.rules.loader import load_ruleset
                    from himaya.core.scanner import default_rules_path

                    ruleset = load_ruleset(self.path or default_rules_path())
                    self._ruleset = ruleset
                    self._rules = {rule.id: rule for rule in ruleset.rules}
        return self._rules

    def rule(self, rule_id: str):
        return self._load().get(rule_id)

    def category(self, rule_id: str) -> str | None:
        rule = self.rule(rule_id)
        return rule.category if rule else None

    def severity(self, rule_id: str) -> str | None:
        rule = self.rule(rule_id)
        return rule.severity if rule else None

    def title(self, rule_id: str, lang: str) -> str:
        rule = self.rule(rule_id)
        return (rule.title.get(lang) or rule.title.get("en") or rule_id) if rule else rule_id

    def parent_text(self, rule_id: str, lang: str) -> str:
        rule = self.rule(rule_id)
        if not rule:
            return ""
        parent = rule.explain.get("parent", {})
        return parent.get(lang) or parent.get("en") or ""

    def scanner(self):
        if self._scanner is None:
            self._load()
            with self._lock:
                if self._scanner is None:
                    from himaya.core.scanner import Scanner

                    self._scanner = Scanner.from_ruleset(self._ruleset)
        return self._scanner

    def spans(self, text: str, kind: str = "message") -> list[tuple[int, int]]:
        verdict = self.scanner().scan(text, kind=kind if kind in ("message", "post", "profile", "url") else "message")
        return [tuple(s) for m in verdict.matches for s in m.spans]
