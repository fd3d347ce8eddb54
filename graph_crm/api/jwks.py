"""The identity provider's signing keys, by ``kid``, fetched from its JWKS URL.

A token names its key by ``kid`` before anyone knows whether it is genuine, so whoever
can send a request can name a key the set lacks. Such a token makes the set be fetched
again (the provider may have rotated a key in) only once ``cooldown`` seconds have
passed since the last fetch; until then it is refused without one. Fetches run one at
a time, off the event loop: requests arriving during one wait for it, not for their
own. A set is used for ``lifespan`` seconds, then fetched again. A fetch that fails
(the provider down, or answering garbage) leaves the last set as it was, and is not
tried again before the cooldown has passed: a set past its lifespan is not used, so
tokens are refused until the provider answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

import jwt
from jwt import PyJWK

from graph_crm.auth.keys import Unauthenticated

#: Seconds a fetched set is used before it is fetched again.
LIFESPAN_SECONDS: Final = 300.0
#: Seconds one fetch may take.
FETCH_TIMEOUT_SECONDS: Final = 5.0

logger = logging.getLogger("graph_crm.api")


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        cooldown: float = 30.0,
        lifespan: float = LIFESPAN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS)
        self._cooldown = cooldown
        self._lifespan = lifespan
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None  # of the last set fetched
        self._tried_at: float | None = None  # of the last fetch started, failed or not
        self._fetching: asyncio.Task[None] | None = None

    async def signing_key(self, kid: str) -> PyJWK:
        """The provider's key named ``kid``; Unauthenticated if it has none such."""
        key = self._current(kid)
        if key is not None:
            return key
        if self._fetching is None and self._may_fetch():
            self._tried_at = self._clock()
            self._fetching = asyncio.get_running_loop().create_task(self._fetch())
            self._fetching.add_done_callback(self._fetched)
        if self._fetching is not None:
            # shielded: a caller that goes away does not cancel the others' fetch
            await asyncio.shield(self._fetching)
        key = self._current(kid)
        if key is None:
            raise Unauthenticated("the token's signing key is not one of the provider's")
        return key

    def _current(self, kid: str) -> PyJWK | None:
        """The key from a set fetched less than ``lifespan`` ago."""
        if self._fetched_at is None or self._clock() - self._fetched_at >= self._lifespan:
            return None
        return self._keys.get(kid)

    def _may_fetch(self) -> bool:
        return self._tried_at is None or self._clock() - self._tried_at >= self._cooldown

    async def _fetch(self) -> None:
        try:
            keys = await asyncio.to_thread(self._client.get_signing_keys, True)
        except Exception as error:  # unreachable, not JSON, no usable keys: not the caller's
            logger.warning("the JWKS at %s could not be fetched: %r", self.url, error)
            return
        self._keys = {str(key.key_id): key for key in keys}
        self._fetched_at = self._clock()

    def _fetched(self, task: asyncio.Task[None]) -> None:
        self._fetching = None
