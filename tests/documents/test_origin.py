"""An outgoing document that is a dossier's result says so on its page (origin ``dossiers:<code>``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.documents import rules
from tests.documents.conftest import World, composed_draft
from tests.documents.test_views import signed_in


def test_the_dossier_code_is_read_from_the_origin_prefix() -> None:
    assert rules.dossier_code_from_origin("dossiers:H12.34-261130-0001") == "H12.34-261130-0001"
    assert rules.dossier_code_from_origin("dossiers: ") is None
    assert rules.dossier_code_from_origin("") is None
    assert rules.dossier_code_from_origin("exchange:abc") is None


@pytest.mark.django_db
def test_the_page_of_a_result_document_names_its_dossier(world: World) -> None:
    result = composed_draft(world, origin="dossiers:H12.34-261130-0001")
    other = composed_draft(world)
    client = signed_in(world.specialist)

    page = client.get(reverse("documents:outgoing_detail", args=[result.pk])).content.decode()
    assert "Văn bản kết quả giải quyết hồ sơ H12.34-261130-0001" in page

    page = client.get(reverse("documents:outgoing_detail", args=[other.pk])).content.decode()
    assert "Văn bản kết quả giải quyết hồ sơ" not in page
