"""Trust anchors are data an administrator uploads; nothing is trusted by default."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.models import AuditEvent
from egov.organizations.models import Role
from egov.signatures.models import TrustedCertificate
from egov.signatures.trust import add_trusted_certificate, current_anchors, set_certificate_active
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = TrustedCertificate.Kind.ROOT
INTERMEDIATE = TrustedCertificate.Kind.INTERMEDIATE


@pytest.fixture
def administrator():
    return MembershipFactory(role=Role.ADMINISTRATOR).user


def test_nothing_is_trusted_until_an_administrator_uploads_a_root():
    assert current_anchors().roots == ()


def test_an_administrator_adds_a_pem_root_and_it_is_used(administrator, pki_files, dev_pki):
    row = add_trusted_certificate(actor=administrator, data=pki_files["root.pem"].read_bytes(), kind=ROOT)
    assert "Egov Thử nghiệm" in row.subject
    assert [c.dump() for c in current_anchors().roots] == [dev_pki.cert_der("root")]
    assert AuditEvent.objects.filter(action="signatures.trust_add").count() == 1


def test_a_deactivated_root_is_no_longer_trusted(administrator, dev_pki):
    row = add_trusted_certificate(actor=administrator, data=dev_pki.cert_der("root"), kind=ROOT)
    set_certificate_active(actor=administrator, certificate=row, active=False)
    assert current_anchors().roots == ()
    assert AuditEvent.objects.filter(action="signatures.trust_deactivate").exists()


@pytest.mark.parametrize(
    ("label", "kind", "message"),
    [("official", INTERMEDIATE, "không phải của tổ chức cấp"), ("ica", ROOT, "tự ký")],
)
def test_leaf_certificates_and_non_self_signed_roots_are_refused(
    administrator, dev_pki, label, kind, message
):
    with pytest.raises(ValidationError, match=message):
        add_trusted_certificate(actor=administrator, data=dev_pki.cert_der(label), kind=kind)


def test_garbage_and_duplicates_are_refused(administrator, dev_pki):
    with pytest.raises(ValidationError, match=r"X\.509"):
        add_trusted_certificate(actor=administrator, data=b"-----BEGIN CERTIFICATE-----\nabc\n", kind=ROOT)
    add_trusted_certificate(actor=administrator, data=dev_pki.cert_der("root"), kind=ROOT)
    with pytest.raises(ValidationError, match="đã có"):
        add_trusted_certificate(actor=administrator, data=dev_pki.cert_der("root"), kind=ROOT)


def test_other_officials_cannot_manage_trust(dev_pki):
    clerk = MembershipFactory(role=Role.CLERK).user
    with pytest.raises(PermissionDenied):
        add_trusted_certificate(actor=clerk, data=dev_pki.cert_der("root"), kind=ROOT)


def test_the_admin_upload_form_creates_the_row(client, pki_files):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        "/admin/signatures/trustedcertificate/add/",
        {
            "kind": "root",
            "note": "CA gốc thử",
            "certificate_file": SimpleUploadedFile("root.pem", pki_files["root.pem"].read_bytes()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TrustedCertificate.objects.filter(kind="root", note="CA gốc thử").exists()


def test_the_admin_form_shows_why_a_certificate_is_refused(client, dev_pki):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        "/admin/signatures/trustedcertificate/add/",
        {"kind": "root", "certificate_file": SimpleUploadedFile("leaf.der", dev_pki.cert_der("official"))},
    )
    assert response.status_code == 200
    assert "không phải của tổ chức cấp chứng thư" in response.content.decode()
    assert not TrustedCertificate.objects.exists()
