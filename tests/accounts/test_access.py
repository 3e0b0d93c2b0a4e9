"""Changing an id in a URL reveals nothing: a citizen reads only their own record (the issue's IDOR test)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from egov.accounts import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_without_noise(response, path: str) -> str:
    """The page minus what differs on every response anyway: the masked CSRF token, its own address."""
    html = response.content.decode().replace(path, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def person_url(pk: int) -> str:
    return reverse("accounts:person_detail", args=[pk])


def test_a_citizen_reads_their_own_record(client, citizen, django_assert_max_num_queries):
    client.force_login(citizen)
    with django_assert_max_num_queries(3):
        response = client.get(person_url(citizen.pk))
    assert response.status_code == 200
    assert citizen.national_id in response.content.decode()


def test_a_citizen_who_changes_the_id_in_the_url_gets_not_found(
    client, citizen, django_assert_max_num_queries
):
    neighbour = UserFactory()
    client.force_login(citizen)
    with django_assert_max_num_queries(3):
        response = client.get(person_url(neighbour.pk))
    assert response.status_code == 404
    assert neighbour.national_id not in response.content.decode()


def test_someone_elses_record_and_a_missing_one_look_the_same(client, citizen):
    neighbour = UserFactory()
    client.force_login(citizen)
    pages = {url: client.get(url) for url in (person_url(neighbour.pk), person_url(neighbour.pk + 1000))}
    seen = {(page.status_code, page_without_noise(page, url)) for url, page in pages.items()}
    assert len(seen) == 1


def test_an_official_gets_no_citizens_record_through_this_page(verified_client, citizen):
    assert verified_client.get(person_url(citizen.pk)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, citizen):
    assert client.get(person_url(citizen.pk))["Location"].startswith(reverse("accounts:login"))


def test_the_selector_shows_a_citizen_only_themself(citizen, official):
    UserFactory()
    assert list(selectors.visible_people(citizen)) == [citizen]
    assert list(selectors.visible_people(official)) == []
