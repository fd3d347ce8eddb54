"""Display labels: free Unicode text that names a type or property for people (pure).

API names stay ASCII under the strict patterns of :mod:`~graph_crm.model.names`; a
label (``报关行`` for ``CustomsBroker``) is only ever shown, never parsed or placed in a
query. It is stored as text: HTML or script in it stays text, and whoever renders it
escapes it like any other value.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from graph_crm.errors import InvalidInput, PathPart
from graph_crm.model.entity_keys import describe_character

MAX_LABEL_LENGTH: Final = 100
#: Controls, format characters (zero-width, bidirectional overrides and isolates), lone
#: surrogates, private use, unassigned, and line or paragraph separators: they show
#: nothing, or change how the text around them is shown.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_label(label: object, path: tuple[PathPart, ...] = ("label",)) -> str:
    """``label`` trimmed and in Unicode NFC, if it may be a display label; else
    InvalidInput at ``path`` naming what is wrong.

    >>> check_label("  报关行 ")
    '报关行'
    >>> check_label("Customs\\u202ebroker")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: label holds U+202E RIGHT-TO-LEFT OVERRIDE, \
a control or invisible character: labels are printable text (at label)
    """
    if not isinstance(label, str):
        raise InvalidInput(f"label must be text, got {type(label).__name__}", path=path)
    if len(label) > 4 * MAX_LABEL_LENGTH:
        raise InvalidInput(f"label is longer than {MAX_LABEL_LENGTH} characters", path=path)
    text = unicodedata.normalize("NFC", label).strip()
    if not text:
        raise InvalidInput("label is empty: give 1-100 characters, or null for no label", path=path)
    if len(text) > MAX_LABEL_LENGTH:
        raise InvalidInput(
            f"label is {len(text)} characters long; at most {MAX_LABEL_LENGTH}", path=path
        )
    for char in text:
        if ord(char) >= 0x20 and ord(char) != 0x7F and ord(char) < 0x80:
            continue
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise InvalidInput(
                f"label holds {describe_character(char)}, a control or invisible "
                "character: labels are printable text",
                path=path,
            )
    return text
