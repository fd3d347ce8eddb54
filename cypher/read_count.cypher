// A page's totalCount: every match of its filter (a part of read_operation.cypher).
COUNT { MATCH (n0:{{Label}}) WHERE {{where}} }
