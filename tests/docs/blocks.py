"""The fenced code blocks of README.md and docs/*.md, and which tests claim them.

A block's language says what it is: ``graphql`` a query or mutation (every one runs on the
demo data, tests/docs/test_queries.py), ``bash`` commands (each claimed by a test),
``python`` a program (claimed by a test, like commands), ``json``/``yaml`` data or
configuration, ``text`` output. A block gets an id from an HTML
comment on the line before its fence (blank lines between are allowed)::

    <!-- test: api-load -->
    ```graphql

A test claims the block by calling ``doc_block("api-load")`` with the id written out, so
tests/docs/test_blocks.py can find every claim by reading the tests' source.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[2]
#: Commands: each block needs an id and a test that claims it.
COMMANDS: Final = frozenset({"bash", "sh", "console", "python"})
#: Queries and mutations: every one runs on the demo data.
QUERIES: Final = frozenset({"graphql"})
#: Programs (a client in Python or JavaScript): like commands, each needs an id and a test
#: that claims and runs it.
PROGRAMS: Final = frozenset({"python", "javascript"})
#: Data and configuration: a test claims those that carry an id.
DATA: Final = frozenset({"json", "yaml"})
#: Output, trees, pictures: run by nothing, and so they may carry no id.
OUTPUT: Final = frozenset({"text"})
LANGUAGES: Final = COMMANDS | PROGRAMS | QUERIES | DATA | OUTPUT
#: A query's variables: the ``json`` block with the id ``<query id>:variables``.
VARIABLES_SUFFIX: Final = ":variables"
CLAIM_FUNCTION: Final = "doc_block"

_FENCE: Final = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER: Final = re.compile(r"^<!-- test: (?P<id>[a-z0-9][a-z0-9:-]*) -->$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    id: str | None
    text: str

    @property
    def where(self) -> str:
        shown = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"{shown}:{self.line}"


def documentation_files(repo: Path = REPO) -> list[Path]:
    """README.md, then the site's pages in their nav order (mkdocs.yml), then any other."""
    pages = re.findall(
        r"^\s*- (?:[^:\n]+: )?(\S+\.md)\s*$", (repo / "mkdocs.yml").read_text(), re.M
    )
    in_nav = [repo / "docs" / page for page in pages]
    others = sorted(set((repo / "docs").rglob("*.md")) - set(in_nav))
    return [repo / "README.md", *in_nav, *others]


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of the Markdown file ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    marker: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = _FENCE.match(line)
        if opening is None:
            found = _MARKER.match(line.strip())
            if found is not None:
                marker = found["id"]
            elif line.strip():
                marker = None
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        index += 1
        while index < len(lines) and not _closes(lines[index], fence):
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        language = opening["info"].strip().split(" ")[0]
        opened_at = index - len(body)
        blocks.append(Block(path, opened_at, language, marker, "\n".join(body) + "\n"))
        marker = None
        index += 1
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


@cache
def all_blocks() -> tuple[Block, ...]:
    return tuple(block for path in documentation_files() for block in read_blocks(path))


def doc_block(block_id: str) -> Block:
    """The block marked ``<!-- test: block_id -->``; a test calling this claims it."""
    found = [block for block in all_blocks() if block.id == block_id]
    assert len(found) == 1, f"{len(found)} blocks have the id {block_id!r}"
    return found[0]


def variables_of(query: Block) -> dict[str, Any]:
    """The variables a ``graphql`` block runs with: its ``:variables`` block, or none."""
    if query.id is None:
        return {}
    found = [block for block in all_blocks() if block.id == query.id + VARIABLES_SUFFIX]
    if not found:
        return {}
    variables: dict[str, Any] = json.loads(found[0].text)
    return variables


def claimed_ids(tests: Path = REPO / "tests") -> dict[str, list[str]]:
    """Block id -> the test files that call ``doc_block("<id>")``."""
    claims: dict[str, list[str]] = {}
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            argument = node.args[0]
            if name == CLAIM_FUNCTION and isinstance(argument, ast.Constant):
                claims.setdefault(str(argument.value), []).append(str(path.relative_to(REPO)))
    return claims


def problems(blocks: tuple[Block, ...], claims: dict[str, list[str]]) -> list[str]:
    """What is wrong with ``blocks`` given the tests' ``claims``: a block without a known
    language, a command without an id or a claim, an id used twice or claimed but absent."""
    found: list[str] = []
    ids = [block.id for block in blocks if block.id is not None]
    found += [f"the id {twice!r} marks several blocks" for twice in sorted(
        {block_id for block_id in ids if ids.count(block_id) > 1})]  # fmt: skip
    queries = {block.id for block in blocks if block.language in QUERIES}
    for block in blocks:
        if block.language not in LANGUAGES:
            found.append(f"{block.where}: language {block.language!r} is none of "
                         f"{sorted(LANGUAGES)}: say what the block is")  # fmt: skip
        elif block.language in COMMANDS | PROGRAMS and block.id is None:
            found.append(f"{block.where}: a {block.language} block needs <!-- test: ID -->")
        elif block.language in OUTPUT and block.id is not None:
            found.append(f"{block.where}: output ({block.language}) is run by nothing: no id")
        elif block.language in COMMANDS | PROGRAMS | DATA and block.id is not None:
            owner = block.id.removesuffix(VARIABLES_SUFFIX)
            consumed = block.id.endswith(VARIABLES_SUFFIX) and owner in queries
            if block.id not in claims and not consumed:
                found.append(f"{block.where}: no test calls {CLAIM_FUNCTION}({block.id!r})")
    found += [f"{', '.join(files)} claim {claimed!r}, which no block has"
              for claimed, files in sorted(claims.items()) if claimed not in ids]  # fmt: skip
    return found
