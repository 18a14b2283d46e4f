"""A compiled rule set, and the verdict it gives on one unit of text.

Compiled once (`Index(ruleset)`), then read-only, so any number of threads can
scan at once. A scan is:

1. normalize the text into tokens (normalize.py) and build the views;
2. one Aho-Corasick pass over the loose view finds every phrase and fuzzy term
   at token boundaries (patterns are padded with spaces, the views are tokens
   joined by single spaces); the other views differ in a few tokens and are
   searched only around those (the skeleton view, whole); RE2 (a Set as pre-filter, then only the
   regexes that can match) runs on the punctuation-keeping view; links and
   emoji are looked up in dicts;
3. only rules with a hit are evaluated: condition within the rule's token
   window, exclusions (`not`) over the whole unit, then `escalate`.

Views (all token-aligned, so a hit maps back to original spans):
- loose:    each token with doubled letters made single (`trooop` = `trop`);
- clitic:   Arabic words without their proclitics (`وحومتك` = `حومتك`);
- alt:      spaced-out letters joined (`s n a p`), and leetspeak read as the
            rule word it spells (`t3l3gr4m`) when that word is a rule word of a
            language not written in Arabizi; built only when it differs;
- fuzzy:    tokens within a small edit distance of a fuzzy term's word replaced
            by that word (found through a deletion index, never by comparing the
            text with every term);
- skeleton: Arabizi consonant skeletons, for fuzzy terms in Tunisian Latin script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

import re2
from rapidfuzz.distance import Levenshtein

from himaya.core.links import find_emoji, find_links, fold_emoji, host_matches, link_hash, parse_link
from himaya.core.normalize import (
    Normalized, alt_view, changed_indexes, loose, normalize, normalize_term, skeleton, strip_clitic,
)
from himaya.core.rules.schema import SEVERITY_RANK, Rule
from himaya.core.textindex import TokenAutomaton

# Which views a pattern may match in (bit flags).
V_LOOSE, V_ALT, V_FUZZY = 1, 2, 4
LEET_LANGS = ("fr", "en", "any")
SEVERITY_WEIGHT = {"low": 0.25, "medium": 0.5, "high": 0.75, "critical": 1.0}
RISK_FROM = SEVERITY_RANK["medium"]  # a lone low-severity cue is reported, not alarmed on
MAX_TEXT = 200_000  # characters scanned in one unit; the companion caps input well below this


def fuzzy_distance(n: int) -> int:
    """Edits allowed for a word of n letters: short words are never fuzzy."""
    return 0 if n < 5 else 1 if n < 9 else 2


class Hit(NamedTuple):  # a tuple: made by the thousand on a large page
    group: str
    first: int  # word positions [first, last] (Normalized.position), for windows
    last: int
    start: int  # span in the original text
    end: int


@dataclass(frozen=True)
class Match:
    """One rule that matched: what to show and where it matched."""

    rule: str
    category: str
    severity: str
    status: str
    spans: tuple[tuple[int, int], ...]
    title: dict
    explain: dict

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "category": self.category, "severity": self.severity,
            "spans": [list(s) for s in self.spans], "title": self.title, "explain": self.explain,
        }


@dataclass
class Verdict:
    """The answer for one unit. `experimental` matches are counted, never shown."""

    risk: bool = False
    severity: str = "none"
    score: float = 0.0
    matches: list[Match] = field(default_factory=list)
    experimental: list[Match] = field(default_factory=list)
    conversation: dict | None = None
    signals: dict | None = None  # what each signal said (rules, model), when a model is loaded

    @classmethod
    def from_matches(cls, found: list[Match]) -> "Verdict":
        shown = [m for m in found if m.status != "experimental"]
        shown.sort(key=lambda m: (-SEVERITY_RANK[m.severity], m.rule))
        top = shown[0].severity if shown else "none"
        score = 0.0
        for m in shown:  # noisy-OR of the matches' weights
            score = 1 - (1 - score) * (1 - SEVERITY_WEIGHT[m.severity])
        return cls(
            risk=SEVERITY_RANK[top] >= RISK_FROM, severity=top, score=round(score, 4), matches=shown,
            experimental=[m for m in found if m.status == "experimental"],
        )

    def to_dict(self) -> dict:
        out = {
            "risk": self.risk, "severity": self.severity, "score": self.score,
            "matches": [m.to_dict() for m in self.matches],
        }
        if self.conversation is not None:
            out["conversation"] = self.conversation
        if self.signals is not None:
            out["signals"] = self.signals
        return out


class _Compiled:
    """Rule-set wide tables, filled while compiling."""

    def __init__(self):
        self.patterns: dict[str, list[tuple[int, str, int]]] = {}  # loose pattern -> [(rule, group, views)]
        self.skeletons: dict[str, list[tuple[int, str, int]]] = {}
        self.leet_vocab: set[str] = set()
        self.words: set[str] = set()  # every word of a phrase or fuzzy term
        self.guards: dict[tuple[int, str], list[tuple[str, ...]]] = {}  # unless_after, per group
        self.fuzzy_vocab: set[str] = set()
        # Keyed by pattern: a shared lexicon puts the same regex or link shape in many
        # rules, and each must run once per scan, not once per rule.
        self.regexes: dict[str, list[tuple[int, str]]] = {}
        self.domains: dict[tuple[str, str], list[tuple[int, str]]] = {}  # (domain, path pattern) -> refs
        self.hashes: dict[str, list[tuple[int, str]]] = {}
        self.emoji: dict[str, list[tuple[int, str]]] = {}


def _pattern(value: str, transform) -> str:
    """Padded pattern for a term; `*` at either end makes that end open (stem)."""
    value = value.removeprefix("=")
    lead, trail = value.startswith("*"), value.endswith("*")
    toks = [transform(t) for t in normalize_term(value.strip("*"))]
    return ("" if lead else " ") + " ".join(toks) + ("" if trail else " ")


@lru_cache(maxsize=1 << 16)
def _forms(value: str) -> tuple[str, str, str]:
    """A phrase/fuzzy value's patterns: loose, without Arabic proclitics (the same
    words with an article or a conjunction on either side: الحومة = حومة; a value
    starting with `=` keeps its own prefix), and Arabizi skeleton. Cached: shared
    lexicons put the same value in many rules."""
    pat = _pattern(value, loose)
    bare = pat if value.startswith("=") else _pattern(value, lambda t: strip_clitic(loose(t)))
    return pat, bare, _pattern(value, lambda t: skeleton(loose(t)))


class Index:
    """A rule set compiled for scanning."""

    def __init__(self, rules: list[Rule], disabled=()):
        disabled = set(disabled)
        self.rules = [r for r in rules if r.status != "deprecated" and r.id not in disabled]
        c = _Compiled()
        for ri, rule in enumerate(self.rules):
            for term in rule.terms.values():
                self._add_term(c, ri, term)
        self._c = c
        self.words = TokenAutomaton(c.patterns)
        self.skel = TokenAutomaton(c.skeletons) if c.skeletons else None
        self.regex_set = None
        if c.regexes:
            self.regex_set = re2.Set.SearchSet()
            self.regex_refs = list(c.regexes.values())
            for pat in c.regexes:
                self.regex_set.Add(pat)
            self.regex_set.Compile()
            self.regex_compiled = [re2.compile(p) for p in c.regexes]
        self.domain_checks = [(domain, re2.compile(path) if path else None, refs)
                              for (domain, path), refs in c.domains.items()]
        self._fuzzy = _FuzzyIndex(c.fuzzy_vocab)
        self.positive = [frozenset(r.condition.names(True)) for r in self.rules]
        self.kinds = {k: {i for i, r in enumerate(self.rules) if k in r.applies_to} for k in ("message", "profile", "post", "url")}

    # -- compiling -------------------------------------------------------------
    def _add_term(self, c: _Compiled, ri: int, term) -> None:
        g = term.name
        if term.unless_after:
            c.guards[(ri, g)] = [tuple(loose(t) for t in words) for words in term.unless_after]
        for lang, values in term.values.items():
            for v in values:
                if term.kind in ("phrase", "fuzzy"):
                    views = V_LOOSE | V_ALT | (V_FUZZY if term.kind == "fuzzy" else 0)
                    pat, bare, skel = _forms(v)
                    for variant in {pat, bare}:
                        _add_ref(c.patterns.setdefault(variant, []), (ri, g, views))
                    toks = pat.split()
                    c.words.update(toks)
                    if lang in LEET_LANGS:
                        c.leet_vocab.update(toks)
                    if term.kind == "fuzzy":
                        c.fuzzy_vocab.update(toks)
                        if (lang == "aeb-Latn" or term.arabizi) and len(skel.replace(" ", "")) >= 4:
                            c.skeletons.setdefault(skel, []).append((ri, g, V_LOOSE))
                elif term.kind == "regex":
                    _add_ref(c.regexes.setdefault(v, []), (ri, g))
                elif term.kind == "url":
                    _add_ref(c.domains.setdefault((v["domain"], v["path"]), []), (ri, g))
                elif term.kind == "url_sha256":
                    c.hashes.setdefault(v, []).append((ri, g))
                elif term.kind == "emoji":
                    c.emoji.setdefault(fold_emoji(v), []).append((ri, g))

    # -- scanning --------------------------------------------------------------
    def scan(self, text: str, kind: str = "message", url: str | None = None,
             normalized: Normalized | None = None) -> Verdict:
        """`normalized`, when given, is normalize(text) already done by the caller."""
        text = text[:MAX_TEXT]
        allowed = self.kinds.get(kind, self.kinds["message"])
        n = normalized if normalized is not None else normalize(text)
        hits: dict[int, list[Hit]] = {}

        def add(ri: int, hit: Hit) -> None:
            if ri in allowed:
                hits.setdefault(ri, []).append(hit)

        self._words(n, add)
        self._regexes(n, add)
        self._links(n, url, kind, add)
        self._emoji(n, add)
        found = [m for ri, hs in hits.items() if (m := self._evaluate(ri, hs))]
        return Verdict.from_matches(found)

    def _words(self, n: Normalized, add) -> None:
        toks, clitic, skel = n.forms()
        self._emit(self.words.find(toks), V_LOOSE, None, n, add)
        # The other views differ from the loose one in a few tokens: search only
        # around those, not the whole text again.
        changed = changed_indexes(clitic, toks)
        if changed:
            self._emit(self.words.find_near(clitic, changed), V_LOOSE, None, n, add)
        alt = alt_view(n, self._c.leet_vocab, self._c.words)
        if alt is not None:
            alt_toks, cover, changed = alt
            alt_toks = list(map(loose, alt_toks))
            self._emit(self.words.find_near(alt_toks, changed), V_ALT, cover, n, add)
            self._fuzzy_views(alt_toks, None, changed, cover, n, add)
        self._fuzzy_views(toks, skel, None, None, n, add)

    def _fuzzy_views(self, toks: list[str], skel, changed, cover, n: Normalized, add) -> None:
        """Near spellings and Arabizi skeletons, over all tokens (changed=None) or
        only around the changed ones (a joined or leet-read word)."""
        if self._fuzzy:
            nearest = self._fuzzy.nearest
            if changed is None:
                fz = list(map(nearest, toks))
                moved = changed_indexes(fz, toks)
            else:
                fz, moved = list(toks), []
                for i in changed:
                    fz[i] = nearest(toks[i])
                    if fz[i] is not toks[i]:
                        moved.append(i)
            if moved:
                self._emit(self.words.find_near(fz, moved), V_FUZZY, cover, n, add)
        if self.skel is not None:
            if skel is None:
                skel = list(map(skeleton, toks))
            found = self.skel.find(skel) if changed is None else self.skel.find_near(skel, changed)
            self._emit(found, V_LOOSE, cover, n, add)

    def _emit(self, found, flag: int, cover, n: Normalized, add) -> None:
        starts, ends = n.starts_ends()
        position = n.positions()
        guards = self._c.guards
        for pat_refs, a, b in found:
            if cover is not None:
                a, b = cover[a][0], cover[b][1]
            start, end = starts[a], ends[b]
            pa, pb = (position[a], position[b]) if position else (a, b)
            for ri, g, allowed_views in pat_refs:
                if allowed_views & flag and not (guards and _guarded(guards.get((ri, g)), n, a)):
                    add(ri, Hit(g, pa, pb, start, end))

    def _regexes(self, n: Normalized, add) -> None:
        if self.regex_set is None or not n.tokens:
            return
        full = n.full()
        for i in self.regex_set.Match(full) or ():
            for m in self.regex_compiled[i].finditer(full):
                s, e = m.span()
                if e <= s:
                    continue
                os_ = n.full_to_original(s)
                oe = n.full_to_original(e - 1) + 1
                first, last = n.position(n.token_at(os_)), n.position(n.token_at(max(oe - 1, os_)))
                for ri, g in self.regex_refs[i]:
                    add(ri, Hit(g, first, last, os_, oe))

    def _links(self, n: Normalized, url: str | None, kind: str, add) -> None:
        c = self._c
        if not (c.domains or c.hashes):
            return
        # A `url` unit is one address: parsed whole, never searched for links inside
        # (`javascript:...//t.me/+x` is not a t.me link).
        links = [] if kind == "url" else find_links(n.original)
        if url:  # the page address: spans the text only when the text is that address
            page = parse_link(url, 0, len(url) if url == n.original else 0)
            if page is not None:
                links.append(page)
        for link in links:
            first = n.position(n.token_at(link.start)) if n.tokens else 0
            last = n.position(n.token_at(max(link.end - 1, link.start))) if n.tokens else 0
            for domain, path, refs in self.domain_checks:
                if host_matches(link.host, link.registrable, domain) and (path is None or path.search(link.path)):
                    for ri, g in refs:
                        add(ri, Hit(g, first, last, link.start, link.end))
            for ri, g in c.hashes.get(link_hash(link.host, link.path), ()):
                add(ri, Hit(g, first, last, link.start, link.end))

    def _emoji(self, n: Normalized, add) -> None:
        if not self._c.emoji:
            return
        for ch, off in find_emoji(n.original):
            refs = self._c.emoji.get(fold_emoji(ch))
            if refs:
                tok = n.position(n.token_at(off)) if n.tokens else 0
                for ri, g in refs:
                    add(ri, Hit(g, tok, tok, off, off + len(ch)))

    # -- evaluating ------------------------------------------------------------
    def _evaluate(self, ri: int, hits: list[Hit]) -> Match | None:
        rule, positive = self.rules[ri], self.positive[ri]
        unit = {h.group for h in hits}
        if not unit & positive:
            return None
        chosen = _satisfy(rule, hits, unit, positive)
        if chosen is None:
            return None
        severity = rule.severity
        for cond, sev in rule.escalate:
            if SEVERITY_RANK[sev] > SEVERITY_RANK[severity] and cond.evaluate(unit, unit):
                severity = sev
        spans = _merge_spans((h.start, h.end) for h in chosen)
        return Match(rule.id, rule.category, severity, rule.status, spans, rule.title, rule.explain)


def _satisfy(rule: Rule, hits: list[Hit], unit: set[str], positive: set[str]) -> list[Hit] | None:
    """The hits of a satisfied condition: within the window, if the rule has one."""
    if rule.window is None:
        return [h for h in hits if h.group in positive] if rule.condition.evaluate(unit, unit) else None
    relevant = sorted((h for h in hits if h.group in positive), key=lambda h: h.first)
    for i, anchor in enumerate(relevant):
        end = anchor.first + rule.window
        # Hits that start inside the window count: spaced-out words (`t.e.l.e.g.r.a.m`)
        # are many tokens long but one word.
        inside = [h for h in relevant[i:] if h.first < end]
        if rule.condition.evaluate({h.group for h in inside}, unit):
            return inside
    return None


def _add_ref(refs: list, ref) -> None:
    if ref not in refs:
        refs.append(ref)


def _guarded(guard, n: Normalized, first: int) -> bool:
    """Does one of the group's `unless_after` words stand right before token `first`?"""
    if not guard:
        return False
    for words in guard:
        k = len(words)
        if first >= k and tuple(loose(t) for t in n.tokens[first - k:first]) == words:
            return True
    return False


def _merge_spans(spans) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if e <= s:  # evidence outside the text (the page address)
            continue
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple((s, e) for s, e in out)


class _FuzzyIndex:
    """Nearest fuzzy-term word within its edit budget, through a deletion index."""

    def __init__(self, vocab: set[str]):
        self.vocab = frozenset(vocab)
        self.deletes: dict[str, list[str]] = {}
        for word in vocab:
            if not fuzzy_distance(len(word)):
                continue  # short words: only exact (and Arabic clitic) matches
            for variant in _deletions(word, fuzzy_distance(len(word))):
                self.deletes.setdefault(variant, []).append(word)
        self.nearest = lru_cache(maxsize=1 << 15)(self._nearest)

    def __bool__(self) -> bool:
        return bool(self.vocab)

    def _nearest(self, token: str) -> str:
        if token in self.vocab or not token.isalnum():
            return token
        bare = strip_clitic(token)  # Arabic: وسناب, بالواتساب
        if bare is not token and bare in self.vocab:
            return bare
        if len(token) < 5:
            return token
        best, best_d = token, 99
        for variant in _deletions(token, 2):
            for word in self.deletes.get(variant, ()):
                budget = fuzzy_distance(min(len(word), len(token)))
                d = Levenshtein.distance(token, word, score_cutoff=budget)
                if d <= budget and (d, word) < (best_d, best):
                    best, best_d = word, d
        return best


def _deletions(word: str, k: int) -> set[str]:
    out = {word}
    for d in range(1, min(k, len(word) - 1) + 1):
        for idx in combinations(range(len(word)), d):
            out.add("".join(ch for i, ch in enumerate(word) if i not in idx))
    return out
