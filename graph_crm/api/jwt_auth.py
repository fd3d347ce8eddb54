"""JWTs from an external identity provider, verified with PyJWT (no hand-rolled crypto).

Configured by the ``jwt_*`` settings: a token must be signed by the provider (a key from
its JWKS, or the shared secret), unexpired, from the configured issuer, for the
configured audience, with a subject, and name exactly one graph-crm role in the role
claim (a string, or a list holding one known role). A JWKS is fetched as
:mod:`graph_crm.api.jwks` says: a token naming an unknown key cannot make the server
fetch it more than once per ``jwt_jwks_refetch_cooldown``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

import jwt

from graph_crm.api.jwks import JwksKeys
from graph_crm.api.principal import Principal
from graph_crm.auth.keys import Unauthenticated
from graph_crm.auth.roles import Role
from graph_crm.settings import Settings

#: Asymmetric algorithms accepted with a JWKS; "none" and HMAC-with-a-public-key are not.
JWKS_ALGORITHMS: Final = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
SECRET_ALGORITHMS: Final = ["HS256", "HS384", "HS512"]
#: Clock skew tolerated between the provider and this server.
LEEWAY_SECONDS: Final = 30


class JwtVerifier:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        if not settings.jwt_issuer or not settings.jwt_audience:
            raise ValueError("JWT authentication needs both jwt_issuer and jwt_audience")
        secret = settings.jwt_secret.get_secret_value()
        if bool(secret) == bool(settings.jwt_jwks_url):
            raise ValueError("JWT authentication needs exactly one of jwt_jwks_url, jwt_secret")
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.role_claim = settings.jwt_role_claim
        self._secret = secret
        self._jwks = (
            JwksKeys(
                settings.jwt_jwks_url, cooldown=settings.jwt_jwks_refetch_cooldown, clock=clock
            )
            if settings.jwt_jwks_url
            else None
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> JwtVerifier | None:
        return cls(settings) if settings.jwt_issuer else None

    async def principal(self, token: str) -> Principal:
        if self._jwks is not None:
            key = await self._jwks.signing_key(_kid(token))
            claims = self._decode(token, key.key, JWKS_ALGORITHMS)
        else:
            claims = self._decode(token, self._secret, SECRET_ALGORITHMS)
        subject = claims["sub"]
        return Principal(
            actor=f"jwt:{subject} ({self.issuer})",
            role=self._role(claims),
            key_id=f"jwt:{self.issuer}:{subject}",
            name=subject,
        )

    def _decode(self, token: str, key: Any, algorithms: list[str]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"the token is not accepted: {error}") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise Unauthenticated("the token has no subject")
        return claims

    def _role(self, claims: dict[str, Any]) -> Role:
        raw = claims.get(self.role_claim)
        named = raw if isinstance(raw, list) else [raw]
        roles = {Role(item) for item in named if item in {role.value for role in Role}}
        if len(roles) != 1:
            raise Unauthenticated(
                f"the token's {self.role_claim!r} claim must name one graph-crm role "
                f"({', '.join(role.value for role in Role)})"
            )
        return roles.pop()


def _kid(token: str) -> str:
    """The key id in the token's (not yet verified) header."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError:
        raise Unauthenticated("the bearer token is not a valid JWT") from None
    if not isinstance(kid, str) or not kid:
        raise Unauthenticated("the token names no signing key (kid)")
    return kid
