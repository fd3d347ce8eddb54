// Which link rows name an end that does not exist.
UNWIND $rows AS row
OPTIONAL MATCH (a:{{From}} {key: row.from})
OPTIONAL MATCH (b:{{To}} {key: row.to})
WITH row, a, b
WHERE a IS NULL OR b IS NULL
RETURN row.index AS index, a IS NULL AS fromMissing, b IS NULL AS toMissing
