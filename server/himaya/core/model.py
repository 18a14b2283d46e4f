"""The second signal: a small per-category text model beside the signature list.

Rules explain themselves and know codes, links and formulas; an abuser rewords
faster than rules are written. This model reads the same normalized tokens as
the rules (so evasions are undone first) as word, bigram, Arabizi-skeleton and
character n-gram features, and gives one probability per risk category plus
benign (a multinomial linear model: a sum of weights and a softmax, in numpy).

It never decides alone above medium severity; the scanner (scanner.py) combines
it with the rules. A model is a folder that travels in the signed rule bundle::

    model/model.json   categories, per-category thresholds and switches, bias,
                       weight scales, SHA-256 of the two files below, and test
                       items with the scores the model must reproduce
    model/vocab.txt    one feature a line; line i is feature id i
    model/weights.bin  int8 weights, one row of len(categories) per feature

    >>> m = Model.load("rules/model")                       # doctest: +SKIP
    >>> m.judge(normalize("on se voit ce soir ? viens seule"), "message")   # doctest: +SKIP
    ('meeting-request', 0.91)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

# Arrays here are a few hundred numbers: BLAS threads only cost a cold start
# (0.05 s of CPU to start them). Set before numpy loads; a user's setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from himaya.core.normalize import Normalized, WordCache, normalize, token_forms

FORMAT = "himaya-model/1"
FEATURES = 1  # bump when the feature function changes: a model says which one it was trained on
BENIGN = "benign"
MAX_TOKENS = 400  # a unit's first tokens carry its signal; bounds the cost on a whole page
TOKEN_CACHE = 1 << 16
WINDOW = 4  # messages a conversation's model score looks back over


class ModelError(ValueError):
    """A model folder that cannot be used; says which file and why."""


def token_features(token: str, clitic: str, skel: str) -> list[str]:
    """The features one normalized token contributes: the word, its form without
    Arabic proclitics, its Arabizi consonant skeleton (so `9adech`, `kadech` and
    `9addeh` meet), and character 3- and 4-grams of the word with its edges
    (so `snapek`, `snapchat` and `سنابك` share pieces with what was trained)."""
    out = ["w|" + token]
    if clitic != token and clitic:
        out.append("w|" + clitic)
    if skel != token and len(skel) >= 2:
        out.append("s|" + skel)
    padded = f"<{token}>"
    for n in (3, 4):
        out.extend("g|" + padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def text_features(n: Normalized, kind: str) -> set[str]:
    """Every feature of a unit (the training side; inference uses the same
    function through a per-token cache)."""
    toks, clitic, skel = (form[:MAX_TOKENS] for form in n.forms())
    feats = {"k|" + kind}
    for t, c, s in zip(toks, clitic, skel):
        feats.update(token_features(t, c, s))
    feats.update(f"b|{a} {b}" for a, b in zip(toks, toks[1:]))
    return feats


def _token_ids(vocab: dict, token: str) -> tuple[int, ...]:
    """The feature ids of one normalized token (its three forms follow from it)."""
    get = vocab.get
    return tuple(i for f in token_features(*token_forms(token)) if (i := get(f)) is not None)


@dataclass
class Model:
    categories: tuple[str, ...]
    vocab: dict[str, int]
    weights: np.ndarray  # (features, categories) float32
    bias: np.ndarray
    thresholds: dict[str, float]
    enabled: dict[str, bool]
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    def __post_init__(self):
        self._bias_list = [float(b) for b in self.bias]
        self._cache = WordCache(partial(_token_ids, self.vocab), TOKEN_CACHE)  # token -> its feature ids
        self._bigram_ids: dict | None = None

    def build(self) -> "Model":
        """Build the lookup tables now (the companion does so before serving)."""
        self._bigrams()
        return self

    def _bigrams(self) -> dict:
        """(token, next token) -> feature id of every bigram the model knows: a
        pair of tokens is looked up as it is, without making its `b|a b` string
        (half the cost of a message's bigrams). Built on first use, in C-level
        passes (a cold `himaya scan` of one message pays ~5 ms, not ~17)."""
        got = self._bigram_ids
        if got is None:
            known = [(w, i) for w, i in self.vocab.items() if w.startswith("b|")]
            # a token holds no space: each bigram splits into exactly its two tokens
            halves = " ".join(w[2:] for w, _i in known).split(" ")
            if len(halves) != 2 * len(known):  # a vocabulary made otherwise: split each
                halves = [h for w, _i in known for h in w[2:].partition(" ")[0::2]]
            got = self._bigram_ids = dict(zip(zip(halves[0::2], halves[1::2]), (i for _w, i in known)))
        return got

    # -- loading -----------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | Path) -> "Model":
        folder = Path(folder)
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            vocab_bytes = (folder / "vocab.txt").read_bytes()
            weight_bytes = (folder / "weights.bin").read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelError(f"{folder}: cannot read the model ({exc})") from None
        if meta.get("format") != FORMAT or meta.get("features") != FEATURES:
            raise ModelError(f"{folder}/model.json: format {meta.get('format')!r} features "
                             f"{meta.get('features')!r}; this program reads {FORMAT} features {FEATURES}")
        for name, data in (("vocab.txt", vocab_bytes), ("weights.bin", weight_bytes)):
            if hashlib.sha256(data).hexdigest() != meta.get("sha256", {}).get(name):
                raise ModelError(f"{folder}/{name}: SHA-256 does not match model.json")
        categories = tuple(meta["categories"])
        words = vocab_bytes.decode("utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        raw = np.frombuffer(weight_bytes, dtype=np.int8)
        if raw.size != len(words) * len(categories):
            raise ModelError(f"{folder}/weights.bin: {raw.size} weights for {len(words)} features "
                             f"x {len(categories)} categories")
        scales = np.asarray(meta["scales"], dtype=np.float32)
        weights = raw.reshape(len(words), len(categories)).astype(np.float32) * scales
        risk = [c for c in categories if c != BENIGN]
        thresholds = {c: float(meta["thresholds"][c]) for c in risk}
        enabled = {c: bool(meta.get("enabled", {}).get(c, False)) for c in risk}
        return cls(categories, {w: i for i, w in enumerate(words)}, weights,
                   np.asarray(meta["bias"], dtype=np.float32), thresholds, enabled, meta, folder)

    def files(self) -> list[Path]:
        return [self.path / name for name in ("model.json", "vocab.txt", "weights.bin")] if self.path else []

    # -- scoring -----------------------------------------------------------------

    def feature_ids(self, n: Normalized, kind: str) -> frozenset[int]:
        """The unit's features that the model knows (ids, not text: a conversation
        keeps these for its last few messages, never the words)."""
        tokens = n.tokens[:MAX_TOKENS]
        # one C-level union of the tokens' cached id tuples (a Python update per token cost more)
        ids = set().union(*self._cache.all(tokens))
        toks = n.forms()[0][:MAX_TOKENS]
        ids.update(map(self._bigrams().get, zip(toks, toks[1:])))
        ids.add(self.vocab.get("k|" + kind))
        ids.discard(None)  # bigrams and a kind the model never saw
        return frozenset(ids)

    def known_share(self, tokens: list[str]) -> float:
        """The share of a unit's tokens that the model saw as words in training."""
        tokens = tokens[:MAX_TOKENS]
        vocab = self.vocab
        return sum(("w|" + t) in vocab for t in tokens) / len(tokens) if tokens else 0.0

    def probabilities(self, ids) -> dict[str, float]:
        """Softmax over categories of the L2-normalized binary feature vector.
        (One numpy gather-and-sum; the 13-value softmax in plain Python is cheaper
        than more numpy calls at this size.)"""
        logits = self._bias_list
        if ids:
            idx = np.fromiter(ids, dtype=np.intp, count=len(ids))
            row = np.add.reduce(self.weights.take(idx, axis=0), axis=0).tolist()
            scale = 1.0 / math.sqrt(len(idx))
            logits = [w * scale + b for w, b in zip(row, logits)]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return dict(zip(self.categories, [e / total for e in exps]))

    def scores(self, text: str, kind: str = "message") -> dict[str, float]:
        return self.probabilities(self.feature_ids(normalize(text), kind))

    def pick(self, probs: dict[str, float], thresholds: dict[str, float] | None = None) -> tuple[str, float, str | None]:
        """In one pass over the switched-on categories: the most likely one and its
        probability (benign and 0.0 when none is on), and the most likely one at or
        above its threshold (None; `thresholds`: the model's own unless given).
        Ties go to the first category of the model."""
        top, best, over, over_p = BENIGN, -1.0, None, -1.0
        enabled = self.enabled
        for cat, threshold in (thresholds or self.thresholds).items():
            if enabled[cat]:
                p = probs[cat]
                if p > best:
                    top, best = cat, p
                if p >= threshold and p > over_p:
                    over, over_p = cat, p
        return top, max(best, 0.0), over

    # -- self-check before activation ----------------------------------------------

    def self_test(self, tolerance: float = 2e-3) -> list[str]:
        """The model must reproduce the scores recorded when it was trained, on
        its own test items (a damaged file or a different feature function fails)."""
        failures = []
        for item in self.meta.get("tests", []):
            got = self.scores(item["text"], item.get("kind", "message"))
            for cat, want in item["scores"].items():
                if abs(got.get(cat, -1.0) - want) > tolerance:
                    failures.append(f"model test {item['text'][:40]!r}: {cat} {got.get(cat, -1.0):.4f}, "
                                    f"recorded {want:.4f}")
                    break
        return failures

    def info(self) -> dict:
        return {
            "format": FORMAT, "version": self.meta.get("version"), "trained": self.meta.get("trained"),
            "features": len(self.vocab), "categories": list(self.categories),
            "thresholds": self.thresholds, "enabled": self.enabled,
            "training": self.meta.get("training", {}), "metrics": self.meta.get("metrics", {}),
        }


def load_optional(rules_dir: Path) -> Model | None:
    """The model of a rules folder or bundle (`model/`), or None: a list without
    a model still works."""
    folder = Path(rules_dir) / "model"
    if not (folder / "model.json").is_file():
        return None
    return Model.load(folder)
