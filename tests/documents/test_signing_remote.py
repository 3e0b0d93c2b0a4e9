"""Remote signing (ký số từ xa) on the signing screens, through the Django client: the leader's
credential at a CSC service (``remote:<username>``, the ``csc_sandbox`` fixture: certomancer's CSC
dummy, which approves at once) signs the selection with one approval; a refused service signs
nothing; the section is shown only to an official with a credential. Every signed file is checked
by egov's validator and by poppler's pdfsig."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from egov.accounts.models import User
from egov.core.audit import AuditEvent
from egov.documents.models import OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import read_version
from egov.signatures import pades
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from tests.documents.signing_support import awaiting, give_signature_image, pdfsig
from tests.documents.test_views import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]

OTP = "246810"


def configure_remote(
    settings: Any, user: User, service_url: str, credential: str = "egov-dev/official"
) -> None:
    """``remote:<username>`` → a credential at the CSC service (an address and an id, no secret)."""
    settings.EGOV_SIGNING_KEYS = {
        f"remote:{user.username}": {"kind": "csc", "service_url": service_url, "credential_id": credential}
    }


def test_the_leader_signs_two_documents_with_one_remote_approval(
    world, settings, csc_sandbox, signature_png, trusted_root, nss_db, tmp_path
):
    give_signature_image(world.leader, signature_png)
    configure_remote(settings, world.leader, csc_sandbox)
    first, second = awaiting(world, 2)
    client = signed_in(world.leader)
    page = client.get(reverse("documents:signing_list")).content.decode()
    assert "Ký số từ xa" in page and 'name="otp"' in page
    assert f'formaction="{reverse("documents:signing_remotely")}"' in page

    response = client.post(
        reverse("documents:signing_remotely"),
        {"documents": [first.pk, second.pk], "otp": OTP, "next": reverse("documents:signing_list")},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("documents:signing_list")
    assert response.content.decode().count(": Đã ký") == 2
    for document in (first, second):
        document.refresh_from_db()
        assert document.status == OutgoingStatus.SIGNED
        signed = read_version(document.versions.get(kind=OutgoingVersion.Kind.SIGNED))
        report = validate_pdf(signed, anchors=current_anchors())
        assert report.ok, report.as_json()
        assert [s.field_name for s in report.signatures] == [pades.SIGNER_FIELD]
        assert report.signatures[0].signer_common_name == "Nguyễn Văn Đức"
        checked = pdfsig(signed, nss_db, tmp_path)[0]
        assert checked.field == pades.SIGNER_FIELD and checked.signature_valid and checked.issuer_known
    # Audited as remote signatures, never with the OTP.
    remote = AuditEvent.objects.filter(action="signatures.sign_official", details__via="remote")
    assert remote.count() == 2
    events = json.dumps(list(AuditEvent.objects.values_list("details", flat=True)), ensure_ascii=False)
    assert OTP not in events


def test_the_panel_on_a_document_page_signs_it_remotely_without_an_otp(
    world, settings, csc_sandbox, signature_png
):
    give_signature_image(world.leader, signature_png)
    configure_remote(settings, world.leader, csc_sandbox)
    (document,) = awaiting(world)
    url = reverse("documents:outgoing_detail", args=[document.pk])
    client = signed_in(world.leader)
    assert 'id="otp-sign-one"' in client.get(url).content.decode()

    response = client.post(
        reverse("documents:signing_remotely"),
        {"documents": [document.pk], "otp": "", "next": url},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url and ": Đã ký" in response.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED


def test_a_refusing_service_signs_nothing_and_says_why(world, settings, csc_sandbox, signature_png):
    give_signature_image(world.leader, signature_png)
    configure_remote(settings, world.leader, csc_sandbox, credential="egov-dev/nobody")
    documents = awaiting(world, 2)

    response = signed_in(world.leader).post(
        reverse("documents:signing_remotely"),
        {"documents": [d.pk for d in documents], "otp": OTP},
        follow=True,
    )

    page = response.content.decode()
    assert "Ký số từ xa không thành công, chưa văn bản nào được ký." in page
    assert "Dịch vụ ký số từ xa" in page and ": Đã ký" not in page
    for document in documents:
        document.refresh_from_db()
        assert document.status == OutgoingStatus.AWAITING_SIGNATURE
    assert not OutgoingVersion.objects.filter(kind=OutgoingVersion.Kind.SIGNED).exists()
    assert not AuditEvent.objects.filter(action="signatures.sign_official").exists()


def test_without_a_credential_the_section_is_hidden_and_signing_refused(world, settings, signature_png):
    give_signature_image(world.leader, signature_png)
    settings.EGOV_SIGNING_KEYS = {}
    (document,) = awaiting(world)
    client = signed_in(world.leader)
    for url in (reverse("documents:signing_list"), reverse("documents:outgoing_detail", args=[document.pk])):
        page = client.get(url).content.decode()
        assert 'name="documents"' in page and 'name="otp"' not in page and "Ký số từ xa" not in page

    response = client.post(reverse("documents:signing_remotely"), {"documents": [document.pk]}, follow=True)

    assert "Chưa cấu hình ký số từ xa" in response.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.AWAITING_SIGNATURE


def test_remote_signing_is_a_post_with_csrf_for_the_signer_only(world, settings, signature_png):
    configure_remote(settings, world.leader, "http://127.0.0.1:9")
    (document,) = awaiting(world)
    url = reverse("documents:signing_remotely")
    leader = signed_in(world.leader)
    assert leader.get(url).status_code == 405
    leader.handler.enforce_csrf_checks = True
    assert leader.post(url, {"documents": [document.pk]}).status_code == 403
    # Another official cannot sign it: reported, nothing asked of the service.
    response = signed_in(world.deputy).post(url, {"documents": [document.pk]}, follow=True)
    assert "Không có văn bản này trong danh sách chờ bạn ký" in response.content.decode()
    document.refresh_from_db()
    assert document.status == OutgoingStatus.AWAITING_SIGNATURE
