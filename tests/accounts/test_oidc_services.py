"""Services and selectors of verified identity: verification, one number per account, organisations."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from egov.accounts import authorisations, selectors
from egov.accounts.models import AssuranceLevel, ExternalIdentity, OrganisationAuthorisation, User
from egov.accounts.oidc.tokens import AssertedOrganisation, VerifiedIdentity
from egov.accounts.verification import (
    IdentityConflictError,
    sign_in_through_provider,
    verify_account_through_provider,
)
from egov.core import clock
from egov.core.audit import AuditEvent
from egov.organizations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "001090012345"
ORGANISATION = AssertedOrganisation(tax_code="0312345678", name="Công ty TNHH Bình Minh")


def identity(**changes: object) -> VerifiedIdentity:
    values: dict[str, object] = {
        "provider": "vneid",
        "subject": "sub-an",
        "national_id": NUMBER,
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1990, 5, 12),
        "phone": "0912000101",
        "organisations": None,
    }
    return VerifiedIdentity(**(values | changes))  # type: ignore[arg-type]


def verified(**changes: object) -> User:
    return sign_in_through_provider(identity=identity(**changes))


# --- Verification ------------------------------------------------------------------------------


def test_verifying_an_account_records_who_the_provider_says_it_is():
    citizen = UserFactory(full_name="An", national_id=NUMBER)
    verify_account_through_provider(user=citizen, identity=identity())
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.VERIFIED
    assert citizen.full_name == "Nguyễn Văn An"
    assert citizen.birth_date == date(1990, 5, 12)
    assert ExternalIdentity.objects.get(user=citizen).subject == "sub-an"
    event = AuditEvent.objects.get(action="accounts.identity_verify")
    assert NUMBER not in str(event.details)  # the immutable log keeps no personal numbers


def test_verifying_twice_with_the_same_identity_is_harmless():
    citizen = UserFactory(national_id=NUMBER)
    verify_account_through_provider(user=citizen, identity=identity())
    verify_account_through_provider(user=citizen, identity=identity())
    assert ExternalIdentity.objects.count() == 1


def test_a_number_verified_on_one_account_cannot_be_verified_on_another():
    verified()
    other = UserFactory(national_id=NUMBER)
    with pytest.raises(IdentityConflictError, match="đã được xác thực cho một tài khoản khác"):
        verify_account_through_provider(user=other, identity=identity(subject="another-sub"))
    other.refresh_from_db()
    assert other.assurance_level == AssuranceLevel.SELF_DECLARED


def test_a_provider_subject_linked_to_one_account_cannot_verify_another():
    verified()
    other = UserFactory()
    with pytest.raises(IdentityConflictError):
        verify_account_through_provider(user=other, identity=identity(national_id="001090054321"))


def test_an_account_verified_as_one_person_cannot_become_another():
    citizen = verified()
    with pytest.raises(IdentityConflictError, match="một số định danh cá nhân khác"):
        verify_account_through_provider(
            user=citizen, identity=identity(subject="sub-b", national_id="001090054321", provider="other")
        )


def test_the_database_keeps_one_verified_account_per_number_even_past_the_service():
    verified()
    twin = UserFactory(national_id=NUMBER)
    twin.assurance_level = AssuranceLevel.VERIFIED
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_sign_in_creates_an_account_once_and_then_finds_it_by_subject():
    first = verified()
    again = verified(full_name="Nguyễn Văn An Mới")
    assert first == again
    again.refresh_from_db()
    assert again.full_name == "Nguyễn Văn An Mới"  # the provider's current values win
    assert User.objects.count() == 1


def test_organisations_asserted_by_the_provider_are_synchronised_but_desk_ones_kept():
    user = verified(organisations=(ORGANISATION,))
    desk = _desk_officer()
    authorisations.record_organisation_authorisation(
        official=desk.user,
        agency=desk.agency,
        person=user,
        tax_code="0109999999",
        organisation_name="Hợp tác xã Hoa Sen",
        basis=OrganisationAuthorisation.Basis.POWER_OF_ATTORNEY,
        evidence="Giấy ủy quyền số 12/UQ ngày 01/11/2026",
    )
    assert {a.tax_code for a in selectors.organisations_of(user)} == {"0312345678", "0109999999"}
    verified(organisations=())  # the provider no longer says so
    assert {a.tax_code for a in selectors.organisations_of(user)} == {"0109999999"}
    revoked = OrganisationAuthorisation.objects.get(tax_code="0312345678")
    assert revoked.revoked_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_accounts_verifying_one_number_at_once_end_with_one_verified():
    racers = [UserFactory(national_id=NUMBER) for _ in range(2)]
    barrier = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def verify(user: User, subject: str) -> None:
        try:
            barrier.wait(timeout=30)
            verify_account_through_provider(user=user, identity=identity(subject=subject))
            outcomes.append("verified")
        except IdentityConflictError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(u, f"sub-{i}")) for i, u in enumerate(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "verified"]
    assert User.objects.filter(national_id=NUMBER, assurance_level=AssuranceLevel.VERIFIED).count() == 1


# --- What eservices asks -----------------------------------------------------------------------


def test_self_declared_accounts_submit_only_procedures_that_do_not_need_verification():
    citizen = UserFactory()
    assert selectors.may_submit(citizen, procedure_requires_verified=False)
    assert not selectors.may_submit(citizen, procedure_requires_verified=True)
    assert "xác thực" in (selectors.submission_refusal(citizen, procedure_requires_verified=True) or "")
    assert selectors.submission_refusal(citizen, procedure_requires_verified=False) is None


def test_verified_accounts_submit_everything_and_anonymous_visitors_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert selectors.may_submit(verified(), procedure_requires_verified=True)
    assert not selectors.may_submit(AnonymousUser(), procedure_requires_verified=False)
    assert not selectors.is_verified(AnonymousUser())


def test_results_issued_to_a_person_download_only_for_that_person_verified():
    self_declared = UserFactory(national_id="001090054321")
    assert not selectors.may_download_result(self_declared, issued_to_national_id="001090054321")
    user = verified(organisations=(ORGANISATION,))
    assert selectors.may_download_result(user, issued_to_national_id=NUMBER)
    assert not selectors.may_download_result(user, issued_to_national_id="001090054321")
    assert selectors.may_download_result(user, issued_to_tax_code="0312345678")
    assert not selectors.may_download_result(user, issued_to_tax_code="0100000000")
    assert not selectors.may_download_result(user)


def test_my_dossiers_identities_are_empty_until_verified(django_assert_max_num_queries):
    citizen = UserFactory(national_id=NUMBER)
    assert not selectors.dossier_identities(citizen)
    verify_account_through_provider(user=citizen, identity=identity(organisations=(ORGANISATION,)))
    citizen.refresh_from_db()
    with django_assert_max_num_queries(1):
        identities = selectors.dossier_identities(citizen)
    assert identities.national_ids == {NUMBER}
    assert identities.tax_codes == {"0312345678"}


def test_officials_have_no_applicant_identities():
    official = MembershipFactory().user
    official.national_id = NUMBER
    official.assurance_level = AssuranceLevel.VERIFIED
    official.save()
    assert not selectors.dossier_identities(official)


# --- Organisation authorisations -----------------------------------------------------------------


def _desk_officer():
    return MembershipFactory(role=Role.ONE_STOP_OFFICER)


def _record(desk, person, **changes):
    values = {
        "official": desk.user,
        "agency": desk.agency,
        "person": person,
        "tax_code": "0312345678",
        "organisation_name": "Công ty TNHH Bình Minh",
        "basis": OrganisationAuthorisation.Basis.LEGAL_REPRESENTATIVE,
        "evidence": "Giấy chứng nhận đăng ký doanh nghiệp",
    }
    return authorisations.record_organisation_authorisation(**(values | changes))


def test_a_desk_officer_records_an_authorisation_in_force_for_its_period():
    desk, person = _desk_officer(), verified()
    start = clock.now()
    authorisation = _record(desk, person, valid_from=start, valid_until=start + timedelta(days=30))
    assert authorisation.recorded_by == desk.user
    assert list(selectors.organisations_of(person)) == [authorisation]
    with clock.frozen(start + timedelta(days=31)):
        assert list(selectors.organisations_of(person)) == []
    with clock.frozen(start - timedelta(seconds=1)):
        assert list(selectors.organisations_of(person)) == []
    assert AuditEvent.objects.filter(action="accounts.organisation_authorisation_record").count() == 1


def test_only_officials_holding_the_permission_record_authorisations():
    specialist = MembershipFactory(role=Role.SPECIALIST)
    with pytest.raises(PermissionDenied):
        _record(specialist, verified())


def test_a_self_declared_account_cannot_be_authorised():
    with pytest.raises(ValidationError) as refused:
        _record(_desk_officer(), UserFactory())
    assert "person" in refused.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_code": "12345"}, "tax_code"),
        ({"organisation_name": " "}, "organisation_name"),
        ({"evidence": ""}, "evidence"),
    ],
)
def test_an_authorisation_needs_a_valid_tax_code_a_name_and_the_papers_checked(changes, field):
    with pytest.raises(ValidationError) as refused:
        _record(_desk_officer(), verified(), **changes)
    assert field in refused.value.message_dict


def test_an_authorisation_ends_after_it_starts():
    start = clock.now()
    with pytest.raises(ValidationError) as refused:
        _record(_desk_officer(), verified(), valid_from=start, valid_until=start)
    assert "valid_until" in refused.value.message_dict


def test_a_second_standing_authorisation_for_the_same_organisation_is_refused():
    desk, person = _desk_officer(), verified()
    _record(desk, person)
    with pytest.raises(ValidationError, match="đang có quyền đại diện"):
        _record(desk, person)


def test_revoking_keeps_the_history_and_allows_a_new_one():
    desk, person = _desk_officer(), verified()
    first = _record(desk, person)
    authorisations.revoke_organisation_authorisation(
        official=desk.user, agency=desk.agency, authorisation=first, reason="Hết nhiệm kỳ giám đốc"
    )
    assert list(selectors.organisations_of(person)) == []
    with pytest.raises(ValidationError):
        authorisations.revoke_organisation_authorisation(
            official=desk.user, agency=desk.agency, authorisation=first, reason="lần nữa"
        )
    second = _record(desk, person)
    assert list(selectors.organisations_of(person)) == [second]
    assert OrganisationAuthorisation.objects.count() == 2
    assert AuditEvent.objects.filter(action="accounts.organisation_authorisation_revoke").count() == 1


def test_revoking_needs_a_reason():
    desk, person = _desk_officer(), verified()
    with pytest.raises(ValidationError):
        authorisations.revoke_organisation_authorisation(
            official=desk.user, agency=desk.agency, authorisation=_record(desk, person), reason="  "
        )


# --- The sandbox provider as the demo starts it ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=False)
def test_manage_py_run_sandbox_idp_serves_a_discovery_document():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_sandbox_idp", "--port", str(port), "--client-secret", "s3cret"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "egov.config.test_settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + 30
        while True:
            try:
                with opener.open(url, timeout=2) as response:
                    document = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert document["issuer"] == f"http://127.0.0.1:{port}"
        assert document["code_challenge_methods_supported"] == ["S256"]
    finally:
        process.terminate()
        process.wait(timeout=10)
