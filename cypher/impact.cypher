// One statement per impact report; graph_crm/store/neo4j/impact_compile.py fills it from
// the plan: one typed hop per step (reach), an optional typed, bounded roll-up (climb,
// which binds `top`), and every signal aggregated per top. No row at all means the
// source does not exist; a source that reaches nothing gives rows = [].
// Per-top work stays in expressions where it can: a subquery per top costs more here.
MATCH (e0:{{SourceLabel}} {key: $sourceKey})
CALL (e0) {
  MATCH {{reach}}
  WHERE {{simplePath}}
  {{climb}}
  WITH top, [x IN {{pathNodes}} | x.id] AS ids, {{exposureNode}} AS exposureNode,
       {{slaNode}} AS slaNode
  // shortest first, then by ids (the first id is always the source's)
  ORDER BY {{pathOrder}}
  WITH top, count(*) AS pathCount, collect(ids)[..$pathsPerTarget] AS paths,
       collect(DISTINCT exposureNode) AS exposed, collect(DISTINCT slaNode) AS slaNodes
  // the earliest [deadline, id]: lists compare element by element
  WITH top, pathCount, paths, [x IN exposed | {{exposureValue}}] AS amounts,
       reduce(best = null, candidate IN {{slaCandidates}} |
              CASE WHEN best IS NULL OR candidate < best THEN candidate ELSE best END) AS sla
  CALL (top) {
    {{complaints}}
    RETURN count(DISTINCT c) AS complaints
  }
  // deadlines as plain numbers or text: the Python driver builds temporal values slowly
  RETURN collect({target: top.id, paths: paths, pathCount: pathCount, amounts: amounts,
                  complaints: complaints,
                  sla: CASE WHEN sla IS NULL THEN null ELSE [{{slaEncoded}}, sla[1]] END}) AS rows
}
RETURN rows
