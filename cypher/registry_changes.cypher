MATCH (c:`_GraphCrmChange`)
WHERE c.version > $since
RETURN c {.*} AS change
ORDER BY c.version, coalesce(c.step, 0)
