"""Scanner speed on a synthetic signature set (run by `himaya bench`).

Generates N signature terms (French-like, Arabizi and Arabic-script words;
phrases, fuzzy terms and a few regexes), a 50 KB multilingual page and 10 000
chat messages, then prints, from one run:

- page scan p50 (ms), message scan p50 and p99 (µs), messages per second,
  index build time (validation + compile), peak RSS;
- two references over the same texts: the floor (NFKC + casefold + \\w+
  tokenization, the least any scanner must do) and a peer (flashtext exact
  keyword extraction over the same literal terms), with our time as a ratio.

Timings on a shared 2-core machine are noisy: compare the ratios of one run.
"""

from __future__ import annotations

import gc
import random
import re
import resource
import sys
import time
import unicodedata

LATIN = ["sa", "la", "mi", "tou", "ch", "ba", "ra", "ne", "ko", "di", "fa", "9a", "3o", "7a", "li", "mar", "zen",
         "bo", "ti", "ka", "de", "pu", "ni", "so", "ha", "ze", "ro", "ya", "wa", "5a"]
ARABIC = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
FILLER_FR = "le la de et un une pour avec dans sur pas plus tout bien très fait voir après demain soir matin".split()
FILLER_DERJA = "ena enti howa barcha behi yezzi tawa ghodwa fama mouch kifech 3lech w ama".split()
FILLER_AR = "في من على إلى هذا هذه كان قال بعد قبل اليوم غدا برشا باهي".split()


def _word(rng: random.Random, arabic: bool) -> str:
    if arabic:
        return "".join(rng.choice(ARABIC) for _ in range(rng.randint(3, 6)))
    return "".join(rng.choice(LATIN) for _ in range(rng.randint(2, 4)))


def make_rules(n_terms: int, seed: int = 7):
    """Rule dicts with n_terms terms in all (10 per rule, 4 groups)."""
    rng = random.Random(seed)
    rules, literals, count = [], [], 0
    texts = {lang: {"fr": "x", "ar": "x", "en": "x"} for lang in ("a",)}["a"]
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


def make_texts(literals: list[str], n_messages: int, seed: int = 11):
    rng = random.Random(seed)
    fillers = FILLER_FR + FILLER_DERJA + FILLER_AR

    def sentence(k: int) -> str:
        words = [rng.choice(fillers) for _ in range(k)]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(literals))
        if rng.random() < 0.1:
            words.append(rng.choice(["🍒", "😂", "https://t.me/+AbCd000xyz", "50dt", "t.e.l.e"]))
        return " ".join(words)

    messages = [sentence(rng.randint(4, 18)) for _ in range(n_messages)]
    page = []
    while sum(len(p) + 1 for p in page) < 50_000:
        page.append(sentence(rng.randint(8, 30)) + ".")
    return "\n".join(page)[:50_000], messages


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def _time_each(fn, items, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        for it in items:
            t0 = time.perf_counter()
            fn(it)
            out.append(time.perf_counter() - t0)
    return out


def run(signatures: int = 10_000, messages: int = 10_000) -> dict:
    from himaya.core.matcher import Index
    from himaya.core.rules.schema import parse_rule

    rule_dicts, literals = make_rules(signatures)
    page, chat = make_texts(literals, messages)
    gc.collect()
    t0 = time.perf_counter()
    index = Index([parse_rule(r, {}) for r in rule_dicts])
    build_s = time.perf_counter() - t0

    index.scan(page, "post")  # warm caches the way a running companion has them
    page_times = _time_each(lambda t: index.scan(t, "post"), [page] * 15)
    t0 = time.perf_counter()
    msg_times = _time_each(lambda t: index.scan(t, "message"), chat)
    total = time.perf_counter() - t0

    def floor(t: str):
        return re.findall(r"\w+", unicodedata.normalize("NFKC", t).casefold())

    floor_page = _time_each(floor, [page] * 15)
    try:
        from flashtext import KeywordProcessor

        kp = KeywordProcessor()
        for lit in literals:
            kp.add_keyword(lit)
        flash_page = _time_each(kp.extract_keywords, [page] * 15)
        flash_ms = _pct(flash_page, 0.5) * 1e3
    except ImportError:  # flashtext is a bench extra
        flash_ms = None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024 * 1024)
    page_ms = _pct(page_times, 0.5) * 1e3
    return {
        "signatures": sum(1 for _ in literals) + sum(1 for r in rule_dicts for g in r["terms"].values() if g["kind"] == "regex"),
        "page_ms_p50": round(page_ms, 3),
        "message_us_p50": round(_pct(msg_times, 0.5) * 1e6, 1),
        "message_us_p99": round(_pct(msg_times, 0.99) * 1e6, 1),
        "messages_per_s": round(len(chat) / total),
        "build_s": round(build_s, 3),
        "rss_mb": round(rss, 1),
        "ref_floor_page_ms": round(_pct(floor_page, 0.5) * 1e3, 3),
        "ref_flashtext_page_ms": round(flash_ms, 3) if flash_ms is not None else None,
    }


def print_figures(f: dict) -> None:
    print(f"signatures            {f['signatures']}")
    print(f"index build           {f['build_s']:.3f} s")
    print(f"page (50 KB) p50      {f['page_ms_p50']:.2f} ms   floor {f['ref_floor_page_ms']:.2f} ms "
          f"(x{f['page_ms_p50'] / f['ref_floor_page_ms']:.1f})", end="")
    if f["ref_flashtext_page_ms"]:
        print(f"   flashtext {f['ref_flashtext_page_ms']:.2f} ms (x{f['page_ms_p50'] / f['ref_flashtext_page_ms']:.2f})")
    else:
        print("   flashtext: not installed (pip install 'himaya[bench]')")
    print(f"message p50 / p99     {f['message_us_p50']:.0f} µs / {f['message_us_p99']:.0f} µs")
    print(f"messages per second   {f['messages_per_s']}")
    print(f"peak RSS              {f['rss_mb']:.0f} MB")


if __name__ == "__main__":
    print_figures(run())
