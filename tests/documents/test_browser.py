"""Issue 5's "Done when" as one story in real Chromium, each page checked with axe-core, signed for
real: a clerk registers a scanned incoming document, the leader assigns it, the specialist of the
office drafts the reply from the structured form, the office's head approves the content, the
clerk checks the form and submits it for signature, the leader signs it on its page with the key
egov holds for them (PIN typed in the browser), the clerk numbers and seals it with the seal's PIN
(``01/STP-VP``) and issues it to another agency of the instance, whose clerk finds it accent-free
("ke hoach chuyen doi so") as incoming with "Chữ ký số hợp lệ".

The keys are the dev PKI's PKCS#12 files (``keys`` / ``sealed_world`` of test_issue_signed.py);
the USB-token agent and the SoftHSM2 seal are issue 6's story (test_done_when_browser.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.csp import CSP
from playwright.sync_api import FilePayload, Page, expect

from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import read_version
from egov.organizations.models import Role
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from tests.documents.conftest import World, member, pdf_bytes
from tests.documents.test_issue_signed import keys, sealed_world  # noqa: F401 - fixtures
from tests.dossiers.browser_support import sign_in_as
from tests.signing_fixtures import PFX_PIN, pdfsig

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("tsa_setting"),
]
NO_AGENT = "http://127.0.0.1:9"  # nothing listens there: this leader signs with the server-held key


def test_incoming_to_reply_issued_to_another_agency(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    settings: Any,
    sealed_world: World,  # noqa: F811 - the fixture
    nss_db: str,
    tmp_path: Any,
) -> None:
    world = sealed_world
    base = live_server.url
    settings.EGOV_SIGNING_AGENT_URL = NO_AGENT
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, NO_AGENT]}
    drafter = member(world.agency, Role.SPECIALIST, world.office, full_name="Hồ Chuyên Viên Văn Phòng")
    office_head = member(world.agency, Role.DIVISION_HEAD, world.office, full_name="Mai Chánh Văn Phòng")

    # The clerk registers the paper document with its scan and submits it to the leader.
    sign_in_as(page, live_server, world.clerk)
    page.goto(base + reverse("documents:incoming_register"))
    assert axe_violations(page) == []
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Cà Mau")
    page.get_by_label("Số, ký hiệu").fill("118/KH-UBND")
    page.get_by_label("Ngày văn bản").fill("2026-11-20")
    page.get_by_label("Loại văn bản").select_option(label="Kế hoạch (KH)")
    page.get_by_label("Trích yếu").fill("Kế hoạch chuyển đổi số năm 2027")
    page.get_by_label("Độ khẩn").select_option(label="Khẩn")
    page.get_by_label("Hạn xử lý").fill("2026-12-20")
    page.get_by_label("Bản quét (PDF)").set_input_files(
        files=[FilePayload(name="scan.pdf", mimeType="application/pdf", buffer=pdf_bytes("Ke hoach 118"))]
    )
    page.get_by_role("button", name="Vào sổ").click()
    expect(page.get_by_role("status")).to_contain_text("Đã vào sổ văn bản đến số 01")
    assert axe_violations(page) == []
    detail_url = page.url
    form = page.get_by_role("form", name="Trình lãnh đạo")
    form.get_by_label("Trình lãnh đạo").select_option(label=world.leader.display_name)
    form.get_by_role("button", name="Trình").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trình lãnh đạo.")

    # The leader gives the office's specialist the lead, with a deadline.
    sign_in_as(page, live_server, world.leader)
    page.goto(base + reverse("documents:home"))
    assert axe_violations(page) == []
    page.goto(detail_url)
    form = page.get_by_role("form", name="Cho ý kiến chỉ đạo, giao xử lý")
    form.get_by_label("Ý kiến chỉ đạo").fill("Giao Văn phòng chủ trì tham mưu trả lời.")
    form.get_by_label("Chủ trì xử lý").select_option(label=drafter.display_name)
    form.get_by_label("Hạn xử lý").fill("2026-12-15")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Giao xử lý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã giao xử lý văn bản.")

    # The specialist finds it in their work and drafts the reply (a công văn) from the form.
    sign_in_as(page, live_server, drafter)
    page.goto(base + reverse("documents:home") + "?tab=to_process")
    page.get_by_role("link", name="118/KH-UBND").click()
    page.get_by_role("link", name="Soạn văn bản trả lời").click()
    expect(
        page.get_by_text("Trả lời văn bản đến 118/KH-UBND của Ủy ban nhân dân tỉnh Cà Mau.")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Trích yếu").fill("Triển khai Kế hoạch chuyển đổi số năm 2027")
    page.get_by_label("Địa danh").fill("Cà Mau")
    expect(page.get_by_label("Kính gửi")).to_have_value("Ủy ban nhân dân tỉnh Cà Mau")
    page.get_by_label("Nội dung").fill(
        "Thực hiện Kế hoạch số 118/KH-UBND, Sở Tư pháp triển khai số hóa hồ sơ hộ tịch.\n"
        "Đề nghị Sở Nội vụ phối hợp bố trí nhân lực."
    )
    page.get_by_role("checkbox", name="Sở Nội vụ").check()
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo dự thảo.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Trình duyệt nội dung").click()
    draft_url = page.url

    # The office's head approves the content; the clerk checks the form and submits for signature.
    sign_in_as(page, live_server, office_head)
    page.goto(draft_url)
    page.get_by_role("button", name="Duyệt nội dung").click()
    expect(page.get_by_role("status")).to_contain_text("Đã duyệt nội dung")
    sign_in_as(page, live_server, world.clerk)
    page.goto(draft_url)
    form = page.get_by_role("form", name="Kiểm tra thể thức và trình ký")
    form.get_by_label("Người ký").select_option(label=world.leader.display_name)
    assert axe_violations(page) == []
    form.get_by_role("button", name="Trình ký").click()
    expect(page.get_by_role("status")).to_contain_text("Đã trình ký.")

    # The leader signs it on its page with their key held by egov, typing the PIN.
    sign_in_as(page, live_server, world.leader)
    page.goto(draft_url)
    panel = page.get_by_role("region", name="Ký bằng khóa ký số lưu trên hệ thống")
    assert axe_violations(page) == []
    panel.get_by_label("Mã PIN").fill(PFX_PIN)
    panel.get_by_role("button", name="Ký số bằng khóa trên hệ thống").click()
    expect(page.locator(".messages")).to_contain_text(": Đã ký")

    # The clerk numbers it, seals it with the seal's PIN and issues it.
    sign_in_as(page, live_server, world.clerk)
    page.goto(draft_url)
    form = page.get_by_role("form", name="Cấp số, đóng dấu số và phát hành")
    form.get_by_label("Mã PIN con dấu số của cơ quan").fill(PFX_PIN)
    assert axe_violations(page) == []
    form.get_by_role("button", name="Cấp số, đóng dấu và phát hành").click()
    expect(page.get_by_role("status")).to_contain_text("Đã phát hành văn bản số 01/STP-VP")
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đi 01/STP-VP")
    assert axe_violations(page) == []

    # The other agency's clerk finds it accent-free among their incoming documents, signatures valid.
    sign_in_as(page, live_server, world.other_clerk)
    page.goto(base + reverse("documents:search") + "?q=ke+hoach+chuyen+doi+so&kind=incoming")
    expect(page.get_by_role("main")).to_contain_text("Kế hoạch chuyển đổi số")
    assert axe_violations(page) == []
    page.get_by_role("link", name="01/STP-VP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến 01/STP-VP")
    expect(page.get_by_text("Chữ ký số hợp lệ", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    # What was issued is the real thing: the signer's signature and the seal, both valid for egov and pdfsig.
    document = OutgoingDocument.objects.get()
    assert document.status == OutgoingStatus.ISSUED and document.in_reply_to is not None
    issued = read_version(document.versions.get(kind=OutgoingVersion.Kind.ISSUED))
    assert (
        IncomingDocument.objects.get(source_outgoing=document).file_sha256
        == document.versions.get(kind=OutgoingVersion.Kind.ISSUED).file_sha256
    )
    report = validate_pdf(issued, anchors=current_anchors())
    assert report.ok and len(report.signatures) == 2, report.as_json()
    checked = pdfsig(issued, nss_db, tmp_path)
    assert len(checked) == 2 and all(c.signature_valid and c.issuer_known for c in checked)
