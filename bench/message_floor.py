"""The floor of a message scan in this design, beside a whole scan, on the shipped list.

A message's scan cannot skip four steps: normalization, the loose view's
Aho-Corasick search, the RE2 Sets over the punctuation-keeping view, and the
model's features and weights. This times those four alone ("floor"), the first
three alone ("floor without the model") and a whole `Scanner.scan`, in
alternating blocks of new messages from bench/textgen.py (never the same text
twice), after a warm-up of 9 000 others: thread CPU time, p50 and mean, in µs.
What a whole scan costs above the floor is what tuning can still take; the floor
itself only a compiled extension (or a smaller model) can lower.

    python bench/message_floor.py [--json] [--blocks 40]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from textgen import TextGen  # noqa: E402


def measure(blocks: int = 40, per_block: int = 100, warm: int = 9_000) -> dict:
    from himaya.core.normalize import normalize
    from himaya.core.rules.loader import load_ruleset
    from himaya.core.scanner import PACKAGE_RULES, Scanner, settle_memory

    scanner = Scanner(load_ruleset(PACKAGE_RULES))
    index, model = scanner.index, scanner.model
    index.build()
    model.build()

    def without_model(text: str) -> None:
        n = normalize(text)
        index.words.search(n.forms()[0]).patterns()
        index.regex_set.matching(n.full().encode("utf-8"))

    def floor(text: str) -> None:
        n = normalize(text)
        index.words.search(n.forms()[0]).patterns()
        index.regex_set.matching(n.full().encode("utf-8"))
        model.probabilities(model.feature_ids(n, "message"))

    def whole(text: str) -> None:
        scanner.scan(text, kind="message")

    steps = {"floor": floor, "floor_without_model": without_model, "scan": whole}
    gen = TextGen(seed=3)
    for _ in range(warm):
        text = gen.message()
        floor(text)
        whole(text)
    settle_memory()
    samples: dict[str, list[int]] = {name: [] for name in steps}
    clock = time.thread_time_ns
    for _ in range(blocks):
        for name, step in steps.items():
            for text in [gen.message() for _ in range(per_block)]:
                start = clock()
                step(text)
                samples[name].append(clock() - start)
    out = {}
    for name, values in samples.items():
        values.sort()
        out[name] = {"p50_us": round(values[len(values) // 2] / 1e3, 1),
                     "mean_us": round(sum(values) / len(values) / 1e3, 1), "n": len(values)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--blocks", type=int, default=40, help="blocks of 100 new messages per step")
    args = parser.parse_args()
    figures = measure(args.blocks)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, f in figures.items():
        print(f"{name:<22} p50 {f['p50_us']:>7.1f} µs   mean {f['mean_us']:>7.1f} µs   ({f['n']} messages)")


if __name__ == "__main__":
    main()
