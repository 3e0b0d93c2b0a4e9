"""Reads of documents, always scoped by the actor (``accounts.scope``).

Who sees an incoming document: the agency's clerks and leaders (all but secret ones), the people
assigned to it, the members of a unit assigned to it (not secret ones), the clerk who registered it
and the leader it was submitted to. Secret documents: only the people named on them.
Who sees an outgoing document: the agency's clerks and leaders (all but secret ones), its drafter,
its signer and the heads of its drafting unit; secret ones also the clerks (they number and issue).
Anything else answers 404 in the views (no existence oracle).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import clock, search
from egov.documents.models import Assignment, IncomingDocument, OutgoingDocument
from egov.documents.rules import IncomingStatus, OutgoingStatus, Secrecy

PAGE_SIZE = 20
RANKED_LIMIT = 200
# Search results are counted up to this many: counting 120,000 matches of a common word costs
# more than finding the first page; the screen says "more than 1,000" and asks to narrow down.
COUNT_LIMIT = 1000


def bounded_count(rows: QuerySet[Any]) -> int:
    """``min(rows.count(), COUNT_LIMIT + 1)`` without counting past the limit."""
    if rows.query.is_sliced:  # a relevance order is already bounded (RANKED_LIMIT)
        return min(rows.count(), COUNT_LIMIT + 1)
    return len(rows.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])


def visible_incoming(actor: User) -> QuerySet[IncomingDocument]:
    scope = scope_of(actor)
    if not scope.is_official:
        return IncomingDocument.objects.none()
    whole_agency = scope.agencies_where("documents.register") | scope.agencies_where("documents.instruct")
    mine = Assignment.objects.filter(document=OuterRef("pk"), assignee_id=actor.pk)
    my_units = Assignment.objects.filter(
        document=OuterRef("pk"), division_id__in=scope.division_ids, assignee__isnull=True
    )
    return IncomingDocument.objects.filter(
        Q(agency_id__in=whole_agency, secrecy=Secrecy.NONE)
        | Q(Exists(mine))
        | Q(Exists(my_units), secrecy=Secrecy.NONE)
        | Q(registered_by_id=actor.pk)
        | Q(leader_id=actor.pk)
    )


def visible_outgoing(actor: User) -> QuerySet[OutgoingDocument]:
    scope = scope_of(actor)
    if not scope.is_official:
        return OutgoingDocument.objects.none()
    whole_agency = scope.agencies_where("documents.issue") | scope.agencies_where("documents.sign")
    clerks = scope.agencies_where("documents.issue")
    heads = scope.agencies_where("documents.review")
    return OutgoingDocument.objects.filter(
        Q(agency_id__in=whole_agency, secrecy=Secrecy.NONE)
        | Q(
            agency_id__in=clerks,
            status__in=[OutgoingStatus.FORMAT_REVIEW, OutgoingStatus.SIGNED, OutgoingStatus.ISSUED],
        )
        | Q(drafter_id=actor.pk)
        | Q(signer_id=actor.pk)
        | Q(agency_id__in=heads, division_id__in=scope.division_ids)
    )


WORK_LABELS = {
    "to_submit": gettext_lazy("Văn bản đến chờ trình"),
    "to_instruct": gettext_lazy("Chờ tôi cho ý kiến"),
    "to_process": gettext_lazy("Văn bản cần xử lý"),
    "late": gettext_lazy("Quá hạn"),
    "my_drafts": gettext_lazy("Dự thảo của tôi"),
    "to_review": gettext_lazy("Chờ duyệt nội dung"),
    "to_check": gettext_lazy("Chờ kiểm tra thể thức"),
    "to_sign": gettext_lazy("Chờ tôi ký"),
    "to_issue": gettext_lazy("Chờ phát hành"),
}


@dataclass(frozen=True)
class WorkTab:
    key: str
    label: str
    count: int


def work_tabs(lists: dict[str, QuerySet[IncomingDocument] | QuerySet[OutgoingDocument]]) -> list[WorkTab]:
    """The actor's lists (``my_work``) with their labels and counts, one COUNT per list."""
    return [WorkTab(key, str(WORK_LABELS[key]), rows.count()) for key, rows in lists.items()]


def open_assignments(actor: User) -> QuerySet[Assignment]:
    """The actor's open assignments (own, or their unit's), on documents they may see."""
    scope = scope_of(actor)
    return Assignment.objects.filter(
        Q(assignee_id=actor.pk)
        | Q(assignee__isnull=True, division_id__in=scope.division_ids, document__secrecy=Secrecy.NONE),
        is_open=True,
    )


def my_work(
    actor: User, *, today: date | None = None
) -> dict[str, QuerySet[IncomingDocument] | QuerySet[OutgoingDocument]]:
    """The actor's lists: what waits for them now, by kind of work."""
    today = today or clock.localnow().date()
    scope = scope_of(actor)
    incoming = visible_incoming(actor)
    outgoing = visible_outgoing(actor)
    assigned_ids = open_assignments(actor).exclude(role=Assignment.Role.INFORM).values("document_id")
    lists: dict[str, QuerySet[IncomingDocument] | QuerySet[OutgoingDocument]] = {}
    if scope.agencies_where("documents.register"):
        lists["to_submit"] = incoming.filter(
            status=IncomingStatus.REGISTERED, agency_id__in=scope.agencies_where("documents.register")
        )
    if scope.agencies_where("documents.instruct"):
        lists["to_instruct"] = incoming.filter(status=IncomingStatus.SUBMITTED, leader_id=actor.pk)
    lists["to_process"] = incoming.filter(pk__in=assigned_ids, status=IncomingStatus.ASSIGNED)
    lists["late"] = incoming.filter(pk__in=assigned_ids, status=IncomingStatus.ASSIGNED, deadline__lt=today)
    lists["my_drafts"] = outgoing.filter(drafter_id=actor.pk, status=OutgoingStatus.DRAFT)
    if scope.agencies_where("documents.review"):
        lists["to_review"] = outgoing.filter(
            status=OutgoingStatus.CONTENT_REVIEW, division_id__in=scope.division_ids
        )
    if scope.agencies_where("documents.issue"):
        clerk_agencies = scope.agencies_where("documents.issue")
        lists["to_check"] = outgoing.filter(status=OutgoingStatus.FORMAT_REVIEW, agency_id__in=clerk_agencies)
        lists["to_issue"] = outgoing.filter(status=OutgoingStatus.SIGNED, agency_id__in=clerk_agencies)
    if scope.agencies_where("documents.sign"):
        lists["to_sign"] = outgoing.filter(status=OutgoingStatus.AWAITING_SIGNATURE, signer_id=actor.pk)
    return lists


@dataclass(frozen=True)
class Filters:
    query: str = ""
    register_id: int | None = None
    type_id: int | None = None
    status: str = ""
    urgency: str = ""
    date_from: date | None = None
    date_to: date | None = None
    person_id: int | None = None
    relevance: bool = False


def _filtered[M: Model](rows: QuerySet[M], filters: Filters, moment: str) -> QuerySet[M]:
    """The filters both registers share; the date range applies to ``moment`` (a datetime field)."""
    if filters.register_id:
        rows = rows.filter(register_id=filters.register_id)
    if filters.type_id:
        rows = rows.filter(document_type_id=filters.type_id)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.urgency:
        rows = rows.filter(urgency=filters.urgency)
    if filters.date_from:
        rows = rows.filter(**{f"{moment}__date__gte": filters.date_from})
    if filters.date_to:
        rows = rows.filter(**{f"{moment}__date__lte": filters.date_to})
    return rows


def _searched[M: Model](rows: QuerySet[M], filters: Filters, moment: str) -> QuerySet[M]:
    """The words, if any: the best ``RANKED_LIMIT`` by relevance when asked, else newest first."""
    if filters.query.strip():
        if filters.relevance:
            return search.ranked(rows, filters.query, limit=RANKED_LIMIT)
        rows = search.matching(rows, filters.query)
    return rows.order_by(f"-{moment}", "-pk")


def search_incoming(actor: User, filters: Filters) -> QuerySet[IncomingDocument]:
    """Visible incoming documents matching the words (diacritic-insensitive) and the filters;
    newest first, or the best ``RANKED_LIMIT`` by relevance when asked."""
    rows = _filtered(visible_incoming(actor), filters, "received_at")
    if filters.person_id:
        rows = rows.filter(
            Exists(Assignment.objects.filter(document=OuterRef("pk"), assignee_id=filters.person_id))
        )
    rows = rows.select_related("document_type", "register")
    return _searched(rows, filters, "received_at")


def search_outgoing(actor: User, filters: Filters) -> QuerySet[OutgoingDocument]:
    rows = _filtered(visible_outgoing(actor), filters, "created_at")
    if filters.person_id:
        rows = rows.filter(Q(drafter_id=filters.person_id) | Q(signer_id=filters.person_id))
    rows = rows.select_related("document_type", "division")
    return _searched(rows, filters, "created_at")


# --- corrections (đính chính, Decree 30) -----------------------------------------------------------


def correctable_outgoing(actor: User, divisions: QuerySet[Any]) -> QuerySet[OutgoingDocument]:
    """Issued documents of the drafting agencies the actor sees, of this year and the last: what a
    correcting công văn may correct (older ones are corrected through the clerk)."""
    since = clock.localnow().year - 1
    return (
        visible_outgoing(actor)
        .filter(
            status=OutgoingStatus.ISSUED,
            agency_id__in=divisions.values("agency_id"),
            year__gte=since,
        )
        .order_by("-issued_at", "-pk")
    )


@dataclass(frozen=True)
class CorrectionNote:
    """One correction link as a page shows it: the notation and date, and a page the actor may open."""

    notation: str
    issued_on: date | None
    incoming_pk: int | None = None
    outgoing_pk: int | None = None


def issued_corrections(actor: User, document: OutgoingDocument) -> list[CorrectionNote]:
    """The issued công văn correcting ``document`` (the notations are not secret: a correction is
    never a secret document); linked when the actor may open them."""
    rows = list(
        OutgoingDocument.objects.filter(corrects_id=document.pk, status=OutgoingStatus.ISSUED)
        .order_by("issued_at", "pk")
        .values_list("pk", "notation", "issued_on")
    )
    if not rows:
        return []
    visible = set(
        visible_outgoing(actor).filter(pk__in=[pk for pk, *_rest in rows]).values_list("pk", flat=True)
    )
    return [
        CorrectionNote(notation, issued_on, outgoing_pk=pk if pk in visible else None)
        for pk, notation, issued_on in rows
    ]


def delivered_corrections(actor: User, document: IncomingDocument) -> dict[str, Any]:
    """For a copy delivered inside the instance: the issued corrections of its original
    (``corrected_by``) and, for the copy of a correction, what it corrects (``corrects``); each
    linked to the agency's own incoming copy when the actor sees it."""
    source = document.source_outgoing_id
    if source is None:
        return {"corrected_by": [], "corrects": None}
    copies = visible_incoming(actor).filter(agency_id=document.agency_id)

    def note(pk: int, notation: str, issued_on: date | None) -> CorrectionNote:
        copy = copies.filter(source_outgoing_id=pk).values_list("pk", flat=True).first()
        return CorrectionNote(notation, issued_on, incoming_pk=copy)

    fields = ("pk", "notation", "issued_on")
    corrections = OutgoingDocument.objects.filter(corrects_id=source, status=OutgoingStatus.ISSUED)
    original = OutgoingDocument.objects.filter(corrected_by__pk=source).values_list(*fields).first()
    return {
        "corrected_by": [note(*row) for row in corrections.order_by("issued_at", "pk").values_list(*fields)],
        "corrects": note(*original) if original else None,
    }
