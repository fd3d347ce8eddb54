"""An impact plan as the fragments of ``cypher/impact.cypher`` (pure, no IO).

Step ``i`` lands on the node ``e{i}`` (``e0`` is the source). Every identifier goes
through :mod:`.queries`' checked quoting, filters through :mod:`.compile`; values are
parameters. Entities of different types are different nodes, so the simple-path checks
compare only nodes of the same type. Only the source carries a label: a relation type
has one ``from`` and one ``to`` type (links are checked against them), so the typed
relationship already fixes each landing node's label, and a label test would cost a
database access per path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_crm.impact.plan import PATHS_PER_TARGET, ImpactPlan, Rollup, StepProperty
from graph_crm.impact.request import ImpactRequest
from graph_crm.model.formula import Formula, Parameters
from graph_crm.model.query import Filter
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind
from graph_crm.store.neo4j.compile import Params, compile_filter
from graph_crm.store.neo4j.formula_cypher import formula_condition
from graph_crm.store.neo4j.queries import label, prop, rel_type

#: Joins the ids of a path into one text: a control character, which no id holds
#: (:func:`graph_crm.model.records.check_key`), so the text orders as its ids would.
PATH_SEPARATOR = "\x1f"
#: Targets per record: the client decodes one record while the server computes the next.
TOPS_PER_RECORD = 250


@dataclass(frozen=True, slots=True)
class CompiledImpact:
    fragments: dict[str, str]
    params: dict[str, Any]


def _hop(relation: str, direction: Direction, repeat: str = "") -> str:
    relationship = f"[:{rel_type(relation)}{repeat}]"
    return f"-{relationship}->" if direction is Direction.OUT else f"<-{relationship}-"


def _where(
    flt: Filter | None,
    condition: Formula | None,
    variable: str,
    params: Params,
    parameters: Parameters,
) -> str:
    """A ``where`` filter and formula condition on ``variable``, both to hold."""
    where = compile_filter(flt, variable, params)
    if condition is None:
        return where
    return f"{where} AND {formula_condition(condition, variable, params, parameters)}"


def compile_impact(plan: ImpactPlan, request: ImpactRequest) -> CompiledImpact:
    """The fragments and parameters that make the plan one statement (``plan`` with its
    filters' parameters bound: :attr:`ImpactRequest.plan`)."""
    params = Params()
    given = request.parameters
    types = [plan.source_type, *(step.landing_type for step in plan.steps)]
    nodes = [f"e{i}" for i in range(len(types))]
    reach = ["(e0)"]
    for index, step in enumerate(plan.steps, start=1):
        where = _where(step.where, step.condition, nodes[index], params, given)
        arrow = _hop(step.relation, step.direction)
        reach.append(f"{arrow}({nodes[index]} WHERE {where})")
    distinct = [
        f"{nodes[j]} <> {nodes[i]}"
        for j in range(len(types))
        for i in range(j)
        if types[i] == types[j]
    ]
    last = nodes[-1]
    same_type = [
        node for node, kind in zip(nodes[:-1], types[:-1], strict=True) if kind == types[-1]
    ]
    group_key = last
    if plan.rollup is None:
        climb = f"WITH heads, {last}.id AS tail, 0 AS climbed, {last} AS top"
    else:
        climb = _climb(plan.rollup, last, bool(same_type))
        if same_type:
            group_key += f", [{', '.join(same_type)}] AS earlier"
    fragments = {
        "SourceLabel": label(plan.source_type),
        "reach": "".join(reach),
        "simplePath": " AND ".join(distinct) or "true",
        "groupKey": group_key,
        # every id between the source and the last step, each followed by the separator
        "headIds": " + ".join(f"{node}.id + $separator" for node in nodes[1:-1]) or "''",
        "climb": climb,
        **_exposure(plan, nodes),
        **_sla(plan, nodes, params, given),
        "complaints": _complaints(plan, params, given),
    }
    values: dict[str, Any] = {
        **params.values,
        "sourceKey": request.source_key,
        "separator": PATH_SEPARATOR,
        "pathsPerTarget": PATHS_PER_TARGET,
        "topsPerRecord": TOPS_PER_RECORD,
        "rollupHops": plan.rollup.max_hops if plan.rollup else 0,
    }
    if request.window is not None:
        values["windowStart"], values["windowEnd"] = request.window
    return CompiledImpact(fragments, values)


def _climb(rollup: Rollup, last: str, avoid_earlier: bool) -> str:
    """Climb once per group of paths to every top: ``max_hops`` up, or where no parent is
    left unvisited. Binds ``top``, ``climbed`` (hops) and ``tail`` (the ids from ``last``
    up to ``top``, as text).

    ``avoid_earlier``: the group holds ``earlier``, the step nodes of the target type,
    which the climb must not revisit.
    """
    up = _hop(rollup.relation, rollup.direction, f"*0..{int(rollup.max_hops)}")
    further = _hop(rollup.relation, rollup.direction)
    return (
        f"WITH {last} AS start, heads, [climb = ({last}){up}(top)\n"
        "    WHERE all(i IN range(0, length(climb) - 1)"
        " WHERE NOT nodes(climb)[i] IN nodes(climb)[i + 1..])\n"
        + ("      AND none(x IN nodes(climb)[1..] WHERE x IN earlier)\n" if avoid_earlier else "")
        + "      AND (length(climb) = $rollupHops OR NOT EXISTS {\n"
        f"        MATCH (top){further}(up)\n"
        "        WHERE NOT up IN nodes(climb)"
        + (" AND NOT up IN earlier" if avoid_earlier else "")
        + " })\n"
        "    | nodes(climb)[1..]] AS climbs\n"
        "  UNWIND climbs AS climb\n"
        "  WITH heads, reduce(text = start.id, x IN climb | text + $separator + x.id) AS tail,\n"
        "       size(climb) AS climbed, coalesce(climb[-1], start) AS top"
    )


def _exposure(plan: ImpactPlan, nodes: list[str]) -> dict[str, str]:
    if plan.exposure is None:
        return {"exposureNode": "null", "exposureValue": "null"}
    return {
        "exposureNode": nodes[plan.exposure.step],
        "exposureValue": f"x.{prop(plan.exposure.property)}",
    }


def _sla(plan: ImpactPlan, nodes: list[str], params: Params, given: Parameters) -> dict[str, str]:
    sla = plan.sla
    if sla is None:
        return {"slaNode": "null", "slaCandidates": "[]", "slaEncoded": "null"}
    value = f"y.{prop(sla.property)}"
    # decoded by impact_ops.decode_deadline
    encoded = (
        "toString(sla[0])"
        if sla.kind is PropertyKind.DATE
        else "sla[0].epochSeconds * 1000000 + sla[0].nanosecond / 1000"
    )
    if isinstance(sla, StepProperty):
        candidates = f"[y IN slaNodes WHERE {value} IS NOT NULL | [{value}, y.id]]"
        return {"slaNode": nodes[sla.step], "slaCandidates": candidates, "slaEncoded": encoded}
    where = _where(sla.where, sla.condition, "y", params, given)
    arrow = _hop(sla.relation, sla.direction)
    candidates = f"[(top){arrow}(y WHERE {where}) WHERE {value} IS NOT NULL | [{value}, y.id]]"
    return {"slaNode": "null", "slaCandidates": candidates, "slaEncoded": encoded}


def _complaints(plan: ImpactPlan, params: Params, given: Parameters) -> str:
    complaints = plan.complaints
    if complaints is None:
        return "UNWIND [] AS c"
    where = _where(complaints.where, complaints.condition, "c", params, given)
    arrow = _hop(complaints.relation, complaints.direction)
    filed = f"c.{prop(complaints.date_property)}"
    return (
        f"MATCH (top){arrow}(c WHERE {where})\n"
        f"    WHERE {filed} >= $windowStart AND {filed} <= $windowEnd"
    )
