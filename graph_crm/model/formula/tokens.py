"""Formula text into tokens, by hand: no regular expression sees an unbounded input (pure).

A formula is at most :data:`MAX_FORMULA_LENGTH` characters; that is checked before
anything else, so a hostile 100k-character text costs one ``len``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from graph_crm.errors import PathPart
from graph_crm.model.formula.nodes import KEYWORDS, PARAMETERS, LiteralValue
from graph_crm.model.formula.problems import FormulaProblem

MAX_FORMULA_LENGTH: Final = 4_000

_OPERATORS: Final = ("<=", ">=", "!=", "<>", "||", "+", "-", "*", "/", "=", "<", ">")
_PUNCTUATION: Final = frozenset("(),")


class Kind(StrEnum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    QUOTED_NAME = "quoted name"
    PARAM = "parameter"
    KEYWORD = "keyword"
    OPERATOR = "operator"
    PUNCTUATION = "punctuation"
    END = "end of formula"


@dataclass(frozen=True, slots=True)
class Token:
    """``text`` as written; ``value`` what it means (a number, a string's content, a name,
    a keyword or operator in its one spelling)."""

    kind: Kind
    text: str
    position: int
    value: LiteralValue = None


def _is_name_start(char: str) -> bool:
    return char.isascii() and (char.isalpha() or char == "_")


def _is_name_part(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def tokenize(text: str, path: tuple[PathPart, ...] = ()) -> list[Token]:
    """The tokens of ``text``, ending with an END token.

    >>> [t.text for t in tokenize("unitPrice * (1 - discount)")]
    ['unitPrice', '*', '(', '1', '-', 'discount', ')', '']
    """
    if not isinstance(text, str):
        raise FormulaProblem("a formula is a string", path=path)
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaProblem(
            f"a formula is at most {MAX_FORMULA_LENGTH} characters; this one has {len(text)}",
            path=path,
            position=MAX_FORMULA_LENGTH,
        )
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in " \t\r\n":
            index += 1
            continue
        start = index
        if char.isascii() and char.isdigit():
            tokens.append(_number(text, start, path))
        elif char == "'":
            tokens.append(_string(text, start, path))
        elif char == "$":
            index += 1
            while index < len(text) and _is_name_part(text[index]):
                index += 1
            name = text[start + 1 : index]
            if name not in PARAMETERS:
                raise FormulaProblem(
                    f"unknown parameter {text[start:index][:40]!r}: use "
                    + " or ".join(f"${p}" for p in PARAMETERS),
                    path=path,
                    position=start,
                )
            tokens.append(Token(Kind.PARAM, text[start:index], start, name))
        elif char == "{":
            end = text.find("}", start)
            name = text[start + 1 : end] if end > 0 else ""
            if end < 0 or not name or not all(_is_name_part(c) for c in name):
                raise FormulaProblem(
                    "braces hold a property name, e.g. {end}", path=path, position=start
                )
            tokens.append(Token(Kind.QUOTED_NAME, text[start : end + 1], start, name))
        elif _is_name_start(char):
            while index < len(text) and _is_name_part(text[index]):
                index += 1
            word = text[start:index]
            if word.lower() in KEYWORDS:
                tokens.append(Token(Kind.KEYWORD, word, start, word.upper()))
            else:
                tokens.append(Token(Kind.NAME, word, start, word))
        elif char in _PUNCTUATION:
            tokens.append(Token(Kind.PUNCTUATION, char, start, char))
        else:
            operator = next((op for op in _OPERATORS if text.startswith(op, start)), None)
            if operator is None:
                raise FormulaProblem(_unexpected(char), path=path, position=start)
            normal = "!=" if operator == "<>" else operator
            tokens.append(Token(Kind.OPERATOR, operator, start, normal))
        index = start + len(tokens[-1].text)
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens


def _unexpected(char: str) -> str:
    if char == '"':
        return "strings are written in single quotes, e.g. 'OPEN'"
    if char == "`":
        return "backticks are not part of formulas: write a property by its name"
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    return f"unexpected character {shown}"


def _after_digits(text: str, index: int) -> int:
    while index < len(text) and text[index].isascii() and text[index].isdigit():
        index += 1
    return index


def _number(text: str, start: int, path: tuple[PathPart, ...]) -> Token:
    index = _after_digits(text, start)
    is_float = False
    for marks, signs, missing in (
        (".", "", "a decimal point needs digits after it"),
        ("eE", "+-", "an exponent needs digits"),
    ):
        if index < len(text) and text[index] in marks:
            is_float = True
            index += 1
            if signs and index < len(text) and text[index] in signs:
                index += 1
            digits = index
            index = _after_digits(text, index)
            if index == digits:
                raise FormulaProblem(missing, path=path, position=start)
    if index < len(text) and _is_name_part(text[index]):
        raise FormulaProblem(
            f"{text[start : index + 1][:40]!r} is not a number", path=path, position=start
        )
    written = text[start:index]
    if len(written) > 40:
        raise FormulaProblem("a number is at most 40 characters", path=path, position=start)
    value: int | float = float(written) if is_float else int(written)
    if isinstance(value, float) and value == float("inf"):
        raise FormulaProblem(f"{written} is too large", path=path, position=start)
    return Token(Kind.NUMBER, written, start, value)


def _string(text: str, start: int, path: tuple[PathPart, ...]) -> Token:
    parts: list[str] = []
    index = start + 1
    while True:
        end = text.find("'", index)
        if end < 0:
            raise FormulaProblem("this string is not closed", path=path, position=start)
        parts.append(text[index:end])
        if text.startswith("''", end):
            parts.append("'")
            index = end + 2
            continue
        break
    value = "".join(parts)
    if "\x00" in value:
        raise FormulaProblem("a string contains a NUL character", path=path, position=start)
    return Token(Kind.STRING, text[start : end + 1], start, value)
