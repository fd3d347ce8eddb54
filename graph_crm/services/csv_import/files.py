"""Reading a CSV file as it comes from another system, one record at a time.

- **Encoding**: a byte-order mark says UTF-8 or UTF-16; without one, ``auto`` takes UTF-8
  if the first megabyte is UTF-8, else GB18030 (which reads GBK and GB2312 too). A line
  that does not decode is an error naming its line and column ("mixed encodings?").
- **Delimiter**: ``auto`` sniffs ``,`` ``;`` tab or ``|`` from the first 64 KB.
- **Records**: a quoted cell may hold newlines; a record is numbered by the line it starts
  on. A record with fewer or more cells than the header (a truncated last line) is a bad
  record at its line; an unclosed quote (the rest of the file would be one cell) stops the
  file there.

The file is streamed: memory does not grow with its size.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

SAMPLE_BYTES: Final = 1 << 20
SNIFF_CHARS: Final = 65_536
DELIMITERS: Final = ",;\t|"
#: A cell longer than this is refused (csv's own limit, raised from 128 KB).
MAX_CELL: Final = 1 << 20
csv.field_size_limit(MAX_CELL)
#: Told how many bytes were read (a progress bar's measure).
ByteCounter = Callable[[int], None] | None


class FileProblem(ValueError):
    """Something wrong with a file at a place: line (1-based; 0: the file) and column."""

    def __init__(self, message: str, line: int = 0, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Record:
    line: int
    cells: dict[str, str]
    #: Why the record cannot be read (its cells are then empty), and at which column.
    problem: str = ""
    column: str = ""


def detect_encoding(path: Path, wanted: str | None) -> str:
    """The codec to read ``path`` with (``wanted``: auto, or a name)."""
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if wanted and wanted != "auto":
        return wanted
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError as error:
        if not head[: error.start].isascii():
            # UTF-8 text up to a line that is not: mixed encodings, reported at that line
            return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FileProblem(
            "neither UTF-8 nor GB18030/GBK text; give the encoding (--encoding)"
        ) from None


def _lines(raw: IO[bytes], encoding: str, on_bytes: ByteCounter = None) -> Iterator[str]:
    """Decoded lines, each decoded on its own (so a bad byte is found at its line); UTF-16
    is decoded as a stream."""
    if encoding == "utf-16":
        text = io.TextIOWrapper(raw, encoding="utf-16", newline="")
        number = 0
        try:
            for number, line in enumerate(text, start=1):  # noqa: B007 - used after
                if on_bytes is not None:
                    on_bytes(2 * len(line))
                yield line
        except UnicodeDecodeError as error:
            raise FileProblem(f"not UTF-16 text near here ({error.reason})", number + 1) from None
        finally:
            text.detach()  # the caller closes the file
        return
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    for number, data in enumerate(raw, start=1):
        if on_bytes is not None:
            on_bytes(len(data))
        if number == 1 and encoding == "utf-8-sig":
            data = data.removeprefix(codecs.BOM_UTF8)
        try:
            yield data.decode(codec)
        except UnicodeDecodeError as error:
            decoded = data[: error.start].decode(codec, errors="replace")
            raise FileProblem(
                f"byte 0x{data[error.start]:02x} at character {len(decoded) + 1} is not "
                f"{encoding} text (mixed encodings? give --encoding)",
                number,
            ) from None


def sniff_delimiter(path: Path, encoding: str, wanted: str | None) -> str:
    if wanted and wanted != "auto":
        return wanted
    with path.open("rb") as raw:
        sample = ""
        for line in _lines(raw, encoding):
            sample += line
            if len(sample) >= SNIFF_CHARS:
                break
    header = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {mark: header.count(mark) for mark in DELIMITERS}
        best = max(counts, key=lambda mark: counts[mark])
        return best if counts[best] else ","


def read_records(
    path: Path,
    encoding: str,
    delimiter: str,
    needed: Sequence[str],
    on_bytes: ByteCounter = None,
) -> tuple[list[str], Iterator[Record]]:
    """The header and an iterator of the records; FileProblem if a ``needed`` column is
    missing from the header (every missing one named)."""
    raw = path.open("rb")
    lines = _lines(raw, encoding, on_bytes)
    reader: Any = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raw.close()
        raise FileProblem("the file is empty: no header line") from None
    except csv.Error as error:
        raw.close()
        raise FileProblem(f"the header cannot be read: {error}", 1) from None
    duplicated = sorted({name for name in header if header.count(name) > 1})
    missing = [name for name in needed if name not in header]
    if duplicated or missing:
        raw.close()
        problems = [f"no column {name!r}" for name in missing]
        problems += [f"column {name!r} appears twice" for name in duplicated]
        raise FileProblem("; ".join(problems) + f" (the header has {', '.join(header)})", 1)
    return header, _records(raw, reader, header)


def _records(raw: IO[bytes], reader: Any, header: list[str]) -> Iterator[Record]:
    width = len(header)
    try:
        line = 1
        while True:
            start = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileProblem(f"{error} (an unclosed quote?)", start) from None
            line = reader.line_num
            if not cells or cells == [""]:
                continue  # a blank line
            if len(cells) != width:
                what = "a truncated line?" if len(cells) < width else "an unquoted delimiter?"
                column = header[len(cells)] if len(cells) < width else ""
                problem = f"{len(cells)} cells where the header has {width} ({what})"
                yield Record(start, {}, problem, column)
                continue
            yield Record(start, dict(zip(header, cells, strict=True)))
    finally:
        raw.close()
