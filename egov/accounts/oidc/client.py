"""The relying-party side of OpenID Connect: authorisation code flow with PKCE, state and nonce.

``begin`` remembers a pending sign-in in the session and gives the provider's authorisation URL;
``complete`` checks the answer (state, code exchange, ID token signature against the provider's
JWKS, issuer, audience, expiry, nonce) and returns who the person is. Every failure is a
``ProviderSignInError`` with a reason; nothing here writes to the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from egov.accounts.oidc.providers import Provider
from egov.accounts.oidc.tokens import (
    ProviderSignInError,
    Refusal,
    VerifiedIdentity,
    check_id_token_claims,
    identity_from_claims,
)
from egov.core import clock

logger = logging.getLogger(__name__)

SESSION_KEY = "egov_oidc_pending"
PENDING_LIFETIME_SECONDS = 600  # the person has ten minutes at the provider
MAX_PENDING = 5  # sign-ins started in several tabs; older ones are forgotten
METADATA_CACHE_SECONDS = 3600
MAX_RESPONSE_BYTES = 256 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Metadata:
    """The parts of the provider's discovery document egov uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    token_auth_methods: tuple[str, ...] = ("client_secret_basic",)


@dataclass(frozen=True)
class PendingSignIn:
    """What ``begin`` remembered for the answer: the nonce, the PKCE verifier, where to go next."""

    provider: str
    nonce: str
    verifier: str
    next_url: str
    user_id: int | None  # set when a signed-in person verifies their account
    started_at: float


# --- Starting ------------------------------------------------------------------------------


def begin(
    *, session: SessionBase, provider: Provider, redirect_uri: str, next_url: str, user_id: int | None
) -> str:
    """Remember a new pending sign-in and return the provider's authorisation URL to redirect to."""
    meta = metadata(provider)
    state = secrets.token_urlsafe(32)
    pending = PendingSignIn(
        provider=provider.name,
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),  # RFC 7636: 43-128 characters
        next_url=next_url,
        user_id=user_id,
        started_at=clock.now().timestamp(),
    )
    stored: dict[str, dict[str, Any]] = dict(session.get(SESSION_KEY) or {})
    stored[state] = pending.__dict__
    newest = sorted(stored.items(), key=lambda item: item[1]["started_at"])[-MAX_PENDING:]
    session[SESSION_KEY] = dict(newest)
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(provider.scopes),
        "state": state,
        "nonce": pending.nonce,
        "code_challenge": pkce_challenge(pending.verifier),
        "code_challenge_method": "S256",
        "ui_locales": "vi",
    }
    separator = "&" if "?" in meta.authorization_endpoint else "?"
    return meta.authorization_endpoint + separator + urllib.parse.urlencode(query)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def take_pending(*, session: SessionBase, provider: Provider, state: str) -> PendingSignIn:
    """The pending sign-in for ``state``, removed from the session (a state is good once)."""
    stored: dict[str, dict[str, Any]] = dict(session.get(SESSION_KEY) or {})
    raw = stored.pop(state, None) if state else None
    session[SESSION_KEY] = stored
    if raw is None:
        raise ProviderSignInError(Refusal.STATE, "no pending sign-in with this state in the session")
    pending = PendingSignIn(**raw)
    if pending.provider != provider.name:
        raise ProviderSignInError(Refusal.STATE, "state belongs to another provider")
    if clock.now().timestamp() - pending.started_at > PENDING_LIFETIME_SECONDS:
        raise ProviderSignInError(Refusal.STATE, "pending sign-in expired")
    return pending


# --- Completing ----------------------------------------------------------------------------


def complete(
    *, provider: Provider, pending: PendingSignIn, params: Mapping[str, str], redirect_uri: str
) -> VerifiedIdentity:
    """Turn the provider's answer into a verified identity, or raise ``ProviderSignInError``."""
    error = params.get("error", "")
    if error:
        reason = Refusal.CANCELLED if error == "access_denied" else Refusal.PROVIDER_ERROR
        raise ProviderSignInError(reason, f"provider answered error={error[:50]!r}")
    code = params.get("code", "")
    if not code:
        raise ProviderSignInError(Refusal.PROVIDER_ERROR, "no code in the answer")
    meta = metadata(provider)
    tokens = _exchange_code(provider, meta, code=code, verifier=pending.verifier, redirect_uri=redirect_uri)
    claims = verified_id_token_claims(provider, meta, str(tokens["id_token"]), nonce=pending.nonce)
    if _misses_mapped_claims(provider, claims) and meta.userinfo_endpoint and tokens.get("access_token"):
        claims = {**_userinfo(provider, meta, str(tokens["access_token"]), subject=claims["sub"]), **claims}
    return identity_from_claims(claims, provider=provider.name, mapping=provider.claims, today=clock.today())


def verified_id_token_claims(
    provider: Provider, meta: Metadata, id_token: str, *, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature (provider's JWKS) and claims have been checked."""
    try:
        try:
            token = jwt.decode(id_token, key_set(provider, meta), algorithms=list(provider.algorithms))
        except InvalidKeyIdError:  # the provider rotated its keys: fetch them once more
            token = jwt.decode(
                id_token, key_set(provider, meta, refresh=True), algorithms=list(provider.algorithms)
            )
    except JoseError as invalid:
        raise ProviderSignInError(Refusal.SIGNATURE, f"{type(invalid).__name__}: {invalid}") from invalid
    except ValueError as invalid:  # malformed JSON inside a well-formed JWS
        raise ProviderSignInError(Refusal.SIGNATURE, f"malformed token: {invalid}") from invalid
    claims = dict(token.claims)
    check_id_token_claims(
        claims,
        issuer=meta.issuer,
        client_id=provider.client_id,
        nonce=nonce,
        now=clock.now(),
        leeway=provider.leeway_seconds,
    )
    return claims


def _misses_mapped_claims(provider: Provider, claims: dict[str, Any]) -> bool:
    mapping = provider.claims
    wanted = [
        mapping.national_id,
        mapping.full_name,
        mapping.birth_date,
        mapping.phone,
        mapping.organisations,
    ]
    return any(name and name not in claims for name in wanted)


def _exchange_code(
    provider: Provider, meta: Metadata, *, code: str, verifier: str, redirect_uri: str
) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    if (
        "client_secret_basic" in meta.token_auth_methods
        or "client_secret_post" not in meta.token_auth_methods
    ):
        pair = f"{_form_quote(provider.client_id)}:{_form_quote(provider.client_secret)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form |= {"client_id": provider.client_id, "client_secret": provider.client_secret}
    status, body = _http_json(
        meta.token_endpoint,
        timeout=provider.timeout_seconds,
        data=urllib.parse.urlencode(form).encode(),
        headers=headers,
    )
    if status == 400 and body.get("error") == "invalid_grant":
        raise ProviderSignInError(Refusal.CODE_REJECTED, str(body.get("error_description", ""))[:200])
    if status != 200 or not isinstance(body.get("id_token"), str):
        raise ProviderSignInError(
            Refusal.PROVIDER_ERROR, f"token endpoint answered {status} {body.get('error', '')}"
        )
    return body


def _form_quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")  # RFC 6749 §2.3.1: form-encoded before Basic


def _userinfo(provider: Provider, meta: Metadata, access_token: str, *, subject: str) -> dict[str, Any]:
    status, body = _http_json(
        meta.userinfo_endpoint,
        timeout=provider.timeout_seconds,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if status != 200:
        raise ProviderSignInError(Refusal.PROVIDER_ERROR, f"userinfo answered {status}")
    if body.get("sub") != subject:  # OIDC Core §5.3.2: a different sub must not be used
        raise ProviderSignInError(Refusal.CLAIMS, "userinfo sub differs from the ID token's")
    return body


# --- Discovery and keys --------------------------------------------------------------------


def metadata(provider: Provider) -> Metadata:
    """The provider's discovery document (cached for an hour), checked against the configuration."""
    cache_key = f"egov:oidc:metadata:{provider.name}:{provider.issuer}"
    cached = cache.get(cache_key)
    if isinstance(cached, Metadata):
        return cached
    status, body = _http_json(provider.discovery_url, timeout=provider.timeout_seconds)
    if status != 200:
        raise ProviderSignInError(Refusal.PROVIDER_UNAVAILABLE, f"discovery answered {status}")
    if body.get("issuer") != provider.issuer:  # OIDC Discovery §4.3: must be identical
        raise ProviderSignInError(Refusal.ISSUER, f"discovery issuer {body.get('issuer')!r} differs")
    try:
        meta = Metadata(
            issuer=body["issuer"],
            authorization_endpoint=_endpoint(body["authorization_endpoint"]),
            token_endpoint=_endpoint(body["token_endpoint"]),
            jwks_uri=_endpoint(body["jwks_uri"]),
            userinfo_endpoint=_endpoint(body["userinfo_endpoint"]) if body.get("userinfo_endpoint") else "",
            token_auth_methods=tuple(
                body.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            ),
        )
    except (KeyError, TypeError, ValueError) as invalid:
        raise ProviderSignInError(
            Refusal.PROVIDER_ERROR, f"discovery document unusable: {invalid}"
        ) from invalid
    if "S256" not in (body.get("code_challenge_methods_supported") or ["S256"]):
        raise ProviderSignInError(Refusal.PROVIDER_ERROR, "provider does not support PKCE S256")
    cache.set(cache_key, meta, METADATA_CACHE_SECONDS)
    return meta


def key_set(provider: Provider, meta: Metadata, *, refresh: bool = False) -> KeySet:
    cache_key = f"egov:oidc:jwks:{provider.name}:{meta.jwks_uri}"
    raw: Any = None if refresh else cache.get(cache_key)
    if raw is None:
        status, raw = _http_json(meta.jwks_uri, timeout=provider.timeout_seconds)
        if status != 200:
            raise ProviderSignInError(Refusal.PROVIDER_UNAVAILABLE, f"JWKS answered {status}")
        cache.set(cache_key, raw, METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(raw)
    except (JoseError, KeyError, TypeError, ValueError) as invalid:
        raise ProviderSignInError(Refusal.PROVIDER_ERROR, f"JWKS unusable: {invalid}") from invalid


def _endpoint(url: object) -> str:
    if not isinstance(url, str):
        raise TypeError("endpoint is not a string")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        return url
    raise ValueError(f"endpoint {url!r} must use https (plain http only on loopback)")


def _http_json(
    url: str, *, timeout: float, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """(status, JSON object) of one request; a network failure is ``PROVIDER_UNAVAILABLE``."""
    _endpoint(url)
    request = urllib.request.Request(url, data=data, headers=headers or {"Accept": "application/json"})  # noqa: S310 (https or loopback, checked above)
    handlers: list[urllib.request.BaseHandler] = []
    if urllib.parse.urlsplit(url).hostname in _LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback traffic to a proxy
    opener = urllib.request.build_opener(*handlers)
    try:
        try:
            with opener.open(request, timeout=timeout) as response:
                status, raw = response.status, response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as answered:
            status, raw = answered.code, answered.read(MAX_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError) as down:
        logger.warning("identity provider unreachable at %s: %s", url, down)
        raise ProviderSignInError(Refusal.PROVIDER_UNAVAILABLE, str(down)) from down
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ProviderSignInError(Refusal.PROVIDER_ERROR, "answer too large")
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {}
    if status >= 500:
        raise ProviderSignInError(Refusal.PROVIDER_UNAVAILABLE, f"{url} answered {status}")
    return status, body if isinstance(body, dict) else {}
