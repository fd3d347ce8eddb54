"""The free text an incident holds (notes, owners, actors), checked before it is kept.

>>> checked_text("  Call the broker  ", "note", 100)
'Call the broker'
>>> checked_text("a\\x00b", "note", 100)
Traceback (most recent call last):
...
graph_crm.errors.InvalidInput: INVALID_INPUT: note holds a control character (at note)
"""

from __future__ import annotations

import unicodedata
from typing import Final

from graph_crm.errors import InvalidInput

MAX_NOTE_LENGTH: Final = 4_000
MAX_NAME_LENGTH: Final = 200
_ALLOWED_CONTROLS: Final = frozenset("\n\t")


def checked_text(value: object, name: str, max_length: int, *, empty: bool = False) -> str:
    """``value`` stripped and NFC-normalised: a string of at most ``max_length``
    characters, with no control character but newline and tab; empty only if ``empty``."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string", path=(name,))
    text = unicodedata.normalize("NFC", value.strip())
    if not text and not empty:
        raise InvalidInput(f"{name} must not be empty", path=(name,))
    if len(text) > max_length:
        raise InvalidInput(f"{name} is longer than {max_length} characters", path=(name,))
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in text):
        raise InvalidInput(f"{name} holds a control character", path=(name,))
    return text


def checked_name(value: object, name: str) -> str:
    """A person or key name (an owner, an actor): one line of at most 200 characters."""
    text = checked_text(value, name, MAX_NAME_LENGTH)
    if "\n" in text or "\t" in text:
        raise InvalidInput(f"{name} must be one line", path=(name,))
    return text
