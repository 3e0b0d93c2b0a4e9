"""The official's dossier tabs in real Chromium: the capped "all" tab says so, axe-clean, 360 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from egov.dossiers.rules import Status
from egov.workspace import selectors as workspace_selectors
from tests.dossiers.browser_support import sign_in_as
from tests.dossiers.conftest import build_world, dossier_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_all_tab_shows_its_limit_and_the_late_tab_its_rows(
    page: Page, live_server: Any, axe_violations: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(workspace_selectors, "ALL_TAB_LIMIT", 2)  # the live server runs in this process
    world = build_world()
    for _ in range(3):
        dossier_in(world, Status.IN_PROGRESS, True)
    sign_in_as(page, live_server, world.specialist)
    page.goto(live_server.url + "/workspace/dossiers/?tab=all")
    tabs = page.get_by_role("navigation", name="Danh sách hồ sơ")
    expect(tabs.get_by_role("link", name="Tất cả hơn 2")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Danh sách chỉ gồm 2 hồ sơ tiếp nhận gần đây nhất.", exact=False)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)  # header + 2
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tabs.get_by_role("link", name="Việc của tôi", exact=False).click()
    expect(page.get_by_text("gần đây nhất", exact=False)).to_have_count(0)
    assert axe_violations(page) == []
