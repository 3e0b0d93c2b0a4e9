"""The signing screens without a browser: "Văn bản chờ ký" (mine only, paginated, bounded queries),
signing with the key egov holds (PIN in the form, CSRF), the signing panel on a document's page,
and the placement picker of an uploaded draft (previews scoped, positions saved)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from egov.core import clock
from egov.documents.models import OutgoingDocument
from egov.documents.rules import OutgoingStatus
from egov.documents.selectors import PAGE_SIZE
from tests.documents.conftest import World, doc_type
from tests.documents.signing_support import (
    PFX_PIN,
    awaiting,
    configure_server_key,
    give_signature_image,
    uploaded_in_format_review,
)
from tests.documents.test_views import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]


def _listed(w: World, count: int, signer: Any) -> list[OutgoingDocument]:
    """Rows awaiting ``signer``'s signature, straight in the table (the list only reads them)."""
    return [
        OutgoingDocument.objects.create(
            agency=w.agency,
            division=w.division,
            drafter=w.specialist,
            document_type=doc_type("cong-van"),
            summary=f"Công văn chờ ký số {index}",
            status=OutgoingStatus.AWAITING_SIGNATURE,
            signer=signer,
            capacity="",
            created_at=clock.now(),
        )
        for index in range(count)
    ]


def test_the_list_shows_only_documents_awaiting_my_signature_a_page_at_a_time(
    world, django_assert_max_num_queries: Any
):
    mine = _listed(world, PAGE_SIZE + 3, world.leader)
    _listed(world, 2, world.deputy)
    client = signed_in(world.leader)
    url = reverse("documents:signing_list")
    client.get(url)  # sessions, permissions cached like any later page
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count('name="documents"') == PAGE_SIZE
    assert f"{PAGE_SIZE + 3} văn bản chờ bạn ký" in page and "data-select-all" in page
    assert "Công văn chờ ký số" in page and "Ký số bằng USB token" in page
    second = client.get(url + "?page=2").content.decode()
    assert second.count('name="documents"') == 3
    visible = {int(v) for v in re.findall(r'name="documents" value="(\d+)"', page + second)}
    assert visible == {d.pk for d in mine}
    # Twice the rows, the same number of queries.
    _listed(world, PAGE_SIZE, world.leader)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_the_leader_signs_the_selection_with_the_key_on_the_server(world, settings, pki_files, signature_png):
    give_signature_image(world.leader, signature_png)
    configure_server_key(settings, world.leader, pki_files)
    first, second = awaiting(world, 2)
    client = signed_in(world.leader)
    page = client.get(reverse("documents:signing_list")).content.decode()
    assert "Ký số bằng khóa trên hệ thống" in page and 'type="password"' in page

    response = client.post(
        reverse("documents:signing_with_key"),
        {"documents": [first.pk], "pin": "sai", "next": reverse("documents:signing_list")},
        follow=True,
    )
    assert "Không mở được tệp khóa" in response.content.decode()
    response = client.post(
        reverse("documents:signing_with_key"),
        {"documents": [first.pk, second.pk], "pin": PFX_PIN, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("documents:signing_list")
    assert response.content.decode().count(": Đã ký") == 2
    for document in (first, second):
        document.refresh_from_db()
        assert document.status == OutgoingStatus.SIGNED
    assert "Không có văn bản nào chờ bạn ký" in response.content.decode()


def test_the_signing_panel_is_on_the_page_of_a_document_awaiting_my_signature_only(
    world, settings, pki_files
):
    configure_server_key(settings, world.leader, pki_files)
    (document,) = awaiting(world)
    url = reverse("documents:outgoing_detail", args=[document.pk])
    leader_page = signed_in(world.leader).get(url).content.decode()
    assert 'id="sign-one"' in leader_page and f'name="documents" value="{document.pk}"' in leader_page
    assert "agent_signing.js" in leader_page and "Mã PIN" in leader_page
    assert 'id="sign-one"' not in signed_in(world.clerk).get(url).content.decode()
    assert 'id="sign-one"' not in signed_in(world.deputy).get(url).content.decode()


def test_the_csp_lets_the_page_call_the_signing_agent(world, settings):
    response = signed_in(world.leader).get(reverse("documents:signing_list"))
    policy = response.headers["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src"))
    assert settings.EGOV_SIGNING_AGENT_URL in connect


def test_the_clerk_picks_the_positions_on_the_page_previews(world):
    document = uploaded_in_format_review(world)
    clerk = signed_in(world.clerk)
    page = clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "Vị trí chữ ký, số và ngày trên văn bản" in page and "vị trí mặc định" in page
    assert reverse("documents:outgoing_page_preview", args=[document.pk, 2]) in page

    preview = clerk.get(reverse("documents:outgoing_page_preview", args=[document.pk, 2]))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert preview.content.startswith(b"\x89PNG")
    assert clerk.get(reverse("documents:outgoing_page_preview", args=[document.pk, 3])).status_code == 404
    outsider = signed_in(world.outsider)
    assert outsider.get(reverse("documents:outgoing_page_preview", args=[document.pk, 1])).status_code == 404

    values = {
        "signer_page": "2", "signer_left": "140", "signer_top": "200",
        "number_page": "1", "number_left": "50", "number_top": "40",
        "date_page": "1", "date_left": "150", "date_top": "40",
    }  # fmt: skip
    url = reverse("documents:outgoing_placement", args=[document.pk])
    refused = clerk.post(url, {**values, "signer_page": "3"})
    assert refused.status_code == 400 and "signer_page" in refused.content.decode()
    assert signed_in(world.colleague).post(url, values).status_code == 404  # does not see it
    assert signed_in(world.head).post(url, values).status_code == 403  # sees it, may not pick
    assert clerk.post(url, values).status_code == 302
    document.refresh_from_db()
    page_index, box = (
        document.signature_placement["signer"]["page"],
        document.signature_placement["signer"]["box"],
    )
    assert page_index == 1 and abs((box[0] + box[2]) / 2 - 140 * 72 / 25.4) < 1
    again = clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "Vị trí đã chọn" in again and 'value="140.0"' in again


def test_the_json_endpoints_refuse_malformed_requests(world):
    client = signed_in(world.leader)
    url = reverse("documents:signing_agent_begin")
    for body in (
        '{"documents": "12"}',
        '{"documents": ["1²"]}',
        "[1, 2]",
        "không phải JSON",
        '{"documents": []}',
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"], body
    assert client.get(url).status_code == 405
    finish = reverse("documents:signing_agent_finish")
    response = client.post(finish, {"document": 1, "signature": "***"}, content_type="application/json")
    assert response.status_code == 400 and "Chữ ký không hợp lệ" in response.json()["error"]
