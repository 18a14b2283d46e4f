"""Read a rules folder (one YAML file per rule, shared lists under lexicons/).

    >>> rs = load_ruleset("rules")                       # doctest: +SKIP
    >>> len(rs.rules), rs.version                        # doctest: +SKIP
    (42, 'sha256:1f0c…')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from pathlib import Path

from himaya.core.rules.schema import Rule, SchemaError, Term, parse_lexicon, parse_rule

MAX_FILE_BYTES = 256 * 1024  # a rule file is a page of YAML, never megabytes
MAX_FILES = 5000


class RuleError(ValueError):
    """The rule set is invalid. `errors` lists every problem, each naming the
    file, the rule and the field."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        head = f"{len(errors)} problem(s) in the rules:" if len(errors) > 1 else "problem in the rules:"
        super().__init__("\n".join([head, *(f"  {e}" for e in errors)]))


@lru_cache(maxsize=None)
def _strict_loader():
    """A safe YAML loader that refuses duplicate keys (YAML would silently keep
    the last) and keeps dates as strings (`modified: 2026-11-29` is metadata).
    Made on first use: a scan from the compiled cache reads no YAML, and
    importing yaml costs a cold `himaya scan` 10 ms."""
    import yaml

    # libyaml's C parser when PyYAML has it (every wheel does): ten times faster.
    class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    StrictLoader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml, StrictLoader


def read_yaml(path: Path):
    """Parse one YAML file strictly; raises ValueError with a readable message."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"file is {size} bytes, more than the {MAX_FILE_BYTES} allowed")
    yaml, loader = _strict_loader()
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (strict safe loader)
    except UnicodeDecodeError:
        raise ValueError("file is not valid UTF-8") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}".replace("\n", " ")) from None


@dataclass
class RuleSet:
    """A validated rule set: rules in file order, lexicons by name."""

    rules: list[Rule]
    lexicons: dict[str, Term]
    root: Path
    version: str
    files: list[Path] = field(default_factory=list)
    list_id: str = "local"
    model: Any = None  # core.model.Model when the folder carries one (model/), else None

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def rule_files(root: Path) -> list[Path]:
    """Rule files below root: every .yaml/.yml outside lexicons/ and hidden folders."""
    out = []
    for p in sorted(root.rglob("*.y*ml")):
        rel = p.relative_to(root)
        if rel.parts[0] in ("lexicons", "benign") or any(part.startswith(".") for part in rel.parts):
            continue
        out.append(p)
    return out


def load_ruleset(path: str | Path) -> RuleSet:
    """Load and validate every rule below `path`; raises RuleError listing all problems."""
    root = Path(path)
    if not root.is_dir():
        raise RuleError([f"{root}: not a folder of rules"])
    errors: list[str] = []
    lexicons: dict[str, Term] = {}
    files: list[Path] = []
    for p in sorted((root / "lexicons").glob("*.y*ml")):
        files.append(p)
        try:
            lexicons[p.stem] = parse_lexicon(read_yaml(p), p.stem)
        except (ValueError, SchemaError) as exc:
            errors.append(f"{_rel(p, root)}: {exc}")
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    paths = rule_files(root)
    if len(paths) > MAX_FILES:
        raise RuleError([f"{root}: {len(paths)} rule files, more than the {MAX_FILES} allowed"])
    for p in paths:
        files.append(p)
        try:
            raw = read_yaml(p)
        except ValueError as exc:
            errors.append(f"{_rel(p, root)}: {exc}")
            continue
        rid = raw.get("id", "?") if isinstance(raw, dict) else "?"
        try:
            rule = parse_rule(raw, lexicons, str(_rel(p, root)))
        except SchemaError as exc:
            errors.append(f"{_rel(p, root)}: rule {rid}: {exc}")
            continue
        if rule.id in seen:
            errors.append(f"{_rel(p, root)}: rule {rule.id}: id: duplicate id, already used by {_rel(seen[rule.id], root)}")
            continue
        seen[rule.id] = p
        rules.append(rule)
    if errors:
        raise RuleError(errors)
    if not rules:
        raise RuleError([f"{root}: no rule files found"])
    try:
        model = _load_model(root)
    except ValueError as exc:
        raise RuleError([str(exc)]) from None
    if model is not None:
        files.extend(model.files())
    return RuleSet(rules, lexicons, root, content_version(root, files), files, model=model)


def _load_model(root: Path):
    # Imported here: numpy costs a cold `himaya scan` 0.1 s, and most lists carry no model.
    from himaya.core.model import ModelError, load_optional

    try:
        return load_optional(root)
    except ModelError as exc:
        raise ValueError(str(exc)) from None


def content_version(root: Path, files: list[Path]) -> str:
    """A version that changes whenever any rule or lexicon file changes."""
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(str(_rel(p, root)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return "sha256:" + h.hexdigest()[:16]


def _rel(p: Path, root: Path) -> Path:
    try:
        return p.relative_to(root.parent) if root.parent != p else p
    except ValueError:
        return p
