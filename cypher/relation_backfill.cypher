MATCH ()-[r:{{REL}}]->()
WHERE r.{{prop}} IS NULL
SET r.{{prop}} = $value
RETURN count(r) AS updated
