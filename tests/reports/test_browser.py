"""A leader opens the dossier tabs and the statistics on a 360-px phone, in real Chromium (axe clean)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from egov.core import clock
from egov.dossiers.rules import Status
from tests.dossiers.conftest import build_world, dossier_in, local
from tests.workspace.test_dossier_lists import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page: Page, axe_violations: Any) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert axe_violations(page) == []
    # The page itself never scrolls sideways; wide tables scroll inside their own region.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_leader_opens_the_tabs_and_the_statistics_on_a_phone(
    page: Page, live_server: Any, axe_violations: Any
):
    world = build_world()
    with clock.frozen(local(2026, 3, 2, 9, 0)):
        late = dossier_in(world, Status.IN_PROGRESS, True)
        dossier_in(world, Status.RETURNED, True)
    client = signed_in(world.leader)
    page.set_viewport_size({"width": 360, "height": 780})
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    with clock.frozen_everywhere(local(2026, 3, 20, 9, 0)):
        page.goto(f"{live_server.url}/workspace/dossiers/")
        check(page, axe_violations)
        tabs = page.get_by_role("navigation", name="Danh sách hồ sơ")
        tabs.get_by_role("link", name=re.compile(r"^Quá hạn")).click()
        expect(tabs.get_by_role("link", name=re.compile(r"^Quá hạn"))).to_have_attribute(
            "aria-current", "page"
        )
        expect(page.get_by_role("link", name=late.code)).to_be_visible()
        check(page, axe_violations)
        page.get_by_text("Lọc hồ sơ").click()
        page.get_by_label("Trạng thái").select_option(label="Đã trả kết quả")
        page.get_by_role("button", name="Lọc").click()
        expect(page.get_by_role("cell", name="Không có hồ sơ nào.")).to_be_visible()
        check(page, axe_violations)

        page.get_by_role("link", name="Thống kê").click()
        page.get_by_label("Từ ngày").fill("2026-03-01")
        page.get_by_label("Đến ngày").fill("2026-03-31")
        page.get_by_role("button", name="Xem thống kê").click()
        table = page.get_by_role("table", name="Số hồ sơ theo cơ quan và thủ tục")
        expect(table.get_by_role("rowheader", name="Tổng cộng")).to_be_visible()
        check(page, axe_violations)
        page.screenshot(path=str(settings.VAR_DIR.parent / "statistics.png"), full_page=True)
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải về tệp Excel").click()
        assert download.value.suggested_filename == "thong-ke-20260301-20260331.xlsx"
