"""Use cases that write organisations: administrative units, agencies, divisions, positions, memberships.

Every function takes keyword-only arguments, runs in one transaction and writes one audit event per
change. ``actor=None`` means the system itself (management commands such as ``seed_demo``); views
and the admin always pass the signed-in user.

Permission: ``organizations`` sits below ``accounts`` in the layer order, so it cannot call
``accounts.scope.require``. It checks the one permission it needs, ``organizations.manage``, from
its own ``Membership`` rows with ``MANAGING_ROLES``; a test keeps that set equal to the roles that
hold ``organizations.manage`` in ``accounts.permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province, Ward

from egov.core import audit
from egov.organizations.models import AdministrativeUnit, Agency, Division, Membership, Position, Role
from egov.organizations.rules import agency_code_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

MANAGING_ROLES: frozenset[str] = frozenset({Role.ADMINISTRATOR})
_UNIT_FIELDS = ("name", "division_type", "codename", "parent_id")


# --- Administrative units -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitLoadResult:
    """What one load of the administrative units did, per row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UnitLoadResult) -> UnitLoadResult:
        return UnitLoadResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


@dataclass(frozen=True)
class _UnitRow:
    code: str
    name: str
    division_type: str
    codename: str
    parent_code: str | None = None


def province_unit_code(code: int) -> str:
    """Official province codes are two digits (``01`` Hà Nội, ``96`` Cà Mau)."""
    return f"{code:02d}"


def commune_unit_code(code: int) -> str:
    """Official commune codes are five digits (``00004`` Phường Ba Đình)."""
    return f"{code:05d}"


def load_administrative_units(
    *, province_code: int | None = None, actor: AbstractUser | None = None
) -> UnitLoadResult:
    """Upsert the 34 provinces and their communes from ``vietnam-provinces``, keyed by (level, code).

    ``province_code`` limits the communes to one province (all provinces are always loaded: they
    are few, and communes need their parent). A second run with the same data changes nothing.
    """
    provinces = [_province_row(p) for p in Province.iter_all()]
    if province_code is not None and province_unit_code(province_code) not in {p.code for p in provinces}:
        raise ValidationError(_("Không có tỉnh, thành phố nào mang mã %(code)s.") % {"code": province_code})
    communes = [
        _commune_row(w)
        for w in Ward.iter_all()
        if province_code is None or int(w.province_code) == province_code
    ]
    with transaction.atomic():
        result = _upsert_units(AdministrativeUnit.Level.PROVINCE, provinces)
        result += _upsert_units(AdministrativeUnit.Level.COMMUNE, communes)
        if result.changed:
            audit.record(
                actor=actor,
                action="organizations.load_units",
                details={"province": province_code, "created": result.created, "updated": result.updated},
            )
    return result


def _province_row(province: Province) -> _UnitRow:
    return _UnitRow(
        code=province_unit_code(int(province.code)),
        name=province.name,
        division_type=province.division_type.value,
        codename=province.codename,
    )


def _commune_row(ward: Ward) -> _UnitRow:
    return _UnitRow(
        code=commune_unit_code(int(ward.code)),
        name=ward.name,
        division_type=ward.division_type.value,
        codename=ward.codename,
        parent_code=province_unit_code(int(ward.province_code)),
    )


def _upsert_units(level: str, rows: Sequence[_UnitRow]) -> UnitLoadResult:
    """Three queries whatever the number of rows: read existing, bulk insert, bulk update."""
    parent_ids = dict(
        AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE).values_list("code", "id")
    )
    existing = {
        u.code: u for u in AdministrativeUnit.objects.filter(level=level, code__in=[r.code for r in rows])
    }
    to_create: list[AdministrativeUnit] = []
    to_update: list[AdministrativeUnit] = []
    for row in rows:
        wanted = {
            "name": row.name,
            "division_type": row.division_type,
            "codename": row.codename,
            "parent_id": parent_ids[row.parent_code] if row.parent_code else None,
        }
        unit = existing.get(row.code)
        if unit is None:
            to_create.append(AdministrativeUnit(level=level, code=row.code, **wanted))
        elif any(getattr(unit, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(unit, field, value)
            to_update.append(unit)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
    AdministrativeUnit.objects.bulk_update(to_update, list(_UNIT_FIELDS), batch_size=500)
    return UnitLoadResult(len(to_create), len(to_update), len(rows) - len(to_create) - len(to_update))


# --- Permission -----------------------------------------------------------------------------


def _lineage_ids(agency: Agency) -> list[int]:
    """The agency and its parents up to the top: an administrator of a parent manages its children."""
    ids = [agency.pk]
    parent_id = agency.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Agency.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return ids


def require_manage(actor: AbstractUser | None, agency: Agency | None) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may manage ``agency`` (``None``: a top-level one).

    Superusers manage everything; an administrator (role) manages their agency and the agencies
    under it. ``actor=None`` is the system: management commands only, never a request.
    """
    if actor is None or (actor.is_active and actor.is_superuser):
        return
    if (
        agency is not None
        and actor.is_active
        and Membership.objects.filter(
            user_id=actor.pk,
            agency_id__in=_lineage_ids(agency),
            role__in=MANAGING_ROLES,
            is_active=True,
            agency__is_active=True,
        ).exists()
    ):
        return
    raise PermissionDenied(_("Bạn không có quyền quản lý cơ quan, đơn vị này."))


# --- Agencies -------------------------------------------------------------------------------


class AgencyChanges(TypedDict, total=False):
    """The fields of an agency that ``update_agency`` may change."""

    code: str
    name: str
    abbreviation: str
    kind: str
    parent: Agency | None
    administrative_unit: AdministrativeUnit | None
    address: str
    phone: str
    email: str
    website: str
    is_active: bool


def check_agency_code(code: str) -> None:
    """Raise a ``ValidationError`` on the ``code`` field with the rule's Vietnamese message."""
    problem = agency_code_problem(code)
    if problem:
        raise ValidationError({"code": [problem]}, code="agency_code")


def create_agency(
    *,
    actor: AbstractUser | None,
    code: str,
    name: str,
    abbreviation: str,
    kind: str,
    parent: Agency | None = None,
    administrative_unit: AdministrativeUnit | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
) -> Agency:
    """Register an agency with its electronic ID (Decision 20/2020/QĐ-TTg)."""
    require_manage(actor, parent)
    check_agency_code(code)
    agency = Agency(
        code=code,
        name=name,
        abbreviation=abbreviation,
        kind=kind,
        parent=parent,
        administrative_unit=administrative_unit,
        address=address,
        phone=phone,
        email=email,
        website=website,
    )
    agency.full_clean()
    return audit.save_recorded(
        agency,
        actor=actor,
        action="organizations.create_agency",
        details={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None},
    )


def update_agency(*, actor: AbstractUser | None, agency: Agency, **changes: Unpack[AgencyChanges]) -> Agency:
    """Change an agency's fields; nothing is written (nor audited) when nothing differs."""
    require_manage(actor, agency)
    if "code" in changes:
        check_agency_code(changes["code"])
    with transaction.atomic():
        current = Agency.objects.select_for_update().get(pk=agency.pk)
        diff = _apply_changes(current, changes)
        if not diff:
            return current
        if "parent" in changes:
            check_no_cycle(current, changes["parent"])
            require_manage(actor, changes["parent"])  # moving under a parent needs rights there too
        current.full_clean()
        current.save(update_fields=[_field_name(f) for f in diff])
        audit.record(
            actor=actor, action="organizations.update_agency", obj=current, details={"changes": diff}
        )
    return current


def _apply_changes(agency: Agency, changes: AgencyChanges) -> dict[str, list[Any]]:
    """Set the changed attributes; return ``{field: [old, new]}`` in JSON-friendly values."""
    diff: dict[str, list[Any]] = {}
    for field, value in changes.items():
        old = getattr(agency, field)
        if old != value:
            diff[field] = [_plain(old), _plain(value)]
            setattr(agency, field, value)
    return diff


def _plain(value: object) -> object:
    if isinstance(value, Agency | AdministrativeUnit):
        return value.code
    return value


def _field_name(field: str) -> str:
    return f"{field}_id" if field in {"parent", "administrative_unit"} else field


def check_no_cycle(agency: Agency, parent: Agency | None) -> None:
    """An agency may not sit under itself or under one of its own sub-agencies."""
    if parent is not None and agency.pk in _lineage_ids(parent):
        raise ValidationError(
            {"parent": [_("Cơ quan cấp trên không được là chính cơ quan này hoặc cơ quan cấp dưới của nó.")]}
        )


# --- Divisions, positions, memberships ------------------------------------------------------


def add_division(
    *,
    actor: AbstractUser | None,
    agency: Agency,
    name: str,
    abbreviation: str,
    is_one_stop_desk: bool = False,
) -> Division:
    """Add a division (phòng, văn phòng, bộ phận một cửa) to an agency."""
    require_manage(actor, agency)
    division = Division(
        agency=agency, name=name, abbreviation=abbreviation, is_one_stop_desk=is_one_stop_desk
    )
    division.full_clean()
    return audit.save_recorded(
        division,
        actor=actor,
        action="organizations.add_division",
        details={
            "agency": agency.code,
            "abbreviation": abbreviation,
            "is_one_stop_desk": is_one_stop_desk,
        },
    )


def add_position(
    *, actor: AbstractUser | None, agency: Agency, title: str, kind: str, division: Division | None = None
) -> Position:
    """Add a post to an agency or one of its divisions."""
    require_manage(actor, agency)
    _check_belongs(agency, division=division)
    position = Position(agency=agency, division=division, title=title, kind=kind)
    position.full_clean()
    return audit.save_recorded(
        position,
        actor=actor,
        action="organizations.add_position",
        details={
            "agency": agency.code,
            "division": division.abbreviation if division else None,
            "kind": kind,
        },
    )


def add_membership(
    *,
    actor: AbstractUser | None,
    user: AbstractUser,
    agency: Agency,
    role: str,
    division: Division | None = None,
    position: Position | None = None,
) -> Membership:
    """Give an official a role in an agency (optionally in a division, with a position)."""
    require_manage(actor, agency)
    if not getattr(user, "is_official", False):
        raise ValidationError(
            {"user": [_("Chỉ tài khoản cán bộ, công chức mới được phân công vào cơ quan.")]}
        )
    _check_belongs(agency, division=division, position=position)
    _check_not_duplicate(user, agency, division, role)
    membership = Membership(user_id=user.pk, agency=agency, division=division, position=position, role=role)
    # The two partial unique constraints were checked above with a Vietnamese message; the database
    # still enforces them against concurrent writers.
    membership.full_clean(validate_constraints=False)
    return audit.save_recorded(
        membership,
        actor=actor,
        action="organizations.add_membership",
        details={
            "user": user.get_username(),
            "agency": agency.code,
            "division": division.abbreviation if division else None,
            "role": role,
        },
    )


def _check_belongs(
    agency: Agency, *, division: Division | None = None, position: Position | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if division is not None and division.agency_id != agency.pk:
        errors["division"] = [
            _("Đơn vị “%(division)s” không thuộc %(agency)s.")
            % {"division": division.name, "agency": agency.name}
        ]
    if position is not None and position.agency_id != agency.pk:
        errors["position"] = [
            _("Chức vụ “%(position)s” không thuộc %(agency)s.")
            % {"position": position.title, "agency": agency.name}
        ]
    elif position is not None and position.division_id is not None and position.division_id != _pk(division):
        errors["position"] = [
            _("Chức vụ “%(position)s” thuộc một đơn vị khác đơn vị được chọn.") % {"position": position.title}
        ]
    if errors:
        raise ValidationError(errors)


def _pk(obj: Division | None) -> int | None:
    return obj.pk if obj is not None else None


def _check_not_duplicate(user: AbstractUser, agency: Agency, division: Division | None, role: str) -> None:
    if Membership.objects.filter(user_id=user.pk, agency=agency, division=division, role=role).exists():
        label = Role(role).label
        raise ValidationError(
            _("Cán bộ này đã có vai trò %(role)s tại %(place)s.")
            % {"role": label, "place": division.name if division else agency.name}
        )


def agencies_by_code(codes: Iterable[str]) -> dict[str, Agency]:
    """Agencies keyed by electronic ID, in one query (for imports and seeding)."""
    return {a.code: a for a in Agency.objects.filter(code__in=list(codes))}
