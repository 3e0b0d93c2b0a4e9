"""Sub-assignment: whoever leads (or heads a unit assigned to) an incoming document hands a part of
the work to a colleague of their own unit, within the document's deadline."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.accounts.scope import scope_of
from egov.core import audit, clock, notifications
from egov.documents.models import Assignment, IncomingDocument
from egov.documents.rules import IncomingStatus
from egov.organizations.models import Membership

SUB_ROLES = (Assignment.Role.COOPERATE, Assignment.Role.INFORM)


def may_sub_assign(actor: User, document: IncomingDocument) -> bool:
    """An open lead/cooperate line of the actor's own, or of a unit the actor heads."""
    scope = scope_of(actor)
    if document.status != IncomingStatus.ASSIGNED or not scope.can("documents.process", document.agency_id):
        return False
    heads = scope.division_ids if scope.can("documents.assign", document.agency_id) else frozenset()
    return (
        document.assignments.filter(is_open=True)
        .exclude(role=Assignment.Role.INFORM)
        .filter(Q(assignee=actor) | Q(division_id__in=heads, assignee__isnull=True))
        .exists()
    )


def sub_assign(
    *, actor: User, document: IncomingDocument, assignee: User, role: str, deadline: date | None = None
) -> Assignment:
    """Add a cooperating or for-information line for a colleague of the actor's unit."""
    if role not in SUB_ROLES:
        raise ValidationError(_("Chỉ giao tiếp phối hợp hoặc để biết; người chủ trì do lãnh đạo giao."))
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update().get(pk=document.pk)
        if not may_sub_assign(actor, document):
            raise PermissionDenied(_("Bạn không chủ trì hoặc phụ trách đơn vị được giao văn bản này."))
        colleague = Membership.objects.filter(
            user=assignee,
            agency_id=document.agency_id,
            division_id__in=scope_of(actor).division_ids,
            is_active=True,
        ).exists()
        if not colleague or assignee == actor:
            raise ValidationError(_("Chỉ giao tiếp cho cán bộ khác trong đơn vị của bạn."))
        if deadline is not None and document.deadline is not None and deadline > document.deadline:
            raise ValidationError(_("Hạn giao tiếp không được sau hạn xử lý văn bản."))
        line = Assignment.objects.create(
            document=document,
            role=role,
            assignee=assignee,
            deadline=deadline or (document.deadline if role != Assignment.Role.INFORM else None),
            assigned_by=actor,
            assigned_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="documents.incoming.sub_assign",
            obj=document,
            details={"assignment": line.pk, "user": assignee.pk, "role": role},
        )
        subject = _("Văn bản được giao xử lý: %(n)s") % {"n": document.notation}
        notifications.notify(
            recipient_email=assignee.email,
            recipient_phone=None,
            subject=subject,
            body=subject if document.is_secret else f"{subject}\n{document.summary}",
            event="documents.incoming.sub_assigned",
        )
    return line
