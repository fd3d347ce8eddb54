// The stored revision of each of $keys that exists: an upsert sends only the rows whose
// revision differs, and a row that changes nothing keeps even its updatedAt.
UNWIND $keys AS key
MATCH (n:{{Label}} {key: key})
RETURN n.key AS key, n._rev AS rev
