"""Before timing: both servers answer the same data, or the bench stops.

For each scenario, a sample of variable sets (customer keys; for the page, the first pages
walked on each server, since their cursors differ) is asked of both; the answers are brought
to one shape (:func:`bench.peer.queries.normalise`) and compared, pages also in their order.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.loadgen import collect_cursors, draw, post
from bench.peer.queries import Pair, normalise, ordered
from bench.scenarios import Pools, Scenario

Row = dict[str, Any]


class Mismatch(RuntimeError):
    """The two servers disagree (or one failed) on a sampled question."""


async def _ask(client: httpx.AsyncClient, scenario: Scenario, variables: Row, side: str) -> Any:
    data, why = await post(client, scenario.query, variables)
    if data is None:
        raise Mismatch(f"{scenario.name} {variables}: {side} failed: {why}")
    return data[scenario.root]


def _check(pair: Pair, variables: Row, ours: Any, peer: Any) -> bool:
    """Raise unless the two answers agree; True if they hold any data."""
    ours_shape, peer_shape = pair.ours_shape(ours), pair.peer_shape(peer)
    paged = isinstance(ours_shape, dict) and "nodes" in ours_shape
    if paged and ordered(ours_shape) != ordered(peer_shape):
        raise Mismatch(
            f"{pair.name} {variables}: the order differs:\n  graph-crm {ordered(ours_shape)}"
            f"\n  peer      {ordered(peer_shape)}"
        )
    if normalise(ours_shape) != normalise(peer_shape):
        raise Mismatch(
            f"{pair.name} {variables}: the answers differ:\n  graph-crm {ours_shape!r:.1500}"
            f"\n  peer      {peer_shape!r:.1500}"
        )
    if paged:
        return bool(ours_shape["nodes"])
    return ours_shape is not None


async def check_same(
    ours: httpx.AsyncClient,
    peer: httpx.AsyncClient,
    pairs: list[Pair],
    keys: list[str],
    sample: int,
    seed: int,
) -> Row:
    """Per scenario: how many questions were compared and how many held data. Raises
    :class:`Mismatch` on the first difference, or if a scenario's whole sample was empty."""
    checked: Row = {}
    for pair in pairs:
        if pair.paged:
            ours_cursors = await collect_cursors(ours, pair.ours, sample)
            peer_cursors = await collect_cursors(peer, pair.peer, sample)
            if len(ours_cursors) != len(peer_cursors):
                raise Mismatch(
                    f"{pair.name}: graph-crm has {len(ours_cursors)} pages in the first "
                    f"{sample}, the peer {len(peer_cursors)}"
                )
            questions = [
                ({"after": a}, {"after": b})
                for a, b in zip(ours_cursors, peer_cursors, strict=True)
            ]
        else:
            drawn = draw(pair.ours, Pools(keys), sample, seed)
            questions = [(variables, variables) for variables in drawn]
        holding = 0
        for ours_vars, peer_vars in questions:
            ours_answer = await _ask(ours, pair.ours, ours_vars, "graph-crm")
            peer_answer = await _ask(peer, pair.peer, peer_vars, "the peer")
            holding += _check(pair, ours_vars, ours_answer, peer_answer)
        if pair.name != "typename" and not holding:
            raise Mismatch(f"{pair.name}: every sampled answer was empty on both; nothing compared")
        checked[pair.name] = {"compared": len(questions), "with_data": holding}
    return checked
