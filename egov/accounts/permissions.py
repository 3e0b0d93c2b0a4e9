"""The table of permissions per role. Later apps add their permissions here, in one place.

A permission is ``"<app>.<verb>"``; it is granted per agency through a role (a Membership).
Citizens act for themselves only and hold none of these.
"""

from __future__ import annotations

from egov.organizations.models import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ONE_STOP_OFFICER: frozenset(
        {
            "organizations.view_agency",
            "accounts.view_colleagues",
            "dossiers.receive",
            "dossiers.return_result",
            "accounts.record_authorisation",
            "payments.order",
            "payments.refund",
        }
    ),
    Role.SPECIALIST: frozenset(
        {
            "organizations.view_agency",
            "accounts.view_colleagues",
            "dossiers.process",
            "documents.draft",
            "documents.process",
            "payments.order",
        }
    ),
    Role.DIVISION_HEAD: frozenset(
        {
            "organizations.view_agency",
            "accounts.view_colleagues",
            "dossiers.process",
            "dossiers.assign",
            "documents.draft",
            "payments.order",
            "documents.review",
            "documents.assign",
            "documents.process",
        }
    ),
    Role.AGENCY_LEADER: frozenset(
        {
            "organizations.view_agency",
            "accounts.view_colleagues",
            "dossiers.approve",
            "dossiers.assign",
            "documents.instruct",
            "documents.sign",
            "documents.process",
            "reports.view",
            "payments.refund",
            "payments.reconcile",
        }
    ),
    Role.CLERK: frozenset(
        {"organizations.view_agency", "accounts.view_colleagues", "documents.register", "documents.issue"}
    ),
    Role.EDITOR: frozenset({"organizations.view_agency", "portal.edit"}),
    Role.ADMINISTRATOR: frozenset(
        {
            "organizations.view_agency",
            "organizations.manage",
            "accounts.view_colleagues",
            "accounts.manage_officials",
            "accounts.record_authorisation",
            "core.manage_calendar",
            "core.view_audit",
            "procedures.manage",
            "payments.reconcile",
            "documents.manage_registers",
            "signatures.manage_trust",
        }
    ),
}

ALL_PERMISSIONS: frozenset[str] = frozenset().union(*ROLE_PERMISSIONS.values())


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
