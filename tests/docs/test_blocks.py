"""Every fenced block of README.md and docs/ says what it is, and every command block is
run by a test that claims it (tests/docs/blocks.py)."""

from __future__ import annotations

from pathlib import Path

from graph_crm.services.crossborder import AS_OF
from tests.docs.blocks import (
    REPO,
    all_blocks,
    claimed_ids,
    documentation_files,
    problems,
    read_blocks,
    variables_of,
)

PAGE = """# A page

<!-- test: new-command -->
```bash
graph-crm types
```

<!-- test: lost-marker -->
A paragraph between a marker and its fence.

```bash
graph-crm keys list
```

```
a tree
```

<!-- test: printed -->
```text
output
```

```graphql
{ entityTypes { name } }
```
"""


def test_every_block_says_what_it_is_and_every_command_is_claimed() -> None:
    assert problems(all_blocks(), claimed_ids()) == []


def test_the_collector_reads_the_readme_and_every_page_in_nav_order() -> None:
    files = documentation_files()
    assert files[0] == REPO / "README.md"
    assert set(files[1:]) == set((REPO / "docs").rglob("*.md"))
    assert files[1] == REPO / "docs" / "index.md"
    languages = {block.language for block in all_blocks()}
    assert {"bash", "graphql", "json", "text"} <= languages


def test_a_new_block_that_no_test_runs_fails_the_check(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    blocks = tuple(read_blocks(page))
    assert [(block.language, block.id, block.line) for block in blocks] == [
        ("bash", "new-command", 4),
        ("bash", None, 11),
        ("", None, 15),
        ("text", "printed", 20),
        ("graphql", None, 24),
    ]
    assert blocks[-1].text == "{ entityTypes { name } }\n"
    found = problems(blocks, {"gone": ["tests/test_x.py"]})
    assert found == [
        f"{page}:4: no test calls doc_block('new-command')",
        f"{page}:11: a bash block needs <!-- test: ID -->",
        f"{page}:15: language '' is none of "
        "['bash', 'console', 'graphql', 'javascript', 'json', 'python', 'sh', 'text', "
        "'yaml']: say what the block is",
        f"{page}:20: output (text) is run by nothing: no id",
        "tests/test_x.py claim 'gone', which no block has",
    ]
    claimed = problems(blocks, {"new-command": ["tests/test_x.py"]})
    assert not any("new-command" in problem for problem in claimed)


def test_an_id_marks_one_block_only(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("<!-- test: twice -->\n```json\n{}\n```\n\n<!-- test: twice -->\n```json\n"
                    "[]\n```\n", encoding="utf-8")  # fmt: skip
    assert "the id 'twice' marks several blocks" in problems(
        tuple(read_blocks(page)), {"twice": ["tests/test_x.py"]}
    )


def test_a_query_takes_its_variables_from_the_block_named_after_it() -> None:
    [load] = [block for block in all_blocks() if block.id == "api-load"]
    assert set(variables_of(load)) == {"records"}
    assert variables_of(all_blocks()[0]) == {}


def test_every_impact_example_is_as_of_the_demo_data() -> None:
    """A report without an as-of is computed as of now: its numbers drift from the pages'."""
    as_of = AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"The demo data is as of {AS_OF:%Y-%m-%d %H:%M} UTC" in readme
    checked = 0
    for block in all_blocks():
        if block.language == "bash":
            for line in block.text.splitlines():
                if "graph-crm impact" in line:
                    checked += 1
                    assert f"--as-of {as_of}" in line, (block.where, line)
        elif block.language == "graphql" and "impactReport(" in block.text:
            checked += 1
            assert f'asOf: "{as_of}"' in block.text, block.where
    assert checked >= 5  # the README's two, impact.md's two and its query
