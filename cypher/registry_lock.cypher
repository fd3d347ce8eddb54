// Takes the registry's write lock for the rest of the transaction. Writing and removing a
// scratch property locks the node and changes nothing; `SET r.version = r.version` would
// write back the version read before the lock was granted and hide the newer one.
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
SET r._lock = true
REMOVE r._lock
RETURN r.version AS version
