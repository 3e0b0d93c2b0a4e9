"""Pure rules of an OpenID Connect sign-in: the ID token's claims and what they say about the person.

No network, no database, no settings: the caller passes ``now`` and the expected values, so every
refusal (wrong issuer, audience, nonce, expired token, missing claims) is testable on its own.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeIs

from django.utils.translation import gettext as _

from egov.accounts.oidc.providers import ClaimMapping
from egov.accounts.rules import (
    PersonalIdError,
    normalise_personal_id,
    normalise_phone,
    parse_personal_id,
    phone_problem,
    tax_code_problem,
)

# An ID token is used at once: one issued more than this long ago is refused even if not expired.
MAX_TOKEN_AGE_SECONDS = 600


class Refusal(StrEnum):
    """Why a sign-in through a provider did not go through; each kind has one message for the person."""

    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PROVIDER_ERROR = "provider_error"
    CANCELLED = "cancelled"
    STATE = "state"
    CODE_REJECTED = "code_rejected"
    SIGNATURE = "signature"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NONCE = "nonce"
    CLAIMS = "claims"


class ProviderSignInError(Exception):
    """A sign-in through a provider refused; ``detail`` is for the log, ``message()`` for the person."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail

    def message(self, provider_label: str) -> str:
        return refusal_message(self.reason, provider_label)


def refusal_message(reason: Refusal, provider_label: str) -> str:
    values = {"provider": provider_label}
    if reason is Refusal.PROVIDER_UNAVAILABLE:
        return (
            _(
                "Hiện không kết nối được với %(provider)s. Thông tin và hồ sơ đang soạn của bạn vẫn được "
                "giữ nguyên; hãy thử lại sau ít phút hoặc đăng nhập bằng mật khẩu."
            )
            % values
        )
    if reason is Refusal.CANCELLED:
        return _("Bạn đã hủy đăng nhập tại %(provider)s. Bạn có thể đăng nhập lại bất cứ lúc nào.") % values
    if reason is Refusal.STATE:
        return (
            _(
                "Phiên đăng nhập qua %(provider)s không hợp lệ hoặc đã hết hạn (có thể trang được mở lại "
                "từ một liên kết cũ). Hãy bấm đăng nhập lại."
            )
            % values
        )
    if reason is Refusal.CODE_REJECTED:
        return (
            _(
                "%(provider)s không chấp nhận mã đăng nhập (mã đã được dùng hoặc đã hết hạn). "
                "Hãy bấm đăng nhập lại."
            )
            % values
        )
    if reason is Refusal.CLAIMS:
        return (
            _(
                "%(provider)s không gửi đủ thông tin định danh hợp lệ (số định danh cá nhân, họ và tên), "
                "nên chưa thể đăng nhập. Hãy liên hệ bộ phận hỗ trợ."
            )
            % values
        )
    if reason is Refusal.PROVIDER_ERROR:
        return _("%(provider)s báo lỗi khi đăng nhập. Hãy thử lại sau ít phút.") % values
    # Signature, issuer, audience, expiry, nonce: the answer cannot be trusted, whatever the cause.
    return (
        _(
            "Không xác minh được thông tin định danh do %(provider)s gửi về, nên bạn chưa được đăng nhập. "
            "Hãy bấm đăng nhập lại; nếu vẫn lỗi, hãy liên hệ bộ phận hỗ trợ."
        )
        % values
    )


def check_id_token_claims(
    claims: dict[str, Any], *, issuer: str, client_id: str, nonce: str, now: datetime, leeway: int
) -> None:
    """Raise ``ProviderSignInError`` unless the ID token is for this client, from this issuer, fresh and ours.

    OpenID Connect Core 1.0 §3.1.3.7: ``iss`` exact, ``aud`` contains the client (``azp`` is the
    client when there are several audiences), ``exp`` in the future, ``iat`` not in the future,
    ``nonce`` the one sent with this very request (replay of an older token).
    """
    if claims.get("iss") != issuer:
        raise ProviderSignInError(Refusal.ISSUER, f"iss {claims.get('iss')!r} is not {issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise ProviderSignInError(Refusal.AUDIENCE, f"aud {audience!r} does not contain the client")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise ProviderSignInError(Refusal.AUDIENCE, "several audiences and azp is not the client")
    moment = now.timestamp()
    raw_expires, raw_issued = claims.get("exp"), claims.get("iat")
    if not _is_number(raw_expires) or not _is_number(raw_issued):
        raise ProviderSignInError(Refusal.CLAIMS, "exp and iat must be numbers")
    expires, issued = raw_expires, raw_issued
    if expires <= moment - leeway:
        raise ProviderSignInError(Refusal.EXPIRED, f"expired {moment - expires:.0f} s ago")
    if issued > moment + leeway:
        raise ProviderSignInError(Refusal.NOT_YET_VALID, f"issued {issued - moment:.0f} s in the future")
    if issued < moment - leeway - MAX_TOKEN_AGE_SECONDS:
        raise ProviderSignInError(Refusal.EXPIRED, f"issued {moment - issued:.0f} s ago")
    if not isinstance(claims.get("nonce"), str) or not _same(claims["nonce"], nonce):
        raise ProviderSignInError(Refusal.NONCE, "nonce differs from the one sent")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise ProviderSignInError(Refusal.CLAIMS, "sub missing or longer than 255 characters")


def _is_number(value: object) -> TypeIs[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class AssertedOrganisation:
    tax_code: str
    name: str


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says the person is, in egov's terms."""

    provider: str
    subject: str
    national_id: str
    full_name: str
    birth_date: date | None = None
    phone: str | None = None
    # ``None``: the provider is not configured to say; ``()``: it says the person represents none.
    organisations: tuple[AssertedOrganisation, ...] | None = None


_DMY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def identity_from_claims(
    claims: dict[str, Any], *, provider: str, mapping: ClaimMapping, today: date
) -> VerifiedIdentity:
    """Map the provider's claims to a ``VerifiedIdentity``; raise ``ProviderSignInError(CLAIMS)`` when
    they are unusable."""
    national_id = normalise_personal_id(str(claims.get(mapping.national_id) or ""))
    try:
        parse_personal_id(national_id, today=today)
    except PersonalIdError as invalid:
        raise ProviderSignInError(Refusal.CLAIMS, f"personal ID number: {invalid.fault}") from invalid
    full_name = " ".join(str(claims.get(mapping.full_name) or "").split())
    if not full_name or len(full_name) > 150:
        raise ProviderSignInError(Refusal.CLAIMS, "name missing or longer than 150 characters")
    return VerifiedIdentity(
        provider=provider,
        subject=str(claims["sub"]),
        national_id=national_id,
        full_name=full_name,
        birth_date=parse_birth_date(claims.get(mapping.birth_date), today=today),
        phone=_phone(claims.get(mapping.phone)),
        organisations=_organisations(claims, mapping),
    )


def parse_birth_date(value: object, *, today: date) -> date | None:
    """OIDC's ``YYYY-MM-DD`` (or ``dd/mm/yyyy``); ``None`` when absent, malformed or in the future."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if match := _DMY.fullmatch(text):
        text = f"{match[3]}-{match[2]}-{match[1]}"
    try:
        born = date.fromisoformat(text)
    except ValueError:
        return None
    return born if born <= today else None


def _phone(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    phone = normalise_phone(value)
    return phone if phone and phone_problem(phone) is None else None


def _organisations(claims: dict[str, Any], mapping: ClaimMapping) -> tuple[AssertedOrganisation, ...] | None:
    if not mapping.organisations:
        return None
    raw = claims.get(mapping.organisations) or []
    if not isinstance(raw, list):
        return ()
    found: dict[str, AssertedOrganisation] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        tax_code = str(entry.get("tax_code") or "").strip()
        name = " ".join(str(entry.get("name") or "").split())[:255]
        if name and tax_code_problem(tax_code) is None:
            found[tax_code] = AssertedOrganisation(tax_code=tax_code, name=name)
    return tuple(found.values())
