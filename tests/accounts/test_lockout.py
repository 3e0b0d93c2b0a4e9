"""Five wrong answers in a row, passwords or second-factor codes, lock an account (django-axes)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from egov.accounts import services
from egov.accounts.models import User
from egov.core import audit
from tests.accounts.conftest import back_off, code_for, wrong_code
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:otp_verify")
LIMIT = settings.AXES_FAILURE_LIMIT
# django-otp's back-off would defer codes sent within seconds of a failure (without counting them):
# tests that send wrong codes in a row switch it off to count each one.
without_back_off = override_settings(OTP_TOTP_THROTTLE_FACTOR=0)


def sign_in(client: Client, identifier: str, password: str = DEFAULT_PASSWORD):
    return client.post(LOGIN, {"username": identifier, "password": password})


def fail_passwords(client: Client, identifier: str, times: int):
    responses = [sign_in(client, identifier, "sai-mật-khẩu") for _ in range(times)]
    return responses[-1] if responses else None


def fail_codes(client: Client, official: User, times: int):
    wrong = wrong_code(official.totpdevice_set.get().bin_key)
    return [client.post(VERIFY, {"code": wrong}) for _ in range(times)][-1]


def assert_lockout_page(response) -> None:
    html = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Tài khoản tạm thời bị khóa</h1>" in html
    assert "Hãy thử lại sau 30 phút." in html


def test_the_limit_is_five_failures():
    assert LIMIT == 5


def test_five_wrong_passwords_show_the_vietnamese_lockout_page(client, citizen):
    assert fail_passwords(client, citizen.email, LIMIT - 1).status_code == 200
    assert_lockout_page(sign_in(client, citizen.email, "sai-mật-khẩu"))


def test_a_locked_account_refuses_even_the_right_password(client, citizen):
    fail_passwords(client, citizen.email, LIMIT)
    assert_lockout_page(sign_in(client, citizen.email))
    assert "_auth_user_id" not in client.session


def test_failures_count_per_account_whichever_identifier_was_typed(client, citizen):
    fail_passwords(client, citizen.email, 3)
    fail_passwords(client, "+84" + citizen.phone[1:], LIMIT - 4)
    assert_lockout_page(sign_in(client, citizen.phone, "sai-mật-khẩu"))


def test_other_accounts_stay_open(client, citizen):
    fail_passwords(client, citizen.email, LIMIT)
    other = type(citizen).objects.create_user(
        username="cd-other", email="khac@example.vn", password=DEFAULT_PASSWORD
    )
    assert sign_in(client, other.email).status_code == 302


def test_a_lockout_is_audited_against_the_account(client, citizen):
    fail_passwords(client, citizen.email, LIMIT)
    assert audit.events_about(citizen).filter(action="accounts.lockout").exists()


def test_a_citizens_successful_sign_in_clears_earlier_failures(client, citizen):
    fail_passwords(client, citizen.email, LIMIT - 1)
    sign_in(client, citizen.email)
    client.logout()
    assert fail_passwords(client, citizen.email, LIMIT - 1).status_code == 200


@without_back_off
def test_five_wrong_second_factor_codes_lock_the_official_out(client, authenticator):
    official = authenticator.user
    client.force_login(official)
    assert fail_codes(client, official, LIMIT - 1).status_code == 200
    assert_lockout_page(client.post(VERIFY, {"code": wrong_code(authenticator.bin_key)}))
    assert "_auth_user_id" not in client.session
    assert_lockout_page(sign_in(client, official.username))


@without_back_off
def test_a_locked_official_cannot_try_codes_in_a_session_opened_earlier(client, authenticator):
    official = authenticator.user
    earlier = Client()
    earlier.force_login(official)
    client.force_login(official)
    fail_codes(client, official, LIMIT)
    assert_lockout_page(earlier.post(VERIFY, {"code": code_for(authenticator)}))


def test_codes_sent_during_the_authenticators_back_off_do_not_count(client, authenticator):
    back_off(authenticator)
    client.force_login(authenticator.user)
    response = fail_codes(client, authenticator.user, LIMIT + 1)
    assert response.status_code == 200
    assert "Hãy chờ vài giây rồi nhập lại." in str(response.context["form"].errors["code"])


@without_back_off
def test_wrong_passwords_and_wrong_codes_add_up_and_a_right_password_does_not_reset_them(
    client, authenticator
):
    official = authenticator.user
    fail_passwords(client, official.username, 2)
    assert sign_in(client, official.username).status_code == 302
    assert fail_codes(client, official, LIMIT - 3).status_code == 200
    assert_lockout_page(client.post(VERIFY, {"code": wrong_code(authenticator.bin_key)}))


def test_passing_the_second_factor_clears_the_failures(client, authenticator):
    official = authenticator.user
    fail_passwords(client, official.username, 2)
    sign_in(client, official.username)
    client.post(VERIFY, {"code": code_for(authenticator)})
    client.logout()
    assert fail_passwords(client, official.username, LIMIT - 1).status_code == 200


def test_resetting_the_password_by_email_lifts_the_lockout(client, citizen):
    fail_passwords(client, citizen.email, LIMIT)
    services.reset_password(user=citizen, password="Cây-đa-đầu-làng-1975")
    assert sign_in(client, citizen.email, "Cây-đa-đầu-làng-1975").status_code == 302
