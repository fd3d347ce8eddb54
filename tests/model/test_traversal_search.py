"""The bounded traversal search against every path, on small random graphs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_crm.errors import LimitExceeded
from graph_crm.model.search_graph import DictGraph
from graph_crm.model.traversal import Direction, Path, TraversalPlan, plan_traversal
from graph_crm.model.traversal_moves import can_revisit, state_cap
from graph_crm.model.traversal_search import Found, search
from tests.examples import examples
from tests.model.traversal_reference import (
    ENDS,
    REGISTRY,
    Answer,
    dict_graph,
    every_path,
    exact_answer,
    never_pruned,
)

KEYS = {"Alpha": ["a0", "a1", "a2", "a3", "a4"], "Beta": ["b0", "b1", "b2", "b3"]}


def as_answer(found: Found) -> Answer:
    return Answer([(t.id, t.distance, t.paths) for t in found.targets], found.truncated)


@st.composite
def cases(draw: st.DrawFn) -> tuple[TraversalPlan, list[str], DictGraph]:
    edges = []
    for relation, (source_type, target_type) in ENDS.items():
        for source in KEYS[source_type]:
            for target in KEYS[target_type]:
                if draw(st.integers(0, 99)) < 35:
                    edges.append((relation, f"{source_type}:{source}", f"{target_type}:{target}"))
    start_type = draw(st.sampled_from(sorted(KEYS)))
    current = {start_type}
    steps: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        moves = [
            (relation, direction)
            for relation, (source_type, target_type) in sorted(ENDS.items())
            for direction in Direction
            if (direction is not Direction.IN and source_type in current)
            or (direction is not Direction.OUT and target_type in current)
        ]
        relation, direction = draw(st.sampled_from(moves))
        step: dict[str, Any] = {"relation": relation, "direction": direction.value}
        source_type, target_type = ENDS[relation]
        lands = set()
        if direction is not Direction.IN and source_type in current:
            lands.add(target_type)
        if direction is not Direction.OUT and target_type in current:
            lands.add(source_type)
        if source_type == target_type:
            low = draw(st.integers(1, 2))
            step["minHops"], step["maxHops"] = low, draw(st.integers(low, 3))
        if draw(st.booleans()):
            keys = [k for t in sorted(lands) for k in KEYS[t]]
            step["where"] = {"key": {"in": draw(st.lists(st.sampled_from(keys), min_size=1))}}
        steps.append(step)
        current = lands
    starts = draw(st.lists(st.sampled_from(KEYS[start_type]), min_size=1, max_size=2, unique=True))
    shortest = sum(step.get("minHops", 1) for step in steps)
    plan = plan_traversal(
        REGISTRY,
        {start_type},
        steps,
        max_depth=draw(st.one_of(st.none(), st.integers(shortest, max(shortest, 6)))),
        limit=draw(st.integers(1, 6)),
        paths_per_target=draw(st.integers(1, 3)),
        start=[f"{start_type}:{key}" for key in starts],
    )
    return plan, list(plan.start), dict_graph(edges)


SETTINGS = settings(
    max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(cases())
def test_every_path_returned_is_a_path_in_order_and_truncated_means_more(
    case: tuple[TraversalPlan, list[str], DictGraph],
) -> None:
    plan, start, graph = case
    found = search(plan, start, graph)
    paths = every_path(plan, start, graph)
    exact = exact_answer(plan, start, graph)
    assert len(found.targets) <= plan.limit
    keys = [(t.distance, t.id) for t in found.targets]
    assert keys == sorted(keys)
    for target in found.targets:
        assert 1 <= len(target.paths) <= plan.paths_per_target
        assert target.paths == sorted(set(target.paths), key=Path.sort_key)
        assert all(p in paths and p.entity_ids[-1] == target.id for p in target.paths)
        assert target.distance == target.paths[0].length
    if found.truncated:
        assert exact.truncated


@SETTINGS
@given(cases())
def test_exact_when_no_walk_can_come_back_or_nothing_was_cut(
    case: tuple[TraversalPlan, list[str], DictGraph],
) -> None:
    plan, start, graph = case
    if can_revisit(plan) and not never_pruned(plan, start, graph):
        return
    assert as_answer(search(plan, start, graph)) == exact_answer(plan, start, graph)


def test_a_path_back_the_way_it_came_is_found_with_one_path_per_target() -> None:
    # warehouse <- shipments -> customer <- the customer's other shipments: with one
    # path kept per state, s1 is reached only through s2 (and s2 only through s1)
    steps = [
        {"relation": "LINKS", "direction": "IN"},
        {"relation": "PARENT_OF", "direction": "IN"},
        {"relation": "PARENT_OF"},
    ]
    plan = plan_traversal(REGISTRY, {"Beta"}, steps, paths_per_target=1, limit=10, start=["Beta:w"])
    shipments = ["Alpha:s1", "Alpha:s2", "Alpha:s3"]
    graph = dict_graph(
        [("LINKS", s, "Beta:w") for s in shipments]
        + [("PARENT_OF", "Alpha:c", s) for s in shipments]
    )
    assert can_revisit(plan)
    assert state_cap(plan, 2) == 2
    found = search(plan, ["Beta:w"], graph)
    assert as_answer(found) == exact_answer(plan, ["Beta:w"], graph)
    assert [t.id for t in found.targets] == shipments
    assert found.targets[0].paths[0].entity_ids == ("Beta:w", "Alpha:s2", "Alpha:c", "Alpha:s1")


def test_stops_at_the_limit_and_expands_only_what_it_needs() -> None:
    # a chain 0 -> 1 -> ... -> 9 of PARENT_OF, each also with 20 leaves
    edges = [("PARENT_OF", f"Alpha:{i}", f"Alpha:{i + 1}") for i in range(9)]
    edges += [
        ("PARENT_OF", f"Alpha:{i}", f"Alpha:{i}-{j:02}") for i in range(10) for j in range(20)
    ]
    graph = dict_graph(edges)
    steps = [{"relation": "PARENT_OF", "maxHops": None}]
    plan = plan_traversal(
        REGISTRY, {"Alpha"}, steps, limit=3, paths_per_target=1, start=["Alpha:0"]
    )
    found = search(plan, ["Alpha:0"], graph)
    assert [t.id for t in found.targets] == ["Alpha:0-00", "Alpha:0-01", "Alpha:0-02"]
    assert found.truncated
    assert found.expanded == 21  # depth 1 only: 21 targets there, 3 wanted
    everything = search(
        plan_traversal(REGISTRY, {"Alpha"}, steps, limit=10_000, start=["Alpha:0"]),
        ["Alpha:0"],
        graph,
    )
    assert len(everything.targets) == 9 + 200
    assert not everything.truncated


def test_more_edges_than_the_budget_is_an_error_never_a_partial_answer() -> None:
    graph = dict_graph([("PARENT_OF", "Alpha:0", f"Alpha:{i}") for i in range(1, 51)])
    plan = plan_traversal(REGISTRY, {"Alpha"}, [{"relation": "PARENT_OF"}], start=["Alpha:0"])
    assert search(plan, ["Alpha:0"], graph, edge_budget=50).expanded == 50
    with pytest.raises(LimitExceeded, match="more than 49 relation edges") as refused:
        search(plan, ["Alpha:0"], graph, edge_budget=49)
    assert "add filters" in refused.value.message
    assert "lower maxDepth" in refused.value.message
    assert "smaller limit" in refused.value.message


def test_a_deadline_hook_is_called_while_expanding() -> None:
    graph = dict_graph([("PARENT_OF", "Alpha:0", f"Alpha:{i}") for i in range(1, 10_001)])
    plan = plan_traversal(REGISTRY, {"Alpha"}, [{"relation": "PARENT_OF"}], start=["Alpha:0"])
    ticks: list[int] = []
    search(plan, ["Alpha:0"], graph, tick=lambda: ticks.append(1))
    assert len(ticks) == 2  # every 4,096 expansions
