"""The official's workspace: their agencies and roles; another agency's card stays out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory, DivisionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def agency_url(agency_id: int) -> str:
    return reverse("workspace:agency_detail", args=[agency_id])


def test_the_home_page_lists_the_officials_agencies_and_roles(verified_client, membership):
    html = verified_client.get(reverse("workspace:home")).content.decode()
    assert membership.agency.name in html and "Chuyên viên" in html
    assert agency_url(membership.agency_id) in html


def test_an_official_reads_their_agencys_card_in_a_fixed_number_of_queries(
    verified_client, membership, django_assert_max_num_queries
):
    division = DivisionFactory(agency=membership.agency)
    MembershipFactory.create_batch(5, agency=membership.agency, division=division)
    with django_assert_max_num_queries(6):
        response = verified_client.get(agency_url(membership.agency_id))
    assert response.status_code == 200
    assert len(response.context["members"]) == 6


def test_an_official_who_changes_the_agency_id_in_the_url_gets_not_found(
    verified_client, membership, django_assert_max_num_queries
):
    other = MembershipFactory().agency
    with django_assert_max_num_queries(6):
        response = verified_client.get(agency_url(other.pk))
    assert response.status_code == 404
    assert other.name not in response.content.decode()


def test_an_agency_that_does_not_exist_looks_like_one_that_is_not_yours(verified_client, membership):
    other = AgencyFactory()
    assert verified_client.get(agency_url(other.pk)).status_code == 404
    assert verified_client.get(agency_url(other.pk + 1000)).status_code == 404


def test_a_membership_that_ended_no_longer_opens_the_agency(verified_client, membership):
    membership.is_active = False
    membership.save()
    assert verified_client.get(agency_url(membership.agency_id)).status_code == 404


def test_citizens_have_no_workspace(client):
    client.force_login(UserFactory())
    assert client.get(reverse("workspace:home")).status_code == 403
