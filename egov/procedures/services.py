"""Use cases that write the catalogue: import a catalogue file, publish a form schema, edit steps.

Each function takes keyword-only arguments, checks the actor, runs in one transaction and writes
audit events. ``actor=None`` is the system itself (management commands, ``seed_demo``).

Who may write: the catalogue is province-wide, so managing it needs ``procedures.manage`` in a
top-level agency (one without a parent: the province's people's committee), or a superuser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.scope import scope_of
from egov.core import audit
from egov.organizations.models import Agency
from egov.procedures.importexport.document import (
    Catalogue,
    CatalogueImportError,
    ImportProblem,
    ProcedureRow,
    parse_catalogue,
)
from egov.procedures.importexport.upsert import publish_if_changed, upsert_field, upsert_procedure
from egov.procedures.models import Field, FormSchema, Procedure
from egov.procedures.rules import schema_problems, share_problems

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from egov.accounts.models import User

    type Actor = User | AnonymousUser | None

MANAGE_PERMISSION = "procedures.manage"


def can_manage_catalogue(actor: Actor) -> bool:
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if getattr(actor, "is_superuser", False):
        return True
    agencies = scope_of(actor).agencies_where(MANAGE_PERMISSION)
    return Agency.objects.filter(pk__in=agencies, parent__isnull=True).exists()


def require_manage(actor: Actor) -> None:
    if not can_manage_catalogue(actor):
        raise PermissionDenied(_("Bạn không có quyền quản lý danh mục thủ tục hành chính."))


# --- Import --------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do), procedure codes per outcome."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_schema_versions: list[str] = field(default_factory=list)
    fields_written: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.fields_written)

    def summary(self) -> str:
        return _(
            "%(created)d thủ tục tạo mới, %(updated)d cập nhật, %(unchanged)d giữ nguyên; "
            "%(schemas)d mẫu tờ khai có phiên bản mới."
        ) % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "schemas": len(self.new_schema_versions),
        }


def import_catalogue(*, actor: Actor, document: object, dry_run: bool = False) -> ImportReport:
    """Validate a whole format document, then upsert it by procedure code, all or nothing.

    Raises ``CatalogueImportError`` listing every problem (nothing written) when any row is bad.
    With ``dry_run`` the writes run and are rolled back, so the report tells what would change.
    Procedures absent from the document are left as they are.
    """
    require_manage(actor)
    catalogue, problems = parse_catalogue(document)
    if catalogue is None:
        raise CatalogueImportError(problems)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        agencies, fields = _resolve_references(catalogue)
        _write(catalogue, actor=actor, agencies=agencies, fields=fields, report=report)
        if report.changed:
            audit.record(
                actor=actor,
                action="procedures.import_catalogue",
                details={"created": report.created, "updated": report.updated, "dry_run": dry_run},
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _resolve_references(catalogue: Catalogue) -> tuple[dict[str, Agency], dict[str, Field | None]]:
    """Agencies and fields the document names; ``CatalogueImportError`` for unknown ones."""
    codes = {c for p in catalogue.procedures for c in p.offered_by}
    codes |= {
        s.other_agency for p in catalogue.procedures if p.process for s in p.process.steps if s.other_agency
    }
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    wanted = {p.field for p in catalogue.procedures} | {f.code for f in catalogue.fields}
    stored = {f.code: f for f in Field.objects.filter(code__in=wanted)}
    fields: dict[str, Field | None] = {
        **stored,
        **{row.code: stored.get(row.code) for row in catalogue.fields},
    }
    problems = [
        problem for row in catalogue.procedures for problem in _reference_problems(row, agencies, fields)
    ]
    if problems:
        raise CatalogueImportError(problems)
    return agencies, fields


def _reference_problems(
    row: ProcedureRow, agencies: Mapping[str, Agency], fields: Mapping[str, Field | None]
) -> list[ImportProblem]:
    problems = []
    if row.field not in fields:
        problems.append(
            ImportProblem(
                row.loc.at("field"), _("lĩnh vực “%(code)s” chưa có trong danh mục.") % {"code": row.field}
            )
        )
    for code in row.offered_by:
        if code not in agencies:
            problems.append(
                ImportProblem(
                    row.loc.at("offered_by"), _("không có cơ quan mang mã “%(code)s”.") % {"code": code}
                )
            )
    for step in row.process.steps if row.process else ():
        if step.other_agency and step.other_agency not in agencies:
            problems.append(
                ImportProblem(
                    step.loc.at("other_agency"),
                    _("không có cơ quan mang mã “%(code)s”.") % {"code": step.other_agency},
                )
            )
    return problems


def _write(
    catalogue: Catalogue,
    *,
    actor: Actor,
    agencies: Mapping[str, Agency],
    fields: dict[str, Field | None],
    report: ImportReport,
) -> None:
    for field_row in catalogue.fields:
        written_field, written = upsert_field(field_row.code, field_row.name, fields.get(field_row.code))
        fields[field_row.code] = written_field
        if written:
            report.fields_written.append(field_row.code)
    existing = {p.code: p for p in Procedure.objects.filter(code__in=[r.code for r in catalogue.procedures])}
    for row in catalogue.procedures:
        owner = fields[row.field]
        assert owner is not None  # references were resolved
        procedure, changed = upsert_procedure(
            row, field=owner, agencies=agencies, existing=existing.get(row.code)
        )
        _report(report, row.code, changed)
        if changed:
            audit.record(
                actor=actor,
                action="procedures.create_procedure"
                if "created" in changed
                else "procedures.update_procedure",
                obj=procedure,
                details={"changed": changed, "source": "import"},
            )


def _report(report: ImportReport, code: str, changed: list[str]) -> None:
    if "created" in changed:
        report.created.append(code)
    elif changed:
        report.updated.append(code)
    else:
        report.unchanged.append(code)
    if "form" in changed:
        report.new_schema_versions.append(code)


# --- Form schemas and process steps --------------------------------------------------------------


def publish_form_schema(
    *, actor: Actor, procedure: Procedure, title: str, fields: Sequence[Mapping[str, Any]]
) -> FormSchema:
    """Publish ``fields`` as the procedure's current form (a new version unless nothing changed).

    Raises ``ValidationError`` with the schema's problems, each naming its field.
    """
    require_manage(actor)
    problems = schema_problems(list(fields))
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    if not title.strip():
        raise ValidationError(_("Hãy nhập tên tờ khai."))
    with transaction.atomic():
        schema = publish_if_changed(procedure, title.strip(), fields)
        if schema is None:
            current = procedure.form_schemas.get(is_current=True)
            return current
        audit.record(
            actor=actor,
            action="procedures.publish_form_schema",
            obj=schema,
            details={"version": schema.version},
        )
    return schema


def check_step_shares(shares: Sequence[int]) -> None:
    """``ValidationError`` unless the steps' shares add up to 100 %."""
    problems = share_problems(list(shares))
    if problems:
        raise ValidationError(problems)


def save_procedure(*, actor: Actor, procedure: Procedure, changed: Sequence[str]) -> Procedure:
    """Save an edited (already validated) procedure with its audit event (admin edits)."""
    require_manage(actor)
    action = "procedures.create_procedure" if procedure.pk is None else "procedures.update_procedure"
    return audit.save_recorded(procedure, actor=actor, action=action, details={"changed": list(changed)})
