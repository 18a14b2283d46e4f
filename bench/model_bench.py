"""What the second signal costs per message, on the shipped list and real-looking text.

The messages are every single message of the project's benign collection and of the
blind evaluation sets (thousands of distinct texts in fr, ar, Derja in both scripts,
en, mixed): varied, not one sentence repeated. Each message is scanned with the rules
alone and with rules + model, interleaved in one loop, with thread CPU time, so the
difference is the model's cost on the same text under the same load.

    python bench/model_bench.py [--json] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from himaya.core.rules import load_ruleset
from himaya.core.scanner import Scanner

ROOT = Path(__file__).resolve().parent.parent


def messages() -> list[str]:
    out = []
    sources = [*sorted((ROOT / "rules" / "benign").glob("*.jsonl")),
               *sorted((ROOT / "tests" / "fixtures" / "eval").glob("*.jsonl"))]
    for path in sources:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("kind") == "thread":
                out.extend(m["text"] for m in item["messages"])
            elif item.get("kind", "message") == "message":
                out.append(item["text"])
    return list(dict.fromkeys(t for t in out if t.strip()))


def run(rounds: int = 3) -> dict:
    ruleset = load_ruleset(ROOT / "rules")
    rules_only = Scanner(ruleset, signals="rules")
    both = Scanner(ruleset, signals="both")
    texts = messages()
    for t in texts:  # warm both: caches of normalized tokens and model features
        rules_only.scan(t)
        both.scan(t)
    clock = time.thread_time_ns
    t_rules, t_both = [], []
    for _ in range(rounds):
        for t in texts:
            a = clock()
            rules_only.scan(t)
            b = clock()
            both.scan(t)
            c = clock()
            t_rules.append(b - a)
            t_both.append(c - b)
    added = [y - x for x, y in zip(t_rules, t_both)]
    q = lambda xs, p: sorted(xs)[int(p * (len(xs) - 1))] / 1000  # noqa: E731
    model_dir = ROOT / "rules" / "model"
    size = sum(p.stat().st_size for p in model_dir.iterdir()) if model_dir.is_dir() else 0
    return {
        "messages": len(texts), "rounds": rounds,
        "rules_p50_us": q(t_rules, 0.5), "both_p50_us": q(t_both, 0.5),
        "added_p50_us": round(statistics.median(added) / 1000, 1), "added_p99_us": q(added, 0.99),
        "model_files_bytes": size,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    figures = run(args.rounds)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{figures['messages']} distinct messages x {figures['rounds']} rounds, thread CPU time")
    print(f"rules alone p50 {figures['rules_p50_us']:.1f} µs; rules + model p50 {figures['both_p50_us']:.1f} µs")
    print(f"added by the model: p50 {figures['added_p50_us']:.1f} µs, p99 {figures['added_p99_us']:.1f} µs; "
          f"model files {figures['model_files_bytes'] / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
