"""YAML (and JSON) documents written by people: the schema document and CSV mappings.

Read with the safe loader only. Anchors and aliases are refused (no "billion laughs"),
every key must be text, dates come back as the ISO text the model takes, and a syntax
error names its line and column.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from graph_crm.errors import InvalidInput


def load_yaml(text: str, *, what: str, max_bytes: int) -> Any:
    """The data in ``text``; InvalidInput naming ``what`` and where it went wrong."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InvalidInput(f"{what} holds at most {max_bytes:,} bytes")
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InvalidInput(
                    f"{_where(event.start_mark)}: anchors and aliases (&, *) are not accepted"
                )
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise InvalidInput(f"{_where(mark)}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise InvalidInput(f"{what} is not YAML or JSON: {error}") from None
    return plain(data, ())


def _where(mark: Any) -> str:
    return "the document" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}"


def plain(value: Any, path: tuple[str | int, ...]) -> Any:
    """``value`` as JSON would hold it: dates as ISO text, every key text."""
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise InvalidInput(f"a key must be text, not {key!r}", path=path)
        return {key: plain(item, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item, (*path, index)) for index, item in enumerate(value)]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
