"""What a read checks in its own round trip before it answers: the caller's key and the
registry version its plan was made with.

The API serves a compiled query from a key it verified before (its id, secret hash and
role, which never change) and the registry it last read. A :class:`ReadGuard` carries
them to the store, whose read answers only if, in the same read, the key is stored with
that secret hash and role and is not revoked, and the registry is still at that version;
otherwise it reads nothing and says so (``None``), and the API checks the key and the
registry the full way before anything else (api/endpoint.py). One round trip, and the
promises of the full check kept: a revoked key fails on its next request, a type another
process defined is served from the next request.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadGuard:
    key_id: str
    #: The key's stored secret hash (hex), as it was when the key was verified.
    secret_hash: str
    #: The key's role's value.
    role: str
    registry_version: int
