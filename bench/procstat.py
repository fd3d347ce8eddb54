"""What /proc and the file system say about a process or a store: peak RSS, CPU, size."""

from __future__ import annotations

import os
import time
from pathlib import Path

MIB = 1024 * 1024


def peak_rss_mib(pid: int) -> float | None:
    """A process's peak resident set (``VmHWM``), or None where /proc cannot tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU a process has used (``pid`` None: this one)."""
    if pid is None:
        return time.process_time()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def disk_mib(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MIB, 1)
