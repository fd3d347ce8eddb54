// As related_set_out, against the arrow: the near ends are the relation's 'to' entities.
MATCH (near)<-[:{{REL}}]-(n:{{From}})
WHERE {{where}}
RETURN collect(DISTINCT elementId(near)) AS ids
