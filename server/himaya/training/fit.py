"""Fit, calibrate and write the model (core/model.py's format).

Deterministic: the same examples give the same bytes (sorted vocabulary, a
seeded fold split, lbfgs, no timestamps in the files).

Calibration: five-fold out-of-fold probabilities on the training examples
choose each category's threshold so that, on benign examples, that category
alone would flag at most its share of a false-alarm budget (hard negatives and
plain benign text counted separately); the final model is then fitted on all
examples. The thresholds are written in model.json beside the weights.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np

from himaya.core.model import BENIGN, FEATURES, FORMAT, Model, text_features
from himaya.core.normalize import normalize
from himaya.training.examples import CATEGORIES, Example

SEED = 20261205
MIN_DF = 2
# The bundle caps each file at 2 MiB (bundles/manifest.py): int8 weights for 13 categories hold
# 161 000 features. Past that, the most frequent features are kept (ties by name: deterministic).
MAX_FEATURES = 160_000
C = 10.0
FLOOR = 0.35  # no category warns below this probability, whatever the budget allows
# False-alarm budget over all categories together, per kind of benign text. Hard negatives:
# 0.25 % since session 11 (0.5 % before): with two more authors' look-alikes the 0.5 % budget
# lowered most thresholds, and on the evaluation sets the model then warned on 8 more hard
# negatives for 76 more risky items; at 0.25 % it is 2 more for 48 (docs/MODEL.md).
BUDGET = {"benign-hard-negative": 0.0025, "benign": 0.001}


def featurize(examples: list[Example]) -> list[set[str]]:
    return [text_features(normalize(e.text), e.kind) for e in examples]


def build_matrix(feats: list[set[str]], vocab: dict[str, int]):
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for r, fs in enumerate(feats):
        ids = sorted(vocab[f] for f in fs if f in vocab)
        rows.extend([r] * len(ids))
        cols.extend(ids)
    data = np.ones(len(rows), dtype=np.float64)
    x = csr_matrix((data, (rows, cols)), shape=(len(feats), len(vocab)))
    norms = np.sqrt(np.asarray(x.sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return csr_matrix(x.multiply(1.0 / norms[:, None]))


def _fit(x, y, classes):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=3000, tol=1e-6)
    clf.fit(x, y)
    order = [list(clf.classes_).index(c) for c in classes]
    return clf.coef_[order].T.copy(), clf.intercept_[order].copy()


def _probs(x, w, b):
    logits = x @ w + b
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def folds(examples: list[Example], k: int = 5) -> np.ndarray:
    """Fold of every example, keeping the windows of one thread (and the variants
    of one item) in the same fold, so no fold is judged on what it trained on."""
    rng = np.random.default_rng(SEED)
    roots = sorted({e.source.split("#")[0] for e in examples})
    perm = rng.permutation(len(roots))
    fold_of = {roots[i]: int(j % k) for j, i in enumerate(perm)}
    return np.array([fold_of[e.source.split("#")[0]] for e in examples])


def calibrate(probs: np.ndarray, examples: list[Example], classes: list[str]) -> dict[str, float]:
    risk = [c for c in classes if c != BENIGN]
    thresholds = {}
    for c in risk:
        col = probs[:, classes.index(c)]
        t = FLOOR
        for group, budget in BUDGET.items():
            scores = np.sort(col[[e.group == group for e in examples]])[::-1]
            allowed = int(budget / len(risk) * len(scores))
            if len(scores) > allowed:
                t = max(t, float(scores[allowed]) + 1e-6)
        thresholds[c] = round(min(t, 0.99), 6)
    return thresholds


def oof_report(probs, examples, classes, thresholds) -> dict:
    """Out-of-fold recall and false alarms at the chosen thresholds."""
    risk = [c for c in classes if c != BENIGN]
    flagged = np.zeros(len(examples), dtype=bool)
    for c in risk:
        flagged |= probs[:, classes.index(c)] >= thresholds[c]
    out = {}
    for group in ("risk", "benign-hard-negative", "benign"):
        mask = np.array([e.group == group for e in examples])
        if mask.any():
            out[group] = {"n": int(mask.sum()), "flagged": round(float(flagged[mask].mean()), 4)}
    per = {}
    for c in risk:
        mask = np.array([e.label == c for e in examples])
        if mask.any():
            per[c] = {"n": int(mask.sum()), "recall": round(float(flagged[mask].mean()), 4)}
    out["recall_by_category"] = per
    return out


def train(examples: list[Example], out_dir: Path, sources: dict[str, str], progress=print) -> dict:
    """Fit, calibrate and write a model folder; return model.json's content."""
    if not examples:
        raise ValueError("no training examples")
    classes = [*CATEGORIES, BENIGN]
    counts = Counter(e.label for e in examples)
    missing = [c for c in classes if not counts[c]]
    if missing:
        raise ValueError(f"no training example for: {', '.join(missing)}")
    progress(f"features for {len(examples)} examples")
    feats = featurize(examples)
    df = Counter(f for fs in feats for f in fs)
    vocab_list = sorted(f for f, n in df.items() if n >= MIN_DF)
    if len(vocab_list) > MAX_FEATURES:
        vocab_list = sorted(sorted(vocab_list, key=lambda f: (-df[f], f))[:MAX_FEATURES])
    vocab = {f: i for i, f in enumerate(vocab_list)}
    x = build_matrix(feats, vocab)
    y = np.array([e.label for e in examples])
    fold = folds(examples)
    oof = np.zeros((len(examples), len(classes)))
    for k in range(5):
        progress(f"calibration fold {k + 1}/5")
        train_rows, test_rows = fold != k, fold == k
        w, b = _fit(x[train_rows], y[train_rows], classes)
        oof[test_rows] = _probs(x[test_rows], w, b)
    thresholds = calibrate(oof, examples, classes)
    report = oof_report(oof, examples, classes, thresholds)
    progress("final fit on every example")
    w, b = _fit(x, y, classes)
    # int8 weights with one scale per category: a quarter of float32, and the
    # bundle's 2 MiB file cap holds ~150 000 features x 13 categories.
    scales = np.abs(w).max(axis=0) / 127.0
    scales[scales == 0] = 1.0
    q = np.clip(np.rint(w / scales), -127, 127).astype(np.int8)
    keep = np.abs(q).max(axis=1) > 0  # features whose every weight rounds to 0 add nothing
    vocab_list = [f for f, k in zip(vocab_list, keep) if k]
    q = q[keep]
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_bytes = ("\n".join(vocab_list) + "\n").encode("utf-8")
    weight_bytes = q.tobytes()
    meta = {
        "format": FORMAT, "features": FEATURES,
        "version": hashlib.sha256(vocab_bytes + weight_bytes).hexdigest()[:12],
        "categories": classes,
        "bias": [round(float(v), 6) for v in b],
        "scales": [float(np.float32(s)) for s in scales],
        "thresholds": thresholds,
        "enabled": {c: True for c in CATEGORIES},
        "sha256": {"vocab.txt": hashlib.sha256(vocab_bytes).hexdigest(),
                   "weights.bin": hashlib.sha256(weight_bytes).hexdigest()},
        "training": {"examples": len(examples), "by_label": dict(sorted(counts.items())),
                     "sources": sources, "min_df": MIN_DF, "max_features": MAX_FEATURES, "C": C, "seed": SEED, "budget": BUDGET},
        "metrics": {"out_of_fold": report},
        "tests": [],
    }
    (out_dir / "vocab.txt").write_bytes(vocab_bytes)
    (out_dir / "weights.bin").write_bytes(weight_bytes)
    _write_meta(out_dir, meta)
    model = Model.load(out_dir)
    meta["tests"] = _self_tests(model, examples)
    _write_meta(out_dir, meta)
    return meta


def _self_tests(model: Model, examples: list[Example]) -> list[dict]:
    """One example per label (the first in order), with the scores this model gives:
    a computer re-checks them before activating the model."""
    seen, tests = set(), []
    for e in examples:
        if e.label in seen or len(e.text) > 300:
            continue
        seen.add(e.label)
        scores = model.scores(e.text, e.kind)
        tests.append({"text": e.text, "kind": e.kind, "scores": {c: round(v, 6) for c, v in scores.items()}})
    return tests


def _write_meta(out_dir: Path, meta: dict) -> None:
    (out_dir / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")


def set_enabled(out_dir: Path, switches: dict[str, bool]) -> dict:
    """Switch categories of a written model on or off (the gate's decision)."""
    meta = json.loads((out_dir / "model.json").read_text(encoding="utf-8"))
    unknown = set(switches) - set(meta["enabled"])
    if unknown:
        raise ValueError(f"unknown categories: {', '.join(sorted(unknown))}")
    meta["enabled"].update(switches)
    _write_meta(out_dir, meta)
    return meta
