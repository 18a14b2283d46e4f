"""Every rule carries its own examples; they run in CI and on each computer
before a new list is activated (RULES.md). Lint checks what validation leaves
to judgement: test counts by status, languages covered, stems and floors."""

from __future__ import annotations

from himaya.core.rules.schema import LANGUAGES, SEVERITY_RANK, Rule

MIN_TESTS = {"experimental": 1, "test": 3, "stable": 3, "deprecated": 0}
TERM_LANGS = ("fr", "ar", "aeb-Arab", "aeb-Latn", "en")


def run_tests(ruleset, rules: list[Rule] | None = None) -> list[str]:
    """Run the embedded positive and negative examples; return failure messages.

    A positive example must make its rule match (at least at the expected
    severity); a negative one must not make it match.
    """
    from himaya.core.matcher import Index  # the matcher imports this package: import late

    index = Index(ruleset.rules)
    failures = []
    for rule in rules if rules is not None else ruleset.rules:
        if rule.status == "deprecated":
            continue
        for ex in rule.positives:
            m = _match(index, rule, ex)
            if m is None:
                failures.append(f"{rule.path}: rule {rule.id}: positive example does not match: {ex.text!r}")
            elif ex.severity and SEVERITY_RANK[m.severity] < SEVERITY_RANK[ex.severity]:
                failures.append(f"{rule.path}: rule {rule.id}: expected severity {ex.severity}, got "
                                f"{m.severity}: {ex.text!r}")
        for ex in rule.negatives:
            if _match(index, rule, ex) is not None:
                failures.append(f"{rule.path}: rule {rule.id}: negative example matches: {ex.text!r}")
    return failures


def _match(index, rule: Rule, ex):
    kind = ex.kind or rule.applies_to[0]
    verdict = index.scan(ex.text, kind, ex.url)
    for m in (*verdict.matches, *verdict.experimental):
        if m.rule == rule.id:
            return m
    return None


COPY_WORDS = 4  # a rule value this long, found word for word in a labelled text, was copied from it


def _tokenizer():
    """Normalized tokens of a text, each text normalized once: the labelled sets' risky
    texts are read both for copied phrases and for everyday words."""
    from himaya.core.normalize import normalize

    cache: dict[str, list[str]] = {}

    def tokens(text: str) -> list[str]:
        got = cache.get(text)
        if got is None:
            got = cache[text] = normalize(text).tokens
        return got
    return tokens


def copied_values(ruleset, texts, tokens=None) -> list[tuple[str, str]]:
    """(rule id, value) for every phrase or fuzzy value of COPY_WORDS or more words
    that appears verbatim (after normalization) in one of `texts`: a rule written
    from an example sentence, not from the tactic, fits that sentence and misses
    the next one. `tokens`: a text's normalized tokens (`_tokenizer`)."""
    from himaya.core.normalize import normalize_term

    tokens = tokens or _tokenizer()
    blob = "\n".join(" " + " ".join(tokens(t)) + " " for t in texts)
    found, seen = [], {}
    for rule in ruleset.rules:
        for term in rule.terms.values():
            if term.kind not in ("phrase", "fuzzy"):
                continue
            for values in term.values.values():
                for value in values:
                    words = normalize_term(value.replace("*", "").removeprefix("="))
                    if len(words) < COPY_WORDS:
                        continue
                    key = " ".join(words)
                    if key not in seen:
                        seen[key] = f" {key} " in blob
                    if seen[key]:
                        found.append((rule.id, value))
    return found


# An exclusion that vetoes a rule alone must not be a word that risky messages use every day:
# "cours" ("après les cours"), "soum" (price), "mais" (which "maïs" is, accents gone) kill real
# warnings wherever they appear. A word is everyday when this share of the labelled risky texts
# holds it (0.3 %: about a hundred of today's risky texts; "taille" or "1809" are far below).
EVERYDAY_SHARE = 0.003
EVERYDAY_MIN_TEXTS = 1000  # fewer risky texts than this say nothing of what is everyday


def everyday_vetoes(ruleset, risky_texts, tokens=None) -> list[tuple[str, str, str]]:
    """(rule id, group, value) for every one-word value of a group that vetoes its rule
    alone (`Node.vetoes`) and that EVERYDAY_SHARE of `risky_texts` hold."""
    from himaya.core.normalize import loose, normalize_term

    if len(risky_texts) < EVERYDAY_MIN_TEXTS:
        return []
    tokens = tokens or _tokenizer()
    counts: dict[str, int] = {}
    for text in risky_texts:
        for word in {loose(t) for t in tokens(text)}:
            counts[word] = counts.get(word, 0) + 1
    floor = EVERYDAY_SHARE * len(risky_texts)
    found = []
    for rule in ruleset.rules:
        for name in sorted(rule.condition.vetoes()):
            term = rule.terms.get(name)
            if term is None or term.kind not in ("phrase", "fuzzy"):
                continue
            for values in term.values.values():
                for value in values:
                    words = normalize_term(value.replace("*", "").removeprefix("="))
                    if len(words) == 1 and counts.get(loose(words[0]), 0) >= floor:
                        found.append((rule.id, name, value))
    return found


def lint(ruleset, corpus_texts=(), risky_texts=()) -> list[tuple[str, str]]:
    """(level, message) pairs; level is "error" or "warning". With `corpus_texts`
    (the labelled sets' texts), a rule value copied from one of them is an error; with
    `risky_texts` (their risky items), so is an everyday word that vetoes a rule alone."""
    out: list[tuple[str, str]] = []
    by_rule = {r.id: r for r in ruleset.rules}
    tokens = _tokenizer()
    for rule_id, value in copied_values(ruleset, corpus_texts, tokens) if corpus_texts else ():
        out.append(("error", f"{by_rule[rule_id].path}: rule {rule_id}: the value {value!r} appears word for word "
                             "in a labelled corpus: write the tactic, not an example sentence"))
    for rule_id, group, value in everyday_vetoes(ruleset, risky_texts, tokens) if risky_texts else ():
        out.append(("error", f"{by_rule[rule_id].path}: rule {rule_id}: the exclusion {group} holds {value!r}, a word "
                             "that risky messages use every day: alone it would silence real warnings; write the "
                             "honest context it stands for in two or more words"))
    for rule in ruleset.rules:
        where = f"{rule.path}: rule {rule.id}"
        need = MIN_TESTS[rule.status]
        if len(rule.positives) < need or len(rule.negatives) < need:
            out.append(("error", f"{where}: status {rule.status} needs at least {need} positive and "
                                 f"{need} negative tests (has {len(rule.positives)} and {len(rule.negatives)})"))
        word_terms = [t for t in rule.terms.values() if t.kind in ("phrase", "fuzzy", "regex")]
        if word_terms:
            langs = {lang for t in word_terms for lang in t.values}
            if "any" not in langs:
                missing = [lang for lang in TERM_LANGS if lang not in langs]
                if missing:
                    out.append(("warning", f"{where}: no terms in {', '.join(missing)}"))
        if not rule.condition.names(True):
            out.append(("error", f"{where}: the condition has no positive group, so it can never match"))
        if rule.status in ("test", "stable") and not rule.falsepositives and rule.severity != "low":
            out.append(("warning", f"{where}: no falsepositives notes"))
        unused = set(rule.terms) - rule.condition.names(True) - rule.condition.names(False) - {
            n for cond, _ in rule.escalate for n in cond.names(True) | cond.names(False)}
        if unused:
            out.append(("warning", f"{where}: term group(s) {sorted(unused)} are not used by any condition"))
    assert set(TERM_LANGS) < set(LANGUAGES)
    return out
