"""A GraphQL response written to bytes: the standard library's json against the
endpoint's orjson path (api/endpoint.py ``response_bytes``), alternating, as a ratio.

    .venv/bin/python -m bench.response_bytes [--nodes 50,500] [--rounds 7]

The response is a page of customers with eight fields and two nested subsidiaries each
(Chinese names, floats, datetimes as text), as a typed query returns it. Table to stdout,
JSON to ``--out`` (default ``bench/results/response_bytes.json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from graph_crm.api.endpoint import response_bytes


def page(nodes: int) -> dict[str, Any]:
    edges = [
        {
            "cursor": f"cursor-{i}",
            "node": {
                "id": f"Customer:C{i:05d}",
                "key": f"C{i:05d}",
                "name": f"上海客户{i}",
                "tier": "GOLD",
                "createdAt": "2026-11-23T09:00:00.000000Z",
                "revenue": 12345.5 + i,
                "active": i % 2 == 0,
                "hasSubsidiary": [{"key": f"S{i}-{j}", "name": "子公司"} for j in range(2)],
            },
        }
        for i in range(nodes)
    ]
    info = {"hasNextPage": False, "endCursor": None}
    return {"data": {"customers": {"totalCount": nodes, "edges": edges, "pageInfo": info}}}


def stdlib(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _ms(call: Any, data: Any, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call(data)
    return (time.perf_counter() - started) * 1000 / repeat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", default="50,500")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("bench/results/response_bytes.json"))
    args = parser.parse_args(argv)
    results = {}
    print("| nodes | bytes | stdlib ms | orjson ms | ratio |\n|---:|---:|---:|---:|---:|")
    for nodes in (int(n) for n in args.nodes.split(",")):
        data = page(nodes)
        assert json.loads(response_bytes(data)) == json.loads(stdlib(data))
        slow, fast = [], []
        for _ in range(args.rounds):  # alternating: drift on a shared box hits both alike
            slow.append(_ms(stdlib, data, args.repeat))
            fast.append(_ms(response_bytes, data, args.repeat))
        row = {
            "bytes": len(response_bytes(data)),
            "stdlib_ms": round(statistics.median(slow), 3),
            "orjson_ms": round(statistics.median(fast), 3),
        }
        row["ratio"] = round(row["stdlib_ms"] / row["orjson_ms"], 1)
        results[nodes] = row
        print(f"| {nodes} | {row['bytes']:,} | {row['stdlib_ms']} | {row['orjson_ms']} | "
              f"{row['ratio']}x |")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"parameters": vars(args) | {"out": str(args.out)},
                                    "results": results}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
