"""The public verification page (no sign-in) and the upload check."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.signatures import pades, services
from tests.signatures.conftest import LAYOUT, PFX_PIN, issue_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # the upload rate counter lives there


@pytest.fixture
def issued(
    leader, clerk, draft_pdf, official_key, agency_p12_key, signature_png, seal_png, trusted_root
) -> tuple[Any, bytes]:
    frozen, _signed, sealed = issue_document(
        leader=leader,
        clerk=clerk,
        pdf=draft_pdf,
        official_key=official_key,
        signature_image=signature_png,
        agency_key=agency_p12_key,
        agency_pin=PFX_PIN,
        seal_image=seal_png,
        number_notation="Số: 07/QĐ-UBND",
        date_text="ngày 26/02/2027",
    )
    row = services.register_issued_file(
        actor=clerk.user,
        agency=clerk.agency,
        token=frozen.issued_file.token,
        pdf=sealed,
        number_notation="07/QĐ-UBND",
    )
    return row, sealed


def test_the_qr_page_shows_the_hash_and_valid_signatures_without_login(
    client, issued, django_assert_max_num_queries
):
    row, _pdf = issued
    with django_assert_max_num_queries(3):
        response = client.get(reverse("signatures:verify", args=[row.token]))
    body = response.content.decode()
    assert response.status_code == 200
    assert row.sha256 in body and "07/QĐ-UBND" in body
    assert "Tất cả chữ ký số hợp lệ." in body and "Nguyễn Văn Đức" in body
    assert 'name="robots" content="noindex"' in body


def test_uploading_the_same_file_says_it_matches(client, issued):
    row, pdf = issued
    response = client.post(
        reverse("signatures:verify", args=[row.token]), {"file": SimpleUploadedFile("vb.pdf", pdf)}
    )
    assert "trùng khớp từng byte" in response.content.decode()


def test_uploading_another_file_says_it_differs(client, issued, draft_pdf):
    row, _pdf = issued
    response = client.post(
        reverse("signatures:verify", args=[row.token]), {"file": SimpleUploadedFile("vb.pdf", draft_pdf)}
    )
    body = response.content.decode()
    assert "KHÔNG trùng" in body and "Tệp không có chữ ký số." in body


def test_a_non_pdf_upload_is_refused_by_content(client, issued):
    row, _pdf = issued
    response = client.post(
        reverse("signatures:verify", args=[row.token]),
        {"file": SimpleUploadedFile("vb.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 400
    assert "vb.pdf" in response.content.decode()


def test_uploads_are_rate_limited_per_address(client, issued, settings):
    settings.EGOV_VERIFY_UPLOADS_PER_HOUR = 2
    _row, pdf = issued
    url = reverse("signatures:check")
    statuses = [client.post(url, {"file": SimpleUploadedFile("vb.pdf", pdf)}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_uploads_are_not_stored(client, issued, settings, tmp_path):
    _row, pdf = issued
    before = sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    client.post(reverse("signatures:check"), {"file": SimpleUploadedFile("vb.pdf", pdf)})
    assert sorted(p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == before


def test_the_check_page_finds_the_issued_document_by_hash(client, issued):
    row, pdf = issued
    response = client.post(reverse("signatures:check"), {"file": SimpleUploadedFile("vb.pdf", pdf)})
    assert reverse("signatures:verify", args=[row.token]) in response.content.decode()


def test_an_unknown_token_is_a_404(client, db):
    assert client.get(reverse("signatures:verify", args=["khongtontai"])).status_code == 404


def test_the_json_projection(client, issued):
    row, _pdf = issued
    data = client.get(reverse("signatures:verify_json", args=[row.token])).json()
    assert data["sha256"] == row.sha256 and data["report"]["ok"] is True
    assert [s["field_name"] for s in data["report"]["signatures"]] == [pades.SIGNER_FIELD, pades.AGENCY_FIELD]


def test_a_frozen_but_not_issued_document_says_so(client, leader, draft_pdf):
    frozen = services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT)
    response = client.get(reverse("signatures:verify", args=[frozen.issued_file.token]))
    assert "Văn bản chưa được ban hành." in response.content.decode()


@pytest.mark.browser
def test_the_verification_page_is_accessible(live_server, page, issued, axe_violations, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    row, pdf = issued
    page.goto(live_server.url + reverse("signatures:verify", args=[row.token]))
    assert page.get_by_role("heading", name="Xác thực văn bản điện tử").is_visible()
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(
        files=[{"name": "vb.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    assert page.get_by_text("trùng khớp từng byte").is_visible()
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
