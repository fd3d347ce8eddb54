MATCH ()-[r:{{REL}}]->()
WITH count(r) AS total
RETURN {{nameLiteral}} AS name, total
