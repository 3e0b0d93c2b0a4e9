"""Small builders for organisation tests (plain ORM: tests never depend on seed_demo's data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from egov.organizations.models import Agency, Membership, Role


@pytest.fixture
def province_committee(db: Any) -> Agency:
    return Agency.objects.create(
        code="000.00.00.H49",
        name="Ủy ban nhân dân tỉnh Quảng Ninh",
        abbreviation="UBND",
        kind=Agency.Kind.COMMITTEE,
    )


@pytest.fixture
def department(province_committee: Agency) -> Agency:
    return Agency.objects.create(
        code="000.00.12.H49",
        name="Sở Tư pháp",
        abbreviation="STP",
        kind=Agency.Kind.DEPARTMENT,
        parent=province_committee,
    )


@pytest.fixture
def make_official(db: Any) -> Callable[..., Any]:
    """``make_official("qt", agency, Role.ADMINISTRATOR)``: an official with one membership (or none)."""

    def make(username: str, agency: Agency | None = None, role: str = Role.SPECIALIST, **fields: Any) -> Any:
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.vn", is_official=True, **fields
        )
        if agency is not None:
            Membership.objects.create(user=user, agency=agency, role=role)
        return user

    return make


@pytest.fixture
def citizen(db: Any) -> Any:
    return get_user_model().objects.create_user(username="congdan", email="congdan@example.vn")
