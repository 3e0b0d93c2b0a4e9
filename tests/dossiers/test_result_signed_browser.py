"""The signed result in Chromium: the specialist drafts the result document from the dossier's
page; once it is signed and issued (documents services), the citizen downloads the signed PDF from
"my dossier" and follows the verification link to the page its QR code opens. Every page is
checked with axe-core."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.accounts.models import AssuranceLevel
from egov.documents.models import OutgoingDocument
from egov.documents.services import current_pdf
from egov.dossiers.models import DossierResult
from egov.dossiers.rules import Status
from tests.dossiers.browser_support import open_action, sign_in_as
from tests.dossiers.conftest import APPLICANT_ID, World, dossier_in
from tests.dossiers.test_result_signed import (  # noqa: F401 - fixtures
    issue,
    keys,
    prepare_signing,
    render_pdf,
    sign,
    stored_bytes,
    submit_to_leader,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("tsa_setting"),
]


def test_the_citizen_downloads_the_signed_result_and_verifies_it(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    world: World,
    keys: None,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    clerk = prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)

    def check(on: Page = page) -> None:
        expect(on.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(on) == []

    # The specialist drafts the result document from the dossier's page, at its last step.
    sign_in_as(page, live_server, world.specialist)
    page.goto(live_server.url + reverse("dossiers:detail", args=[dossier.pk]))
    form = open_action(page, "Dự thảo văn bản kết quả")
    expect(form.get_by_label("Trích yếu")).to_have_value(
        f"Cấp phiếu lý lịch tư pháp cho Nguyễn Thị Nộp (hồ sơ {dossier.code})"
    )
    form.get_by_label("Tệp dự thảo (PDF hoặc DOCX)").set_input_files(
        files=[{"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": render_pdf(1)}]
    )
    check()
    form.get_by_role("button", name="Dự thảo văn bản kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo dự thảo văn bản kết quả")
    result_section = page.get_by_role("region", name="Kết quả giải quyết")
    expect(result_section).to_contain_text("Dự thảo")
    expect(result_section.get_by_role("link", name="Mở văn bản")).to_be_visible()
    check()

    # Reviewed, signed by the leader, numbered and sealed by the clerk (documents services).
    document = OutgoingDocument.objects.get(origin=f"dossiers:{dossier.code}")
    submit_to_leader(world, clerk, document)
    sign(world, document)
    issued = issue(clerk, document)
    version = current_pdf(issued)
    assert version is not None
    expected = stored_bytes(version.file_name)
    assert DossierResult.objects.get(dossier=dossier).file_sha256 == version.file_sha256

    # The citizen's "my dossier": the result, and where to verify it.
    citizen = UserFactory(national_id=APPLICANT_ID, assurance_level=AssuranceLevel.VERIFIED)
    sign_in_as(page, live_server, citizen)
    page.goto(live_server.url + reverse("eservices:mine"))
    page.get_by_role("link", name=dossier.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp phiếu lý lịch tư pháp")
    result = page.get_by_role("region", name="Kết quả giải quyết")
    expect(result).to_contain_text("Văn bản điện tử có chữ ký số — kiểm tra tại")
    check()
    with page.expect_download() as download_info:
        result.get_by_role("link", name="Tải kết quả").click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded == expected  # the issued, signed and sealed PDF, byte for byte

    # The verification link opens the page the QR code opens: the same SHA-256, and the file matches.
    page.reload()
    expect(page.get_by_role("region", name="Kết quả giải quyết")).to_contain_text("kiểm tra tại")
    page.get_by_role("link", name="/ky-so/x/").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực văn bản điện tử")
    expect(page.get_by_text(hashlib.sha256(downloaded).hexdigest()).first).to_be_visible()
    expect(page.get_by_text(issued.notation).first).to_be_visible()
    check()
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(downloaded)
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("status")).to_contain_text("trùng khớp từng byte")
    check()
