"""A cold `himaya scan` (a new process: start, imports, rule list, one scan),
with the compiled list's cache (core/compiled.py) and without it, interleaved
run by run so that both meet the same machine. CPU time of the child process
(user + system), which a busy shared machine inflates less than wall time.

    python bench/cold_scan_bench.py [--json] [--runs N]
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = "t'as quel âge ? ajoute-moi sur snap"


def _himaya() -> list[str]:
    beside = Path(sys.executable).with_name("himaya")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "himaya.cli"]


def _one(home: Path) -> tuple[float, float]:
    env = dict(os.environ, HIMAYA_HOME=str(home))
    before, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([*_himaya(), "scan", TEXT], env=env, capture_output=True, text=True)
    wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 1:  # 1: risk found, as this text must give
        raise SystemExit(f"himaya scan failed ({done.returncode}): {done.stderr.strip()}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def run(runs: int = 5) -> dict:
    cached_home = Path(tempfile.mkdtemp(prefix="himaya-bench-"))
    _one(cached_home)  # writes the cache
    cached, fresh = [], []
    try:
        for _ in range(runs):
            cached.append(_one(cached_home))
            home = Path(tempfile.mkdtemp(prefix="himaya-bench-"))
            fresh.append(_one(home))
            shutil.rmtree(home, ignore_errors=True)
    finally:
        shutil.rmtree(cached_home, ignore_errors=True)

    def summary(rows):
        return {"cpu_s_p50": round(statistics.median(c for c, _ in rows), 3),
                "wall_s_p50": round(statistics.median(w for _, w in rows), 3), "n": len(rows)}

    figures = {"cached": summary(cached), "no_cache": summary(fresh)}
    figures["cached_over_no_cache_cpu"] = round(figures["cached"]["cpu_s_p50"] / figures["no_cache"]["cpu_s_p50"], 2)
    return figures


if __name__ == "__main__":
    n = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    f = run(n)
    if "--json" in sys.argv:
        print(json.dumps(f, indent=2))
    else:
        for name in ("cached", "no_cache"):
            print(f"cold himaya scan, {name:<9} CPU p50 {f[name]['cpu_s_p50']:.2f} s, wall p50 {f[name]['wall_s_p50']:.2f} s")
        print(f"with the cache / without: {f['cached_over_no_cache_cpu']:.2f} of the CPU time")
