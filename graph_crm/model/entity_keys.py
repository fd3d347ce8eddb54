"""Entity keys: one spelling for what reads as one key (pure).

Both backends compare keys code point by code point, so ``Café`` typed with ``é`` or with
``e`` and a combining accent, or ``ACME`` with a zero-width space after it, would be two
entities that print the same. Every key written -- upserted records, link and unlink ends
-- goes through :func:`canonical_key`:

- it is put in Unicode normalization form C (NFC), the composed form keyboards and most
  systems produce, so canonically equivalent spellings are one key;
- it may not hold a character that shows nothing or changes how the text around it is
  shown: categories Cc (controls, tab and newline included), Cf (format: zero-width
  space, joiners, byte order mark, soft hyphen, bidirectional marks, embeddings,
  overrides and isolates), Cs (lone surrogates), Zl and Zp (line and paragraph
  separators), the other default-ignorable code points (variation selectors, Hangul
  fillers, the combining grapheme joiner, tags), U+2800 BRAILLE PATTERN BLANK, and any
  space but U+0020;
- it may not start or end with a space.

Keys read -- ids of lookups, deletes, neighbours, traversal starts and impact sources --
go through :func:`lookup_key`: put in NFC too, so either spelling finds the entity, but
refused only for what was never storable, so an entity stored before these rules stays
readable and removable by the key it is listed under. An older version may also have
stored a key in NFD: lookups and deletes by id try that spelling as well
(:func:`stored_spellings`); neighbours, traversals and impact reports start from the NFC
key only.

Compatibility variants (fullwidth ``ＡＣＭＥ``, the ligature ``ﬁ``) are kept as written:
NFKC would change what was written and they look different. Letters of other scripts that
look alike (Cyrillic ``А``, Latin ``A``) are kept too: telling them apart takes a
confusables table and a mixed-script policy (Unicode TS #39), not a normal form.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Final

from graph_crm.errors import InvalidInput, PathPart

MAX_KEY_LENGTH: Final = 256
#: NFC composes at most four code points into one (U+1FAF decomposes into four): longer
#: input is refused before it is normalized.
_MAX_RAW_LENGTH: Final = 4 * MAX_KEY_LENGTH

_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Default_Ignorable_Code_Point (Unicode DerivedCoreProperties) outside category Cf, and
#: U+2800, which is a symbol but prints as blank.
_INVISIBLE_RANGES: Final = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG / JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ / AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS (and the Cf vowel separator)
    (0x2065, 0x2065),  # reserved among the invisible operators
    (0x2800, 0x2800),  # BRAILLE PATTERN BLANK
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..16
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved, default ignorable
    (0xE0000, 0xE0FFF),  # tags, VARIATION SELECTOR-17..256, reserved
)
_BIDI_CONTROLS: Final = frozenset(
    {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
)
#: Controls have no character name in the Unicode database; these are the usual ones.
_CONTROL_NAMES: Final = {
    0x00: "NULL",
    0x09: "CHARACTER TABULATION",
    0x0A: "LINE FEED",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


def describe_character(char: str) -> str:
    """A character as people look it up: code point and name.

    >>> describe_character("\\u200b")
    'U+200B ZERO WIDTH SPACE'
    >>> describe_character("\\n")
    'U+000A LINE FEED'
    """
    point = ord(char)
    name = unicodedata.name(char, None) or _CONTROL_NAMES.get(point)
    if name is None:
        category = unicodedata.category(char)
        name = {"Cc": "<control>", "Cs": "<surrogate>"}.get(category, "<unnamed>")
    return f"U+{point:04X} {name}"


def _refusal(char: str) -> str | None:
    """What is wrong with ``char`` in a key, or None if it may appear there."""
    point = ord(char)
    if 0x20 <= point < 0x7F:
        return None  # printable ASCII: the common case, decided without a lookup
    category = unicodedata.category(char)
    if point in _BIDI_CONTROLS:
        return "a bidirectional control"
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    if category in ("Zl", "Zp"):
        return "a line or paragraph separator"
    if category == "Zs":
        return "a space other than U+0020 SPACE"
    if category in _REFUSED_CATEGORIES or any(lo <= point <= hi for lo, hi in _INVISIBLE_RANGES):
        return "an invisible character"
    return None


def canonical_key(key: object, path: tuple[PathPart, ...] = ()) -> str:
    """The NFC form of a key being written, if it may be an entity key; InvalidInput
    naming the first character refused otherwise.

    >>> canonical_key("Cafe\\u0301") == "Caf\\u00e9"
    True
    >>> canonical_key("ACME\\u200b", ("records", 3, "key"))
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: key holds U+200B ZERO WIDTH SPACE, ...
    """
    if isinstance(key, str) and key.isascii() and key.isprintable() and key:
        # Printable ASCII is NFC and holds nothing refused: the common case, decided
        # without normalizing or looking characters up.
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(f"key must be 1-{MAX_KEY_LENGTH} characters", path=path)
        text = key
    else:
        text = _normalized(key, path, _refusal)
    if text[0] == " " or text[-1] == " ":
        raise InvalidInput("key must not start or end with a space", path=path)
    return text


def lookup_key(key: object, path: tuple[PathPart, ...] = ()) -> str:
    """The NFC form of a key being looked up (read, traversed from, deleted).

    Only what could never be stored is refused (controls, lone surrogates, a wrong
    length): an entity stored before the rules of :func:`canonical_key` is still found by
    the key it is listed under, as long as that key is in NFC.

    >>> lookup_key("Cafe\\u0301") == "Caf\\u00e9"
    True
    >>> lookup_key("ACME\\u200b") == "ACME\\u200b"
    True
    """
    return _normalized(key, path, _never_stored)


def stored_spellings(key: object, path: tuple[PathPart, ...] = ()) -> tuple[str, ...]:
    """The keys an entity lookup by id tries: the NFC key and, when it differs, ``key`` as
    given -- an older version may have stored it in NFD, and an entity must still be found
    by the id it is listed under (the one stored under exactly that id is preferred).

    >>> stored_spellings("ACME")
    ('ACME',)
    >>> stored_spellings("Cafe\\u0301") == ("Caf\\u00e9", "Cafe\\u0301")
    True
    """
    canonical = lookup_key(key, path)
    return (canonical,) if canonical == key else (canonical, str(key))


def _normalized(
    key: object, path: tuple[PathPart, ...], refusal: Callable[[str], str | None]
) -> str:
    if not isinstance(key, str):
        raise InvalidInput(f"key must be a string, got {type(key).__name__}", path=path)
    if not 1 <= len(key) <= _MAX_RAW_LENGTH:
        raise InvalidInput(f"key must be 1-{MAX_KEY_LENGTH} characters", path=path)
    # A lone surrogate cannot be normalized (nor stored): it is reported below as it is.
    text = key if _has_surrogate(key) else unicodedata.normalize("NFC", key)
    if not 1 <= len(text) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"key must be 1-{MAX_KEY_LENGTH} characters", path=path)
    for index, char in enumerate(text):
        why = refusal(char)
        if why is not None:
            raise InvalidInput(
                f"key holds {describe_character(char)}, {why}, as character {index + 1} of "
                f"{len(text)}; keys may not hold control, format, bidirectional or "
                "invisible characters",
                path=path,
            )
    return text


def _never_stored(char: str) -> str | None:
    if 0x20 <= ord(char) < 0x7F:
        return None
    category = unicodedata.category(char)
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate"
    return None


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)
