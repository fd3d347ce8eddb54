MATCH ()-[r:{{REL}}]->() RETURN {{nameLiteral}} AS name, count(r) AS total
