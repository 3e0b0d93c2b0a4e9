"""The official's home lists the documents waiting for them, with counts and links (one inbox)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.documents.conftest import World, build_world
from tests.documents.signing_support import awaiting
from tests.documents.test_views import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def test_a_leader_sees_the_documents_awaiting_their_signature_on_the_home_page(
    world: World, django_assert_max_num_queries: Any
) -> None:
    awaiting(world, count=2)
    client = signed_in(world.leader)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("workspace:home"))
    html = response.content.decode()
    assert "Văn bản chờ bạn" in html
    assert f'href="{reverse("documents:signing_list")}"' in html
    tab = next(t for t in response.context["document_work"] if t.key == "to_sign")
    assert tab.count == 2


def test_an_official_with_nothing_waiting_sees_no_documents_panel(world: World) -> None:
    awaiting(world, count=1)
    response = signed_in(world.outsider).get(reverse("workspace:home"))
    assert response.context["document_work"] == []
    assert "Văn bản chờ bạn" not in response.content.decode()


def test_the_drafter_sees_only_their_own_lists(world: World) -> None:
    awaiting(world, count=1)
    keys = {t.key for t in signed_in(world.leader).get(reverse("workspace:home")).context["document_work"]}
    assert "to_sign" in keys
    specialist = signed_in(world.specialist).get(reverse("workspace:home")).context["document_work"]
    assert all(t.key != "to_sign" for t in specialist)
