// Records one definition change and moves the registry to its version.
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
WHERE r.version = $change.version - 1
SET r.version = $change.version
CREATE (c:`_GraphCrmChange`)
SET c = $change
WITH r
OPTIONAL MATCH (old:`_GraphCrmTypeDef` {kind: $kind, name: $name})
DETACH DELETE old
WITH r
FOREACH (definition IN CASE WHEN $definition IS NULL THEN [] ELSE [$definition] END |
  CREATE (:`_GraphCrmTypeDef` {kind: $kind, name: $name, definition: definition}))
RETURN r.version AS version
