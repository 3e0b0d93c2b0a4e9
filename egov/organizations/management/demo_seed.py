"""The seeding steps of ``manage.py seed_demo`` and the context they share with later apps' steps.

Extending the demo (the hook): an egov app adds a module ``<app>/demo.py`` with

    def seed(demo: DemoSeed) -> None: ...

``seed_demo`` runs the organizations steps below first, then each app's ``seed`` in
INSTALLED_APPS order, all in one transaction. A step must be idempotent (get-or-create by natural
keys: a second run changes nothing). It finds the demo agencies with ``demo.agency("stp")`` and
the demo people with ``demo.user("mc.stp")``; an account it creates is handed to
``demo.register_account(...)`` so that it gets fresh credentials and a line in the printed table.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, get_hasher, make_password
from django.core.exceptions import ImproperlyConfigured
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.organizations import services
from egov.organizations.management import demo_data as data
from egov.organizations.models import AdministrativeUnit, Agency, Division, Membership, Position, Role

if TYPE_CHECKING:
    # accounts sits above organizations (tests/test_layers.py): the user model comes from
    # get_user_model() and is typed as Django's AbstractUser here.
    from django.contrib.auth.models import AbstractUser

# The characters of generated passwords: none of 0/O, 1/l/I that people misread.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105
TOTP_DEVICE_NAME = "Ứng dụng xác thực (demo)"


class Output(Protocol):
    """Where steps report: the command's stdout, or a buffer under ``--quiet``."""

    def write(self, message: str, /) -> Any: ...


@dataclass
class DemoAccount:
    """One line of the printed table; password and TOTP are filled in by ``rotate_credentials``."""

    user: AbstractUser
    role: str
    agency: str
    login: str
    official: bool
    password: str = ""
    totp_secret: str = ""
    totp_code: str = ""


@dataclass
class DemoSeed:
    """What the steps share: output, the demo agencies and people, the accounts to print."""

    stdout: Output
    agencies: dict[str, Agency] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    province: AdministrativeUnit | None = None

    def agency(self, key: str) -> Agency:
        return self.agencies[key]

    def user(self, username: str) -> AbstractUser:
        return next(a.user for a in self.accounts if a.user.get_username() == username)

    def register_account(
        self, user: AbstractUser, *, role: str, agency: str, login: str, official: bool
    ) -> None:
        self.accounts.append(DemoAccount(user=user, role=role, agency=agency, login=login, official=official))

    def say(self, message: str) -> None:
        self.stdout.write(message + "\n")


Step = Callable[[DemoSeed], None]


# --- Steps ----------------------------------------------------------------------------------


def load_units(demo: DemoSeed) -> None:
    """All 34 provinces, but only the demo province's communes: the full country is
    ``manage.py load_administrative_units`` (a few seconds more, not needed by the demo)."""
    result = services.load_administrative_units(province_code=data.PROVINCE_CODE)
    demo.province = AdministrativeUnit.objects.get(
        level=AdministrativeUnit.Level.PROVINCE, code=services.province_unit_code(data.PROVINCE_CODE)
    )
    demo.say(
        f"Đơn vị hành chính: {result.created} tạo mới, {result.updated} cập nhật, "
        f"{result.unchanged} giữ nguyên."
    )


def create_agencies(demo: DemoSeed) -> None:
    existing = services.agencies_by_code(spec.code for spec in data.AGENCIES)
    units = _units_by_code({spec.unit_code for spec in data.AGENCIES if spec.unit_code})
    created = 0
    for spec in data.AGENCIES:
        agency = existing.get(spec.code)
        if agency is None:
            agency = services.create_agency(
                actor=None,
                code=spec.code,
                name=spec.name,
                abbreviation=spec.abbreviation,
                kind=spec.kind,
                parent=demo.agencies[spec.parent] if spec.parent else None,
                administrative_unit=units[spec.unit_code] if spec.unit_code else None,
                email=f"{spec.key}@{data.EMAIL_DOMAIN}",
            )
            created += 1
        demo.agencies[spec.key] = agency
    demo.say(f"Cơ quan: {created} tạo mới, {len(data.AGENCIES) - created} đã có.")


def _units_by_code(codes: set[str]) -> dict[str, AdministrativeUnit]:
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
    missing = codes - set(units)
    if missing:  # the demo data names a unit the installed vietnam-provinces no longer has
        raise ImproperlyConfigured(f"vietnam-provinces không có đơn vị hành chính mã {sorted(missing)}")
    return units


def create_divisions(demo: DemoSeed) -> None:
    existing = {
        (d.agency_id, d.abbreviation) for d in Division.objects.filter(agency__in=demo.agencies.values())
    }
    created = 0
    for spec in data.AGENCIES:
        agency = demo.agency(spec.key)
        for division in spec.divisions:
            if (agency.pk, division.abbreviation) not in existing:
                services.add_division(
                    actor=None,
                    agency=agency,
                    name=division.name,
                    abbreviation=division.abbreviation,
                    is_one_stop_desk=division.kind is data.DivisionKind.DESK,
                )
                created += 1
    demo.say(f"Phòng, bộ phận: {created} tạo mới.")


def create_positions(demo: DemoSeed) -> None:
    """The usual posts: head and deputy of each agency, then the posts of each kind of division."""
    positions = _PositionBook(demo)
    for spec in data.AGENCIES:
        for title in data.HEAD_TITLES.get(spec.kind, data.DEFAULT_HEAD_TITLES):
            positions.get(spec.key, None, title)
        for division in spec.divisions:
            for title in data.DIVISION_TITLES[division.kind]:
                positions.get(spec.key, division.abbreviation, title)
    demo.say(f"Chức vụ: {positions.created} tạo mới.")


def create_officials(demo: DemoSeed) -> None:
    positions = _PositionBook(demo)
    users = _get_or_create_users(
        {
            o.username: {
                "full_name": o.full_name,
                "email": f"{o.username}@{data.EMAIL_DOMAIN}",
                "is_official": True,
                "is_staff": o.superuser,
                "is_superuser": o.superuser,
            }
            for o in data.OFFICIALS
        }
    )
    memberships = set(
        Membership.objects.filter(user_id__in=[u.pk for u in users.values()]).values_list(
            "user_id", "agency_id", "division_id", "role"
        )
    )
    for official in data.OFFICIALS:
        user = users[official.username]
        agency = demo.agency(official.agency)
        position = positions.get(official.agency, official.division, official.position)
        if (user.pk, agency.pk, position.division_id, official.role) not in memberships:
            services.add_membership(
                actor=None,
                user=user,
                agency=agency,
                role=official.role,
                division=position.division,
                position=position,
            )
        role = Role(official.role).label + (" (và quản trị /admin/)" if official.superuser else "")
        demo.register_account(user, role=role, agency=agency.name, login=user.get_username(), official=True)
    demo.say(f"Cán bộ: {len(data.OFFICIALS)} tài khoản.")


def create_citizens(demo: DemoSeed) -> None:
    users = _get_or_create_users(
        {
            c.username: {
                "full_name": c.full_name,
                "email": c.email,
                "phone": c.phone,
                "national_id": c.national_id,
            }
            for c in data.CITIZENS
        }
    )
    for citizen in data.CITIZENS:
        login = " hoặc ".join(filter(None, [citizen.email, citizen.phone]))
        demo.register_account(
            users[citizen.username], role="Công dân", agency="", login=login, official=False
        )
    demo.say(f"Công dân: {len(data.CITIZENS)} tài khoản.")


ORGANIZATION_STEPS: tuple[Step, ...] = (
    load_units,
    create_agencies,
    create_divisions,
    create_positions,
    create_officials,
    create_citizens,
)


# --- Helpers --------------------------------------------------------------------------------


class _PositionBook:
    """Get-or-create positions by (agency key, division abbreviation, title) with one read."""

    def __init__(self, demo: DemoSeed) -> None:
        self.demo = demo
        self.created = 0
        self.divisions = {
            (d.agency_id, d.abbreviation): d
            for d in Division.objects.filter(agency__in=demo.agencies.values())
        }
        self.positions = {
            (p.agency_id, p.division_id, p.title): p
            for p in Position.objects.filter(agency__in=demo.agencies.values()).select_related("division")
        }

    def get(self, agency_key: str, division_abbr: str | None, title: str) -> Position:
        agency = self.demo.agency(agency_key)
        division = self.divisions[(agency.pk, division_abbr)] if division_abbr else None
        key = (agency.pk, division.pk if division else None, title)
        if key not in self.positions:
            self.positions[key] = services.add_position(
                actor=None, agency=agency, title=title, kind=position_kind(title), division=division
            )
            self.created += 1
        return self.positions[key]


def position_kind(title: str) -> Position.Kind:
    if title.startswith("Phó"):
        return Position.Kind.DEPUTY
    if title in {"Chủ tịch", "Giám đốc", "Trưởng phòng"}:
        return Position.Kind.HEAD
    if title == "Văn thư":
        return Position.Kind.CLERK
    return Position.Kind.SPECIALIST


def _get_or_create_users(wanted: dict[str, dict[str, Any]]) -> dict[str, AbstractUser]:
    """Existing accounts are left as they are: a second run must not undo an administrator's edits."""
    user_model = get_user_model()
    users: dict[str, AbstractUser] = {
        u.get_username(): u for u in user_model.objects.filter(username__in=wanted)
    }
    for username, fields in wanted.items():
        if username not in users:
            user = user_model(username=username, **fields)
            user.set_unusable_password()  # the real one comes from rotate_credentials
            user.save()
            users[username] = user
    return users


# --- Credentials ----------------------------------------------------------------------------


class _QuickArgon2Hasher(Argon2PasswordHasher):
    """Argon2 with light parameters for demo passwords, which are printed in clear anyway.

    Full Argon2 costs 0.3 s a hash here; forty accounts would make every seed run slow. The hash is
    still a regular ``argon2`` one that the configured hasher verifies, and Django re-hashes it with
    the full parameters at the first successful sign-in (``must_update``).
    """

    time_cost = 1
    memory_cost = 8 * 1024
    parallelism = 1


def _demo_hasher() -> BasePasswordHasher:
    default = get_hasher()
    return _QuickArgon2Hasher() if isinstance(default, Argon2PasswordHasher) else default


def new_password() -> str:
    """Three groups of four unambiguous characters: easy to read aloud and type, e.g. ``Kq7m-Xr4p-Tz9w``."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def base32_secret(hex_key: str) -> str:
    """The secret an authenticator app asks for, from django-otp's hex key."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode("ascii")


def current_totp(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def rotate_credentials(demo: DemoSeed) -> None:
    """New password for every demo account and a new TOTP secret for every official, on every run.

    Devices are updated in place (same row, new key) so that nothing but the secrets changes.
    """
    hasher = _demo_hasher()
    for account in demo.accounts:
        account.password = new_password()
        account.user.password = make_password(account.password, hasher=hasher)
    # cast: get_user_model() is accounts.User, which these AbstractUser values are.
    get_user_model().objects.bulk_update(cast("list[Any]", [a.user for a in demo.accounts]), ["password"])
    officials = [a for a in demo.accounts if a.official]
    devices = _devices_for([a.user for a in officials])
    for account in officials:
        device = devices[account.user.pk]
        device.key = secrets.token_hex(20)
        device.last_t, device.drift = -1, 0
        device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
        account.totp_secret = base32_secret(device.key)
        account.totp_code = current_totp(device)
    TOTPDevice.objects.bulk_update(
        list(devices.values()),
        ["key", "last_t", "drift", "throttling_failure_count", "throttling_failure_timestamp"],
    )


def _devices_for(users: list[AbstractUser]) -> dict[int, TOTPDevice]:
    """One confirmed device per official: the first existing one, else a new one."""
    devices: dict[int, TOTPDevice] = {}
    for device in TOTPDevice.objects.filter(user_id__in=[u.pk for u in users], confirmed=True).order_by("pk"):
        devices.setdefault(device.user_id, device)
    for user in users:
        if user.pk not in devices:  # first run only: one insert each keeps the primary keys portable
            devices[user.pk] = TOTPDevice.objects.create(
                user_id=user.pk, name=TOTP_DEVICE_NAME, confirmed=True
            )
    return devices
