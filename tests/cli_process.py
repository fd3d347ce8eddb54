"""The command line as a user runs it: `python -m graph_crm.cli` in a process of its own."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph_crm.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
