"""The shape of a rule file, and its validation into `Rule` objects.

Every error names the field and says what is wrong; the loader adds the file
and the rule id, so a rule author reads e.g.::

    rules/age-probe.yaml: rule HIM-AGE-001: terms.ask.values.fr[2]: fuzzy term 'age' is shorter than 4 letters
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re2

from himaya.core.negation import PROHIBITION
from himaya.core.normalize import normalize_term
from himaya.core.rules.condition import ConditionError, Node, parse

CATEGORIES = (
    "age-probe", "trust-flattery", "secrecy-isolation", "move-to-private", "image-request",
    "gifts-money", "blackmail-threat", "meeting-request", "services-ad", "closed-group-invite",
    "recruitment", "network-page",
)
STATUSES = ("experimental", "test", "stable", "deprecated")
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
KINDS = ("message", "profile", "post", "url")
LANGUAGES = ("fr", "ar", "aeb-Arab", "aeb-Latn", "en", "any")
UI_LANGUAGES = ("fr", "ar", "en")
TERM_KINDS = ("phrase", "fuzzy", "regex", "url", "url_sha256", "lexicon", "emoji")
FUZZY_FLOOR = 4  # letters: shorter words are never matched approximately
MAX_WINDOW = 400

RULE_FIELDS = {
    "id", "title", "description", "category", "status", "severity", "applies_to", "author",
    "modified", "window", "terms", "condition", "escalate", "explain", "falsepositives",
    "tests", "references", "tags",
}
REQUIRED = ("id", "title", "category", "status", "severity", "terms", "condition", "explain")
TERM_FIELDS = {"kind", "values", "lexicon", "arabizi", "description", "unless_after"}
MAX_GUARD_WORDS = 4


class SchemaError(ValueError):
    """One problem in one field of one rule."""

    def __init__(self, where: str, what: str):
        super().__init__(f"{where}: {what}")
        self.where, self.what = where, what


@dataclass(frozen=True)
class Term:
    """A named group of values matched one way (`kind`).

    `values` maps a language tag to its strings (`any` for language-neutral
    values); url terms hold dicts `{domain, path}`.
    """

    name: str
    kind: str
    values: dict[str, tuple]
    # Arabizi consonant skeletons: None = for `aeb-Latn` values, True = for every
    # value, False = never (a group whose words collide with common ones by skeleton)
    arabizi: bool | None = None
    # Hits right after one of these words do not count: `sans intermédiaire`,
    # `pas besoin d'autorisation` (phrase and fuzzy groups only).
    unless_after: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Example:
    text: str
    kind: str | None = None
    url: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: dict[str, str]
    category: str
    status: str
    severity: str
    applies_to: tuple[str, ...]
    terms: dict[str, Term]
    condition: Node
    condition_text: str
    window: int | None
    escalate: tuple[tuple[Node, str], ...]
    explain: dict[str, dict[str, str]]
    positives: tuple[Example, ...]
    negatives: tuple[Example, ...]
    falsepositives: tuple[str, ...] = ()
    author: str = ""
    modified: str = ""
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise SchemaError(where, what)


def _texts(value: Any, where: str, languages=UI_LANGUAGES) -> dict[str, str]:
    _need(isinstance(value, dict), where, f"must be a mapping with the languages {', '.join(languages)}")
    for lang in languages:
        _need(isinstance(value.get(lang), str) and value[lang].strip(), f"{where}.{lang}", "missing or empty text")
    extra = set(value) - set(languages) - {"aeb-Latn", "aeb-Arab"}
    _need(not extra, where, f"unknown language(s) {sorted(extra)}")
    return {k: v.strip() for k, v in value.items()}


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    _need(isinstance(value, list) and value, where, "must be a non-empty list")
    for i, v in enumerate(value):
        _need(isinstance(v, str) and v.strip(), f"{where}[{i}]", "must be a non-empty string")
    return tuple(value)


def _check_phrase(v: str, where: str, fuzzy: bool) -> None:
    if v.startswith("="):  # `=للبنات`: the word with its own Arabic prefix only
        v = v[1:]
        _need(v and not v.startswith("*"), where, "'=' goes before a word, not before '*'")
    core = v.replace("*", " ")
    tokens = normalize_term(core)
    _need(tokens, where, f"term {v!r} has no letters or digits after normalization")
    for part in v.split():
        if part.startswith("*") or part.endswith("*"):
            stem = "".join(normalize_term(part.strip("*")))
            _need(len(stem) >= 3, where, f"wildcard stem in {v!r} needs at least 3 letters")
    if fuzzy:
        _need(len("".join(tokens)) >= FUZZY_FLOOR, where,
              f"fuzzy term {v!r} is shorter than {FUZZY_FLOOR} letters (use kind: phrase)")


def _check_value(kind: str, v: Any, where: str) -> Any:
    if kind in ("phrase", "fuzzy"):
        _need(isinstance(v, str) and v.strip(), where, "must be a non-empty string")
        _check_phrase(v, where, kind == "fuzzy")
    elif kind == "regex":
        _need(isinstance(v, str) and v, where, "must be a non-empty string")
        try:
            re2.compile(v)
        except Exception as exc:  # re2.error; message is RE2's own
            raise SchemaError(where, f"regex {v!r} is not valid RE2 syntax ({exc}); RE2 has no "
                              "backreferences or lookarounds") from None
    elif kind == "url":
        if isinstance(v, str):
            v = {"domain": v}
        _need(isinstance(v, dict) and isinstance(v.get("domain"), str), where,
              "must be a domain string or a mapping {domain, path}")
        _need(set(v) <= {"domain", "path"}, where, f"unknown key(s) {sorted(set(v) - {'domain', 'path'})}")
        if "path" in v:
            try:
                re2.compile(v["path"])
            except Exception as exc:
                raise SchemaError(where, f"path pattern {v['path']!r} is not valid RE2 ({exc})") from None
        v = {"domain": v["domain"].lower().removeprefix("www."), "path": v.get("path", "")}
    elif kind == "url_sha256":
        _need(isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v.lower()),
              where, "must be a SHA-256 hex digest of host+path")
        v = v.lower()
    elif kind == "emoji":
        _need(isinstance(v, str) and v.strip() and not any(c.isalnum() for c in v), where,
              "must be an emoji (no letters or digits)")
    return v


def parse_term(name: str, raw: Any, where: str, lexicons: dict[str, Term]) -> Term:
    _need(isinstance(raw, dict), where, "a term group must be a mapping with kind and values")
    unknown = set(raw) - TERM_FIELDS
    _need(not unknown, where, f"unknown field(s) {sorted(unknown)}")
    kind = raw.get("kind")
    _need(kind in TERM_KINDS, f"{where}.kind", f"must be one of {', '.join(TERM_KINDS)}, not {kind!r}")
    if kind == "lexicon":
        ref = raw.get("lexicon")
        _need(isinstance(ref, str), f"{where}.lexicon", "names the shared list to use")
        _need(ref in lexicons, f"{where}.lexicon", f"no lexicon named {ref!r} under rules/lexicons/")
        lex = lexicons[ref]
        guard = _guard(raw["unless_after"], lex.kind, f"{where}.unless_after") if "unless_after" in raw else lex.unless_after
        return Term(name, lex.kind, lex.values, raw.get("arabizi", lex.arabizi), guard)
    values = raw.get("values")
    _need(values is not None, f"{where}.values", "missing")
    if isinstance(values, list):
        values = {"any": values}
    _need(isinstance(values, dict) and values, f"{where}.values", "must be a list or a mapping language -> list")
    out: dict[str, tuple] = {}
    for lang, vals in values.items():
        _need(lang in LANGUAGES, f"{where}.values", f"unknown language {lang!r} (use {', '.join(LANGUAGES)})")
        _need(isinstance(vals, list) and vals, f"{where}.values.{lang}", "must be a non-empty list")
        out[lang] = tuple(_check_value(kind, v, f"{where}.values.{lang}[{i}]") for i, v in enumerate(vals))
    arabizi = raw.get("arabizi")
    _need(arabizi is None or isinstance(arabizi, bool), f"{where}.arabizi", "must be true or false")
    return Term(name, kind, out, arabizi, _guard(raw.get("unless_after"), kind, f"{where}.unless_after"))


def _guard(raw: Any, kind: str, where: str) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    _need(kind in ("phrase", "fuzzy"), where, "only phrase and fuzzy groups can have unless_after")
    out = []
    for i, v in enumerate(_string_list(raw, where)):
        if v == PROHIBITION:  # a named check, not words (core/negation.py)
            out.append((PROHIBITION,))
            continue
        _need(not v.startswith("@"), f"{where}[{i}]", f"unknown check {v!r} (the one known is {PROHIBITION!r})")
        toks = tuple(normalize_term(v))
        _need(toks and len(toks) <= MAX_GUARD_WORDS, f"{where}[{i}]", f"1 to {MAX_GUARD_WORDS} words")
        out.append(toks)
    return tuple(out)


def _examples(raw: Any, where: str) -> tuple[Example, ...]:
    if raw is None:
        return ()
    _need(isinstance(raw, list), where, "must be a list of texts or {text, kind, url, severity}")
    out = []
    for i, item in enumerate(raw):
        w = f"{where}[{i}]"
        if isinstance(item, str):
            item = {"text": item}
        _need(isinstance(item, dict) and isinstance(item.get("text"), str), w, "needs a text")
        _need(set(item) <= {"text", "kind", "url", "severity"}, w, f"unknown key(s) {sorted(set(item) - {'text', 'kind', 'url', 'severity'})}")
        _need(item.get("kind") in (None, *KINDS), f"{w}.kind", f"must be one of {', '.join(KINDS)}")
        _need(item.get("severity") in (None, *SEVERITIES), f"{w}.severity", f"must be one of {', '.join(SEVERITIES)}")
        out.append(Example(item["text"], item.get("kind"), item.get("url"), item.get("severity")))
    return tuple(out)


def parse_rule(raw: Any, lexicons: dict[str, Term], path: str = "") -> Rule:
    """Validate one rule mapping; raises SchemaError naming the field."""
    _need(isinstance(raw, dict), "rule", "a rule file must hold one mapping")
    unknown = set(raw) - RULE_FIELDS
    _need(not unknown, "rule", f"unknown field(s) {sorted(unknown)}")
    for key in REQUIRED:
        _need(key in raw, key, "required field is missing")
    rid = raw["id"]
    _need(isinstance(rid, str) and re2.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}", rid), "id",
          "must be 3-64 letters, digits, dots, dashes or underscores")
    title = _texts(raw["title"], "title")
    _need(raw["category"] in CATEGORIES, "category", f"must be one of {', '.join(CATEGORIES)}")
    _need(raw["status"] in STATUSES, "status", f"must be one of {', '.join(STATUSES)}")
    _need(raw["severity"] in SEVERITIES, "severity", f"must be one of {', '.join(SEVERITIES)}")
    applies = raw.get("applies_to", list(KINDS))
    applies = [applies] if isinstance(applies, str) else applies
    _need(isinstance(applies, list) and applies and set(applies) <= set(KINDS), "applies_to",
          f"must list some of {', '.join(KINDS)}")
    _need(isinstance(raw["terms"], dict) and raw["terms"], "terms", "must map group names to term groups")
    terms = {}
    for name, body in raw["terms"].items():
        _need(isinstance(name, str) and re2.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name), f"terms.{name}",
              "group names are letters, digits, _ and -")
        terms[name] = parse_term(name, body, f"terms.{name}", lexicons)
    try:
        condition = parse(raw["condition"], set(terms))
    except ConditionError as exc:
        raise SchemaError("condition", str(exc)) from None
    window = raw.get("window")
    _need(window is None or (isinstance(window, int) and 1 <= window <= MAX_WINDOW), "window",
          f"must be a number of tokens from 1 to {MAX_WINDOW}")
    escalate = []
    for i, esc in enumerate(raw.get("escalate") or []):
        w = f"escalate[{i}]"
        _need(isinstance(esc, dict) and set(esc) == {"condition", "severity"}, w, "needs condition and severity")
        _need(esc["severity"] in SEVERITIES, f"{w}.severity", f"must be one of {', '.join(SEVERITIES)}")
        try:
            escalate.append((parse(esc["condition"], set(terms)), esc["severity"]))
        except ConditionError as exc:
            raise SchemaError(f"{w}.condition", str(exc)) from None
    explain = raw["explain"]
    _need(isinstance(explain, dict) and set(explain) == {"child", "parent"}, "explain",
          "needs two audiences: child (the banner) and parent (popup and reports)")
    explain = {aud: _texts(explain[aud], f"explain.{aud}") for aud in ("child", "parent")}
    tests = raw.get("tests") or {}
    _need(isinstance(tests, dict) and set(tests) <= {"positive", "negative"}, "tests", "has positive and negative lists")
    fps = raw.get("falsepositives") or []
    _need(isinstance(fps, list), "falsepositives", "must be a list of notes")
    return Rule(
        id=rid, title=title, category=raw["category"], status=raw["status"], severity=raw["severity"],
        applies_to=tuple(applies), terms=terms, condition=condition, condition_text=raw["condition"],
        window=window, escalate=tuple(escalate), explain=explain,
        positives=_examples(tests.get("positive"), "tests.positive"),
        negatives=_examples(tests.get("negative"), "tests.negative"),
        falsepositives=tuple(str(x) for x in fps), author=str(raw.get("author", "")),
        modified=str(raw.get("modified", "")), path=path,
        extra={k: raw[k] for k in ("description", "references", "tags") if k in raw},
    )


def parse_lexicon(raw: Any, name: str) -> Term:
    """A shared list: `{description, kind, values}` (kind any term kind but lexicon)."""
    _need(isinstance(raw, dict), "lexicon", "a lexicon file holds one mapping with kind and values")
    unknown = set(raw) - {"description", "kind", "values", "arabizi", "name", "unless_after"}
    _need(not unknown, "lexicon", f"unknown field(s) {sorted(unknown)}")
    _need(raw.get("kind") != "lexicon", "kind", "a lexicon cannot refer to another lexicon")
    body = {k: raw[k] for k in ("kind", "values", "arabizi", "unless_after") if k in raw}
    return parse_term(name, body, "lexicon", {})
