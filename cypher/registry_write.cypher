// Records one registry version: its definition changes (one or more, each a step of the
// version) and the definitions they leave, replacing what each changed name held.
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
WHERE r.version = $version - 1
SET r.version = $version
WITH r
CALL () {
  UNWIND $changes AS change
  CREATE (c:`_GraphCrmChange`)
  SET c = change
}
CALL () {
  UNWIND $definitions AS item
  OPTIONAL MATCH (old:`_GraphCrmTypeDef` {kind: item.kind, name: item.name})
  DETACH DELETE old
  WITH DISTINCT item
  WHERE item.definition IS NOT NULL
  CREATE (:`_GraphCrmTypeDef` {kind: item.kind, name: item.name, definition: item.definition})
}
RETURN r.version AS version
