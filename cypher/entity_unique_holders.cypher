// Which stored entities already hold one of these values of a unique property.
MATCH (n:{{Label}})
WHERE n.{{prop}} IN $values
RETURN n.key AS key, n.{{prop}} AS value
