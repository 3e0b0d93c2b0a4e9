"""Signature images and agency seals in the admin: a transparent PNG checked by content, the seal's
key name, audited; an agency's administrator manages their own agency only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from egov.core.models import AuditEvent
from egov.organizations.models import Role
from egov.signatures import images
from egov.signatures.models import AgencySeal, SignatureImage
from egov.signatures.selectors import seal_of, signature_image_of
from tests.dossiers.test_views_processing import signed_in
from tests.factories import AgencyFactory, MembershipFactory, OfficialFactory

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "con-dau.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def opaque_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_superuser_uploads_an_agency_seal_with_its_key_name_and_it_is_audited(admin_client: Client) -> None:
    agency = AgencyFactory(name="Sở Tư pháp")
    seal = images.drawn_seal(agency.name, side=200)
    response = admin_client.post(
        reverse("admin:signatures_agencyseal_add"),
        {"agency": agency.pk, "key_name": "agency:000.00.03.H12", "image_file": upload(seal)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = seal_of(agency)
    assert row is not None and bytes(row.png) == seal and row.key_name == "agency:000.00.03.H12"
    event = AuditEvent.objects.get(action="signatures.seal_set")
    assert event.details["key_name"] == "agency:000.00.03.H12" and event.details["created"] is True
    page = admin_client.get(reverse("admin:signatures_agencyseal_change", args=[row.pk]))
    assert "data:image/png;base64," in page.content.decode()


def test_changing_the_key_name_keeps_the_image(admin_client: Client) -> None:
    agency = AgencyFactory()
    row = images.set_agency_seal(
        actor=None, agency=agency, png=images.drawn_seal("A", side=120), key_name="agency:old"
    )
    response = admin_client.post(
        reverse("admin:signatures_agencyseal_change", args=[row.pk]), {"key_name": "agency:new"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.key_name == "agency:new" and bytes(row.png) == images.drawn_seal("A", side=120)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (opaque_png(), "nền trong suốt"),
        (b"%PDF-1.4 not an image", "PNG"),
        (images.drawn_signature("x", size=(3000, 30)), "mỗi chiều"),
    ],
)
def test_an_opaque_or_wrong_image_is_refused_with_a_reason(
    admin_client: Client, data: bytes, message: str
) -> None:
    official = OfficialFactory()
    MembershipFactory(user=official, role=Role.AGENCY_LEADER)
    response = admin_client.post(
        reverse("admin:signatures_signatureimage_add"), {"user": official.pk, "image_file": upload(data)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SignatureImage.objects.exists()


def test_an_agency_administrator_manages_the_images_of_their_agency_only() -> None:
    mine, other = AgencyFactory(), AgencyFactory()
    administrator = OfficialFactory(is_staff=True)
    MembershipFactory(user=administrator, agency=mine, role=Role.ADMINISTRATOR)
    leader = OfficialFactory(full_name="Nguyễn Thị Thu Hà")
    MembershipFactory(user=leader, agency=mine, role=Role.AGENCY_LEADER)
    outsider = OfficialFactory()
    MembershipFactory(user=outsider, agency=other, role=Role.AGENCY_LEADER)
    images.set_agency_seal(
        actor=None, agency=other, png=images.drawn_seal("B", side=120), key_name="agency:b"
    )
    client = signed_in(administrator)

    refused = client.post(
        reverse("admin:signatures_signatureimage_add"),
        {"user": outsider.pk, "image_file": upload(images.drawn_signature("o"))},
    )
    assert refused.status_code == 200 and signature_image_of(outsider) is None
    done = client.post(
        reverse("admin:signatures_signatureimage_add"),
        {"user": leader.pk, "image_file": upload(images.drawn_signature(leader.full_name))},
    )
    assert done.status_code == 302 and signature_image_of(leader) is not None
    event = AuditEvent.objects.get(action="signatures.signature_image_set")
    assert str(event.actor_id) == str(administrator.pk)
    listing = client.get(reverse("admin:signatures_agencyseal_changelist"))
    assert (
        listing.status_code == 200
        and AgencySeal.objects.get(agency=other).key_name not in listing.content.decode()
    )


def test_a_specialist_has_no_access() -> None:
    specialist = OfficialFactory(is_staff=True)
    MembershipFactory(user=specialist, role=Role.SPECIALIST)
    assert signed_in(specialist).get(reverse("admin:signatures_agencyseal_changelist")).status_code == 403


def test_the_services_refuse_someone_who_does_not_manage_the_agency(settings: Any) -> None:
    from django.core.exceptions import PermissionDenied

    agency = AgencyFactory()
    clerk = OfficialFactory()
    MembershipFactory(user=clerk, agency=agency, role=Role.CLERK)
    with pytest.raises(PermissionDenied):
        images.set_agency_seal(actor=clerk, agency=agency, png=images.drawn_seal("C", side=120), key_name="k")
