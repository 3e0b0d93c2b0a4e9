"""Django admin for organisations: administrators only.

New rows go through ``services`` (permission check, validation, audit event); direct edits of
divisions, positions and memberships are saved by the admin and audited here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _

from egov.core import audit
from egov.organizations import services
from egov.organizations.models import AdministrativeUnit, Agency, Division, Membership, Position

_AGENCY_CREATE_FIELDS = (
    "code",
    "name",
    "abbreviation",
    "kind",
    "parent",
    "administrative_unit",
    "address",
    "phone",
    "email",
    "website",
)


def _actor(request: HttpRequest) -> AbstractUser:
    user = request.user
    if not isinstance(user, AbstractUser):
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    return user


def _adopt(obj: Model, saved: Model) -> None:
    """The admin keeps working on its own instance (inlines, messages): point it at the saved row."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _record(request: HttpRequest, obj: Model, verb: str, fields: list[str]) -> None:
    """Edits made directly in the admin leave an audit event, as the services do."""
    audit.record(
        actor=_actor(request),
        action=f"organizations.{verb}_{obj._meta.model_name}",
        obj=obj,
        details={"fields": fields},
    )


class AuditedDeletesMixin:
    """Deleting a row in the admin leaves an audit event (written before the row disappears)."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _record(request, obj, "delete", [])
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            _record(request, obj, "delete", [])
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class CreatedThroughServiceMixin:
    """New rows are created by the app's service (permission, validation, audit event); edits made
    in the admin are saved as they are and audited. Each admin says which service creates."""

    def create_through_service(self, actor: AbstractUser, obj: Any) -> Model:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            _record(request, obj, "change", list(form.changed_data))
            return
        _adopt(obj, self.create_through_service(_actor(request), obj))


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin[AdministrativeUnit]):
    """Read-mostly: units come from ``manage.py load_administrative_units``; only the name is editable."""

    list_display = ["code", "name", "level", "division_type", "parent"]
    list_filter = ["level", "division_type"]
    search_fields = ["code", "name", "codename"]
    list_select_related = ["parent"]
    fields = ["code", "level", "name", "division_type", "codename", "parent"]
    readonly_fields = ["code", "level", "division_type", "codename", "parent"]
    show_full_result_count = False  # 3,400 rows: spare a second COUNT(*) on every search

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AdministrativeUnit | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AdministrativeUnit, form: forms.ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _record(request, obj, "change", list(form.changed_data))


class AgencyAdminForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "abbreviation",
            "kind",
            "parent",
            "administrative_unit",
            "address",
            "phone",
            "email",
            "website",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None and "parent" in cleaned:
            services.check_no_cycle(self.instance, cleaned["parent"])
        return cleaned


class DivisionInline(admin.TabularInline[Division, Agency]):
    model = Division
    fields = ["name", "abbreviation", "is_one_stop_desk"]
    extra = 0
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(AuditedDeletesMixin, admin.ModelAdmin[Agency]):
    form = AgencyAdminForm
    list_display = ["code", "name", "abbreviation", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "abbreviation"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "administrative_unit"]
    inlines = [DivisionInline]

    def save_model(self, request: HttpRequest, obj: Agency, form: forms.ModelForm[Any], change: bool) -> None:
        # The form already checked the electronic ID with the rule's Vietnamese message (the model
        # field's validator); the services add the permission check and the audit event.
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = services.update_agency(actor=_actor(request), agency=obj, **changed)
        else:
            saved = services.create_agency(
                actor=_actor(request), **{name: data[name] for name in _AGENCY_CREATE_FIELDS}
            )
            if not data.get("is_active", True):
                saved = services.update_agency(actor=_actor(request), agency=saved, is_active=False)
        _adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for division in formset.new_objects:
            _record(request, division, "add", ["name", "abbreviation", "is_one_stop_desk"])
        for division, fields in formset.changed_objects:
            _record(request, division, "change", list(fields))


@admin.register(Division)
class DivisionAdmin(CreatedThroughServiceMixin, AuditedDeletesMixin, admin.ModelAdmin[Division]):
    list_display = ["name", "abbreviation", "agency", "is_one_stop_desk"]
    list_filter = ["is_one_stop_desk", "agency__kind"]
    search_fields = ["name", "abbreviation", "agency__name", "agency__code"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]

    def create_through_service(self, actor: AbstractUser, obj: Division) -> Division:
        return services.add_division(
            actor=actor,
            agency=obj.agency,
            name=obj.name,
            abbreviation=obj.abbreviation,
            is_one_stop_desk=obj.is_one_stop_desk,
        )


@admin.register(Position)
class PositionAdmin(CreatedThroughServiceMixin, AuditedDeletesMixin, admin.ModelAdmin[Position]):
    list_display = ["title", "kind", "agency", "division"]
    list_filter = ["kind", "agency__kind"]
    search_fields = ["title", "agency__name", "agency__code", "division__name"]
    list_select_related = ["agency", "division__agency"]
    autocomplete_fields = ["agency", "division"]

    def create_through_service(self, actor: AbstractUser, obj: Position) -> Position:
        return services.add_position(
            actor=actor, agency=obj.agency, title=obj.title, kind=obj.kind, division=obj.division
        )


@admin.register(Membership)
class MembershipAdmin(CreatedThroughServiceMixin, AuditedDeletesMixin, admin.ModelAdmin[Membership]):
    list_display = ["user", "agency", "division", "position", "role", "is_active"]
    list_filter = ["role", "is_active", "agency__kind"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    list_select_related = ["user", "agency", "division__agency", "position"]
    # raw_id for the user: the accounts admin, and so its search for autocomplete, is another app's.
    raw_id_fields = ["user"]
    autocomplete_fields = ["agency", "division", "position"]

    def create_through_service(self, actor: AbstractUser, obj: Membership) -> Membership:
        return services.add_membership(
            actor=actor,
            user=obj.user,
            agency=obj.agency,
            role=obj.role,
            division=obj.division,
            position=obj.position,
        )
