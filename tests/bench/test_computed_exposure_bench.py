"""bench/computed_exposure.py on both backends, tiny: the report whose exposure is the
rollup ``Order.value`` ranks the same customers with the same exposures as the one on the
stored ``amount`` (the figures come from ``python -m bench.computed_exposure``)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from bench import computed_exposure as bench
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore


async def test_both_reports_agree_and_the_exposure_is_the_orders_sum(store: GraphStore) -> None:
    data = bench._data(orders=60, customers=7, seed=3)
    await bench._load(store, data)
    measured = await bench._measure(store, rounds=1)  # checks the two answers are equal
    assert measured["affected"] == len({link["to"] for link in data["for_customer"]})
    amounts = {order["key"]: order["amount"] for order in data["orders"]}
    expected: dict[str, list[float]] = defaultdict(list)
    for link in data["for_customer"]:
        expected[link["to"]].append(amounts[link["from"]])
    report = await impact_report(
        store, source="Warehouse:W1", policy="rollup-exposure", delay_days=3, as_of=bench.AS_OF
    )
    for target in report.targets:
        assert math.isclose(target.exposure, math.fsum(expected[target.target.split(":", 1)[1]]))
    assert {"stored", "rollup", "ratio_median"} <= set(measured)


def test_the_table_and_json_are_written(tmp_path: Path) -> None:
    out = tmp_path / "exposure.json"
    bench.main(["--backend", "embedded", "--orders", "30", "--customers", "5", "--rounds", "2",
                "--out", str(out)])  # fmt: skip
    assert '"embedded"' in out.read_text(encoding="utf-8")
