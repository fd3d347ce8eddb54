UNWIND $changes AS change
CREATE (c:`_GraphCrmChange`)
SET c = change
