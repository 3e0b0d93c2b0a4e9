"""The identity providers egov trusts, as configured in ``settings.EGOV_OIDC_PROVIDERS``.

Each entry is a plain dict (the settings read them from the environment); this module turns it
into a checked, typed ``Provider`` so a typo in the configuration fails at the first use with a
message naming the setting, not halfway through somebody's sign-in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PROVIDER_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
# Asymmetric algorithms only: with HS256 the client secret would be the signing key.
DEFAULT_ALGORITHMS = ("RS256", "ES256")


@dataclass(frozen=True)
class ClaimMapping:
    """Which claim of the provider carries each attribute of the account."""

    national_id: str = "national_id"
    full_name: str = "name"
    birth_date: str = "birthdate"
    phone: str = "phone_number"
    # A list of {"tax_code": ..., "name": ...}: organisations the person represents. Empty: not used.
    organisations: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid", "profile", "phone")
    claims: ClaimMapping = field(default_factory=ClaimMapping)
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    timeout_seconds: float = 10.0
    # Seconds of clock difference tolerated between egov and the provider for exp/iat.
    leeway_seconds: int = 60
    # The redirect URI registered at the provider; empty: built from the request's host.
    redirect_uri: str = ""

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def configured_providers() -> list[Provider]:
    """Every configured provider, in the order of the setting (the sign-in page's order)."""
    raw: dict[str, dict[str, Any]] = getattr(settings, "EGOV_OIDC_PROVIDERS", {}) or {}
    return [_provider(name, entry) for name, entry in raw.items()]


def provider_named(name: str) -> Provider | None:
    return next((p for p in configured_providers() if p.name == name), None)


def _provider(name: str, entry: dict[str, Any]) -> Provider:
    where = f"EGOV_OIDC_PROVIDERS[{name!r}]"
    if not PROVIDER_NAME.fullmatch(name):
        raise ImproperlyConfigured(f"{where}: a provider name is lower-case letters, digits, '-' or '_'")
    missing = [key for key in ("issuer", "client_id", "client_secret") if not entry.get(key)]
    if missing:
        raise ImproperlyConfigured(f"{where}: missing {', '.join(missing)}")
    issuer = str(entry["issuer"])
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]")):
        raise ImproperlyConfigured(f"{where}: the issuer must use https (plain http only on loopback)")
    scopes = tuple(entry.get("scopes") or Provider.scopes)
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    algorithms = tuple(entry.get("algorithms") or DEFAULT_ALGORITHMS)
    if any(alg == "none" or alg.startswith("HS") for alg in algorithms):
        raise ImproperlyConfigured(f"{where}: only asymmetric signature algorithms are accepted")
    claims = ClaimMapping(**{k: v for k, v in (entry.get("claims") or {}).items() if v is not None})
    return Provider(
        name=name,
        label=str(entry.get("label") or name),
        issuer=issuer,
        client_id=str(entry["client_id"]),
        client_secret=str(entry["client_secret"]),
        scopes=scopes,
        claims=claims,
        algorithms=algorithms,
        timeout_seconds=float(entry.get("timeout_seconds") or 10.0),
        leeway_seconds=int(entry.get("leeway_seconds") or 60),
        redirect_uri=str(entry.get("redirect_uri") or ""),
    )
