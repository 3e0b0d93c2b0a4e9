"""Row-level writes of an import, called inside ``services.import_catalogue``'s transaction.

Everything is an upsert that writes only what differs, so importing the same file twice changes
nothing (the demo's fingerprint check relies on it). Fees, documents and steps are matched by
their order and updated in place, keeping their primary keys (dossiers refer to documents) and
uploaded blank forms. A changed form schema becomes a new version; old versions are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import models

from egov.organizations.models import Agency
from egov.procedures.importexport.document import DocumentRow, FeeRow, ProcedureRow, ProcessRow, StepRow
from egov.procedures.models import (
    Fee,
    Field,
    FormSchema,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
)
from egov.procedures.rules import canonical_fields


def upsert_field(code: str, name: str, existing: Field | None) -> tuple[Field, bool]:
    """The field with this code, created or renamed; ``True`` when something was written."""
    if existing is None:
        return Field.objects.create(code=code, name=name), True
    if existing.name != name:
        existing.name = name
        existing.save(update_fields=["name"])
        return existing, True
    return existing, False


def upsert_procedure(
    row: ProcedureRow, *, field: Field, agencies: Mapping[str, Agency], existing: Procedure | None
) -> tuple[Procedure, list[str]]:
    """Write one procedure and its parts; returns it and the names of the parts that changed."""
    procedure, changed = _scalars(row, field, existing)
    if _offered_by(procedure, [agencies[code] for code in row.offered_by]):
        changed.append("offered_by")
    if _sync_by_order(procedure.fees.all(), row.fees, lambda fee: Fee(procedure=procedure), _FEE_FIELDS):
        changed.append("fees")
    if _sync_by_order(
        procedure.documents.all(),
        row.documents,
        lambda doc: RequiredDocument(procedure=procedure),
        _DOC_FIELDS,
    ):
        changed.append("documents")
    if row.process is not None and _process(procedure, row.process, agencies):
        changed.append("process")
    if row.form is not None and publish_if_changed(procedure, row.form.title, row.form.fields) is not None:
        changed.append("form")
    return procedure, changed


def _scalars(row: ProcedureRow, field: Field, existing: Procedure | None) -> tuple[Procedure, list[str]]:
    values: dict[str, Any] = {name: getattr(row, name) for name in ProcedureRow.SCALARS}
    for name in _UNSAID_IF_NONE:
        if name in values and values[name] is None:  # an older file: keep the stored value
            del values[name]
    values["field_id"] = field.pk
    if existing is None:
        procedure = Procedure(code=row.code, **values)
        procedure.full_clean(exclude=["offered_by"])
        procedure.save()
        return procedure, ["created"]
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    for name in changed:
        setattr(existing, name, values[name])
    if changed:
        existing.full_clean()
        existing.save(update_fields=[name.removesuffix("_id") for name in changed])
    return existing, [name.removesuffix("_id") for name in changed]


def _offered_by(procedure: Procedure, agencies: Sequence[Agency]) -> bool:
    wanted = {agency.pk for agency in agencies}
    if set(procedure.offered_by.values_list("pk", flat=True)) == wanted:
        return False
    procedure.offered_by.set(wanted)
    return True


_FEE_FIELDS = ("name", "amount", "schedule", "collected_by", "exemptions")
_DOC_FIELDS = ("name", "form", "count", "is_required", "filled_online", "note")
_UNSAID_IF_NONE = ("accepts_docx", "filled_online")  # None: an older file version does not say
_STEP_FIELDS = ("name", "role", "division_abbreviation", "other_agency_id", "share_percent")


def _sync_by_order[M: models.Model](
    existing: Iterable[M],
    rows: Sequence[FeeRow | DocumentRow | dict[str, Any]],
    new: Callable[[Any], M],
    names: Sequence[str],
) -> bool:
    """Make the ordered child rows equal to ``rows`` (updated in place by order); ``True`` if written."""
    by_order = {getattr(obj, "order"): obj for obj in existing}  # noqa: B009 - M has no declared "order"
    wanted = {_value(row, "order"): row for row in rows}
    written = False
    for order in sorted(set(by_order) - set(wanted)):
        by_order.pop(order).delete()
        written = True
    for order, row in sorted(wanted.items()):
        obj = by_order.get(order) or new(row)
        said = [n for n in names if not (n in _UNSAID_IF_NONE and _value(row, n) is None)]
        changed = [n for n in said if getattr(obj, n) != _value(row, n)] if obj.pk else said
        if not changed:
            continue
        for name in changed:
            setattr(obj, name, _value(row, name))
        setattr(obj, "order", order)  # noqa: B010
        obj.full_clean(exclude=["procedure", "template"], validate_unique=False, validate_constraints=False)
        obj.save()
        written = True
    return written


def _value(row: FeeRow | DocumentRow | dict[str, Any], name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _process(procedure: Procedure, row: ProcessRow, agencies: Mapping[str, Agency]) -> bool:
    template = ProcessTemplate.objects.filter(procedure=procedure).first()
    written = False
    if template is None:
        template = ProcessTemplate.objects.create(procedure=procedure, name=row.name, note=row.note)
        written = True
    elif (template.name, template.note) != (row.name, row.note):
        template.name, template.note = row.name, row.note
        template.save(update_fields=["name", "note"])
        written = True
    steps = [_step_values(step, agencies) for step in row.steps]
    return (
        _sync_by_order(template.steps.all(), steps, lambda _row: ProcessStep(template=template), _STEP_FIELDS)
        or written
    )


def _step_values(step: StepRow, agencies: Mapping[str, Agency]) -> dict[str, Any]:
    other = agencies[step.other_agency] if step.other_agency else None
    return {
        "order": step.order,
        "name": step.name,
        "role": step.role,
        "division_abbreviation": step.division_abbreviation,
        "other_agency_id": other.pk if other else None,
        "share_percent": step.share_percent,
    }


def publish_if_changed(
    procedure: Procedure, title: str, fields: Sequence[Mapping[str, Any]]
) -> FormSchema | None:
    """A new current version when (title, fields) differ from the current one; else ``None``.

    The caller has validated the fields (``rules.schema_problems``).
    """
    stored = canonical_fields(fields)
    current = procedure.form_schemas.filter(is_current=True).first()
    if current is not None and current.title == title and canonical_fields(current.fields) == stored:
        return None
    last = procedure.form_schemas.aggregate(last=models.Max("version"))["last"] or 0
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    return FormSchema.objects.create(
        procedure=procedure, version=last + 1, is_current=True, title=title, fields=stored
    )
