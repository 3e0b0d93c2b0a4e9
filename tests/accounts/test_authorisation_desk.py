"""The desk's screen for authorisations to act for an organisation: look up, record, revoke."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import AssuranceLevel, OrganisationAuthorisation, User
from egov.core.models import AuditEvent
from egov.organizations.models import Role
from tests.factories import MembershipFactory, UserFactory, personal_id

pytestmark = pytest.mark.django_db

URL = reverse("accounts:authorisations")
TAX_CODE = "0312345678"


def signed_in(user: User) -> Client:
    client = Client()
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def desk() -> Any:
    return MembershipFactory(role=Role.ONE_STOP_OFFICER)


@pytest.fixture
def director() -> User:
    return UserFactory(national_id=personal_id(77), assurance_level=AssuranceLevel.VERIFIED)


def record(client: Client, desk: Any, **overrides: str) -> Any:
    data = {
        "agency": str(desk.agency.pk),
        "national_id": personal_id(77),
        "tax_code": TAX_CODE,
        "organisation_name": "Công ty TNHH Bình Minh",
        "basis": OrganisationAuthorisation.Basis.LEGAL_REPRESENTATIVE,
        "evidence": "Giấy chứng nhận đăng ký doanh nghiệp",
        "valid_until": "",
    } | overrides
    return client.post(URL, data)


def test_the_officer_records_an_authorisation_and_finds_it_by_tax_code(desk, director):
    client = signed_in(desk.user)
    response = record(client, desk, valid_until="2027-12-31")
    assert response.status_code == 302 and response["Location"].endswith(f"?q={TAX_CODE}")
    grant = OrganisationAuthorisation.objects.get()
    assert grant.user == director and grant.recorded_by == desk.user
    assert (
        grant.valid_until is not None and grant.valid_until.date().isoformat() == "2027-12-31"
    )  # end of day, UTC
    assert AuditEvent.objects.filter(action="accounts.organisation_authorisation_record").count() == 1
    page = client.get(URL, {"q": TAX_CODE}).content.decode()
    assert "Công ty TNHH Bình Minh" in page and director.display_name in page and "Đang hiệu lực" in page
    # The same person looked up by ID number.
    assert "Công ty TNHH Bình Minh" in client.get(URL, {"q": personal_id(77)}).content.decode()


def test_a_person_without_a_verified_account_cannot_be_recorded_and_nothing_typed_is_lost(desk):
    UserFactory(national_id=personal_id(77))  # self-declared only
    response = record(signed_in(desk.user), desk)
    assert response.status_code == 200
    assert "đăng nhập bằng VNeID một lần" in response.content.decode()
    assert response.context["form"]["organisation_name"].value() == "Công ty TNHH Bình Minh"
    assert not OrganisationAuthorisation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "12345", "đúng 12 chữ số"),
        ("tax_code", "12AB", "mã số thuế"),
        ("evidence", "", "giấy tờ đã đối chiếu"),
        ("valid_until", "31/02/2027", "Ngày chưa đúng"),
    ],
)
def test_bad_input_is_named_on_its_field(desk, director, field, value, message):
    response = record(signed_in(desk.user), desk, **{field: value})
    assert response.status_code == 200
    assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
    assert not OrganisationAuthorisation.objects.exists()


def test_recording_the_same_authorisation_twice_is_refused_with_a_reason(desk, director):
    client = signed_in(desk.user)
    record(client, desk)
    response = record(client, desk)
    assert "thu hồi quyền cũ trước" in " ".join(response.context["form"].errors["tax_code"])
    assert OrganisationAuthorisation.objects.count() == 1


def test_the_officer_revokes_with_a_reason_and_the_row_stays(desk, director):
    client = signed_in(desk.user)
    record(client, desk)
    grant = OrganisationAuthorisation.objects.get()
    revoke = reverse("accounts:authorisation_revoke", args=[grant.pk])
    assert client.post(revoke, {"reason": ""}).status_code == 302  # refused: no reason
    grant.refresh_from_db()
    assert grant.revoked_at is None
    client.post(revoke, {"reason": "Công ty đã thay người đại diện"})
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == desk.user
    page = client.get(URL, {"q": TAX_CODE}).content.decode()
    assert "Đã thu hồi" in page and "Công ty đã thay người đại diện" in page


def test_officials_without_the_permission_and_citizens_are_refused(desk, director):
    specialist = MembershipFactory(role=Role.SPECIALIST, agency=desk.agency).user
    assert signed_in(specialist).get(URL).status_code == 403
    assert record(signed_in(specialist), desk).status_code == 403
    client = Client()
    client.force_login(director)
    assert client.get(URL).status_code == 403
    assert not OrganisationAuthorisation.objects.exists()


def test_an_agency_the_officer_does_not_serve_is_not_a_choice(desk, director):
    other = MembershipFactory(role=Role.ONE_STOP_OFFICER)
    response = record(signed_in(desk.user), desk, agency=str(other.agency.pk))
    assert "agency" in response.context["form"].errors
    assert not OrganisationAuthorisation.objects.exists()


def test_the_lookup_takes_the_same_queries_whatever_the_number_of_rows(
    desk, director, django_assert_max_num_queries
):
    client = signed_in(desk.user)
    record(client, desk)
    for n in range(5):
        person = UserFactory(national_id=personal_id(200 + n), assurance_level=AssuranceLevel.VERIFIED)
        record(client, desk, national_id=person.national_id)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"q": TAX_CODE})
    assert response.content.decode().count("Đang hiệu lực") == 6
