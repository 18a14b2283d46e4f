"""The scanner: a compiled rule set plus per-conversation state.

    >>> scanner = Scanner.load()                         # doctest: +SKIP
    >>> scanner.scan("ajoute-moi sur snap", kind="message").risk   # doctest: +SKIP
    True
    >>> conv = scanner.conversation("tab-3:chat-17")     # doctest: +SKIP
    >>> conv.add("slt, t'as quel âge ?").conversation    # doctest: +SKIP
    {'alert': False, 'stages': ['age-probe'], 'started_at': None, ...}
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from himaya.core import categories
from himaya.core.conversations import Conversation, ConversationStore, as_cue, combine_cues, explained_alone
from himaya.core.matcher import MAX_TEXT, Index, Match, Verdict
from himaya.core.model import BENIGN
from himaya.core.rules.schema import SEVERITY_RANK
from himaya.core.normalize import normalize
from himaya.core.reported import reported
from himaya.core.rules.loader import RuleSet, load_ruleset
from himaya.core.rules.schema import KINDS

REPO_RULES = Path(__file__).resolve().parents[3] / "rules"
# The shipped default list (a bundle built from rules/, see docs/PUBLISHING.md).
PACKAGE_RULES = Path(__file__).resolve().parents[1] / "data" / "default-bundle" / "files"


def default_rules_path() -> Path:
    """`HIMAYA_RULES`, else the rules/ folder of a source checkout, else the
    copy shipped inside the package."""
    env = os.environ.get("HIMAYA_RULES")
    if env:
        return Path(env)
    if REPO_RULES.is_dir():
        return REPO_RULES
    return PACKAGE_RULES


# The collector's thresholds for a long-running scanner (Python's own: 700, 10, 10).
# A scan makes tuples and lists by the thousand (a 50 KB page ~100 000) and frees
# them by reference counting: it builds no cycles. At 700 the collector walked them
# every few hundred, a fifth of a message's time and of a page's, and more than
# linearly on long pages (each pass walks what the scan still holds). Young cycles
# (a request's exception) are still collected, every 20 000 new objects.
GC_THRESHOLDS = (20_000, 20, 20)


def settle_memory() -> None:
    """For a long-running process, once the rules are compiled: collect, then move
    every object alive now (the compiled index above all, ~100 000 objects) out of
    the garbage collector's reach, and collect less often (GC_THRESHOLDS). A full
    collection then walks only what scans create, instead of taking 20-50 ms in the
    middle of some scan. (Objects freed by reference counting, like an index
    replaced by an update, are still freed.)
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


SIGNALS = ("rules", "model", "both")
# A rule's cue (a low-severity match that does not warn alone) becomes a warning
# when the model agrees at this fraction of its threshold for the cue's category.
RAISE_FACTOR = 0.6
MODEL_SEVERITY = "medium"  # the model alone never warns above this
# A unit (a message, a post, a profile) is read at this fraction of the thresholds that
# training calibrated; a conversation's window of four messages at the thresholds
# themselves, and so are network pages, whose look-alikes (a driving school's "sister pages",
# a shop's page back after a hack) are what the benign collection holds most of. Since the
# model quiets the rules' false alarms, a lower bar for its own warnings costs little
# (docs/MODEL.md, "Thresholds").
UNIT_FACTOR = 0.8
AT_THRESHOLD = frozenset({"network-page"})
# A unit of this many words or fewer ("عندك سناب؟", "snap ?") gives the model too little
# to read: it may not warn on it alone nor raise its cue (the rules still do, and a
# conversation's window reads it with the messages around it).
MODEL_MIN_WORDS = 2
# The model quiets a rules' warning that it reads as ordinary life (docs/MODEL.md, "Quieting"):
QUIET_BENIGN = 0.8  # its benign probability is at least this,
QUIET_AGREE = 0.2  # each matched category is below this fraction of its threshold,
QUIET_UP_TO = "high"  # no match is critical,
QUIET_KNOWN = 0.7  # and it knows this share of the words (unknown words lean benign)
QUIET_MAX_WORDS = 60  # of a unit this short: in a longer text, ordinary words drown one sentence
# A conversation's window quiets only a message that leans benign itself: read with three
# ordinary messages, "add me on snap, let's talk in private" would pass for ordinary.
QUIET_WINDOW_OWN = 0.3


def unit_thresholds(thresholds: dict[str, float]) -> dict[str, float]:
    """The thresholds a single unit is read at (UNIT_FACTOR, AT_THRESHOLD)."""
    return {c: t if c in AT_THRESHOLD else round(t * UNIT_FACTOR, 6) for c, t in thresholds.items()}


class Scanner:
    """Thread-safe: the index is read-only once built; conversation state is locked.

    Two signals: the rules (which explain themselves) and, when the list carries
    one, the model (core/model.py). `signals` chooses which speak; the verdict's
    `signals` field shows what each said."""

    def __init__(self, ruleset: RuleSet, disabled=(), conversations: ConversationStore | None = None,
                 signals: str = "both", index: Index | None = None):
        if signals not in SIGNALS:
            raise ValueError(f"signals must be one of {', '.join(SIGNALS)}")
        self.ruleset = ruleset
        self.disabled = frozenset(disabled)
        # `index`: the same rules compiled before (core/compiled.py's cache).
        self.index = index if index is not None else Index(ruleset.rules, self.disabled)
        self.conversations = conversations or ConversationStore()
        self.signals = signals
        self.model = ruleset.model if signals != "rules" else None
        self._unit_thresholds = unit_thresholds(self.model.thresholds) if self.model is not None else None
        if self.model is not None:
            # The bundle's kill switch names a model category as `model.<category>`.
            for cat in self.model.enabled:
                if f"model.{cat}" in self.disabled:
                    self.model.enabled[cat] = False

    @classmethod
    def load(cls, path: str | Path | None = None, signals: str = "both") -> "Scanner":
        """Load, validate and compile a rules folder (default: `default_rules_path()`)."""
        return cls(load_ruleset(path or default_rules_path()), signals=signals)

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet, disabled=()) -> "Scanner":
        return cls(ruleset, disabled)

    @property
    def version(self) -> str:
        return self.ruleset.version

    @property
    def rules(self):
        return self.index.rules

    def scan(self, text: str, kind: str = "message", url: str | None = None) -> Verdict:
        """Verdict for one unit: a message, a profile, a post, or a bare URL."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        if kind == "url" and not text and url:
            text = url
        if kind != "message" or len(text) > MAX_TEXT:
            return self.assess(text, kind, url)[0]
        n = normalize(text)
        return explained_alone(self.assess(text, kind, url, normalized=n)[0], text, n.tokens)

    def assess(self, text: str, kind: str = "message", url: str | None = None, normalized=None):
        """The verdict and the model's feature ids of the unit (None without a model):
        a conversation keeps the ids of its last messages, never their text.
        `normalized`: normalize(text), when the caller has it already."""
        # One normalization serves both signals (a page's long text is cut in pieces by the index).
        n = normalized
        if n is None and self.model is not None and len(text) <= MAX_TEXT:
            n = normalize(text)
        if self.signals == "model":
            verdict = Verdict()
        else:
            verdict = combine_cues(self.index.scan(text, kind, url, normalized=n))
        if self.model is None:
            return verdict, None
        n = n if n is not None else normalize(text[:MAX_TEXT])
        ids = self.model.feature_ids(n, kind)
        quotes = None if kind == "profile" else (lambda: bool(reported(n.original, n.tokens, n.starts_ends()[0])))
        apply_model(verdict, self.model, self.model.probabilities(ids), quoted=quotes,
                    known=lambda: _known_share(self.model, n.tokens), thresholds=self._unit_thresholds,
                    may_warn=len(n.tokens) > MODEL_MIN_WORDS)
        return verdict, ids

    def across(self, before: list[str], text: str) -> list[Match]:
        """The rules' matches whose evidence spans the end of `before` (the same
        person's messages just before, oldest first) and `text`: one sentence typed
        as a burst of short messages ("ama taswiretek mazelt 3andi" / "t7eb ommek
        tchoufha?"). Spans are given in `text`; a match wholly inside one message
        is that message's own and is left out."""
        merged = "\n".join([*before, text])
        offset = len(merged) - len(text)
        out = []
        for m in self.index.scan(merged, "message").matches:
            inside = tuple((a - offset, b - offset) for a, b in m.spans if a >= offset)
            if inside and any(b <= offset for _a, b in m.spans):
                out.append(Match(m.rule, m.category, m.severity, m.status, inside, m.title, m.explain))
        return out

    def window_signal(self, verdict: Verdict, window_ids, tokens=None, own_ids=None) -> None:
        """The model over a conversation's last messages together (their feature ids):
        it may warn where the rules did not, or quiet what they warned about in a
        conversation it reads as ordinary, when the message itself leans benign
        (`tokens`, `own_ids`: this message's words and feature ids)."""
        if self.model is None or not window_ids:
            return
        model = self.model

        def known() -> float:  # asked only when the rules warned
            if tokens is None or own_ids is None or model.probabilities(own_ids)[BENIGN] < QUIET_WINDOW_OWN:
                return 0.0  # the message (or the burst it ends) does not lean ordinary itself
            return _known_share(model, tokens)

        apply_model(verdict, model, model.probabilities(window_ids), window=True, known=known)

    def conversation(self, conversation_id: str) -> Conversation:
        """The running state of one conversation (created on first use)."""
        return self.conversations.get(conversation_id, self)


def _known_share(model, tokens: list[str]) -> float:
    """What `quiets` weighs the model's benign by: the share of the words it knows, or
    0 for a unit of more than QUIET_MAX_WORDS words (the quieted units of the evaluation
    sets have at most 38; a page of ordinary text around one grooming sentence reads benign)."""
    return model.known_share(tokens) if len(tokens) <= QUIET_MAX_WORDS else 0.0


def quiets(verdict: Verdict, thresholds: dict, probs: dict, known) -> bool:
    """Whether the model reads a rules' warning as ordinary life: sure the text is
    benign, far from agreeing with any matched category, no critical match, and
    most of the words known to it (`known()`, asked last: a text of words it never
    saw scores near its benign prior, which says nothing). Chosen with session 17's
    model: on the 64 sets of that time 189 -> 81 hard negatives warned, for 4 risky
    items of 8 351 (docs/MODEL.md)."""
    if SEVERITY_RANK[verdict.severity] > SEVERITY_RANK[QUIET_UP_TO] or probs[BENIGN] < QUIET_BENIGN:
        return False
    if any(m.rule.startswith("model.") or probs.get(m.category, 0.0) >= thresholds.get(m.category, 0.0) * QUIET_AGREE
           for m in verdict.matches):
        return False
    return known is not None and known() >= QUIET_KNOWN


def apply_model(verdict: Verdict, model, probs: dict, window: bool = False, quoted=None, known=None,
                thresholds: dict | None = None, may_warn: bool = True) -> None:
    """Combine the model with the rules' verdict, in place.

    - the rules warned: the model is only shown (`signals.model`), unless it
      reads the text (or, with `window`, the conversation's last messages) as
      ordinary life (`quiets`): the warning is then kept as a cue that does not
      warn alone, and `signals.model.quieted` says so;
    - the rules found a cue that does not warn alone: the model raises it to a
      medium warning when it agrees on the cue's category (RAISE_FACTOR);
    - the rules found nothing: the model warns alone, at medium, only above its
      threshold for a category that is switched on (`unit_thresholds` for a unit,
      unless given; the calibrated one for a window), and not when the
      text reports someone else's quoted words (`quoted()`, asked only then: a
      prevention post or a mother quoting the stranger; the rules' matches inside
      such quotes are dropped the same way, core/reported.py);
    - `may_warn` False (a unit of MODEL_MIN_WORDS words or fewer): the model is only shown,
      and may still quiet the rules.
    """
    if thresholds is None:
        thresholds = model.thresholds if window else unit_thresholds(model.thresholds)
    top, score, above = model.pick(probs, thresholds)
    signal = {"category": top, "score": round(score, 4)}
    if top in thresholds:
        signal["threshold"] = thresholds[top]
    if window:
        signal["window"] = True
    rules_signal = (verdict.signals or {}).get("rules") or {"risk": verdict.risk, "severity": verdict.severity}
    if verdict.risk:
        if quiets(verdict, thresholds, probs, known):
            as_cue(verdict)
            signal["quieted"] = True
        elif window:
            return  # the message's own signals stand
        verdict.signals = {"rules": rules_signal, "model": signal}
        return
    verdict.signals = {"rules": rules_signal, "model": signal}
    if not may_warn:
        return
    chosen = None
    for m in verdict.matches:  # a cue the model agrees with, first
        if model.enabled.get(m.category) and probs[m.category] >= thresholds[m.category] * RAISE_FACTOR:
            chosen = m.category
            break
    if chosen is None:
        chosen = above
        if chosen is not None and quoted is not None and quoted():
            return  # the model read a quote as the writer's own words
    if chosen is None:
        return
    spans = tuple(s for m in verdict.matches if m.category == chosen for s in m.spans)
    verdict.matches.insert(0, Match(f"model.{chosen}", chosen, MODEL_SEVERITY, "stable", spans,
                                    categories.title(chosen), categories.explain(chosen, by_model=True)))
    verdict.risk = True
    if SEVERITY_RANK[MODEL_SEVERITY] > SEVERITY_RANK[verdict.severity]:
        verdict.severity = MODEL_SEVERITY
    verdict.score = max(verdict.score, round(probs[chosen], 4))
    signal.update(category=chosen, score=round(probs[chosen], 4), threshold=thresholds[chosen], warned=True)


PIECE = 50_000  # characters scanned at once in a long text
OVERLAP = 2_000  # characters two pieces share, so a phrase across a cut is still seen


def pieces(length: int, text: str | None = None, piece: int = PIECE, overlap: int = OVERLAP):
    """(start, end) of overlapping pieces covering ``[0, length)``; cuts fall on
    whitespace when there is some near the end of a piece.

    >>> list(pieces(10, piece=4, overlap=1))
    [(0, 4), (3, 7), (6, 10)]
    """
    if piece <= overlap:
        raise ValueError("a piece must be longer than the overlap")
    start = 0
    while True:
        end = min(start + piece, length)
        if end < length and text is not None:
            cut = max(text.rfind(" ", end - piece // 5, end), text.rfind("\n", end - piece // 5, end))
            if cut > start + overlap:
                end = cut
        yield start, end
        if end >= length:
            return
        start = end - overlap


def scan_long(scanner: Scanner, text: str, kind: str = "message", url: str | None = None,
              piece: int = PIECE, overlap: int = OVERLAP, progress=None) -> Verdict:
    """Scan a text of any length in overlapping pieces; spans point into the whole text.

    ``progress(characters_done)`` is called after each piece. Example::

        scan_long(scanner, open("export.txt").read(), kind="post").severity
    """
    if len(text) <= piece:
        verdict = scanner.scan(text, kind=kind, url=url)
        if progress:
            progress(len(text))
        return verdict
    merged: dict[str, tuple[Match, set]] = {}
    experimental: dict[str, Match] = {}
    risk, severity, score = False, "none", 0.0
    for start, end in pieces(len(text), text, piece, overlap):
        verdict = scanner.scan(text[start:end], kind=kind, url=url)
        risk = risk or verdict.risk
        if SEVERITY_RANK[verdict.severity] > SEVERITY_RANK[severity]:
            severity = verdict.severity
        score = max(score, verdict.score)
        for m in verdict.matches:
            spans = {(s + start, e + start) for s, e in m.spans}
            if m.rule in merged:
                merged[m.rule][1].update(spans)
            else:
                merged[m.rule] = (m, spans)
        for m in verdict.experimental:
            experimental.setdefault(m.rule, m)
        if progress:
            progress(end - start if start == 0 else end - start - overlap)
    matches = [Match(m.rule, m.category, m.severity, m.status, tuple(sorted(spans)), m.title, m.explain)
               for m, spans in merged.values()]
    matches.sort(key=lambda m: (-SEVERITY_RANK[m.severity], m.rule))
    return Verdict(risk=risk, severity=severity, score=score, matches=matches,
                   experimental=list(experimental.values()))
