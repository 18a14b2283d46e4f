"""A compiled rule set, and the verdict it gives on one unit of text.

Compiled once (`Index(ruleset)`), then read-only, so any number of threads can
scan at once. A scan is:

1. normalize the text into tokens (normalize.py) and build the views;
2. one Aho-Corasick pass over the loose view finds every phrase and fuzzy term
   at token boundaries (patterns are padded with spaces, the views are tokens
   joined by single spaces); the other views differ in a few tokens and are
   searched only around those (the skeleton view, whole); RE2 Sets tell which
   rule regexes match the punctuation-keeping view (where they match is worked
   out only if a rule needs it); links and emoji are looked up in dicts. Each
   occurrence is kept once, under its pattern, not copied to every rule; a
   view searched whole keeps its matches as the engine gave them, and places
   them in the text (token indexes, spans) only for the patterns of the rules
   still in play after step 3's first pass (textindex.Hits, _Pending);
3. a rule is looked at only when a group of its condition's cover is hit
   (Node.cover), and its condition is first decided on the unit's group bits
   (Node.compile_bits); only the few rules left gather their occurrences and
   are evaluated: condition within the rule's token window (one sorted pass),
   then `escalate`.

Work is proportional to the text and its hits: no step compares each hit with
each other, and a token costs a bounded amount whatever it holds. A scan has a
CPU-time budget (`SCAN_BUDGET`); past it the verdict says `partial`. A unit
longer than MAX_TEXT is scanned in overlapping pieces.

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

import bisect
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import accumulate

import re2
from rapidfuzz.distance import Levenshtein

from himaya.core import normalize as normalize_mod
from himaya.core.links import DOT_LETTER, find_emoji, find_links, fold_emoji, host_matches, link_hash, parse_link
from himaya.core.negation import PROHIBITION, prohibited
from himaya.core.normalize import (
    WORD_CACHE_MAX, Normalized, WordCache, alt_view, changed_indexes, loose, normalize, normalize_term, skeleton,
    strip_article, strip_clitic, strip_proclitic,
)
from himaya.core.reported import inside, reported
from himaya.core.rules.schema import SEVERITY_RANK, Rule
from himaya.core.textindex import Hits, TokenAutomaton

# Which views a pattern may match in (bit flags).
V_LOOSE, V_ALT, V_FUZZY = 1, 2, 4
LEET_LANGS = ("fr", "en", "any")
SEVERITY_WEIGHT = {"low": 0.25, "medium": 0.5, "high": 0.75, "critical": 1.0}
RISK_FROM = SEVERITY_RANK["medium"]  # a lone low-severity cue is reported, not alarmed on
# A longer unit is scanned in overlapping pieces of MAX_TEXT characters (a rule's
# condition holds within one piece); the companion caps a unit well below this.
MAX_TEXT = 200_000
PIECE_OVERLAP = 4_000
# Seconds of a thread's CPU time one scan may take before it judges on what it has
# found so far (`Verdict.partial`): a 50 KB page takes about 20 ms, a message 50 µs.
SCAN_BUDGET = 0.5
SHORT_UNIT = 2_000  # characters: see _Budget
EAGER_HITS = 24  # a search with this many matches or fewer places them all at once (_emit_later)


def fuzzy_distance(n: int) -> int:
    """Edits allowed for a word of n letters: short words are never fuzzy."""
    return 0 if n < 5 else 1 if n < 9 else 2


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
    partial: bool = False  # the scan's time budget ran out: judged on part of the text

    @classmethod
    def from_matches(cls, found: list[Match]) -> "Verdict":
        if not found:  # most units: nothing to sort or weigh
            return cls()
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
        if self.partial:
            out["partial"] = True
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


def _by_skeleton(term, lang: str, skel: str) -> bool:
    """Whether a value is also searched by its Arabizi consonant skeleton (`t5adem`
    for `ta5dem`, `9dech` for `9adech`): Tunisian Latin values, or any value of a
    group marked `arabizi: true`, never one marked `arabizi: false`. A skeleton of
    fewer than four letters would meet too many words; a phrase value's every word
    must keep three (`el`, `sur`, `la` are no skeletons: `sawwer el page` must not
    read "sur la page"). A fuzzy value's short words may go by skeleton as before."""
    if term.arabizi is False or not (lang == "aeb-Latn" or term.arabizi):
        return False
    words = skel.split()
    return sum(map(len, words)) >= 4 and (term.kind == "fuzzy" or min(map(len, words)) >= 3)


@lru_cache(maxsize=1 << 16)
def _forms(value: str) -> tuple[str, tuple[str, ...], str]:
    """A phrase/fuzzy value's patterns: loose; without Arabic proclitics (the same
    words with an article or a conjunction on either side: الحومة = حومة), in two
    readings, each word stripped of any proclitic, and of the article only (so
    "بنات" keeps its "ب" to meet "لبنات", which the text's view reads "بنات"); a
    value starting with `=` keeps its own prefix. And its Arabizi skeleton. Cached:
    shared lexicons put the same value in many rules."""
    pat = _pattern(value, loose)
    bare = () if value.startswith("=") else (_pattern(value, lambda t: strip_proclitic(loose(t))),
                                             _pattern(value, lambda t: strip_article(loose(t))))
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
        # The fuzzy view counts for fuzzy terms only: searching it for phrases too
        # found every common word of the page again, to throw it away.
        self.fuzzy_words = TokenAutomaton({pat: refs for pat, refs in c.patterns.items()
                                           if any(views & V_FUZZY for _ri, _g, views in refs)})
        # Likewise the proclitic view changes Arabic words, and a match there must
        # hold one: when the changed words are all Arabic script, only patterns
        # with an Arabic letter can give one.
        self.arabic_words = TokenAutomaton({pat: refs for pat, refs in c.patterns.items() if _ARABIC.search(pat)})
        self.skel = TokenAutomaton(c.skeletons) if c.skeletons else None
        self.regex_set = _RegexSets(list(c.regexes)) if c.regexes else None
        if c.regexes:
            self.regex_refs = list(c.regexes.values())
            self.regex_compiled = [re2.compile(p.encode("utf-8")) for p in c.regexes]
            # A Set's word is final for a pattern unless its Set holds a relaxed copy
            # or it may match the empty string (which counts for nothing): those
            # are checked with one search.
            self.regex_unsure = [_relax(p) != p or _may_match_empty(p) for p in c.regexes]
        self.domain_checks = [(domain, re2.compile(path) if path else None, refs)
                              for (domain, path), refs in c.domains.items()]
        self._fuzzy = _FuzzyIndex(c.fuzzy_vocab)
        self.positive = [frozenset(r.condition.names(True)) for r in self.rules]
        # For each word pattern and view: the (rule, group, unless_after guard) it
        # counts for, resolved once here rather than on every occurrence.
        # One bit per group of every rule, all rules side by side in one int (rule
        # ri's groups from offsets[ri]): what a text reaches is a few int ORs. A
        # rule's own tests read its groups as the low bits of a small int (`bits`,
        # the unit's int shifted right by its offset): operations on a few bits,
        # where the unit's int has thousands and each operation copied them.
        offsets = list(accumulate((len(r.terms) for r in self.rules), initial=0))
        self.offsets = offsets[:-1]
        self.bits = [{g: 1 << k for k, g in enumerate(sorted(r.terms))} for r in self.rules]
        self.rule_groups = [((1 << len(r.terms)) - 1) << offsets[ri] for ri, r in enumerate(self.rules)]
        # Which groups bring a rule into consideration at all (its condition's
        # cover, see Node.cover): the others only count once it is in.
        self.anchors = [_anchors(r) for r in self.rules]
        self._compile_conditions()
        self._build_fan()
        self._build_other_fan()
        self.kinds = {k: {i for i, r in enumerate(self.rules) if k in r.applies_to} for k in ("message", "profile", "post", "url")}

    # Pickled by core/compiled.py without the compiled conditions (closures, rebuilt
    # in milliseconds); the fan tables are keyed by object ids, which change on
    # loading, so they travel as a list in the patterns' order and get new keys.
    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("unit_tests", "window_tests", "regex_set", "_other_fan")}
        state["_fan"] = [self._fan[id(refs) + flag] for refs, flag in self._fan_keys()]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._fan = {id(refs) + flag: fan for (refs, flag), fan in zip(self._fan_keys(), state["_fan"], strict=True)}
        assert len(self._fan) == len(state["_fan"]), "object ids must be multiples of 8"
        self._compile_conditions()
        self._build_other_fan()
        self.regex_set = _RegexSets(list(self._c.regexes)) if self._c.regexes else None

    def _fan_keys(self):
        for table in (self._c.patterns, self._c.skeletons):
            for refs in table.values():
                for flag in (V_LOOSE, V_ALT, V_FUZZY):
                    yield refs, flag

    def _compile_conditions(self) -> None:
        # Each rule's tests are compiled the first time a text reaches the rule (a
        # cold `himaya scan` of one message compiles a handful, not all of them).
        # Scans run in several threads: each slot is filled by one assignment of a
        # finished value, so a thread sees nothing or all of it.
        self.unit_tests = [None] * len(self.rules)
        self.window_tests = [None] * len(self.rules)  # (condition over masks, [(escalation, severity)])

    def _unit_test(self, ri: int):
        test = self.unit_tests[ri] = self.rules[ri].condition.compile_bits(self.bits[ri])
        return test

    def _window_test(self, ri: int):
        rule, bits = self.rules[ri], self.bits[ri]
        tests = self.window_tests[ri] = (rule.condition.compile_masks(bits),
                                         [(c.compile_bits(bits), sev) for c, sev in rule.escalate])
        return tests

    def _build_fan(self) -> None:
        # For each word pattern and view (key: the pattern's refs list id + the
        # view's flag; ids are multiples of 8, flags below 8), resolved once here
        # rather than on every occurrence: the bits of the groups and of the rules
        # it counts for (unless_after-guarded ones apart), and its (group, guard)
        # pairs by rule. Patterns of one lexicon count for the same groups: the
        # tables are shared (interned), or they would take 100 MB.
        c = self._c
        self._fan: dict[int, tuple] = {}
        shared: dict[tuple, tuple] = {}
        for refs, flag in self._fan_keys():
            counts = tuple(sorted({(ri, g) for ri, g, views in refs if views & flag}))
            fan = shared.get(counts)
            if fan is None:
                fan = shared[counts] = self._fan_tables(counts, c.guards)
            self._fan[id(refs) + flag] = fan
        assert len(self._fan) == 3 * (len(c.patterns) + len(c.skeletons)), "object ids must be multiples of 8"

    def _build_other_fan(self) -> None:
        # The same for the refs of regexes, link shapes and emoji (keyed by the refs
        # list's id, rebuilt on loading): the group bits and the rule bits they add.
        c, bits, anchors = self._c, self.bits, self.anchors
        self._other_fan: dict[int, tuple[int, int]] = {}
        for table in (c.regexes, c.domains, c.hashes, c.emoji):
            for refs in table.values():
                group_bits = rule_bits = 0
                for ri, g in refs:
                    group_bits |= bits[ri][g] << self.offsets[ri]
                    if g in anchors[ri]:
                        rule_bits |= 1 << ri
                self._other_fan[id(refs)] = (group_bits, rule_bits)

    def _fan_tables(self, counts: tuple, guards: dict) -> tuple:
        """(group bits, rule bits, guarded [(group bit, rule bit, guard)], {rule: [(group,
        guard)]}) for the (rule, group) pairs a pattern counts for; a rule's bit only
        where the group is one of its anchors."""
        group_bits = rule_bits = 0
        guarded, by_rule = [], {}
        for ri, g in counts:
            guard, bit = guards.get((ri, g)), self.bits[ri][g] << self.offsets[ri]
            rule_bit = 1 << ri if g in self.anchors[ri] else 0
            if guard is None:
                group_bits |= bit
                rule_bits |= rule_bit
            else:
                guarded.append((bit, rule_bit, guard))
            by_rule.setdefault(ri, []).append((g, guard))
        return group_bits, rule_bits, guarded, by_rule

    # -- compiling -------------------------------------------------------------
    def _add_term(self, c: _Compiled, ri: int, term) -> None:
        g = term.name
        if term.unless_after:
            c.guards[(ri, g)] = [words if words == _PROHIBITION_GUARD else tuple(loose(t) for t in words)
                                 for words in term.unless_after]
        for lang, values in term.values.items():
            for v in values:
                if term.kind in ("phrase", "fuzzy"):
                    views = V_LOOSE | V_ALT | (V_FUZZY if term.kind == "fuzzy" else 0)
                    pat, bare, skel = _forms(v)
                    for variant in {pat, *bare}:
                        _add_ref(c.patterns.setdefault(variant, []), (ri, g, views))
                    toks = pat.split()
                    c.words.update(toks)
                    if lang in LEET_LANGS:
                        c.leet_vocab.update(toks)
                    if term.kind == "fuzzy":
                        c.fuzzy_vocab.update(toks)
                    if _by_skeleton(term, lang, skel):
                        c.skeletons.setdefault(skel, []).append((ri, g, V_LOOSE))
                elif term.kind == "regex":
                    _add_ref(c.regexes.setdefault(v, []), (ri, g))
                elif term.kind == "url":
                    _add_ref(c.domains.setdefault((v["domain"], v["path"]), []), (ri, g))
                elif term.kind == "url_sha256":
                    c.hashes.setdefault(v, []).append((ri, g))
                elif term.kind == "emoji":
                    c.emoji.setdefault(fold_emoji(v), []).append((ri, g))

    def build(self) -> None:
        """Build every search engine and every rule's compiled tests now. They are
        built on first use otherwise (a cold `himaya scan` needs only some); a
        companion builds them before it serves, so that no child's message waits."""
        for automaton in (self.words, self.fuzzy_words, self.arabic_words, self.skel):
            if automaton is not None:
                automaton.build()
        for ri in range(len(self.rules)):
            self.unit_tests[ri] or self._unit_test(ri)
            self.window_tests[ri] or self._window_test(ri)

    # -- scanning --------------------------------------------------------------
    def scan(self, text: str, kind: str = "message", url: str | None = None,
             budget: float | None = SCAN_BUDGET, normalized: Normalized | None = None) -> Verdict:
        """The verdict for one unit. `budget`: seconds of this thread's CPU time
        after which the scan stops looking and judges on what it found so far
        (the verdict then says `partial`); None for no limit. `normalized`, when
        given, is normalize(text) already done by the caller."""
        if len(text) > MAX_TEXT:
            return self._scan_pieces(text, kind, url, budget)
        clock = _Budget(budget, len(text))
        allowed = self.kinds.get(kind, self.kinds["message"])
        n = normalized if normalized is not None else normalize(text)
        found = _Found()
        for phase in (self._words, self._regexes, self._emoji):
            if clock.spent():
                break
            phase(n, found, clock)
        if not clock.spent():
            self._links(n, url, kind, found)
        rules = self._by_rule(found, allowed, n)
        matches = [m for ri in sorted(rules) if (m := self._evaluate(ri, rules[ri]))]
        if matches and kind != "profile":  # (a profile's quotes are its own posts)
            parts = reported(n.original, n.tokens, n.starts_ends()[0])
            if parts:  # a stranger's words quoted by a parent, a child or a prevention post
                matches = [m for m in matches if not inside(m.spans, parts)]
        verdict = Verdict.from_matches(matches)
        verdict.partial = clock.stopped
        return verdict

    def _scan_pieces(self, text: str, kind: str, url: str | None, budget: float | None) -> Verdict:
        """A unit longer than MAX_TEXT, scanned whole in overlapping pieces (never
        cut): each piece is judged as a unit, the matches of all pieces are merged.
        The budget covers the whole text."""
        clock = _Budget(budget)
        by_rule: dict[str, Match] = {}
        partial = False
        for offset, piece in _pieces(text):
            if clock.spent():
                partial = True
                break
            left = None if clock.end is None else max(clock.end - time.thread_time(), 0.0)
            verdict = self.scan(piece, kind, url, left)
            partial = partial or verdict.partial
            for m in (*verdict.matches, *verdict.experimental):
                spans = tuple((s + offset, e + offset) for s, e in m.spans)
                seen = by_rule.get(m.rule)
                if seen is not None:  # the same rule in two pieces: one match, its spans together
                    severity = max(seen.severity, m.severity, key=SEVERITY_RANK.__getitem__)
                    m = Match(m.rule, m.category, severity, m.status, _merge_spans(seen.spans + spans),
                              m.title, m.explain)
                else:
                    m = Match(m.rule, m.category, m.severity, m.status, spans, m.title, m.explain)
                by_rule[m.rule] = m
        verdict = Verdict.from_matches(list(by_rule.values()))
        verdict.partial = partial
        return verdict

    def _words(self, n: Normalized, found: "_Found", clock: "_Budget") -> None:
        toks, clitic, skel = n.forms()
        self._emit_later(self.words.search(toks), V_LOOSE, n, found)
        # The other views differ from the loose one in a few tokens: search only
        # around those, not the whole text again.
        changed = changed_indexes(clitic, toks)
        if changed:
            # (a mixed token such as بالwhatsapp loses its prefix to a Latin word: all patterns then)
            plain = _NOT_ARABIC.search("".join([clitic[i] for i in changed])) is None
            self._emit_any((self.arabic_words if plain else self.words).find_near(clitic, changed, whole=True),
                           V_LOOSE, n, found)
        if clock.spent():
            return
        alt = alt_view(n, self._c.leet_vocab, self._c.words)
        if alt is not None:
            alt_toks, cover, changed = alt
            alt_toks = list(map(loose, alt_toks))
            self._emit(self.words.find_near(alt_toks, changed), V_ALT, cover, n, found)
            self._fuzzy_views(alt_toks, None, changed, cover, n, found)
        if clock.spent():
            return
        self._fuzzy_views(toks, skel, None, None, n, found)

    def _fuzzy_views(self, toks: list[str], skel, changed, cover, n: Normalized, found: "_Found") -> None:
        """Near spellings and Arabizi skeletons, over all tokens (changed=None; `skel`
        their skeletons) or only around the changed ones (a joined or leet-read word)."""
        if self._fuzzy:
            nearest = self._fuzzy.nearest
            if changed is None:
                fz = self._fuzzy.nearest_all(toks)
                moved = changed_indexes(fz, toks)
            else:
                fz, moved = list(toks), []
                for i in changed:
                    fz[i] = nearest(toks[i])
                    if fz[i] != toks[i]:
                        moved.append(i)
            if moved:
                if cover is None:
                    self._emit_any(self.fuzzy_words.find_near(fz, moved, whole=True), V_FUZZY, n, found)
                else:
                    self._emit(self.fuzzy_words.find_near(fz, moved), V_FUZZY, cover, n, found)
        if self.skel is not None:
            if changed is None:
                self._emit_later(self.skel.search(skel), V_LOOSE, n, found)
            else:  # (the skeletons of the tokens near a change only)
                self._emit(self.skel.find_near(toks, changed, form=skeleton), V_LOOSE, cover, n, found)

    def _emit(self, hits, flag: int, cover, n: Normalized, found: "_Found") -> None:
        """Keep each occurrence under its pattern (rules are looked up later, once
        per pattern: a lexicon word shared by many rules is not copied to each).
        The key is the pattern's refs list id plus the view's flag (ids are
        multiples of 8, flags below 8): an int, cheaper than a tuple per hit."""
        starts, ends = n.starts_ends()
        position = n.positions()
        words = found.words
        for pat_refs, a, b in hits:
            if cover is not None:
                a, b = cover[a][0], cover[b][1]
            key = id(pat_refs) + flag
            got = words.get(key)
            if got is None:
                occs = []
                words[key] = (pat_refs, flag, [occs])
            else:
                occs = got[2][-1]
                if type(occs) is not list:  # after a _Pending: a list of its own
                    occs = []
                    got[2].append(occs)
            if position is None:
                occs.append((a, b, starts[a], ends[b], a))
            else:
                occs.append((position[a], position[b], starts[a], ends[b], a))

    def _emit_any(self, hits, flag: int, n: Normalized, found: "_Found") -> None:
        """A view's matches, as a list (_emit) or as a whole search's Hits (_emit_later):
        that search's matches without a changed token repeat the loose view's,
        under a key that counts for no group the loose one does not, with the same
        occurrences (no condition, window or span changes for a repeat)."""
        if type(hits) is Hits:
            self._emit_later(hits, flag, n, found)
        else:
            self._emit(hits, flag, None, n, found)

    def _emit_later(self, hits: Hits, flag: int, n: Normalized, found: "_Found") -> None:
        """Like _emit for a whole view's search, but each pattern found gets its
        occurrences worked out only if a rule still in play needs them (_Pending).
        A short text's few matches are placed at once (cheaper than deferring)."""
        if len(hits.raw) <= EAGER_HITS:
            self._emit(hits.where(), flag, None, n, found)
            return
        words, info = found.words, hits.info
        found.pending = True
        for pi in hits.patterns():
            refs = info[pi][0]
            key = id(refs) + flag
            pending = _Pending(hits, pi, n)
            got = words.get(key)
            if got is None:
                words[key] = (refs, flag, [pending])
            else:
                got[2].append(pending)

    def _regexes(self, n: Normalized, found: "_Found", clock: "_Budget") -> None:
        """Which rule regexes match, from the RE2 Sets; where they match is worked
        out only for the rules that get as far as needing it (few: a page hits ~20
        regexes and needs the places of ~3, a message almost never)."""
        if self.regex_set is None or not n.tokens:
            return
        # RE2 reads UTF-8: encode once and search bytes (the str API encodes the
        # whole text again and converts offsets on every match).
        data = n.full().encode("utf-8")
        for i in self.regex_set.matching(data):
            if clock.spent():
                return
            rx = self.regex_compiled[i]
            if self.regex_unsure[i] and next(_find_all(rx, data), None) is None:
                continue  # the relaxed copy matched, or only an empty match: not a hit
            found.add(self.regex_refs[i], _Lazy(partial(_regex_occurrences, n, data, rx)))

    def _links(self, n: Normalized, url: str | None, kind: str, found: "_Found") -> None:
        c = self._c
        if not (c.domains or c.hashes):
            return
        # A `url` unit is one address: parsed whole, never searched for links inside
        # (`javascript:...//t.me/+x` is not a t.me link).
        # A link has a dot right before a letter (its top-level domain): most
        # messages have none, and need no search.
        links = [] if kind == "url" or not DOT_LETTER.search(n.original) else find_links(n.original)
        if url:  # the page address: spans the text only when the text is that address
            page = parse_link(url, 0, len(url) if url == n.original else 0)
            if page is not None:
                links.append(page)
        for link in links:
            first = n.position(n.token_at(link.start)) if n.tokens else 0
            last = n.position(n.token_at(max(link.end - 1, link.start))) if n.tokens else 0
            occ = [(first, last, link.start, link.end, -1)]
            for domain, path, refs in self.domain_checks:
                if host_matches(link.host, link.registrable, domain) and (path is None or path.search(link.path)):
                    found.add(refs, occ)
            refs = c.hashes.get(link_hash(link.host, link.path))
            if refs:
                found.add(refs, occ)

    def _emoji(self, n: Normalized, found: "_Found", clock: "_Budget") -> None:
        if not self._c.emoji or n.original.isascii():
            return
        # One entry per emoji found, with all its occurrences: a page of 25 000
        # padlocks is one entry for the rules to look at, not 25 000.
        seen: dict[int, tuple[list, list]] = {}
        for ch, off in find_emoji(n.original):
            refs = self._c.emoji.get(fold_emoji(ch))
            if refs:
                tok = n.position(n.token_at(off)) if n.tokens else 0
                entry = seen.get(id(refs))
                if entry is None:
                    entry = seen[id(refs)] = (refs, [])
                entry[1].append((tok, tok, off, off + len(ch), -1))
        for refs, occurrences in seen.values():
            found.add(refs, occurrences)

    # -- evaluating ------------------------------------------------------------
    def _by_rule(self, found: "_Found", allowed: set[int], n: Normalized) -> dict[int, dict[str, list[list]]]:
        """The rules whose condition holds on the whole unit, each with group ->
        lists of occurrences (shared with `found`, not copied).

        A common word reaches many rules and few of them can match: a first pass
        ORs the bits of the groups (and of the rules whose cover they are in)
        each pattern found counts for, and decides each rule's condition on those
        bits; only for the rules left does a second pass gather the occurrences.
        """
        groups_on = rules_on = 0
        fan = self._fan
        guarded_found = []
        for key, (_refs, _flag, sources) in found.words.items():
            group_bits, rule_bits, guarded, _by_rule = fan[key]
            groups_on |= group_bits
            rules_on |= rule_bits
            if guarded:
                guarded_found.append((guarded, sources))
        if guarded_found:
            if found.pending:
                _resolve([s for _g, sources in guarded_found for s in sources])
            for guarded, sources in guarded_found:
                for bit, rule_bit, guard in guarded:  # `unless_after`: occurrences right after those words do not count
                    if any(not _guarded(guard, n, o[4]) for occs in sources for o in occs):
                        groups_on |= bit
                        rules_on |= rule_bit
        other_fan = self._other_fan
        for refs, _occs in found.other:
            group_bits, rule_bits = other_fan[id(refs)]
            groups_on |= group_bits
            rules_on |= rule_bits
        # groups_on holds exactly the groups the unit has (a guarded group only
        # with an occurrence its guard lets through), so the condition on the unit
        # is decided here, on bits: most rules a text reaches stop at that.
        unit_tests, offsets = self.unit_tests, self.offsets
        live = []
        while rules_on:
            low = rules_on & -rules_on
            rules_on ^= low
            ri = low.bit_length() - 1
            if ri in allowed and (unit_tests[ri] or self._unit_test(ri))(groups_on >> offsets[ri]):
                live.append(ri)
        rules: dict[int, dict[str, list[list]]] = {ri: {} for ri in live}
        if not live:
            return rules
        few = len(live)
        live_groups = 0  # every group of the rules left: a pattern that counts for none is skipped
        for ri in live:
            live_groups |= self.rule_groups[ri]
        needed = []
        for key, (_refs, _flag, sources) in found.words.items():
            group_bits, _rule_bits, guarded, by_rule = fan[key]
            if group_bits & live_groups or any(bit & live_groups for bit, _r, _g in guarded):
                needed.append((sources, by_rule))
        if found.pending:
            _resolve([s for sources, _b in needed for s in sources])
        for sources, by_rule in needed:
            # the shorter of the two: this pattern's rules, or the rules left
            pairs = by_rule.items() if len(by_rule) <= few else [(ri, by_rule[ri]) for ri in live if ri in by_rule]
            for ri, entries in pairs:
                if ri in rules:
                    for g, guard in entries:
                        if guard is None:
                            rules[ri].setdefault(g, []).extend(sources)
                            continue
                        kept = [o for occs in sources for o in occs if not _guarded(guard, n, o[4])]
                        if kept:
                            rules[ri].setdefault(g, []).append(kept)
        for refs, occs in found.other:
            for ri, g in refs:
                if ri in rules:
                    rules[ri].setdefault(g, []).append(occs)
        return rules

    def _evaluate(self, ri: int, groups: dict[str, list[list]]) -> Match | None:
        rule, bits = self.rules[ri], self.bits[ri]
        condition, escalations = self.window_tests[ri] or self._window_test(ri)
        shown = self.positive[ri].intersection(groups)
        unit = 0  # the rule's groups found in the unit, as its condition's masks read them
        for g in groups:
            unit |= bits[g]
        # _by_rule let through only rules whose condition holds on the whole unit;
        # a window only narrows what it sees (`not` groups always look at the
        # whole unit).
        if rule.window is None:
            spans = [(o[2], o[3]) for g in shown for occs in groups[g] for o in occs]
        else:
            spans = _in_window(condition, rule.window, groups, shown, unit, bits)
            if spans is None:
                return None
        severity = rule.severity
        for escalated, sev in escalations:
            if SEVERITY_RANK[sev] > SEVERITY_RANK[severity] and escalated(unit):
                severity = sev
        return Match(rule.id, rule.category, severity, rule.status, _merge_spans(spans), rule.title, rule.explain)


class _Found:
    """What one scan found, per pattern, before any rule is looked at.

    words: pattern refs id + view flag -> (refs, view, [occurrences, ...]), a list
    of occurrences (or a _Pending) per search that found the pattern; other: (refs,
    occurrences) for regexes, links and emoji. An occurrence is a tuple
    (first word position, last word position, start, end, first token index).
    """

    __slots__ = ("words", "other", "pending")

    def __init__(self):
        self.words: dict[int, tuple[list, int, list]] = {}
        self.other: list[tuple[list, list]] = []
        self.pending = False  # does a _Pending wait in `words`

    def add(self, refs: list, occurrences: list) -> None:
        self.other.append((refs, occurrences))


class _Pending:
    """The occurrences of one pattern in a view's search (textindex.Hits), worked
    out when a rule still in play needs them: `_resolve` does it for many
    patterns at once, one pass over the search's matches."""

    __slots__ = ("hits", "pattern", "n", "items")

    def __init__(self, hits: Hits, pattern: int, n: Normalized):
        self.hits, self.pattern, self.n, self.items = hits, pattern, n, None

    def __iter__(self):
        if self.items is None:
            _resolve([self])
        return iter(self.items)

    def __bool__(self) -> bool:
        return True  # made only for a pattern that was found


def _resolve(sources) -> None:
    """Work out the occurrences of every _Pending among `sources` (other sources,
    lists of occurrences, are left alone): one pass per search."""
    by_search: dict[int, list[_Pending]] = {}
    for p in sources:
        if type(p) is _Pending and p.items is None:
            by_search.setdefault(id(p.hits), []).append(p)
    for group in by_search.values():
        hits, n = group[0].hits, group[0].n
        starts, ends = n.starts_ends()
        position = n.positions()
        found: dict[int, list] = {p.pattern: [] for p in group}
        for pi, a, b in hits.where(found.keys(), by_index=True):
            if position is None:
                found[pi].append((a, b, starts[a], ends[b], a))
            else:
                found[pi].append((position[a], position[b], starts[a], ends[b], a))
        for p in group:
            p.items = found[p.pattern]


class _Budget:
    """A scan's allowance of this thread's CPU time (a busy machine or other
    threads do not eat into it; one unit that costs too much is stopped).

    Reading a thread's CPU clock is a system call (about 2 µs, 5 % of a message
    scan); the wall clock is not, and CPU time never runs ahead of it, so
    `spent()` reads the CPU clock only once the wall clock says the budget could
    be used up. A short unit (SHORT_UNIT characters or fewer) does bounded work
    (the worst found takes ~10 ms: tests/test_worst_case.py), so it does not read
    the CPU clock at all: it gets 10 times the budget in wall time, which only
    a thread starved for that long meets.
    """

    __slots__ = ("end", "wall_end", "stopped")

    def __init__(self, seconds: float | None, length: int | None = None):
        self.stopped = False
        self.end = None  # on the CPU clock; None: wall clock only
        if seconds is None:
            self.wall_end = None
        elif length is not None and length <= SHORT_UNIT:
            self.wall_end = time.perf_counter() + 10 * seconds
        else:
            self.end = time.thread_time() + seconds
            self.wall_end = time.perf_counter() + seconds

    def spent(self) -> bool:
        if self.stopped or self.wall_end is None or time.perf_counter() < self.wall_end:
            return self.stopped
        left = 0.0 if self.end is None else self.end - time.thread_time()
        if left <= 0:
            self.stopped = True
        else:  # waited, not worked: look again when the rest could be used up
            self.wall_end = time.perf_counter() + left
        return self.stopped


def _pieces(text: str):
    """(offset, piece) over a long text: pieces of MAX_TEXT characters, each
    starting PIECE_OVERLAP characters before the previous one ended (at a space
    when there is one nearby), so that nothing near a cut is missed."""
    start = 0
    while True:
        end = min(start + MAX_TEXT, len(text))
        if end < len(text):
            space = text.rfind(" ", end - PIECE_OVERLAP // 2, end)
            end = space if space > start else end
        yield start, text[start:end]
        if end >= len(text):
            return
        nxt = end - PIECE_OVERLAP
        space = text.find(" ", nxt, end)
        start = space + 1 if space != -1 else nxt


def _in_window(cond, window: int, groups: dict[str, list[list]], shown: set[str], unit: int, bits: dict[str, int]):
    """Spans of the first window (in word positions) where the condition holds, or None.

    The windows start at each distinct first position f and hold every hit that
    starts in [f, f + window): one sorted pass with two pointers and a count per
    group, the condition evaluated only when the groups inside changed (linear in
    hits, where a list per anchor was quadratic). Groups are bits of `inside`,
    as the compiled condition reads them (`unit`: the rule's groups in the text).
    """
    items = sorted({(o[0], o[2], o[3], g) for g in shown for occs in groups[g] for o in occs})
    firsts = [it[0] for it in items]
    count = dict.fromkeys(shown, 0)
    inside = 0
    i = j = 0
    changed, total = True, len(items)
    while i < total:
        f = firsts[i]
        end = bisect.bisect_left(firsts, f + window, j)
        for k in range(j, end):
            g = items[k][3]
            count[g] += 1
            if count[g] == 1:
                inside |= bits[g]
                changed = True
        j = max(j, end)
        if changed:
            if cond(inside, unit):
                return [(it[1], it[2]) for it in items[i:j]]
            changed = False
        while i < total and firsts[i] == f:
            g = items[i][3]
            count[g] -= 1
            if count[g] == 0:
                inside &= ~bits[g]
                changed = True
            i += 1
    return None


def _anchors(rule: Rule) -> frozenset[str]:
    """The groups that bring a rule into consideration: its condition's cover,
    the cheapest by how much each group holds (a regex counts as many values:
    a price or a time shape is met far more often than a word), or every group
    when the condition has none."""
    cost = {}
    for name, term in rule.terms.items():
        values = sum(len(v) for v in term.values.values())
        cost[name] = values * (10 if term.kind == "regex" else 1)
    return rule.condition.cover(cost) or frozenset(rule.terms)


def _add_ref(refs: list, ref) -> None:
    if ref not in refs:
        refs.append(ref)


_PROHIBITION_GUARD = (PROHIBITION,)


def _guarded(guard, n: Normalized, first: int) -> bool:
    """Does one of the group's `unless_after` words stand right before token `first`
    (or, for `@prohibition`, a command in the negative: core/negation.py)?
    A last word spelled out in spaced letters ("لا ح ا ج ة لموافقة") counts as that word."""
    toks = n.tokens
    for words in guard:
        if words == _PROHIBITION_GUARD:
            if prohibited(n, first):
                return True
            continue
        k = len(words)
        if first >= k and tuple(loose(t) for t in toks[first - k:first]) == words:
            return True
    j = first
    while j > 0 and len(toks[j - 1]) == 1:
        j -= 1
    if first - j < 2:
        return False
    spelled = loose("".join(toks[j:first]))
    for words in guard:
        k = len(words)
        if words[-1] == spelled and j >= k - 1 and tuple(loose(t) for t in toks[j - k + 1:j]) == words[:-1]:
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


class _RegexSets:
    """Which rule regexes match a text, from RE2 Sets.

    A Set holds a relaxed copy of each pattern: a counted repeat with a large
    bound (`.{0,120}`) becomes open (`.*`), which accepts more and keeps the
    lazily built DFA small; the exact pattern then finds the matches. The
    patterns are split in Sets, their size chosen by the text's length:

    - short texts (messages) go to Sets of SHORT_SET_SIZE patterns: one Set of
      every pattern answers a text like those it has seen in 1-2 µs, but builds
      DFA states for most new ones (20-200 µs, a mean of ~17 µs over new
      messages); four Sets of 64 build far fewer (a mean of ~8 µs, 4-5 µs at
      the median), and a companion only ever sees new messages;
    - long texts (pages) hold too many different states for large Sets, which
      then flush and rebuild them over and over (90 ms on a 50 KB page for one
      Set of all); in Sets of SET_SIZE patterns each DFA stays small and warm
      (0.2 ms each).
    """

    SET_SIZE = 16
    SHORT_SET_SIZE = 64
    SHORT = 2048  # bytes
    SHORT_MEMORY = 16 << 20  # an upper bound: DFA states are built as texts need them

    def __init__(self, patterns: list[str]):
        relaxed = [_relax(p) for p in patterns]
        self.short = self._split(relaxed, self.SHORT_SET_SIZE, self.SHORT_MEMORY)
        self.sets = self._split(relaxed, self.SET_SIZE, None)

    @staticmethod
    def _split(relaxed: list[str], size: int, memory: int | None) -> list:
        out = []
        for a in range(0, len(relaxed), size):
            options = re2.Options()
            if memory:
                options.max_mem = memory
            rs = re2.Set.SearchSet(options)
            for p in relaxed[a:a + size]:
                rs.Add(p)
            rs.Compile()
            out.append((a, rs))
        return out

    def matching(self, data: bytes) -> list[int]:
        """Indexes of the patterns that match somewhere in UTF-8 `data`, in order."""
        sets = self.short if len(data) <= self.SHORT else self.sets
        return [a + i for a, rs in sets for i in sorted(rs.Match(data) or ())]


class _Lazy:
    """Occurrences worked out on first use (a hit whose places no rule may need)."""

    __slots__ = ("_make", "_items")

    def __init__(self, make):
        self._make, self._items = make, None

    def __iter__(self):
        if self._items is None:
            self._items, self._make = self._make(), None
        return iter(self._items)

    def __bool__(self) -> bool:
        return True  # made only for a pattern known to match


def _regex_occurrences(n: Normalized, data: bytes, rx) -> list[tuple]:
    """Every non-empty match of rx in n.full() (encoded as `data`), as occurrences."""
    spans = list(_find_all(rx, data))
    if len(data) != len(n.full()):  # not ASCII: byte offsets to character offsets
        to_char = _char_offsets(data, spans)
        spans = [(to_char[s], to_char[e]) for s, e in spans]
    occs = []
    for s, e in spans:
        os_ = n.full_to_original(s)
        oe = n.full_to_original(e - 1) + 1
        first, last = n.position(n.token_at(os_)), n.position(n.token_at(max(oe - 1, os_)))
        occs.append((first, last, os_, oe, -1))
    return occs


def _find_all(rx, data: bytes):
    """(start, end) byte spans of the non-empty matches of a compiled bytes
    pattern, left to right, as `finditer` on the text would give them."""
    pos, end = 0, len(data)
    while pos <= end:
        m = rx.search(data, pos)
        if m is None:
            return
        s, e = m.span()
        if e > s:
            yield s, e
            pos = e
        else:  # an empty match: step over one character (its UTF-8 continuation bytes too)
            pos = s + 1
            while pos < end and 0x80 <= data[pos] < 0xC0:
                pos += 1


def _char_offsets(data: bytes, spans) -> dict[int, int]:
    """Character offset of every byte offset the spans use: one pass over the text."""
    offsets = sorted({o for se in spans for o in se})
    out, last, chars = {}, 0, 0
    for off in offsets:
        chars += len(data[last:off].decode("utf-8"))
        out[off], last = chars, off
    return out


_ARABIC = re.compile("[\u0600-\u06ff]")
_NOT_ARABIC = re.compile("[^\u0600-\u06ff]")
_COUNTED = re.compile(r"\{(\d*),(\d+)\}")


def _outside_classes(pattern: str):
    """(index, piece, outside) over a pattern: escapes come whole (`\\b`), and
    `outside` is False within a character class (where `^ $ {` are letters;
    a `]` right after `[` or `[^` is one too)."""
    i, in_class, n = 0, False, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            yield i, pattern[i:i + 2], not in_class
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
            yield i, ch, False
        elif ch == "[":
            head = 2 if pattern[i + 1:i + 2] == "^" else 1
            if pattern[i + head:i + head + 1] == "]":
                head += 1
            in_class = True
            yield i, pattern[i:i + head], False
            i += head
            continue
        else:
            yield i, ch, True
        i += 1


def _relax(pattern: str) -> str:
    """A pattern that matches wherever `pattern` does: counted repeats with an
    upper bound of 8 or more made open (outside character classes and escapes).

    >>> _relax(r"(a|b).{0,120}c[{]{0,9}\\{1,20}")
    '(a|b).{0,}c[{]{0,}\\\\{1,20}'
    """
    out, skip = [], -1
    for i, piece, outside in _outside_classes(pattern):
        if i < skip:
            continue
        if outside and piece == "{":
            m = _COUNTED.match(pattern, i)
            if m and int(m.group(2)) >= 8:
                out.append("{%s,}" % (m.group(1) or "0"))
                skip = m.end()
                continue
        out.append(piece)
    return "".join(out)


def _may_match_empty(pattern: str) -> bool:
    """Could the pattern match an empty string anywhere? Its zero-width
    assertions (^ $ \\b \\B \\A \\z) dropped, does it match ""? (An empty match
    consumes nothing, so it needs no more than that: a safe over-estimate.)"""
    kept = [piece for _i, piece, outside in _outside_classes(pattern)
            if not (outside and piece in ("^", "$", "\\b", "\\B", "\\A", "\\z"))]
    try:
        return re2.compile("".join(kept)).fullmatch("") is not None
    except re2.error:
        return True


class _FuzzyIndex:
    """Nearest fuzzy-term word within its edit budget, through a deletion index.

    The work per token is bounded: a token longer than the longest word plus 2
    can be no word's near spelling (an edit changes the length by at most one)
    and is not searched; a token of 5 to 8 letters has a budget of 1 edit, so one
    deletion of it is enough to meet a word's deletions (2 only from 9 letters).
    So a token costs at most about (longest word + 2)^3 / 2 characters of work,
    never the cube of whatever a text holds.
    """

    def __init__(self, vocab: set[str]):
        self.vocab = frozenset(vocab)
        deletes: dict[str, list[str]] = {}
        self.longest = 0
        for word in vocab:
            if not fuzzy_distance(len(word)):
                continue  # short words: only exact (and Arabic clitic) matches
            self.longest = max(self.longest, len(word))
            for variant in _deletions(word, fuzzy_distance(len(word))):
                deletes.setdefault(variant, []).append(word)
        # Tuples of strings: the garbage collector stops tracking them (lists it
        # would walk on every full collection, tens of thousands of them).
        self.deletes = {k: tuple(v) for k, v in deletes.items()}
        self._start()

    def _start(self) -> None:
        # token -> nearest word (the partial holds the tables, not this index)
        self._near = WordCache(partial(_nearest, self.vocab, self.deletes, self.longest), WORD_CACHE_MAX)

    def nearest(self, token: str) -> str:
        """The vocabulary word nearest to token within its edit budget, else token."""
        return self._near[token]

    def nearest_all(self, tokens: list[str]) -> list[str]:
        """nearest() of every token: one C-level pass over the cache, the new words made once."""
        return self._near.all(tokens)

    def clear(self) -> None:
        self._near.clear()

    # Pickled (core/compiled.py) as its tables; the cache of nearest words starts empty.
    def __getstate__(self):
        return {"vocab": self.vocab, "deletes": self.deletes, "longest": self.longest}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._start()

    def __bool__(self) -> bool:
        return bool(self.vocab)


def _nearest(vocab: frozenset, deletes: dict, longest: int, token: str) -> str:
    """The vocabulary word nearest to token within its edit budget, else token."""
    if token in vocab or not token.isalnum():
        return token
    bare = strip_clitic(token)  # Arabic: وسناب, بالواتساب
    if bare is not token and bare in vocab:
        return bare
    if len(token) < 5 or len(token) > longest + 2:
        return token
    best, best_d = token, 99
    for variant in _deletions(token, fuzzy_distance(len(token))):
        for word in deletes.get(variant, ()):
            budget = fuzzy_distance(min(len(word), len(token)))
            d = Levenshtein.distance(token, word, score_cutoff=budget)
            if d <= budget and (d, word) < (best_d, best):
                best, best_d = word, d
    return best


def _deletions(word: str, k: int) -> set[str]:
    """Every string made by deleting up to k letters of word (never all of them)."""
    out, level = {word}, {word}
    for _ in range(min(k, len(word) - 1)):
        level = {w[:i] + w[i + 1:] for w in level for i in range(len(w))}
        out |= level
    return out


def clear_caches(index: "Index | None" = None) -> None:
    """Forget every word a scan has cached (for cold-cache benchmarks and tests)."""
    normalize_mod._CACHE.clear()
    normalize_mod._FORMS.clear()
    for fn in (loose, normalize_mod.leet, skeleton, strip_clitic):
        fn.cache_clear()
    if index is not None:
        index._fuzzy.clear()
