"""The sandbox identity provider keeps the protocol's rules itself, as a real provider would."""

from __future__ import annotations

import base64
import json
import urllib.parse

import pytest

from tests.accounts.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TEST_CALLBACK
from tests.accounts.oidc_helpers import decide_at_sandbox, http

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def authorise_url(issuer: str, **changes: str) -> str:
    query = {
        "response_type": "code",
        "client_id": SANDBOX_CLIENT_ID,
        "redirect_uri": TEST_CALLBACK,
        "scope": "openid profile",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    } | changes
    return f"{issuer}/authorize?" + urllib.parse.urlencode({k: v for k, v in query.items() if v})


def code_from(callback: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(callback).query)["code"][0]


def token_request(issuer: str, code: str, **changes: str):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": TEST_CALLBACK,
        "code_verifier": VERIFIER,
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
    } | changes
    return http(f"{issuer}/token", form)


def test_discovery_names_the_endpoints_and_the_keys_are_public_only(sandbox_idp):
    document = json.loads(http(f"{sandbox_idp.issuer}/.well-known/openid-configuration").body)
    assert document["issuer"] == sandbox_idp.issuer
    assert document["token_endpoint"] == f"{sandbox_idp.issuer}/token"
    [key] = json.loads(http(document["jwks_uri"]).body)["keys"]
    assert key["kty"] == "RSA"
    assert "d" not in key and "p" not in key


def test_the_sign_in_page_says_it_is_a_sandbox(sandbox_idp):
    page = http(authorise_url(sandbox_idp.issuer))
    assert page.status == 200
    assert "MÔI TRƯỜNG THỬ NGHIỆM (SANDBOX)" in page.body
    assert "không phải VNeID thật" in page.body


@pytest.mark.parametrize(
    "changes", [{"client_id": "unknown"}, {"redirect_uri": "http://evil.example/cb"}, {"redirect_uri": ""}]
)
def test_an_unknown_client_or_redirect_uri_gets_an_error_page_not_a_redirect(sandbox_idp, changes):
    answer = http(authorise_url(sandbox_idp.issuer, **changes))
    assert answer.status == 400
    assert answer.location == ""


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"nonce": ""}, "invalid_request"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_a_request_without_pkce_nonce_or_openid_is_sent_back_with_an_error(sandbox_idp, changes, error):
    answer = http(authorise_url(sandbox_idp.issuer, **changes))
    assert answer.status == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(answer.location).query)
    assert query["error"] == [error]
    assert query["state"] == ["s1"]


def test_the_token_endpoint_checks_the_client_the_verifier_and_single_use(sandbox_idp):
    issuer = sandbox_idp.issuer
    wrong_secret = token_request(
        issuer, code_from(decide_at_sandbox(authorise_url(issuer))), client_secret="x"
    )
    assert wrong_secret.status == 401
    wrong_verifier = token_request(
        issuer, code_from(decide_at_sandbox(authorise_url(issuer))), code_verifier="y" * 43
    )
    assert json.loads(wrong_verifier.body)["error"] == "invalid_grant"

    code = code_from(decide_at_sandbox(authorise_url(issuer)))
    first = token_request(issuer, code)
    assert first.status == 200
    tokens = json.loads(first.body)
    payload = tokens["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["aud"], claims["nonce"], claims["iss"]) == (SANDBOX_CLIENT_ID, "n1", issuer)
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert json.loads(http(f"{issuer}/userinfo", headers=bearer).body)["sub"] == claims["sub"]
    again = token_request(issuer, code)
    assert json.loads(again.body)["error"] == "invalid_grant"
    # The replay revoked the access token the code had given.
    assert http(f"{issuer}/userinfo", headers=bearer).status == 401
