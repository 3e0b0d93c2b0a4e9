"""Registration, the officials' second factor and password resets, against the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import selectors, services
from egov.accounts.models import AssuranceLevel, User
from egov.accounts.services import CodeOutcome
from egov.config import settings as deployed_settings
from egov.core import audit
from tests.accounts.conftest import back_off, code_for, wrong_code
from tests.factories import DEFAULT_PASSWORD, UserFactory, personal_id

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cây-đa-đầu-làng-1975"


def register(**overrides: str | None) -> User:
    arguments = {
        "full_name": "Lê Thị Hoa",
        "national_id": "001303012345",
        "password": NEW_PASSWORD,
        "email": "hoa@example.vn",
        "phone": None,
        "ip": "192.0.2.10",
    } | overrides
    return services.register_citizen(**arguments)  # type: ignore[arg-type]


def field_errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- Registration ---------------------------------------------------------------------------


def test_a_citizen_registers_with_an_email_address_and_is_self_declared():
    user = register()
    assert (user.email, user.phone, user.is_official) == ("hoa@example.vn", None, False)
    assert user.assurance_level == AssuranceLevel.SELF_DECLARED
    assert user.check_password(NEW_PASSWORD)


def test_a_citizen_registers_with_a_phone_number_only_written_the_international_way():
    user = register(email=None, phone="+84 912 345 678")
    assert (user.email, user.phone) == (None, "0912345678")


def test_registration_is_audited_without_the_personal_data_itself():
    user = register(phone="0912345678")
    event = audit.events_about(user).get(action="accounts.register")
    assert (event.actor_id, event.ip) == (str(user.pk), "192.0.2.10")
    assert event.details == {"channels": ["email", "phone"], "assurance_level": "self_declared"}
    assert "001303012345" not in str(event.details)


def test_an_email_address_is_stored_in_lower_case_so_it_signs_in_however_it_is_typed():
    assert register(email="  Hoa.Le@Example.VN ").email == "hoa.le@example.vn"


def test_registration_needs_an_email_address_or_a_phone_number():
    with pytest.raises(ValidationError) as refused:
        register(email=None, phone=None)
    assert field_errors(refused) == {
        "email": ["Hãy nhập thư điện tử hoặc số điện thoại (ít nhất một trong hai)."]
    }


def test_an_email_address_already_used_is_refused_whatever_its_case():
    UserFactory(email="hoa@example.vn")
    with pytest.raises(ValidationError) as refused:
        register(email="HOA@example.vn")
    assert list(field_errors(refused)) == ["email"]


def test_a_phone_number_already_used_is_refused():
    UserFactory(phone="0912345678")
    with pytest.raises(ValidationError) as refused:
        register(phone="0912 345 678")
    assert list(field_errors(refused)) == ["phone"]


def test_a_malformed_personal_id_number_is_refused_by_the_service_too():
    with pytest.raises(ValidationError) as refused:
        register(national_id="003099012345")
    assert field_errors(refused)["national_id"] == [
        "Ba chữ số đầu “003” không phải mã tỉnh, thành phố nơi đăng ký khai sinh."
    ]


def test_a_weak_password_is_refused_with_djangos_validators():
    with pytest.raises(ValidationError) as refused:
        register(password="12345678")
    assert list(field_errors(refused)) == ["password"]
    assert not User.objects.exists()


def test_two_self_declared_accounts_may_carry_the_same_personal_id_number():
    UserFactory(national_id=personal_id(1))
    assert register(national_id=personal_id(1)).national_id == personal_id(1)


def test_passwords_are_stored_with_argon2_under_the_deployed_settings():
    with override_settings(PASSWORD_HASHERS=deployed_settings.PASSWORD_HASHERS):
        user = register()
    assert user.password.startswith("argon2")


# --- Second factor --------------------------------------------------------------------------


def test_enrolment_keeps_the_same_secret_until_it_is_confirmed(official):
    first = services.start_totp_enrolment(user=official)
    again = services.start_totp_enrolment(user=official)
    assert (again.pk, again.key, again.confirmed) == (first.pk, first.key, False)


def test_confirming_enrolment_with_the_apps_code_turns_it_on_and_gives_ten_backup_codes(official):
    device = services.start_totp_enrolment(user=official)
    codes = services.confirm_totp_enrolment(user=official, device=device, token=code_for(device))
    assert selectors.confirmed_totp_device(official) == device
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 10 and code.isdigit() for code in codes)
    assert {e.action for e in audit.events_about(official)} >= {
        "accounts.totp_enrol",
        "accounts.backup_codes_issue",
    }


def test_a_wrong_code_does_not_confirm_enrolment(official):
    device = services.start_totp_enrolment(user=official)
    with pytest.raises(ValidationError):
        services.confirm_totp_enrolment(user=official, device=device, token=wrong_code(device.bin_key))
    assert selectors.confirmed_totp_device(official) is None


def test_new_backup_codes_replace_the_old_ones(official):
    old = services.issue_backup_codes(user=official)
    new = services.issue_backup_codes(user=official)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_the_authenticators_code_passes_the_second_factor(authenticator):
    check = services.verify_second_factor(
        user=authenticator.user, token=code_for(authenticator), ip="192.0.2.1"
    )
    assert (check.outcome, check.device) == (CodeOutcome.ACCEPTED, authenticator)
    assert audit.events_about(authenticator.user).filter(action="accounts.second_factor_accepted").exists()


def test_a_code_read_out_in_two_groups_still_passes(authenticator):
    code = code_for(authenticator)
    assert services.verify_second_factor(user=authenticator.user, token=f"{code[:3]} {code[3:]}").device


def test_a_code_cannot_be_used_twice(authenticator):
    code = code_for(authenticator)
    services.verify_second_factor(user=authenticator.user, token=code)
    assert services.verify_second_factor(user=authenticator.user, token=code).outcome is CodeOutcome.REFUSED


def test_a_backup_code_passes_once(authenticator):
    official = authenticator.user
    code = services.issue_backup_codes(user=official)[0]
    assert services.verify_second_factor(user=official, token=f"{code[:5]}-{code[5:]}").device is not None
    assert services.verify_second_factor(user=official, token=code).outcome is CodeOutcome.REFUSED
    assert selectors.backup_codes_left(official) == 9


def test_a_wrong_code_fails_and_is_audited(authenticator):
    check = services.verify_second_factor(user=authenticator.user, token=wrong_code(authenticator.bin_key))
    assert (check.outcome, check.device) == (CodeOutcome.REFUSED, None)
    assert audit.events_about(authenticator.user).filter(action="accounts.second_factor_refused").exists()


def test_right_after_failures_the_code_is_not_even_looked_at(authenticator):
    back_off(authenticator)
    check = services.verify_second_factor(user=authenticator.user, token=code_for(authenticator))
    assert check.outcome is CodeOutcome.DEFERRED


def test_an_unconfirmed_authenticator_does_not_pass_the_second_factor(official):
    device = TOTPDevice.objects.create(user=official, name="authenticator", confirmed=False)
    assert services.verify_second_factor(user=official, token=code_for(device)).device is None


# --- Password reset -------------------------------------------------------------------------


def test_a_password_reset_sets_the_new_password_and_is_audited(citizen):
    services.reset_password(user=citizen, password=NEW_PASSWORD, ip="192.0.2.5")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD) and not citizen.check_password(DEFAULT_PASSWORD)
    assert audit.events_about(citizen).filter(action="accounts.password_reset").exists()
