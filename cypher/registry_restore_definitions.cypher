UNWIND $definitions AS d
CREATE (:`_GraphCrmTypeDef` {kind: d.kind, name: d.name, definition: d.definition})
