"""Signing tests: the suite-wide signing fixtures (tests/signing_fixtures.py) with the dev PKI's
timestamp server for every test here, and a leader and a clerk of one agency."""

from __future__ import annotations

from typing import Any

import pytest

from egov.organizations.models import Role
from tests.factories import AgencyFactory, MembershipFactory
from tests.signing_fixtures import (  # noqa: F401 - helpers the test modules import from here
    LAYOUT,
    PFX_PIN,
    SOFTHSM_MODULE,
    TOKEN_LABEL,
    TOKEN_PIN,
    PdfsigSignature,
    issue_document,
    pdfsig,
    png,
    render_pdf,
)


@pytest.fixture(autouse=True)
def _timestamps_from_the_dev_pki(tsa_setting: None) -> None:
    """Every signing test timestamps with the dev PKI's TSA."""


@pytest.fixture
def leader(db: Any) -> Any:
    agency = AgencyFactory(name="Ủy ban nhân dân tỉnh Thử Nghiệm")
    return MembershipFactory(role=Role.AGENCY_LEADER, agency=agency)


@pytest.fixture
def clerk(leader: Any) -> Any:
    return MembershipFactory(role=Role.CLERK, agency=leader.agency)
