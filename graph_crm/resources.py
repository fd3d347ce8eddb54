"""Where the files the package reads at run time live: the Cypher statements and seeds.

In a checkout (and an editable install) they are the top-level ``cypher/`` and ``seeds/``
folders; a built wheel carries copies inside the package (``graph_crm/_bundled/``, put
there by ``setup.py``'s build step), so an installed graph-crm needs no checkout.

>>> (resource_dir("cypher") / "entity_get.cypher").is_file()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

_PACKAGE: Final = Path(__file__).resolve().parent

Resource = Literal["cypher", "seeds"]


def resource_dir(name: Resource) -> Path:
    """The folder of ``name``: the wheel's bundled copy, else the checkout's."""
    bundled = _PACKAGE / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name
