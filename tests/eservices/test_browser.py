"""A citizen's whole online journey in Chromium on a 360-px phone, every page checked with axe-core.

Issue 4's "done when": signs in through the sandbox identity provider (VNeID's stand-in), finds
the procedure by an unaccented query, applies (a page with an error first), uploads, submits, pays
the fee at the sandbox gateway, is asked for a supplement, fixes it online, downloads the result
and rates the service; then reuses a file from the wallet.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from egov.accounts.models import AssuranceLevel, User
from egov.core.files import DOCUMENTS_AND_IMAGES, check_upload, store
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from egov.payments.models import FeeOrder
from egov.procedures.models import Fee
from tests.accounts import conftest as account_fixtures
from tests.dossiers.conftest import walk
from tests.eservices.conftest import online_world, pdf_bytes
from tests.payments import conftest as payment_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("EGOV_SCREENSHOTS", "")


# The sandbox identity provider and payment gateway, each its own process on a free port.
sandbox_idp = account_fixtures.sandbox_idp
sandbox_process = payment_fixtures.sandbox_process
sandbox = payment_fixtures.sandbox


@pytest.fixture
def providers(settings: Any, sandbox_idp: Any, sandbox: Any, live_server: Any) -> Any:
    """egov signs citizens in through the sandbox provider and takes fees at the sandbox gateway."""
    callback = f"{live_server.url}/accounts/oidc/vneid/callback/"
    client = sandbox_idp.provider.clients[account_fixtures.SANDBOX_CLIENT_ID]
    if callback not in client.redirect_uris:
        client.redirect_uris.append(callback)
    cache.clear()
    settings.EGOV_OIDC_PROVIDERS = {"vneid": account_fixtures.provider_settings(sandbox_idp.issuer)}
    settings.EGOV_PAYMENT_PUBLIC_URL = live_server.url  # where the gateway sends its callback
    yield live_server
    cache.clear()


@pytest.fixture
def check(page: Page, axe_violations: Any) -> Any:
    def run(name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)

    return run


def test_a_citizen_signs_in_applies_pays_supplements_and_takes_the_result_online_on_a_phone(
    page: Page, live_server: Any, providers: Any, check: Any, tmp_path: Path, settings: Any
):
    settings.EGOV_ONLINE_UPLOAD_MAX_BYTES = 4096
    world = online_world()
    Fee.objects.create(procedure=world.procedure, order=1, name="Lệ phí cấp phiếu", amount=200_000)
    page.set_viewport_size({"width": 360, "height": 740})

    # Signs in through the sandbox identity provider and comes back verified.
    page.goto(live_server.url + "/accounts/login/?next=/dich-vu-cong/")
    check("00-sign-in")
    page.get_by_role("link", name="Đăng nhập bằng VNeID (sandbox)").click()
    page.get_by_label("Nguyễn Văn An", exact=False).check()
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tìm dịch vụ công")
    assert User.objects.get(national_id="001090012345").assurance_level == AssuranceLevel.VERIFIED

    page.get_by_label("Tìm thủ tục").fill("cap phieu ly lich tu phap")
    page.get_by_role("button", name="Tìm").click()
    check("01-finder")
    page.get_by_role("link", name="Cấp phiếu lý lịch tư pháp").click()
    check("02-procedure")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    check("03-task-list")

    page.get_by_role("link", name="Tờ khai, phần 1: Mục đích sử dụng").click()
    page.get_by_label("Mục đích sử dụng").fill("Xin việc")
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Nộp")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("alert")).to_contain_text("Hãy nhập “Số điện thoại”")
    check("04-page-error")
    expect(page.get_by_label("Mục đích sử dụng")).to_have_value("Xin việc")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.get_by_label("Bưu chính").check()
    expect(page.get_by_label("Địa chỉ nhận")).to_be_visible()
    page.get_by_label("Bản điện tử").check()
    expect(page.get_by_label("Địa chỉ nhận")).to_be_hidden()
    check("05-page-2")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_text("Chấp nhận tệp PDF, JPG, PNG; dung lượng tối đa 4 KB.")).to_be_visible()
    big = tmp_path / "lon.pdf"
    big.write_bytes(pdf_bytes() + b"%" * 5000)
    page.get_by_label("Chọn tệp: Tờ khai").set_input_files(str(big))
    message = page.get_by_label("Chọn tệp: Tờ khai").evaluate("input => input.validationMessage")
    assert message == "Tệp này vượt quá giới hạn 4 KB."  # refused before sending
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4 broken")
    page.get_by_label("Chọn tệp: Tờ khai").set_input_files(str(broken))
    page.get_by_role("button", name="Tải lên Tờ khai").click()
    expect(page.get_by_role("status")).to_contain_text("hong.pdf")
    good = tmp_path / "to-khai.pdf"
    good.write_bytes(pdf_bytes())
    page.get_by_label("Chọn tệp: Tờ khai").set_input_files(str(good))
    page.get_by_role("button", name="Tải lên Tờ khai").click()
    expect(page.get_by_text("Đã có: to-khai.pdf")).to_be_visible()
    check("06-files")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    check("07-check")
    page.get_by_role("link", name="Thay đổi Mục đích sử dụng").click()
    page.get_by_label("Mục đích sử dụng").fill("Bổ túc hồ sơ xin việc")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_text("Bổ túc hồ sơ xin việc")).to_be_visible()  # back on the check page
    page.get_by_label(text="Tôi xin cam đoan", exact=False).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    check("08-confirmation")
    dossier = Dossier.objects.get()
    expect(page.get_by_text(dossier.code)).to_be_visible()

    # Pays the fee at the sandbox gateway; egov believes its signed callback.
    fee = page.get_by_role("region", name="Phí, lệ phí cần nộp").get_by_role("listitem")
    expect(fee).to_contain_text("Lệ phí cấp phiếu: 200.000 đ")
    fee.get_by_role("link", name="Nộp trực tuyến").click()
    check("08a-pay")
    page.get_by_role("button", name="Thanh toán trực tuyến 200.000 đ").click()
    expect(page.get_by_text("Cổng thanh toán THỬ NGHIỆM (sandbox)")).to_be_visible()
    page.get_by_role("button", name="Thanh toán 200.000 đ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán thành công")
    check("08b-paid")
    assert FeeOrder.objects.get().is_settled

    walk(world, dossier, "request_supplement")
    page.goto(live_server.url + "/dich-vu-cong/cua-toi/")
    check("09-mine")
    page.get_by_role("link", name=dossier.code).click()
    expect(page.get_by_role("region", name="Phí, lệ phí cần nộp")).to_have_count(0)  # paid
    expect(page.get_by_text("Bản sao căn cước")).to_be_visible()
    check("10-dossier-supplement")
    page.get_by_role("link", name="Bổ sung trực tuyến").click()
    check("11-supplement")
    page.get_by_label("Chọn tệp").set_input_files(str(good))
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_role("status")).to_contain_text("Đã gửi giấy tờ bổ sung")
    assert Dossier.objects.get().status == Status.SUBMITTED

    dossier = walk(world, Dossier.objects.get(), "accept", "start_processing")
    content = pdf_bytes()
    checked = check_upload(content, allowed=DOCUMENTS_AND_IMAGES, max_bytes=10**6, name="ket-qua.pdf")
    dossier_services.finish(
        dossier=dossier, leader=world.leader, result_file=store(checked, content, folder="results")
    )
    page.reload()
    check("12-result")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert Dossier.objects.get().status == Status.RETURNED
    page.reload()
    page.get_by_label("Rất hài lòng").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn")
    check("13-rated")

    page.goto(live_server.url + "/dich-vu-cong/kho-du-lieu/")
    expect(page.get_by_role("cell", name="to-khai.pdf", exact=False).first).to_be_visible()
    check("14-wallet")
    page.goto(live_server.url + f"/dich-vu-cong/thu-tuc/{world.procedure.code}/")
    page.get_by_role("button", name="Nộp trực tuyến").click()
    page.get_by_role("link", name="Tải lên giấy tờ").click()
    page.locator("summary", has_text="Dùng lại giấy tờ đã có trong kho dữ liệu cho Tờ khai").click()
    page.get_by_role("button", name="Dùng “Tờ khai” (to-khai.pdf", exact=False).first.click()
    expect(page.get_by_text("dùng lại từ kho dữ liệu")).to_be_visible()
    check("15-reuse")
