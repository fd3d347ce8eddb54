// One statement per impact report; graph_crm/store/neo4j/impact_compile.py fills it from
// the plan: one typed hop per step (reach), an optional typed, bounded roll-up (climb,
// which binds `top`, `climbed` and `tail`), and every signal aggregated per top.
// Cost is per path and per element read, so each is read as few times as it can be: the
// ids of a path are joined into one text ($separator is a control character, which no id
// holds), and each node the steps end on climbs once for all the paths that end there.
MATCH (e0:{{SourceLabel}} {key: $sourceKey})
CALL (e0) {
  WITH e0, e0.id + $separator AS sourceId
  MATCH {{reach}}
  WHERE {{simplePath}}
  WITH {{groupKey}},
       collect([sourceId + {{headIds}}, {{exposureNode}}, {{slaNode}}]) AS heads
  {{climb}}
  UNWIND heads AS head
  WITH top, climbed, head[0] + tail AS path, head[1] AS exposureNode, head[2] AS slaNode
  WITH top, count(*) AS pathCount, collect([climbed, path]) AS found,
       collect(DISTINCT exposureNode) AS exposed, collect(DISTINCT slaNode) AS slaNodes
  // The tops in slices, one record each, the signals computed slice by slice: the client
  // decodes one record while the server computes the next. Always one record at least:
  // none at all means the source does not exist.
  WITH collect([top, pathCount, found, exposed, slaNodes]) AS tops
  UNWIND range(0, size(tops), $topsPerRecord) AS first
  CALL (tops, first) {
    UNWIND tops[first..first + $topsPerRecord] AS group
    WITH group[0] AS top, group[1] AS pathCount, group[2] AS found, group[3] AS exposed,
         group[4] AS slaNodes
    // the first $pathsPerTarget by [hops climbed, text]: the text orders as its ids
    // would, since the separator sorts before every character an id may hold
    WITH top, pathCount, [x IN exposed | {{exposureValue}}] AS amounts,
         [kept IN CASE WHEN size(found) <= $pathsPerTarget THEN found
          ELSE reduce(best = [], candidate IN found |
                 CASE WHEN size(best) < $pathsPerTarget OR candidate < best[-1]
                 THEN ([b IN best WHERE b <= candidate] + [candidate]
                       + [b IN best WHERE NOT b <= candidate])[..$pathsPerTarget]
                 ELSE best END) END | kept[1]] AS paths,
         // the earliest [deadline, id]: lists compare element by element
         reduce(best = null, candidate IN {{slaCandidates}} |
                CASE WHEN best IS NULL OR candidate < best THEN candidate ELSE best END) AS sla
    CALL (top) {
      {{complaints}}
      RETURN count(DISTINCT c) AS complaints
    }
    // a column per field, fewer values to encode and decode than a map per target, and
    // never a null, which collect would drop (a path ends at its target, so the paths
    // name it); a deadline as a number or text: the driver builds temporal values slowly
    RETURN collect(paths) AS paths, collect(pathCount) AS pathCounts,
           collect(amounts) AS amounts, collect(complaints) AS complaints,
           collect(CASE WHEN sla IS NULL THEN [] ELSE [{{slaEncoded}}, sla[1]] END) AS deadlines
  }
  RETURN paths, pathCounts, amounts, complaints, deadlines
}
RETURN paths, pathCounts, amounts, complaints, deadlines
