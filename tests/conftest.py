"""Fixtures shared by the whole suite: database helpers and the real-Chromium browser setup."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM = os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")

# Django's live_server runs in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip, with the reason, what this machine cannot run; CI requires the browser (see .ci/run)."""
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    browser_missing = not Path(CHROMIUM).exists()
    if browser_missing and os.environ.get("EGOV_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: install requirements/debian.txt")
    skip_browser = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip_postgres)
        if "browser" in item.keywords and browser_missing:
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def private_var_dir(settings: Any, tmp_path: Path) -> None:
    """Uploads, the SMS outbox and other files a test writes go to its own folder, not ./var."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fresh_working_calendar() -> Iterator[None]:
    """A rolled-back test transaction sends no signal: drop the cached calendar around each test."""
    from egov.core import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser; flags that keep it off the closed network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def axe_violations() -> Iterator[Any]:
    """``axe_violations(page)`` runs axe-core on the page and returns serious/critical violations."""

    def run(page: Any) -> list[dict[str, Any]]:
        if not AXE_SCRIPT.exists():
            pytest.fail("axe-core is missing: run `npm ci` (make test does)")
        # Evaluated through the DevTools protocol, so egov's CSP (no inline scripts) stays on.
        page.evaluate(AXE_SCRIPT.read_text())
        result = page.evaluate("async (tags) => await axe.run(document, {runOnly: tags})", AXE_RULE_TAGS)
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]],
            }
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    yield run


# The signing fixtures, registered once for the whole suite (see tests/signing_fixtures.py): lazy,
# only a test that asks for one starts the dev PKI or loads a SoftHSM2 token.
from tests.signing_fixtures import (  # noqa: E402, F401
    agency_p12_key,
    csc_sandbox,
    dev_pki,
    dev_pki_server,
    draft_pdf,
    empty_nss_db,
    nss_db,
    official_key,
    pki_files,
    policy,
    seal_png,
    signature_png,
    softhsm_key,
    trusted_root,
    tsa_setting,
)
