"""Signing in through an OpenID Connect provider, end to end against the sandbox provider over HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages

from egov.accounts.models import AssuranceLevel, ExternalIdentity, OrganisationAuthorisation, User
from egov.accounts.selectors import dossier_identities
from egov.core.audit import AuditEvent
from tests.accounts.oidc_helpers import DEMO_AN, DEMO_BINH, decide_at_sandbox, local, sign_in, start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def signed_in_user(client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_a_citizen_without_an_account_signs_in_and_gets_a_verified_account(client, vneid):
    response = sign_in(client, next_url="/dich-vu-cong/")
    assert response.status_code == 302
    assert response["Location"] == "/dich-vu-cong/"
    user = signed_in_user(client)
    assert user is not None
    assert user.assurance_level == AssuranceLevel.VERIFIED
    assert (user.national_id, user.full_name, user.birth_date, user.phone) == (
        DEMO_AN,
        "Nguyễn Văn An",
        date(1990, 5, 12),
        "0912000101",
    )
    assert user.identity_verified_at is not None
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.filter(user=user, provider="vneid").count() == 1
    assert "Bạn đã đăng nhập bằng VNeID (sandbox)." in messages_of(response)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.provider_sign_in", "accounts.login"} <= actions


def test_signing_in_again_opens_the_same_account(client, vneid):
    sign_in(client)
    first = signed_in_user(client)
    client.logout()
    sign_in(client)
    assert signed_in_user(client) == first
    assert User.objects.filter(national_id=DEMO_AN).count() == 1


def test_a_provider_sign_in_keeps_what_the_anonymous_session_held(client, vneid):
    session = client.session
    session["eservices_draft_hint"] = "đang soạn"
    session.save()
    sign_in(client)
    assert client.session["eservices_draft_hint"] == "đang soạn"


def test_a_self_declared_citizen_verifies_their_account_from_the_profile(client, vneid):
    citizen = UserFactory(national_id="001090999999", phone="0912000101")  # typed a wrong number
    client.force_login(citizen)
    response = sign_in(client, next_url="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.VERIFIED
    assert citizen.national_id == DEMO_AN  # the provider's number replaces the self-declared one
    assert signed_in_user(client) == citizen
    assert "Tài khoản của bạn đã được xác thực định danh qua VNeID (sandbox)." in messages_of(response)
    event = AuditEvent.objects.get(action="accounts.identity_verify")
    assert event.details["national_id_corrected"] is True


def test_a_second_account_cannot_verify_a_number_another_account_holds(client, vneid):
    sign_in(client)  # the first account, verified as Nguyễn Văn An
    holder = signed_in_user(client)
    client.logout()
    other = UserFactory(national_id=DEMO_AN)
    client.force_login(other)
    response = sign_in(client, next_url="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    other.refresh_from_db()
    assert other.assurance_level == AssuranceLevel.SELF_DECLARED
    assert signed_in_user(client) == other  # still signed in as before: nothing lost
    [message] = messages_of(response)
    assert "đã được xác thực cho một tài khoản khác" in message
    assert User.objects.filter(national_id=DEMO_AN, assurance_level=AssuranceLevel.VERIFIED).get() == holder
    assert AuditEvent.objects.filter(
        action="accounts.provider_sign_in_refused", details__reason="identity_conflict"
    ).exists()


def test_signing_in_with_a_number_verified_on_an_account_opens_that_account(client, vneid):
    citizen = UserFactory(national_id=DEMO_AN)
    client.force_login(citizen)
    sign_in(client)  # verified while signed in with a password
    client.logout()
    ExternalIdentity.objects.all().delete()  # e.g. verified at the desk: no link to the provider yet
    sign_in(client)
    assert signed_in_user(client) == citizen
    assert ExternalIdentity.objects.get(provider="vneid").user == citizen


def test_a_self_declared_account_with_the_same_number_is_left_alone_by_a_provider_sign_in(client, vneid):
    somebody = UserFactory(national_id=DEMO_AN)  # typed the number; not proven to be its holder
    sign_in(client)
    user = signed_in_user(client)
    assert user != somebody
    somebody.refresh_from_db()
    assert somebody.assurance_level == AssuranceLevel.SELF_DECLARED


def test_the_provider_phone_is_skipped_when_another_account_uses_it(client, vneid):
    UserFactory(phone="0912000101")
    sign_in(client)
    assert signed_in_user(client).phone is None


def test_organisations_the_provider_asserts_are_recorded_and_shown_for_my_dossiers(client, vneid):
    sign_in(client, citizen=DEMO_BINH)
    user = signed_in_user(client)
    authorisation = OrganisationAuthorisation.objects.get(user=user)
    assert (authorisation.tax_code, authorisation.granted_via) == ("0312345678", "provider")
    assert dossier_identities(user).tax_codes == {"0312345678"}
    assert dossier_identities(user).national_ids == {DEMO_BINH}
    page = client.get("/accounts/profile/")
    assert "Công ty TNHH Thương mại Bình Minh" in page.content.decode()


def test_a_cancelled_sign_in_says_so_and_signs_nobody_in(client, vneid):
    response = sign_in(client, action="deny", next_url="/dich-vu-cong/")
    assert response["Location"].startswith("/accounts/login/?next=")
    assert signed_in_user(client) is None
    assert "Bạn đã hủy đăng nhập tại VNeID (sandbox)." in messages_of(response)[0]


def test_an_unknown_state_is_refused(client, vneid):
    callback = decide_at_sandbox(start(client))
    forged = local(callback).replace("state=", "state=x")
    response = client.get(forged)
    assert signed_in_user(client) is None
    assert "không hợp lệ hoặc đã hết hạn" in messages_of(response)[0]
    assert AuditEvent.objects.filter(
        action="accounts.provider_sign_in_refused", details__reason="state"
    ).exists()


def test_an_answer_from_another_browser_session_is_refused(client, vneid):
    from django.test import Client

    callback = decide_at_sandbox(start(client))
    attacker = Client()
    attacker.get(local(callback))
    assert attacker.session.get("_auth_user_id") is None
    assert User.objects.filter(national_id=DEMO_AN).count() == 0


def test_a_replayed_code_is_refused_by_the_provider_and_by_egov(client, vneid):
    callback = local(decide_at_sandbox(start(client)))
    client.get(callback)
    first = signed_in_user(client)
    client.logout()
    # The same callback again: its state is gone.
    again = client.get(callback)
    assert "không hợp lệ hoặc đã hết hạn" in messages_of(again)[0]
    # The old code with a fresh state: the provider refuses a code used once.
    fresh = local(decide_at_sandbox(start(client)))
    fresh_state = fresh.split("state=")[1]
    replay = callback.split("state=")[0] + "state=" + fresh_state
    response = client.get(replay)
    assert signed_in_user(client) is None
    assert "mã đã được dùng hoặc đã hết hạn" in messages_of(response)[-1]
    assert User.objects.filter(national_id=DEMO_AN).get() == first


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong_nonce", "nonce"),
        ("tampered", "signature"),
        ("unknown_key", "signature"),
        ("expired", "expired"),
        ("wrong_audience", "audience"),
        ("wrong_issuer", "issuer"),
    ],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(client, vneid, fault, reason):
    response = sign_in(client, fault=fault, next_url="/dich-vu-cong/")
    assert response["Location"] == "/accounts/login/?next=%2Fdich-vu-cong%2F"
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert "Không xác minh được thông tin định danh" in messages_of(response)[0]
    assert AuditEvent.objects.filter(
        action="accounts.provider_sign_in_refused", details__reason=reason
    ).exists()


def test_an_invalid_personal_id_number_from_the_provider_is_refused(client, vneid):
    response = sign_in(client, citizen="custom", national_id="12345", full_name="Người Thử")
    assert signed_in_user(client) is None
    assert "không gửi đủ thông tin định danh hợp lệ" in messages_of(response)[0]


def test_a_provider_that_is_down_at_the_start_gives_a_clear_message_and_keeps_the_session(client, settings):
    from tests.accounts.conftest import provider_settings

    settings.EGOV_OIDC_PROVIDERS = {"vneid": provider_settings("http://127.0.0.1:9")}  # nothing listens
    citizen = UserFactory()
    client.force_login(citizen)
    response = client.get("/accounts/oidc/vneid/login/?next=/dich-vu-cong/nop/3/")
    assert response["Location"] == "/dich-vu-cong/nop/3/"
    assert "Hiện không kết nối được với VNeID (sandbox)" in messages_of(response)[0]
    assert signed_in_user(client) == citizen


def test_a_provider_that_goes_down_before_the_code_exchange_changes_nothing(client, settings):
    from django.core.cache import cache

    from egov.accounts.sandbox_idp.provider import SandboxClient
    from egov.accounts.sandbox_idp.server import SandboxServer
    from tests.accounts.conftest import (
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        TEST_CALLBACK,
        provider_settings,
    )

    server = SandboxServer(clients=[SandboxClient(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, [TEST_CALLBACK])])
    server.start()
    cache.clear()
    settings.EGOV_OIDC_PROVIDERS = {"vneid": provider_settings(server.issuer)}
    try:
        callback = decide_at_sandbox(start(client, "/dich-vu-cong/"))
    finally:
        server.stop()
    response = client.get(local(callback))
    cache.clear()
    assert response["Location"] == "/accounts/login/?next=%2Fdich-vu-cong%2F"
    assert "Hiện không kết nối được" in messages_of(response)[0]
    assert not User.objects.exists()


def test_an_unknown_provider_is_not_found(client, vneid):
    assert client.get("/accounts/oidc/nowhere/login/").status_code == 404
    assert client.get("/accounts/oidc/nowhere/callback/?state=x&code=y").status_code == 404


def test_the_sign_in_page_offers_the_configured_provider(client, vneid):
    page = client.get("/accounts/login/?next=/dich-vu-cong/").content.decode()
    assert "Đăng nhập bằng VNeID (sandbox)" in page
    assert "/accounts/oidc/vneid/login/?next=/dich-vu-cong/" in page


def test_a_sign_in_left_open_too_long_is_refused(client, vneid):
    from datetime import timedelta

    from egov.core import clock

    callback = local(decide_at_sandbox(start(client)))
    with clock.frozen(clock.now() + timedelta(minutes=11)):
        response = client.get(callback)
    assert signed_in_user(client) is None
    assert "không hợp lệ hoặc đã hết hạn" in messages_of(response)[0]


def test_claims_released_only_at_the_userinfo_endpoint_are_fetched_from_there(client, settings):
    from django.core.cache import cache

    from egov.accounts.sandbox_idp.provider import SandboxClient
    from egov.accounts.sandbox_idp.server import SandboxServer
    from tests.accounts.conftest import (
        SANDBOX_CLIENT_ID,
        SANDBOX_CLIENT_SECRET,
        TEST_CALLBACK,
        provider_settings,
    )

    server = SandboxServer(
        clients=[SandboxClient(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, [TEST_CALLBACK])],
        claims_in_id_token=False,
    ).start()
    cache.clear()
    settings.EGOV_OIDC_PROVIDERS = {"vneid": provider_settings(server.issuer)}
    try:
        sign_in(client, citizen=DEMO_BINH)
    finally:
        server.stop()
        cache.clear()
    user = signed_in_user(client)
    assert (user.national_id, user.full_name, user.birth_date) == (
        DEMO_BINH,
        "Trần Thị Bình",
        date(1995, 8, 20),
    )


def test_a_tester_may_enter_an_identity_of_their_own_at_the_sandbox(client, vneid):
    sign_in(
        client,
        citizen="custom",
        national_id="036188000777",
        full_name="Phạm Thị Dung",
        birth_date="1988-03-04",
        phone="0345678901",
    )
    user = signed_in_user(client)
    assert (user.national_id, user.full_name, user.birth_date, user.phone) == (
        "036188000777",
        "Phạm Thị Dung",
        date(1988, 3, 4),
        "0345678901",
    )
