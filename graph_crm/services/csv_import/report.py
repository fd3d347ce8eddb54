"""What an import found and did: per file, its rows and outcomes; the rejected lines."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final, Protocol

from graph_crm.errors import GraphCrmError

#: Rejects kept in memory for the summary (all go to the rejects file).
EXAMPLES: Final = 20
REJECT_HEADER: Final = ("file", "line", "column", "value", "reason")


@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        if self.column:
            where += f", column {self.column}"
        value = f" ({self.value!r})" if self.value else ""
        return f"{where}: {self.reason}{value}"


@dataclass
class FileReport:
    file: str
    target: str
    rows: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0


class WriteRefused(Exception):
    """A batch refused while writing, after the check passed (another client took a unique
    value meanwhile): the batches before it are written; running the import again
    completes it."""

    def __init__(self, error: GraphCrmError, written_rows: int) -> None:
        super().__init__(error.message)
        self.error = error
        self.written_rows = written_rows


class Rejects:
    """Rejected lines: counted, the first few kept, all written to the rejects file (made
    afresh by each run: a file left by an earlier run goes)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.unlink(missing_ok=True)
        self.count = 0
        self.examples: list[Reject] = []
        self._file: IO[str] | None = None
        self._writer: csv.DictWriter[str] | None = None

    def add(self, reject: Reject) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(reject)
        if self.path is None:
            return
        if self._writer is None:
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.DictWriter(self._file, fieldnames=REJECT_HEADER)
            self._writer.writeheader()
        self._writer.writerow(
            {
                "file": reject.file,
                "line": reject.line,
                "column": reject.column,
                "value": reject.value[:200],
                "reason": reject.reason,
            }
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    rejected: int = 0
    examples: list[Reject] = field(default_factory=list)
    dry_run: bool = False
    #: Whether anything was written (false: a dry run, or refused).
    written: bool = False
    rejects_path: Path | None = None

    @property
    def rows(self) -> int:
        return sum(report.rows for report in self.files)


class Progress(Protocol):
    """Where an import says how far it is (the CLI draws a bar on stderr)."""

    def start(self, phase: str, total: int, unit: str) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, phase: str, total: int, unit: str) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None

    def finish(self) -> None:
        return None
