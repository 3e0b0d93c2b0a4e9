"""The catalogue in the database as a format document (the inverse of ``parse_catalogue``).

Every key is written, defaults included, so that a file exported, edited and imported again
shows its whole content; export then import of the result gives the same catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from egov.procedures.importexport.document import FORMAT_NAME, FORMAT_VERSION
from egov.procedures.models import Field, FormSchema, Procedure, ProcessStep, ProcessTemplate


def catalogue_queryset() -> QuerySet[Procedure]:
    """Every procedure with everything the export reads, in a fixed number of queries."""
    return (
        Procedure.objects.select_related("field", "process_template")
        .prefetch_related(
            "offered_by",
            "fees",
            "documents",
            Prefetch(
                "process_template__steps",
                queryset=ProcessStep.objects.select_related("other_agency").order_by("order"),
            ),
            Prefetch("form_schemas", queryset=FormSchema.objects.filter(is_current=True), to_attr="current"),
        )
        .order_by("code")
    )


def export_catalogue(procedures: Iterable[Procedure] | None = None) -> dict[str, Any]:
    """The format document of ``procedures`` (default: the whole catalogue) and their fields."""
    chosen = list(catalogue_queryset() if procedures is None else procedures)
    field_ids = {p.field_id for p in chosen}
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "fields": [
            {"code": f.code, "name": f.name} for f in Field.objects.filter(pk__in=field_ids).order_by("code")
        ],
        "procedures": [procedure_document(p) for p in chosen],
    }


def procedure_document(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field.code,
        "level": procedure.level,
        "implementing_body": procedure.implementing_body,
        "offered_by": sorted(agency.code for agency in procedure.offered_by.all()),
        "processing_time": {
            "amount": procedure.processing_amount,
            "unit": procedure.processing_unit,
            "cutoff_rule": procedure.cutoff_rule,
            "note": procedure.processing_note,
        },
        "result_type": procedure.result_type,
        "legal_basis": procedure.legal_basis,
        "online_level": procedure.online_level,
        "requires_verified_identity": procedure.requires_verified_identity,
        "accepts_docx": procedure.accepts_docx,
        "source": procedure.source,
        "is_illustrative": procedure.is_illustrative,
        "is_active": procedure.is_active,
        "fees": [_fee(fee) for fee in sorted(procedure.fees.all(), key=lambda f: f.order)],
        "documents": [_document(doc) for doc in sorted(procedure.documents.all(), key=lambda d: d.order)],
        "process": _process(procedure),
        "form": _form(procedure),
    }


def _fee(fee: Any) -> dict[str, Any]:
    return {
        "order": fee.order,
        "name": fee.name,
        "amount": fee.amount,
        "schedule": fee.schedule,
        "collected_by": fee.collected_by,
        "exemptions": fee.exemptions,
    }


def _document(document: Any) -> dict[str, Any]:
    data = {
        "order": document.order,
        "name": document.name,
        "form": document.form,
        "count": document.count,
        "required": document.is_required,
        "filled_online": document.filled_online,
        "note": document.note,
    }
    if document.blank_form:
        data["blank_form"] = document.blank_form.name  # for reference: files are not imported
    return data


def _process(procedure: Procedure) -> dict[str, Any] | None:
    try:
        template = procedure.process_template
    except ProcessTemplate.DoesNotExist:
        return None
    return {
        "name": template.name,
        "note": template.note,
        "steps": [
            {
                "order": step.order,
                "name": step.name,
                "role": step.role,
                "division": step.division_abbreviation,
                "other_agency": step.other_agency.code if step.other_agency else "",
                "share_percent": step.share_percent,
            }
            for step in template.steps.all()
        ],
    }


def _form(procedure: Procedure) -> dict[str, Any] | None:
    current = getattr(procedure, "current", None)
    schema = current[0] if current else procedure.form_schemas.filter(is_current=True).first()
    if schema is None:
        return None
    return {"title": schema.title, "fields": schema.fields}
