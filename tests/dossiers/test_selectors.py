"""Reads scoped by the actor, the public lookup, and the officials' late / due today / at risk lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser

from egov.accounts.models import AssuranceLevel, User
from egov.core import calendar, clock
from egov.dossiers import selectors, services
from egov.dossiers.models import Channel, Dossier
from egov.dossiers.rules import Status
from tests.dossiers.conftest import APPLICANT_ID, World, applicant, dossier_in, local, record
from tests.factories import UserFactory


def accepted_at(world: World, *when: int) -> Dossier:
    with clock.frozen(local(*when)):
        dossier = record(world)
        return services.accept_dossier(dossier=dossier, officer=world.desk)


def test_anonymous_visitors_see_nothing(world: World):
    record(world)
    assert not selectors.visible_dossiers(AnonymousUser()).exists()
    assert not selectors.visible_dossiers(None).exists()


def test_a_citizen_sees_dossiers_linked_to_the_account_or_the_verified_personal_id(world: World):
    dossier = record(world)  # at the desk: linked to no account
    self_declared = UserFactory(national_id=APPLICANT_ID)
    verified = UserFactory(national_id=APPLICANT_ID, assurance_level=AssuranceLevel.VERIFIED)
    stranger = UserFactory(assurance_level=AssuranceLevel.VERIFIED)
    assert not selectors.visible_dossiers(self_declared).exists()  # a typed number proves nothing
    assert list(selectors.visible_dossiers(verified)) == [dossier]
    assert not selectors.visible_dossiers(stranger).exists()
    online = record(world, actor=stranger, channel=Channel.ONLINE, receiving_division=None)
    assert list(selectors.visible_dossiers(stranger)) == [online]


def test_a_verified_representative_sees_the_organisations_dossiers_while_authorised(world: World):
    from egov.accounts.models import OrganisationAuthorisation
    from egov.dossiers.models import Applicant

    company = applicant(name="Công ty TNHH Thử", kind=Applicant.Kind.ORGANISATION, tax_code="0312345678")
    dossier = record(world, applicant=company)
    director = UserFactory(national_id="079195001234", assurance_level=AssuranceLevel.VERIFIED)
    assert not selectors.visible_dossiers(director).exists()
    now = clock.now()
    since = now - timedelta(days=1)
    grant = OrganisationAuthorisation.objects.create(
        user=director,
        tax_code="0312345678",
        organisation_name="Công ty TNHH Thử",
        basis=OrganisationAuthorisation.Basis.LEGAL_REPRESENTATIVE,
        granted_via=OrganisationAuthorisation.GrantedVia.DESK,
        valid_from=since,
        recorded_at=since,
    )
    assert list(selectors.visible_dossiers(director)) == [dossier]
    OrganisationAuthorisation.objects.filter(pk=grant.pk).update(valid_until=now)  # it ended
    assert not selectors.visible_dossiers(director).exists()


def test_an_official_without_dossier_permissions_sees_nothing(world: World):
    from tests.dossiers.conftest import member

    clerk = member(world.agency, "clerk")
    record(world)
    assert not selectors.visible_dossiers(clerk).exists()


def test_the_tracking_token_opens_its_dossier_only(world: World):
    dossier = record(world)
    assert selectors.dossier_by_tracking_token(dossier.tracking_token) == dossier
    assert selectors.dossier_by_tracking_token("x" * 32) is None
    assert selectors.dossier_by_tracking_token("") is None


def test_the_lookup_needs_the_last_four_digits_of_the_phone_or_the_personal_id(world: World):
    dossier = record(world)
    assert selectors.dossier_for_lookup(dossier.code, "5678") == dossier  # phone 0912345678
    assert selectors.dossier_for_lookup(dossier.code.lower(), "4242") == dossier  # personal ID …4242
    assert selectors.dossier_for_lookup(dossier.code, "1111") is None
    assert selectors.dossier_for_lookup(dossier.code, "42") is None
    assert selectors.dossier_for_lookup(dossier.code + "9", "5678") is None


def test_late_due_today_and_at_risk_lists(world: World):
    late = accepted_at(world, 2026, 2, 13, 9, 40)  # due 27/02 09:40
    due_today = accepted_at(world, 2026, 2, 23, 16, 0)  # due 02/03 16:00
    at_risk = accepted_at(world, 2026, 2, 24, 8, 0)  # due 03/03 08:00, within a working day
    accepted_at(world, 2026, 2, 27, 10, 0)  # due 06/03: nothing to worry about yet
    now = local(2026, 3, 2, 9, 0)
    assert list(selectors.late_dossiers(actor=world.desk, now=now)) == [late]
    assert list(selectors.due_today(actor=world.desk, now=now)) == [due_today]
    assert list(selectors.at_risk(actor=world.desk, now=now)) == [due_today, at_risk]
    assert not selectors.late_dossiers(actor=world.outsider, now=now).exists()


def test_a_dossier_paused_after_its_due_date_stays_late(world: World):
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    assert dossier.due_at is not None
    with clock.frozen(dossier.due_at.replace(year=dossier.due_at.year + 1)):
        services.stop(dossier=dossier, leader=world.leader, reason="Chờ")
    now = dossier.due_at.replace(year=dossier.due_at.year + 2)
    assert list(selectors.late_dossiers(actor=world.leader, now=now)) == [dossier]


def fresh(user: User) -> User:
    """The same official without the scope cached on the instance (counted like a new request)."""
    return User.objects.get(pk=user.pk)


def test_the_lists_take_two_queries_whatever_their_length(world: World, django_assert_max_num_queries: Any):
    for day in (2, 3, 4, 5, 6):
        accepted_at(world, 2026, 2, day, 9, 0)
    now = local(2026, 3, 2, 9, 0)
    calendar.current()  # built once per process (cached), not per list
    for selector in (selectors.late_dossiers, selectors.due_today, selectors.at_risk):
        actor = fresh(world.desk)
        with django_assert_max_num_queries(2):  # the actor's scope, then the list with its joins
            rows = list(selector(actor=actor, now=now))
            [(d.procedure.name, d.applicant.name, d.agency.name) for d in rows]
    actor = fresh(world.desk)
    with django_assert_max_num_queries(2):
        assert len(list(selectors.late_dossiers(actor=actor, now=now))) == 5
