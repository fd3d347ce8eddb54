// A counted page's matches in one scan (a part of read_operation.cypher): every node of
// the label that passes the filter, collected, when the label is small (its size read
// from the count store, no scan). Its totalCount is then their number and its rows are
// cut from them (read_page_of_matches.cypher). A larger label gives no row, so the
// matches are null and read_count and read_page scan it twice, in constant memory.
OPTIONAL CALL ({{scope}}) { WITH COUNT { (:{{Label}}) } AS size WHERE size <= {{most}} OPTIONAL MATCH (n0:{{Label}}) WHERE {{where}} RETURN size AS {{size}}, collect(n0) AS {{matches}} }
