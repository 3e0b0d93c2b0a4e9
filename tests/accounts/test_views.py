"""Account pages through Django's test client: registration, sign-in, second factor, profile, sessions."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import selectors, services
from egov.accounts.models import User
from egov.core import audit
from tests.accounts.conftest import code_for
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
LOGIN = reverse("accounts:login")
PROFILE = reverse("accounts:profile")
VERIFY = reverse("accounts:otp_verify")
ENROL = reverse("accounts:otp_enrol")
BACKUP_CODES = reverse("accounts:backup_codes")
WORKSPACE = reverse("workspace:home")
NEW_PASSWORD = "Cây-đa-đầu-làng-1975"


def registration(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Lê Thị Hoa",
        "national_id": "001 303 012345",
        "email": "hoa@example.vn",
        "phone": "+84 912 345 678",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "consent": "on",
    } | overrides


def sign_in(client: Client, identifier: str, password: str = DEFAULT_PASSWORD, **extra: str):
    return client.post(LOGIN, {"username": identifier, "password": password, **extra})


def labelled_input_ids(html: str) -> tuple[set[str], set[str]]:
    inputs = set(re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html))
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    return inputs, labels


# --- Registration ---------------------------------------------------------------------------


def test_the_registration_page_labels_every_input_and_helps_the_browser_fill_it(client):
    html = client.get(REGISTER).content.decode()
    inputs, labels = labelled_input_ids(html)
    assert inputs and inputs <= labels
    assert html.count("<h1") == 1
    for hint in (
        'autocomplete="name"',
        'autocomplete="email"',
        'autocomplete="tel"',
        'autocomplete="new-password"',
    ):
        assert hint in html
    assert 'inputmode="numeric"' in html


def test_a_citizen_registers_and_lands_signed_in_on_their_profile(client):
    response = client.post(REGISTER, registration(), follow=True)
    assert response.redirect_chain == [(PROFILE, 302)]
    user = User.objects.get(email="hoa@example.vn")
    assert (user.phone, user.national_id) == ("0912345678", "001303012345")
    assert response.context["user"] == user
    assert "Đã tạo tài khoản" in response.content.decode()


def test_a_wrong_personal_id_number_is_explained_at_the_top_and_at_the_field(client):
    response = client.post(REGISTER, registration(national_id="001499012345"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="error-summary"' in html
    assert '<a href="#id_national_id">Chữ số thứ 4 “4” chỉ người sinh từ năm 2100 trở đi' in html
    assert 'id="id_national_id_error"' in html
    assert 'aria-invalid="true"' in html
    assert "<title>Lỗi:" in html


def test_an_email_address_already_registered_is_reported_at_its_field(client, citizen):
    response = client.post(REGISTER, registration(email=citizen.email.upper(), phone=""))
    assert "Thư điện tử này đã được dùng" in str(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_registration_asks_for_consent_to_process_personal_data(client):
    response = client.post(REGISTER, registration(consent=""))
    assert response.context["form"].errors["consent"] == [
        "Hãy đồng ý xử lý dữ liệu cá nhân để tạo tài khoản."
    ]


def test_registration_needs_an_email_address_or_a_phone_number(client):
    response = client.post(REGISTER, registration(email="", phone=""))
    assert "ít nhất một trong hai" in str(response.context["form"].errors["email"])


def test_a_signed_in_person_who_opens_registration_is_sent_to_their_profile(client, citizen):
    client.force_login(citizen)
    assert client.get(REGISTER)["Location"] == PROFILE


# --- Sign-in --------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["phone", "international phone", "email in capitals"])
def test_a_citizen_signs_in_with_their_phone_or_email_however_written(client, citizen, spelling):
    identifier = {
        "phone": citizen.phone,
        "international phone": "+84 " + citizen.phone[1:],
        "email in capitals": citizen.email.upper(),
    }[spelling]
    response = sign_in(client, identifier)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_a_wrong_password_gets_one_vietnamese_message_linked_to_the_form(client, citizen):
    html = sign_in(client, citizen.email, "sai-mật-khẩu").content.decode()
    assert "Số điện thoại, thư điện tử, tên đăng nhập hoặc mật khẩu không đúng." in html
    assert '<a href="#id_username">' in html


def test_the_login_page_asks_for_one_identifier_and_a_password(client):
    html = client.get(LOGIN).content.decode()
    assert '<label for="id_username">Số điện thoại, thư điện tử hoặc tên đăng nhập</label>' in html
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html


def test_sign_in_is_audited(client, citizen):
    sign_in(client, citizen.email)
    assert audit.events_about(citizen).filter(action="accounts.login").exists()


def test_an_official_goes_from_the_password_to_the_second_factor_keeping_next(client, official):
    response = sign_in(client, official.username, next=WORKSPACE)
    assert response["Location"] == f"{VERIFY}?next={quote(WORKSPACE, safe='')}"


def test_an_official_without_an_authenticator_is_sent_to_enrolment(client, official):
    client.force_login(official)
    response = client.get(VERIFY, {"next": WORKSPACE})
    assert response["Location"] == f"{ENROL}?next={quote(WORKSPACE, safe='')}"


def test_an_official_who_has_not_passed_the_second_factor_reaches_no_page(client, authenticator):
    client.force_login(authenticator.user)
    response = client.get(WORKSPACE, {"tab": "inbox"})
    assert response["Location"] == f"{VERIFY}?next={quote(WORKSPACE + '?tab=inbox', safe='')}"


def test_an_official_passes_with_the_authenticators_code_under_a_new_session_id(client, authenticator):
    client.force_login(authenticator.user)
    before = client.session.session_key
    response = client.post(f"{VERIFY}?next={WORKSPACE}", {"code": code_for(authenticator)})
    assert response["Location"] == WORKSPACE
    assert client.session.session_key != before
    assert client.get(WORKSPACE).status_code == 200


def test_an_official_passes_with_a_backup_code(client, authenticator):
    code = services.issue_backup_codes(user=authenticator.user)[0]
    client.force_login(authenticator.user)
    assert client.post(VERIFY, {"code": code})["Location"] == reverse("workspace:home")


def test_a_wrong_code_is_refused_with_a_message_at_the_field(client, authenticator):
    client.force_login(authenticator.user)
    response = client.post(VERIFY, {"code": "12345"})
    assert "Mã không đúng" in str(response.context["form"].errors["code"])


def test_the_verification_page_does_not_follow_next_to_another_site(client, authenticator):
    client.force_login(authenticator.user)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": code_for(authenticator)})
    assert response["Location"] == reverse("workspace:home")


# --- Enrolment and backup codes -------------------------------------------------------------


def test_the_enrolment_page_shows_a_qr_code_and_the_key_without_inline_script_or_style(client, official):
    client.force_login(official)
    html = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    assert '<img src="data:image/svg+xml' in html
    assert services.normalise_code(re.search(r'id="totp-secret"[^>]*value="([^"]+)"', html)[1])  # type: ignore[index]
    assert "<script" not in html and "style=" not in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert device.user == official


def test_confirming_enrolment_signs_in_and_shows_the_backup_codes_once(client, official):
    client.force_login(official)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=official)
    response = client.post(f"{ENROL}?next={WORKSPACE}", {"code": code_for(device)}, follow=True)
    codes = response.context["codes"]
    assert len(codes) == 10
    assert response.context["next"] == WORKSPACE
    assert client.get(WORKSPACE).status_code == 200
    assert client.get(BACKUP_CODES).context["codes"] == []


def test_an_enrolled_official_cannot_enrol_a_new_device_with_a_password_alone(client, authenticator):
    client.force_login(authenticator.user)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=authenticator.user).count() == 1


def test_backup_codes_stay_behind_the_second_factor(client, authenticator):
    client.force_login(authenticator.user)
    assert client.post(BACKUP_CODES)["Location"].startswith(VERIFY)
    assert selectors.backup_codes_left(authenticator.user) == 0


def test_a_verified_official_makes_new_backup_codes_and_sees_them_once(verified_client, authenticator):
    response = verified_client.post(BACKUP_CODES, follow=True)
    assert len(response.context["codes"]) == 10
    assert selectors.backup_codes_left(authenticator.user) == 10


def test_citizens_have_no_backup_codes_page(client, citizen):
    client.force_login(citizen)
    assert client.get(BACKUP_CODES).status_code == 403


# --- Profile and sign-out -------------------------------------------------------------------


def test_a_citizens_profile_shows_who_they_are_and_how_sure_egov_is(client, citizen):
    client.force_login(citizen)
    html = client.get(PROFILE).content.decode()
    assert citizen.full_name in html and "Tự khai báo" in html
    assert reverse("accounts:person_detail", args=[citizen.pk]) in html
    assert f'action="{reverse("accounts:logout")}"' in html


def test_an_officials_profile_lists_their_agencies_and_roles_and_links_the_workspace(
    verified_client, membership
):
    html = verified_client.get(PROFILE).content.decode()
    assert membership.agency.name in html and "Chuyên viên" in html
    assert f'href="{WORKSPACE}"' in html


def test_the_profile_needs_a_signed_in_visitor(client):
    assert client.get(PROFILE)["Location"] == f"{LOGIN}?next={quote(PROFILE, safe='/')}"


def test_signing_out_flushes_the_session(client, citizen):
    client.force_login(citizen)
    old_key = client.session.session_key
    response = client.post(reverse("accounts:logout"), follow=True)
    assert not Session.objects.filter(session_key=old_key).exists()
    assert not response.context["user"].is_authenticated
    assert "Bạn đã đăng xuất." in response.content.decode()
    assert audit.events_about(citizen).filter(action="accounts.logout").exists()


def test_signing_out_needs_a_post(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_a_form_posted_after_the_session_expired_goes_to_sign_in_with_next_and_a_message(verified_client):
    Session.objects.all().delete()  # what expiry does: the cookie no longer opens a session
    response = verified_client.post(BACKUP_CODES)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={quote(BACKUP_CODES, safe='/')}"
    page = verified_client.get(response["Location"])
    assert "Phiên làm việc đã hết hạn. Hãy đăng nhập lại để tiếp tục." in page.content.decode()


def test_a_first_visit_without_a_session_is_not_told_it_expired(client):
    page = client.get(PROFILE, follow=True)
    assert "hết hạn" not in page.content.decode()


# --- Password reset -------------------------------------------------------------------------


def test_a_citizen_resets_a_forgotten_password_through_a_vietnamese_email(client, citizen):
    response = client.post(reverse("accounts:password_reset"), {"email": citizen.email.upper()})
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    assert message.subject.startswith("Đặt lại mật khẩu")
    assert "Xin chào" in message.body
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body)[1]  # type: ignore[index]
    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(client, citizen.phone, NEW_PASSWORD).status_code == 302
    assert audit.events_about(citizen).filter(action="accounts.password_reset").exists()


def test_a_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing(client, citizen):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.vn"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_used_or_forged_reset_link_says_so_in_vietnamese(client):
    html = client.get("/accounts/password-reset/MQ/set-password/", follow=True).content.decode()
    assert "Đường dẫn không còn hiệu lực" in html


def test_an_official_signing_in_without_next_lands_in_the_workspace_after_the_code(client, authenticator):
    response = client.post(
        reverse("accounts:login"), {"username": authenticator.user.username, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.post(response["Location"], {"code": code_for(authenticator)})
    assert response["Location"] == reverse("workspace:home")
