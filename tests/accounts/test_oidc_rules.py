"""The pure rules of a sign-in through an OpenID Connect provider: ID token claims and claim mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov.accounts.oidc.client import pkce_challenge
from egov.accounts.oidc.providers import ClaimMapping
from egov.accounts.oidc.tokens import (
    MAX_TOKEN_AGE_SECONDS,
    ProviderSignInError,
    Refusal,
    check_id_token_claims,
    identity_from_claims,
    parse_birth_date,
    refusal_message,
)
from egov.accounts.rules import tax_code_problem

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ISSUER = "https://sso.vneid.example"
CLIENT = "egov"
NONCE = "n-0S6_WzA2Mj"
TODAY = date(2026, 11, 30)


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "248289761001",
        "exp": NOW.timestamp() + 300,
        "iat": NOW.timestamp(),
        "nonce": NONCE,
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def check(token_claims: dict[str, object], leeway: int = 60) -> None:
    check_id_token_claims(token_claims, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=NOW, leeway=leeway)


def refusal_of(token_claims: dict[str, object]) -> Refusal:
    with pytest.raises(ProviderSignInError) as refused:
        check(token_claims)
    return refused.value.reason


def test_a_fresh_token_for_this_client_passes():
    check(claims())


def test_several_audiences_need_this_client_as_authorised_party():
    assert refusal_of(claims(aud=[CLIENT, "other"])) is Refusal.AUDIENCE
    check(claims(aud=[CLIENT, "other"], azp=CLIENT))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, Refusal.ISSUER),
        ({"iss": ISSUER + "/"}, Refusal.ISSUER),
        ({"aud": "other"}, Refusal.AUDIENCE),
        ({"aud": ["other"]}, Refusal.AUDIENCE),
        ({"aud": None}, Refusal.AUDIENCE),
        ({"exp": NOW.timestamp() - 61}, Refusal.EXPIRED),
        ({"iat": NOW.timestamp() + 61}, Refusal.NOT_YET_VALID),
        ({"iat": NOW.timestamp() - MAX_TOKEN_AGE_SECONDS - 61}, Refusal.EXPIRED),
        ({"exp": "tomorrow"}, Refusal.CLAIMS),
        ({"exp": True}, Refusal.CLAIMS),
        ({"nonce": "another"}, Refusal.NONCE),
        ({"nonce": None}, Refusal.NONCE),
        ({"sub": ""}, Refusal.CLAIMS),
        ({"sub": None}, Refusal.CLAIMS),
    ],
)
def test_a_token_failing_one_check_is_refused_for_that_reason(changes, reason):
    assert refusal_of(claims(**changes)) is reason


def test_the_leeway_tolerates_a_small_clock_difference():
    check(claims(exp=NOW.timestamp() - 59, iat=NOW.timestamp() - 300))
    check(claims(iat=NOW.timestamp() + 59))


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_expiry_is_refused_exactly_when_it_is_past_the_leeway(offset):
    token = claims(exp=NOW.timestamp() + offset, iat=NOW.timestamp() - 1)
    if offset <= -60:
        with pytest.raises(ProviderSignInError):
            check(token)
    else:
        check(token)


@given(st.text(min_size=1, max_size=64))
def test_any_other_nonce_is_refused(nonce):
    if nonce == NONCE:
        check(claims(nonce=nonce))
    else:
        assert refusal_of(claims(nonce=nonce)) is Refusal.NONCE


def test_every_refusal_has_a_vietnamese_message_naming_the_provider():
    for reason in Refusal:
        message = refusal_message(reason, "VNeID")
        assert "VNeID" in message
        assert message.endswith(".")


def test_pkce_challenge_matches_rfc_7636_appendix_b():
    assert pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


MAPPING = ClaimMapping(organisations="organisations")


def person(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "abc",
        "national_id": "001 090 012345",
        "name": "  Nguyễn   Văn An ",
        "birthdate": "1990-05-12",
        "phone_number": "+84 912 000 101",
        "organisations": [{"tax_code": "0312345678", "name": "Công ty Bình Minh"}],
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def test_claims_map_to_the_account_fields():
    identity = identity_from_claims(person(), provider="vneid", mapping=MAPPING, today=TODAY)
    assert identity.national_id == "001090012345"
    assert identity.full_name == "Nguyễn Văn An"
    assert identity.birth_date == date(1990, 5, 12)
    assert identity.phone == "0912000101"
    assert [(o.tax_code, o.name) for o in identity.organisations or ()] == [
        ("0312345678", "Công ty Bình Minh")
    ]


def test_a_mapping_names_the_provider_s_own_claims():
    mapping = ClaimMapping(national_id="citizen_pid", full_name="full_name", birth_date="dob", phone="mobile")
    identity = identity_from_claims(
        {
            "sub": "x",
            "citizen_pid": "001090012345",
            "full_name": "Lê Văn B",
            "dob": "12/05/1990",
            "mobile": "x",
        },
        provider="other",
        mapping=mapping,
        today=TODAY,
    )
    assert (identity.national_id, identity.full_name, identity.birth_date, identity.phone) == (
        "001090012345",
        "Lê Văn B",
        date(1990, 5, 12),
        None,
    )
    assert identity.organisations is None  # not configured: the provider says nothing about them


@pytest.mark.parametrize("changes", [{"national_id": None}, {"national_id": "12345"}, {"name": "  "}])
def test_a_missing_or_invalid_number_or_name_is_refused(changes):
    with pytest.raises(ProviderSignInError) as refused:
        identity_from_claims(person(**changes), provider="vneid", mapping=MAPPING, today=TODAY)
    assert refused.value.reason is Refusal.CLAIMS


def test_malformed_organisations_are_ignored_one_by_one():
    raw = [{"tax_code": "12", "name": "Sai"}, "x", {"tax_code": "0312345678-001", "name": "Chi nhánh"}]
    identity = identity_from_claims(person(organisations=raw), provider="vneid", mapping=MAPPING, today=TODAY)
    assert [o.tax_code for o in identity.organisations or ()] == ["0312345678-001"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-05-12", date(1990, 5, 12)),
        ("12/05/1990", date(1990, 5, 12)),
        ("1990-02-30", None),
        ("2027-01-01", None),
        (19900512, None),
        (None, None),
    ],
)
def test_birth_dates_are_read_leniently_and_never_in_the_future(value, expected):
    assert parse_birth_date(value, today=TODAY) == expected


@given(st.dates(min_value=date(1000, 1, 1), max_value=TODAY))
def test_iso_and_vietnamese_birth_date_spellings_agree(born):
    assert parse_birth_date(born.isoformat(), today=TODAY) == born
    assert parse_birth_date(f"{born.day:02d}/{born.month:02d}/{born.year:04d}", today=TODAY) == born


@pytest.mark.parametrize("code", ["0312345678", "0312345678-001"])
def test_tax_codes_of_organisations_and_branches_are_accepted(code):
    assert tax_code_problem(code) is None


@pytest.mark.parametrize("code", ["", "031234567", "03123456789", "0312345678-1", "031234567a"])
def test_other_tax_codes_are_refused(code):
    assert tax_code_problem(code) is not None
