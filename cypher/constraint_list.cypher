SHOW CONSTRAINTS YIELD name, labelsOrTypes
WHERE name STARTS WITH 'graph_crm_'
RETURN name, labelsOrTypes
