"""The wheel carries the Cypher statements and the seeds inside the package.

They live at the top of the repository (``cypher/``, ``seeds/``), where people and tools
look for them; the build copies them to ``graph_crm/_bundled/``, where
:func:`graph_crm.resources.resource_dir` finds them in an installed copy. Everything
else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("cypher", "seeds")


class BuildWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders directly
        target = Path(self.build_lib) / "graph_crm" / "_bundled"
        for name in BUNDLED:
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(HERE / name, target / name)


setup(cmdclass={"build_py": BuildWithResources})
