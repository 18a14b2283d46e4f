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

from himaya.core.conversations import Conversation, ConversationStore, combine_cues
from himaya.core.matcher import Index, Verdict
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


def settle_memory() -> None:
    """For a long-running process, once the rules are compiled: collect, then move
    every object alive now (the compiled index above all, ~100 000 objects) out of
    the garbage collector's reach. A full collection then walks only what scans
    create, instead of taking 20-50 ms in the middle of some scan. (Objects freed
    by reference counting, like an index replaced by an update, are still freed.)
    """
    gc.collect()
    gc.freeze()


class Scanner:
    """Thread-safe: the index is read-only once built; conversation state is locked."""

    def __init__(self, ruleset: RuleSet, disabled=(), conversations: ConversationStore | None = None):
        self.ruleset = ruleset
        self.disabled = frozenset(disabled)
        self.index = Index(ruleset.rules, self.disabled)
        self.conversations = conversations or ConversationStore()

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Scanner":
        """Load, validate and compile a rules folder (default: `default_rules_path()`)."""
        return cls(load_ruleset(path or default_rules_path()))

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
        return combine_cues(self.index.scan(text, kind, url))

    def conversation(self, conversation_id: str) -> Conversation:
        """The running state of one conversation (created on first use)."""
        return self.conversations.get(conversation_id, self)
