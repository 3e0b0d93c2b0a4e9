"""Reads of the catalogue.

The catalogue is public information (the national portal publishes it), so these selectors take
no actor: whoever may see a procedure's page may read it. What an official may *do* with a
procedure is scoped by the apps that act on it (dossiers: ``visible_dossiers(actor)``).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from egov.organizations.models import Agency
from egov.procedures.models import FormSchema, Procedure, ProcessStep


def active_procedures() -> QuerySet[Procedure]:
    """Procedures in force, with their field, for lists and pickers (one query)."""
    return Procedure.objects.filter(is_active=True).select_related("field").order_by("field__name", "name")


def procedures_offered_by(agency: Agency | int) -> QuerySet[Procedure]:
    """Procedures in force that ``agency`` receives and decides, with fees and documents (3 queries)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    return active_procedures().filter(offered_by=agency_id).prefetch_related("fees", "documents")


def procedure_by_code(code: str) -> Procedure:
    """One procedure with everything the desk and the wizard show; ``Procedure.DoesNotExist`` if none.

    Loaded: field, process template (select_related); offered_by, fees, documents, steps with
    their other agency, and the current form schema as ``current_schemas`` (a list of 0 or 1).
    """
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
            Prefetch(
                "form_schemas", queryset=FormSchema.objects.filter(is_current=True), to_attr="current_schemas"
            ),
        )
        .get(code=code)
    )


def current_form_schema(procedure: Procedure) -> FormSchema | None:
    """The procedure's current form (from ``procedure_by_code``'s prefetch when present)."""
    prefetched: list[FormSchema] | None = getattr(procedure, "current_schemas", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return procedure.form_schemas.filter(is_current=True).first()


def form_schema_version(procedure: Procedure, version: int) -> FormSchema:
    """A given version (a filled application is shown with the version it was filled with)."""
    return FormSchema.objects.get(procedure=procedure, version=version)
