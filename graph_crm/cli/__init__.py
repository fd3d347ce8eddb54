"""The ``graph-crm`` command line (:mod:`graph_crm.cli.main`), the top layer with ``api``."""
