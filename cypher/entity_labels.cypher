// Display labels for a batch of keys of one type: the label property only (not whole
// entities: decoding every temporal value of thousands of nodes costs seconds), as one
// row holding one list (a record per entity costs the Python driver ~0.1 ms each).
MATCH (n:{{Label}})
WHERE n.key IN $keys
RETURN collect([n.key, {{labelValue}}]) AS labels
