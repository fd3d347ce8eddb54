"""The table of ``bench/ab.sh``: this checkout (new) against a base commit, by ratio.

``python bench/ab_report.py DIR`` reads ``DIR/{api,impact}-{base,new}-<round>.json``.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any


def _runs(folder: Path, kind: str, side: str) -> list[Any]:
    return [json.loads(p.read_text())["results"] for p in sorted(folder.glob(f"{kind}-{side}-*"))]


def _api(folder: Path) -> None:
    base, new = _runs(folder, "api", "base"), _runs(folder, "api", "new")
    print("bench.api (5k entities, 8 in flight): mean of the rounds; ratio = new / base")
    print(
        f"{'backend':9} {'scenario':38} {'base req/s':>10} {'new req/s':>10} {'ratio':>6}"
        f" {'server CPU ms/req base':>23} {'new':>6} failures"
    )
    for backend in base[0]:
        for scenario in base[0][backend]["scenarios"]:
            b = [r[backend]["scenarios"][scenario] for r in base]
            n = [r[backend]["scenarios"][scenario] for r in new]
            b_rate = statistics.mean(x["req_per_s"] for x in b)
            n_rate = statistics.mean(x["req_per_s"] for x in n)
            b_cpu = statistics.mean(x["cpu_ms_per_request"]["server"] for x in b)
            n_cpu = statistics.mean(x["cpu_ms_per_request"]["server"] for x in n)
            failures = sum(x["failures"] for x in b + n)
            print(
                f"{backend:9} {scenario:38} {b_rate:10.1f} {n_rate:10.1f} {n_rate / b_rate:6.2f}"
                f" {b_cpu:23.2f} {n_cpu:6.2f} {failures}"
            )


def _impact(folder: Path) -> None:
    base, new = _runs(folder, "impact", "base"), _runs(folder, "impact", "new")
    print("\nbench.impact (10k entities): p50 ms, mean of the rounds; ratio = new / base")
    print(f"{'source':10} {'what':24} {'base':>7} {'new':>7} {'ratio':>6}")
    for i, row in enumerate(base[0]):
        for backend in ("embedded", "neo4j"):
            for what, key in (("rows", None), ("whole report", "report")):
                b = statistics.mean(_p50(r[i][backend], key) for r in base)
                n = statistics.mean(_p50(r[i][backend], key) for r in new)
                label = f"{backend} {what}"
                print(f"{row['source']:10} {label:24} {b:7.2f} {n:7.2f} {n / b:6.2f}")


def _p50(measured: Any, key: str | None) -> float:
    return float((measured[key] if key else measured)["p50_ms"])


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/ab")
    _api(folder)
    _impact(folder)
