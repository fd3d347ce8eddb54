"""Which way a relation is followed: from its ``from`` end (OUT), its ``to`` end (IN), or both."""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"
