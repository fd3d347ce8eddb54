"""``python -m graph_crm.cli``: the same as the ``graph-crm`` command."""

import sys

from graph_crm.cli.main import main

sys.exit(main())
