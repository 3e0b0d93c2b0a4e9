"""Reads of the online services, scoped by the citizen.

The catalogue is public (no actor); drafts and the wallet belong to one account; dossiers are
``dossiers.selectors.visible_dossiers(user)``: those the account submitted, those received at
the desk for the account's *verified* personal ID number, and those of the organisations (tax
codes) the account is authorised to act for now (submitted online by any of their
representatives, or received at the desk).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from egov.accounts.models import User
from egov.dossiers.models import Dossier, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.selectors import visible_dossiers
from egov.eservices import rules
from egov.eservices.models import ApplicationDraft, DraftFile, WalletItem
from egov.organizations.models import Agency
from egov.procedures.models import Field, FormSchema, OnlineLevel, Procedure


@dataclass(frozen=True)
class Filters:
    query: str = ""
    field: str = ""  # Field.code
    agency: int | None = None
    level: str = ""
    online_level: str = ""


def find_procedures(filters: Filters, *, limit: int = 50) -> list[Procedure]:
    """Procedures in force matching the filters and the query, best match first (2 queries).

    The filters narrow the rows in the database; the query is scored in Python over folded names
    (``rules.rank``), the same on SQLite and PostgreSQL.
    """
    rows = Procedure.objects.filter(is_active=True)
    if filters.field:
        rows = rows.filter(field__code=filters.field)
    if filters.agency:
        rows = rows.filter(offered_by=filters.agency)
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.online_level:
        rows = rows.filter(online_level=filters.online_level)
    if filters.query.strip():
        candidates = [
            rules.Candidate(pk, code, name) for pk, code, name in rows.values_list("pk", "code", "name")
        ]
        order = rules.rank(filters.query, candidates, limit=limit)
        found = {p.pk: p for p in Procedure.objects.filter(pk__in=order).select_related("field")}
        return [found[pk] for pk in order if pk in found]
    return list(rows.select_related("field").order_by("field__name", "name")[:limit])


def finder_fields() -> QuerySet[Field]:
    return Field.objects.filter(procedures__is_active=True).distinct().order_by("name")


def finder_agencies() -> QuerySet[Agency]:
    return (
        Agency.objects.filter(is_active=True, offered_procedures__is_active=True).distinct().order_by("name")
    )


def online_procedure(code: str) -> Procedure | None:
    return Procedure.objects.filter(code=code, is_active=True).exclude(online_level=OnlineLevel.NONE).first()


# --- Drafts and dossiers of the signed-in citizen ----------------------------------------------


def my_drafts(user: User) -> QuerySet[ApplicationDraft]:
    return (
        ApplicationDraft.objects.filter(user=user, dossier__isnull=True)
        .select_related("procedure", "agency")
        .order_by("-updated_at")
    )


def my_draft(user: User, public_id: uuid.UUID) -> ApplicationDraft | None:
    """The citizen's own draft (submitted or not), with its procedure, schema and files."""
    return (
        ApplicationDraft.objects.filter(user=user, public_id=public_id)
        .select_related("procedure__field", "agency", "form_schema")
        .prefetch_related(
            "procedure__documents",
            "procedure__fees",
            Prefetch("files", queryset=DraftFile.objects.select_related("required_document", "reused_from")),
            Prefetch(
                "procedure__form_schemas",
                queryset=FormSchema.objects.filter(is_current=True),
                to_attr="current_schemas",  # read by procedures.selectors.current_form_schema
            ),
        )
        .first()
    )


def _applicants_own(user: User) -> QuerySet[Dossier]:
    # An official's visible dossiers are the agency's work, not their own applications.
    return Dossier.objects.none() if user.is_official else visible_dossiers(user)


def my_dossiers(user: User) -> QuerySet[Dossier]:
    return (
        _applicants_own(user)
        .select_related("procedure", "agency", "applicant")
        .order_by("-submitted_at", "-pk")
    )


def my_dossier(user: User, code: str) -> Dossier | None:
    return (
        _applicants_own(user)
        .select_related("procedure", "agency", "applicant", "result", "rating")
        .prefetch_related("documents")
        .filter(code=code)
        .first()
    )


def supplement_request(dossier: Dossier) -> StatusChange | None:
    """The officer's last supplement request (reason in ``note``, list in ``details["missing"]``)."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    return dossier.status_changes.filter(target=Status.SUPPLEMENT_REQUESTED).order_by("-at", "-pk").first()


def wallet(user: User) -> QuerySet[WalletItem]:
    return WalletItem.objects.filter(user=user).order_by("-added_at", "-pk")
