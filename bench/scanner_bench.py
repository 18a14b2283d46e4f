"""Scanner speed on real-looking text (run by `himaya bench`).

Two rule lists: the shipped default list and a synthetic list of N terms.
Text from bench/textgen.py: messages, 5/50/200 KB pages and 200-message
conversations in French, English, Arabic, Tunisian (Arabic script and
Arabizi) and mixes, never the same text twice, with typos, emoji, prices,
links and a few rule-triggering phrases.

What is timed, each from one run:

- cold: every cache of the normalizer and the matcher emptied before each scan
  (a page full of words never seen); warm: after a warm-up on other text of
  the same kind (a running companion), still on text never scanned before;
- wall time and the scanning thread's CPU time side by side (CPU time is what
  a busy shared machine cannot inflate);
- references on the same 50 KB pages, interleaved round by round with our scan
  (page 1: us, flashtext, ahocorasick-rs; page 2: ...): flashtext's keyword
  extraction and one ahocorasick-rs pass over the same literal terms (the
  phrase and fuzzy values of the list, lowercased), and the floor (NFKC +
  casefold + \\w+ split);
- 200 KB pages in the same loop as the 50 KB ones (every other round), so that
  their ratio compares one moment of the machine, not two loops minutes apart.

Timings on a shared 2-core machine are noisy: compare ratios of one run.

    python bench/scanner_bench.py [--json] [--quick]
"""

from __future__ import annotations

import gc
import json
import random
import re
import resource
import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from textgen import TextGen  # noqa: E402

# -- the synthetic list ----------------------------------------------------------------

LATIN = ["sa", "la", "mi", "tou", "ch", "ba", "ra", "ne", "ko", "di", "fa", "9a", "3o", "7a", "li", "mar", "zen",
         "bo", "ti", "ka", "de", "pu", "ni", "so", "ha", "ze", "ro", "ya", "wa", "5a"]
ARABIC = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")


def _word(rng: random.Random, arabic: bool) -> str:
    if arabic:
        return "".join(rng.choice(ARABIC) for _ in range(rng.randint(3, 6)))
    return "".join(rng.choice(LATIN) for _ in range(rng.randint(2, 4)))


def make_rules(n_terms: int, seed: int = 7):
    """Rule dicts with n_terms terms in all (10 per rule, 4 groups), and their literals."""
    rng = random.Random(seed)
    rules, literals, count = [], [], 0
    texts = {"fr": "x", "ar": "x", "en": "x"}
    while count < n_terms:
        i = len(rules)
        groups = {}
        for g in range(4):
            kind = "regex" if (i % 40 == 0 and g == 3) else ("fuzzy" if g == 1 else "phrase")
            if kind == "regex":
                vals = [rf"\b{_word(rng, False).replace('9', 'q')}\d{{2,4}}\b"]
            else:
                vals = []
                for _ in range(3 if g < 3 else 1):
                    arabic = rng.random() < 0.3
                    words = [_word(rng, arabic) for _ in range(rng.randint(1, 3))]
                    if kind == "fuzzy":
                        words = [w if len(w) >= 5 else w + "ou" for w in words]
                    vals.append(" ".join(words))
                literals.extend(vals)
            count += len(vals)
            groups[f"g{g}"] = {"kind": kind, "values": {"aeb-Latn" if kind == "fuzzy" else "fr": vals}}
        rules.append({
            "id": f"BENCH-{i:05d}", "title": texts, "category": "age-probe", "status": "experimental",
            "severity": "medium", "window": 20, "terms": groups, "condition": "g0 and (g1 or g2) or g3",
            "explain": {"child": texts, "parent": texts},
        })
    return rules, literals


def shipped_literals(rules) -> list[str]:
    """The phrase and fuzzy values of a list: what a keyword matcher would be given."""
    out = set()
    for rule in rules:
        for term in rule.terms.values():
            if term.kind in ("phrase", "fuzzy"):
                for values in term.values.values():
                    out.update(v.strip("*=").lower() for v in values if v.strip("*="))
    return sorted(out)


# -- timing helpers --------------------------------------------------------------------

def clear_caches(index) -> None:
    """Empty every cache a scan fills: the next scan is a cold one."""
    from himaya.core import matcher, normalize

    if hasattr(matcher, "clear_caches"):
        matcher.clear_caches(index)
        return
    for name in ("_CACHE", "_FORMS"):  # the code before clear_caches() existed
        getattr(normalize, name, {}).clear()
    for name in ("loose", "leet", "skeleton", "strip_clitic"):
        getattr(normalize, name).cache_clear()
    index._fuzzy.nearest.cache_clear()


def settle(scanner) -> None:
    """What `himaya serve` does once its rules are compiled (scanner.settle_memory):
    the index leaves the garbage collector's generations."""
    try:
        from himaya.core.scanner import settle_memory
    except ImportError:  # the code before settle_memory() existed
        return
    settle_memory()


def timed(fn, arg) -> tuple[float, float]:
    """(wall seconds, this thread's CPU seconds) of fn(arg)."""
    c0, t0 = time.thread_time(), time.perf_counter()
    fn(arg)
    return time.perf_counter() - t0, time.thread_time() - c0


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def summary(walls: list[float], cpus: list[float], unit: float) -> dict:
    return {"p50": round(pct(walls, 0.5) * unit, 3), "p99": round(pct(walls, 0.99) * unit, 3),
            "cpu_p50": round(pct(cpus, 0.5) * unit, 3), "n": len(walls)}


# -- one list --------------------------------------------------------------------------

def bench_list(scanner, literals: list[str], *, messages: int, pages: int, seed: int) -> dict:
    """Every figure for one rule list."""
    index = scanner.index
    gen = TextGen(seed=seed)
    out: dict = {}

    # messages: warm (after a warm-up on other messages), then cold
    for m in [gen.message() for _ in range(min(10_000, 3 * messages))]:  # a companion has seen many
        scanner.scan(m, kind="message")
    msgs = [gen.message() for _ in range(messages)]
    # With a model, the rules alone too, on other new messages of the same loop
    # (message k with both signals, then message k' with the rules): where the
    # time of a message goes, measured at the same moment.
    alone = None if scanner.model is None else \
        type(scanner)(scanner.ruleset, signals="rules", index=scanner.index)
    others = [gen.message() for _ in range(messages)] if alone is not None else []
    walls, cpus, rules_walls, rules_cpus = [], [], [], []
    for k, m in enumerate(msgs):
        w, c = timed(lambda t: scanner.scan(t, kind="message"), m)
        walls.append(w), cpus.append(c)
        if alone is not None:
            w, c = timed(lambda t: alone.scan(t, kind="message"), others[k])
            rules_walls.append(w), rules_cpus.append(c)
    out["message_warm_us"] = summary(walls, cpus, 1e6)
    if alone is not None:
        out["message_warm_rules_alone_us"] = summary(rules_walls, rules_cpus, 1e6)
    out["messages_per_s_warm"] = round(len(msgs) / sum(walls))
    walls, cpus = [], []
    for m in [gen.message() for _ in range(max(100, messages // 20))]:
        clear_caches(index)
        w, c = timed(lambda t: scanner.scan(t, kind="message"), m)
        walls.append(w), cpus.append(c)
    out["message_cold_us"] = summary(walls, cpus, 1e6)

    # conversations of 200 messages, through the conversation state
    walls, cpus = [], []
    for k in range(3):
        chat = gen.conversation(200)
        conv = scanner.conversation(f"bench-{seed}-{k}")
        w, c = timed(lambda msgs_: [conv.add(t) for t in msgs_], chat)
        walls.append(w), cpus.append(c)
    out["conversation_200_ms"] = summary(walls, cpus, 1e3)

    # pages: 5 KB warm; 50 KB warm and cold interleaved with the references, and a
    # 200 KB page every other round of that loop (a ratio of medians taken minutes
    # apart on a shared machine read 3.6 to 5.1 for the same code: one moment, one loop)
    for _ in range(2):
        index.scan(gen.page(5_000), "post")
    walls, cpus = [], []
    for _ in range(pages):
        w, c = timed(lambda t: index.scan(t, "post"), gen.page(5_000))
        walls.append(w), cpus.append(c)
    out["page_5k_ms"] = summary(walls, cpus, 1e3)

    refs = _references(literals)
    for size in (50_000, 50_000, 200_000):
        index.scan(gen.page(size), "post")
    rows: dict[str, list] = {k: [] for k in ("ours", "ours_cpu", "ours_cold", "ours_cold_cpu", "big", "big_cpu",
                                              *refs)}
    for k in range(max(pages, 6)):
        if k < pages:
            page = gen.page(50_000)
            w, c = timed(lambda t: index.scan(t, "post"), page)
            rows["ours"].append(w), rows["ours_cpu"].append(c)
            for name, fn in refs.items():
                rows[name].append(timed(fn, page)[0])
        if k % 2 == 0 or k >= pages:  # at least 3 pages of 200 KB
            w, c = timed(lambda t: index.scan(t, "post"), gen.page(200_000))
            rows["big"].append(w), rows["big_cpu"].append(c)
        if k < pages:
            clear_caches(index)
            w, c = timed(lambda t: index.scan(t, "post"), gen.page(50_000))
            rows["ours_cold"].append(w), rows["ours_cold_cpu"].append(c)
    out["page_50k_ms"] = summary(rows["ours"], rows["ours_cpu"], 1e3)
    out["page_50k_cold_ms"] = summary(rows["ours_cold"], rows["ours_cold_cpu"], 1e3)
    out["page_200k_ms"] = summary(rows["big"], rows["big_cpu"], 1e3)
    for name in refs:
        out[f"ref_{name}_50k_ms"] = round(pct(rows[name], 0.5) * 1e3, 3)
    # ratios of medians of one run, on the same pages
    p50 = out["page_50k_ms"]["p50"]
    for name in refs:
        out[f"page_50k_over_{name}"] = round(p50 / out[f"ref_{name}_50k_ms"], 2)
    out["page_200k_over_50k"] = round(out["page_200k_ms"]["p50"] / p50, 2)
    out["literal_terms"] = len(literals)
    return out


def _references(literals: list[str]) -> dict:
    refs = {"floor": lambda t: re.findall(r"\w+", unicodedata.normalize("NFKC", t).casefold())}
    try:
        from flashtext import KeywordProcessor

        kp = KeywordProcessor()
        for lit in literals:
            kp.add_keyword(lit)
        refs["flashtext"] = kp.extract_keywords
    except ImportError:  # a bench extra: pip install 'himaya[bench]'
        pass
    try:
        import ahocorasick_rs

        ac = ahocorasick_rs.AhoCorasick(literals)
        refs["ahocorasick"] = lambda t: ac.find_matches_as_indexes(t.lower())
    except ImportError:  # pragma: no cover - a dependency of himaya
        pass
    return refs


def run(signatures: int = 10_000, messages: int = 3_000, pages: int = 9, quick: bool = False) -> dict:
    from himaya.core.rules.schema import parse_rule
    from himaya.core.scanner import PACKAGE_RULES, Scanner
    from himaya.core.rules.loader import load_ruleset

    if quick:
        messages, pages = 500, 3
    figures: dict = {"machine": {"cores": __import__("os").cpu_count(), "python": sys.version.split()[0]}}

    gc.collect()
    t0 = time.perf_counter()
    shipped = Scanner(load_ruleset(PACKAGE_RULES))
    build_shipped = time.perf_counter() - t0
    settle(shipped)
    figures["shipped"] = {"rules": len(shipped.rules), "build_s": round(build_shipped, 3),
                          **bench_list(shipped, shipped_literals(shipped.rules), messages=messages, pages=pages,
                                       seed=1)}

    rule_dicts, literals = make_rules(signatures)
    t0 = time.perf_counter()
    from himaya.core.rules.loader import RuleSet

    synthetic = Scanner(RuleSet([parse_rule(r, {}) for r in rule_dicts], {}, Path("synthetic"), "synthetic"),
                        signals="rules")
    settle(synthetic)
    figures["synthetic"] = {"signatures": signatures, "build_s": round(time.perf_counter() - t0, 3),
                            **bench_list(synthetic, sorted(set(literals)), messages=messages, pages=pages, seed=2)}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)
    figures["rss_mb"] = round(rss, 1)
    return figures


def print_figures(f: dict) -> None:
    print(f"{f['machine']['cores']} cores, Python {f['machine']['python']}; wall p50 (CPU p50); "
          "pages warm unless said")
    for name in ("shipped", "synthetic"):
        s = f[name]
        label = f"shipped list ({s['rules']} rules)" if name == "shipped" else f"synthetic list ({s['signatures']} terms)"
        print(f"\n{label}, built in {s['build_s']:.2f} s, {s['literal_terms']} literal terms")
        for key, title, unit in (("message_warm_us", "message, warm", "µs"),
                                 ("message_warm_rules_alone_us", "message, warm, rules alone", "µs"),
                                 ("message_cold_us", "message, cold", "µs"),
                                 ("conversation_200_ms", "200-message conversation", "ms"),
                                 ("page_5k_ms", "5 KB page", "ms"), ("page_50k_ms", "50 KB page", "ms"),
                                 ("page_50k_cold_ms", "50 KB page, cold", "ms"), ("page_200k_ms", "200 KB page", "ms")):
            r = s.get(key)
            if r is None:  # (the synthetic list has no model: no "rules alone" row)
                continue
            print(f"  {title:<28}p50 {r['p50']:>9.2f} {unit} (cpu {r['cpu_p50']:.2f})   p99 {r['p99']:>9.2f} {unit}")
        for ref in ("flashtext", "ahocorasick", "floor"):
            if f"ref_{ref}_50k_ms" in s:
                print(f"  50 KB page, {ref:<16}p50 {s[f'ref_{ref}_50k_ms']:>9.2f} ms   "
                      f"ours / {ref}: {s[f'page_50k_over_{ref}']:.2f}")
        print(f"  200 KB / 50 KB page time: {s['page_200k_over_50k']:.2f}; "
              f"warm messages per second: {s['messages_per_s_warm']}")
    print(f"\npeak RSS {f['rss_mb']:.0f} MB")


if __name__ == "__main__":
    as_json = "--json" in sys.argv
    figures = run(quick="--quick" in sys.argv)
    if as_json:
        print(json.dumps(figures, indent=2))
    else:
        print_figures(figures)
