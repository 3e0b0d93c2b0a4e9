"""Signing in real Chromium: a leader selects three documents awaiting their signature and signs
them in one go through the real signing agent on a SoftHSM2 token (one PIN entry, on the agent's
side), sees the progress and three "Đã ký" results; the clerk places the signature on an uploaded
draft by clicking its page preview. Each page checked with axe-core; every signed file with pdfsig."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.csp import CSP
from playwright.sync_api import Page, expect

from egov.documents.models import OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import read_version
from egov.signatures import pades
from tests.documents.conftest import build_world
from tests.documents.signing_support import (
    PFX_PIN,
    awaiting,
    configure_server_key,
    give_signature_image,
    pdfsig,
    uploaded_in_format_review,
)
from tests.dossiers.browser_support import sign_in_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("signing_settings"),
]


def test_a_leader_batch_signs_three_documents_with_the_usb_token(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    settings: Any,
    agent_factory: Any,
    signature_png: bytes,
    trusted_root: Any,
    nss_db: str,
    tmp_path: Any,
) -> None:
    world = build_world()
    give_signature_image(world.leader, signature_png)
    documents = awaiting(world, 3)
    agent = agent_factory(live_server.url)  # the agent allows egov's origin only
    settings.EGOV_SIGNING_AGENT_URL = agent.url
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, agent.url]}

    sign_in_as(page, live_server, world.leader)
    page.goto(live_server.url + reverse("documents:signing_list"))
    panel = page.get_by_role("region", name="Ký bằng USB token (chứng thư số cá nhân)")
    expect(panel.get_by_role("status")).to_contain_text("Đã kết nối USB token")
    expect(panel.get_by_label("Chứng thư số dùng để ký")).to_contain_text("CN=")
    assert axe_violations(page) == []

    page.get_by_role("checkbox", name="Chọn tất cả văn bản trên trang").check()
    for document in documents:
        expect(page.get_by_role("checkbox", name=document.summary)).to_be_checked()
    panel.get_by_role("button", name="Ký số bằng USB token").click()

    expect(panel.get_by_role("status")).to_contain_text("Hoàn tất: đã ký 3/3 văn bản.", timeout=60_000)
    expect(panel.get_by_text("Đã xử lý 3/3 văn bản")).to_be_visible()
    expect(panel.get_by_role("progressbar", name="Tiến độ ký")).to_have_attribute("value", "3")
    results = panel.get_by_role("listitem")
    expect(results).to_have_count(3)
    for index in range(3):
        expect(results.nth(index)).to_contain_text(": Đã ký")
    assert axe_violations(page) == []

    for document in OutgoingDocument.objects.filter(pk__in=[d.pk for d in documents]):
        assert document.status == OutgoingStatus.SIGNED
        signed = read_version(document.versions.get(kind=OutgoingVersion.Kind.SIGNED))
        checked, _agency_field = pdfsig(signed, nss_db, tmp_path)
        assert checked.field == pades.SIGNER_FIELD and checked.signature_valid and checked.issuer_known
    page.reload()
    expect(page.get_by_text("Không có văn bản nào chờ bạn ký.")).to_be_visible()


def test_without_the_agent_the_page_says_what_to_do(
    page: Page, live_server: Any, axe_violations: Any, settings: Any, signature_png: bytes
) -> None:
    world = build_world()
    give_signature_image(world.leader, signature_png)
    awaiting(world, 1)
    settings.EGOV_SIGNING_AGENT_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, "http://127.0.0.1:9"]}
    sign_in_as(page, live_server, world.leader)
    page.goto(live_server.url + reverse("documents:signing_list"))
    panel = page.get_by_role("region", name="Ký bằng USB token (chứng thư số cá nhân)")
    expect(panel.get_by_role("status")).to_contain_text("Không kết nối được trình ký số")
    expect(panel.get_by_role("button", name="Kiểm tra lại trình ký số")).to_be_visible()
    expect(panel.get_by_role("button", name="Ký số bằng USB token")).to_be_disabled()
    assert axe_violations(page) == []


def test_the_clerk_places_the_signature_by_clicking_the_page_preview(
    page: Page, live_server: Any, axe_violations: Any
) -> None:
    world = build_world()
    document = uploaded_in_format_review(world)

    sign_in_as(page, live_server, world.clerk)
    page.goto(live_server.url + reverse("documents:outgoing_detail", args=[document.pk]))
    picker = page.get_by_role("region", name="Vị trí chữ ký, số và ngày trên văn bản")
    expect(picker).to_contain_text("vị trí mặc định")
    image = picker.get_by_role("img", name="Ảnh trang 1 của dự thảo")
    expect(image).to_be_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert axe_violations(page) == []

    picker.get_by_role("radio", name="Chữ ký của người ký").check()
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.75})
    signer = picker.get_by_role("group", name="Chữ ký của người ký")
    expect(signer.get_by_label("Chữ ký của người ký: trang")).to_have_value("1")
    left = float(signer.get_by_label("Chữ ký của người ký: cách mép trái (mm)").input_value())
    top = float(signer.get_by_label("Chữ ký của người ký: cách mép trên (mm)").input_value())
    assert abs(left - 105) < 3 and abs(top - 222.75) < 3  # A4: 210 x 297 mm
    # The keyboard way: type the date's position.
    date = picker.get_by_role("group", name="Ngày ban hành")
    date.get_by_label("Ngày ban hành: cách mép trên (mm)").fill("35")
    picker.get_by_role("button", name="Lưu vị trí").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu vị trí chữ ký, số và ngày.")
    assert axe_violations(page) == []

    document.refresh_from_db()
    x1, _y1, x2, _y2 = document.signature_placement["signer"]["box"]
    assert document.signature_placement["signer"]["page"] == 0
    assert abs((x1 + x2) / 2 - left * 72 / 25.4) < 1
    date_box = document.signature_placement["date"]["box"]
    assert abs(841.89 - (date_box[1] + date_box[3]) / 2 - 35 * 72 / 25.4) < 1


def test_the_leader_signs_one_document_from_its_page_with_the_key_on_the_server(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    settings: Any,
    pki_files: Any,
    signature_png: bytes,
    trusted_root: Any,
    nss_db: str,
    tmp_path: Any,
) -> None:
    world = build_world()
    give_signature_image(world.leader, signature_png)
    configure_server_key(settings, world.leader, pki_files)  # how the demo signs without a token
    (document,) = awaiting(world, 1)
    settings.EGOV_SIGNING_AGENT_URL = "http://127.0.0.1:9"  # no agent on this computer
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, "http://127.0.0.1:9"]}

    sign_in_as(page, live_server, world.leader)
    page.goto(live_server.url + reverse("documents:outgoing_detail", args=[document.pk]))
    panel = page.get_by_role("region", name="Ký bằng khóa ký số lưu trên hệ thống")
    expect(page.get_by_role("region", name="Ký bằng USB token (chứng thư số cá nhân)")).to_contain_text(
        "Không kết nối được trình ký số"
    )
    assert axe_violations(page) == []
    panel.get_by_label("Mã PIN").fill(PFX_PIN)
    panel.get_by_role("button", name="Ký số bằng khóa trên hệ thống").click()
    expect(page.locator(".messages")).to_contain_text(": Đã ký")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []

    document.refresh_from_db()
    assert document.status == OutgoingStatus.SIGNED
    checked, _agency_field = pdfsig(
        read_version(document.versions.get(kind=OutgoingVersion.Kind.SIGNED)), nss_db, tmp_path
    )
    assert checked.signature_valid and checked.issuer_known
