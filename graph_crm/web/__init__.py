"""The web console and the offline GraphiQL page: static files served by ``graph-crm
serve`` (routes.py), with their security headers (headers.py), compressed and cached
(assets.py). Everything the pages do goes through the public GraphQL API; this package
owns no business rule and imports nothing from the API."""
