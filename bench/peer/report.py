"""bench.peer's tables: one per comparison, Markdown, as docs/benchmarks.md shows them."""

from __future__ import annotations

from typing import Any

from bench.peer.queries import PAIRS

Row = dict[str, Any]
LABELS = {pair.name: pair.label for pair in PAIRS}
HEAD = (
    "| scenario | graph-crm req/s | peer req/s | ratio | graph-crm CPU ms/req ({ours}) "
    "| peer CPU ms/req (server + Neo4j) | graph-crm p50/p95/p99 ms | peer p50/p95/p99 ms |"
)


def _cpu(row: Row) -> str:
    cpu = row["cpu_ms_per_request"]
    return " + ".join(f"{cpu[name]:.2f}" for name in ("server", "neo4j") if name in cpu)


def _latency(row: Row) -> str:
    return f"{row['p50_ms']:.1f} / {row['p95_ms']:.1f} / {row['p99_ms']:.1f}"


def table(title: str, results: dict[str, Row], ours_on_neo4j: bool) -> str:
    """``results``: per scenario, ``{"graph-crm": pooled, "peer": pooled}``."""
    ours_cpu = "server + Neo4j" if ours_on_neo4j else "server"
    lines = [title, "", HEAD.format(ours=ours_cpu), "|---|" + "---:|" * 7]
    notes = []
    for name, sides in results.items():
        ours, peer = sides["graph-crm"], sides["peer"]
        ratio = ours["req_per_s"] / peer["req_per_s"] if peer["req_per_s"] else float("nan")
        lines.append(
            f"| {LABELS.get(name, name)} | {ours['req_per_s']:,.0f} | {peer['req_per_s']:,.0f} "
            f"| {ratio:.2f} | {_cpu(ours)} | {_cpu(peer)} | {_latency(ours)} "
            f"| {_latency(peer)} |"
        )
        for side, row in sides.items():
            if row["failures"]:
                notes.append(f"- {name}: {side} had {row['failures']} failed requests")
    return "\n".join([*lines, *notes])
