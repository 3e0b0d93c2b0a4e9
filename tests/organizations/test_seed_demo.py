"""``seed_demo`` and ``demo_totp``: the demo province, every role, fresh credentials, idempotence."""

from __future__ import annotations

import base64
import importlib.machinery
import stat
import sys
import types
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.permissions import permissions_of
from egov.accounts.rules import personal_id_problem
from egov.accounts.scope import scope_of
from egov.core.models.audit import AuditEvent
from egov.organizations.management import demo_data
from egov.organizations.management.demo_seed import DemoSeed, _demo_hasher, current_totp
from egov.organizations.models import AdministrativeUnit, Agency, Membership, Role
from egov.organizations.rules import agency_code_problem

pytestmark = pytest.mark.django_db

SECRET_FIELDS = {
    "accounts.user": {"password", "last_login"},
    "otp_totp.totpdevice": {
        "key",
        "last_t",
        "drift",
        "throttling_failure_count",
        "throttling_failure_timestamp",
    },
}


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of organizations, accounts and the TOTP devices, without the rotated secrets."""
    models = [
        *apps.get_app_config("organizations").get_models(),
        *apps.get_app_config("accounts").get_models(),
        TOTPDevice,
    ]
    rows: dict[str, list[dict[str, Any]]] = {}
    for model in models:
        label = model._meta.label_lower
        hidden = SECRET_FIELDS.get(label, set())
        rows[label] = [
            {k: v for k, v in row.items() if k not in hidden} for row in model.objects.order_by("pk").values()
        ]
    return rows


def secrets_now() -> tuple[dict[str, str], dict[int, str]]:
    users = dict(get_user_model().objects.values_list("username", "password"))
    keys = dict(TOTPDevice.objects.values_list("user_id", "key"))
    return users, keys


def test_the_demo_province_is_ca_mau_with_its_communes(var_dir: Path) -> None:
    seed("--quiet")

    province = AdministrativeUnit.objects.get(level="province", code="96")
    assert province.name == "Tỉnh Cà Mau"
    assert AdministrativeUnit.objects.filter(level="province").count() == 34
    assert AdministrativeUnit.objects.filter(level="commune").count() == 64
    assert set(AdministrativeUnit.objects.filter(level="commune").values_list("parent", flat=True)) == {
        province.pk
    }


def test_the_agencies_have_valid_electronic_ids_of_the_demo_province(var_dir: Path) -> None:
    seed("--quiet")

    committee = Agency.objects.get(code=f"000.00.00.{demo_data.PROVINCE_H_CODE}")
    assert committee.name == "Ủy ban nhân dân tỉnh Cà Mau"
    assert committee.administrative_unit is not None
    assert committee.administrative_unit.code == "96"
    for agency in Agency.objects.all():
        assert agency_code_problem(agency.code) is None
        assert agency.code.endswith(".H12")
    kinds = list(Agency.objects.values_list("kind", flat=True))
    assert kinds.count(Agency.Kind.DEPARTMENT) >= 4
    assert kinds.count(Agency.Kind.SERVICE_CENTRE) == 1
    assert (
        Agency.objects.get(kind=Agency.Kind.SERVICE_CENTRE).divisions.filter(is_one_stop_desk=True).exists()
    )


def test_each_commune_committee_governs_a_real_commune_of_the_province(var_dir: Path) -> None:
    seed("--quiet")

    communes = Agency.objects.filter(administrative_unit__level="commune").select_related(
        "administrative_unit"
    )
    assert communes.count() == 3
    for agency in communes:
        unit = agency.administrative_unit
        assert unit is not None
        assert unit.parent is not None and unit.parent.code == "96"
        assert agency.name.endswith(unit.name[0].lower() + unit.name[1:])  # "… phường Bạc Liêu"
        assert agency.divisions.filter(is_one_stop_desk=True).exists()


def test_every_role_has_a_demo_official_at_the_province_a_department_and_a_commune(var_dir: Path) -> None:
    seed("--quiet")

    for key in ("ubnd", "stp", "baclieu"):
        agency = Agency.objects.get(code=next(a.code for a in demo_data.AGENCIES if a.key == key))
        roles = set(Membership.objects.filter(agency=agency, is_active=True).values_list("role", flat=True))
        assert roles == set(Role.values), key


def test_each_role_s_permissions_are_held_by_some_demo_official_where_they_work(var_dir: Path) -> None:
    seed("--quiet")

    for role in Role:
        membership = Membership.objects.select_related("user").filter(role=role).first()
        assert membership is not None, role
        scope = scope_of(membership.user)
        assert permissions_of(role) <= scope.permissions_in(membership.agency_id), role


def test_officials_have_a_confirmed_totp_device_and_one_is_a_superuser(var_dir: Path) -> None:
    seed("--quiet")

    officials = get_user_model().objects.filter(is_official=True)
    assert officials.count() == len(demo_data.OFFICIALS)
    for official in officials:
        assert official.email == f"{official.username}@demo.egov.vn"
        assert TOTPDevice.objects.filter(user=official, confirmed=True).count() == 1
        assert official.memberships.exists()
    admin = get_user_model().objects.get(username="quantri.ubnd")
    assert admin.is_staff and admin.is_superuser
    assert set(get_user_model().objects.filter(is_superuser=True).values_list("username", flat=True)) == {
        "quantri.ubnd"
    }


def test_citizens_have_a_valid_personal_id_and_an_email_or_a_phone(var_dir: Path) -> None:
    seed("--quiet")

    citizens = get_user_model().objects.filter(is_official=False)
    assert citizens.count() == len(demo_data.CITIZENS) >= 3
    for citizen in citizens:
        assert citizen.national_id is not None
        assert personal_id_problem(citizen.national_id, today=date(2026, 12, 1)) is None
        assert citizen.email or citizen.phone
        assert not citizen.memberships.exists()
        assert not TOTPDevice.objects.filter(user=citizen).exists()


def test_a_second_run_changes_nothing_but_passwords_and_totp_secrets(var_dir: Path) -> None:
    seed("--quiet")
    before, (passwords, keys) = snapshot(), secrets_now()
    events = AuditEvent.objects.count()

    seed("--quiet")

    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    new_passwords, new_keys = secrets_now()
    assert new_passwords.keys() == passwords.keys()
    assert all(new_passwords[name] != passwords[name] for name in passwords)
    assert new_keys.keys() == keys.keys()
    assert all(new_keys[user] != keys[user] for user in keys)


def test_the_printed_credentials_work(var_dir: Path) -> None:
    output = seed()

    line = next(line for line in output.splitlines() if "| mc.stp " in line)
    cells = [cell.strip() for cell in line.split("|")]
    role, agency, login, password, secret, _code = cells
    assert (role, agency, login) == ("Cán bộ một cửa", "Sở Tư pháp", "mc.stp")
    user = get_user_model().objects.get(username="mc.stp")
    assert user.check_password(password)
    device = TOTPDevice.objects.get(user=user)
    assert secret == base64.b32encode(device.bin_key).decode()
    assert device.verify_token(current_totp(device))


def test_the_credentials_file_is_private_and_lists_every_account(var_dir: Path) -> None:
    seed("--quiet")

    path = var_dir / "demo-accounts.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for official in demo_data.OFFICIALS:
        assert f" {official.username} " in text
    assert "0901000002" in text
    assert "demo_totp" in text


def test_quiet_prints_nothing(var_dir: Path) -> None:
    assert seed("--quiet") == ""


def test_seed_demo_refuses_to_run_in_production(var_dir: Path, settings: Any) -> None:
    settings.PROFILE = "production"
    with pytest.raises(CommandError, match="chỉ chạy ở chế độ trình diễn"):
        seed("--quiet")
    assert not Agency.objects.exists()


def test_another_app_extends_the_demo_with_a_demo_module(
    var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented hook: ``<app>/demo.py`` with ``seed(demo)``, run after organizations' steps."""
    seen: list[DemoSeed] = []

    def seed_workspace(demo: DemoSeed) -> None:
        seen.append(demo)
        demo.say(f"workspace: {demo.agency('stp').abbreviation}")

    module = types.ModuleType("egov.workspace.demo")
    module.__spec__ = importlib.machinery.ModuleSpec("egov.workspace.demo", None)
    module.seed = seed_workspace  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "egov.workspace.demo", module)

    output = seed()

    assert len(seen) == 1
    assert "workspace: STP" in output
    assert seen[0].user("mc.stp").get_username() == "mc.stp"


def test_demo_passwords_are_argon2_hashes_the_configured_hasher_verifies_and_upgrades(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    encoded = make_password("Kq7m-Xr4p-Tz9w", hasher=_demo_hasher())

    assert encoded.startswith("argon2$")
    assert check_password("Kq7m-Xr4p-Tz9w", encoded)
    assert get_hasher("argon2").must_update(encoded)  # full strength at the first sign-in


# --- demo_totp ------------------------------------------------------------------------------


def test_demo_totp_prints_the_current_code_of_an_official(var_dir: Path) -> None:
    seed("--quiet")
    out = StringIO()

    call_command("demo_totp", "mc.stp", stdout=out)

    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert TOTPDevice.objects.get(user__username="mc.stp").verify_token(code)


def test_demo_totp_refuses_citizens_and_unknown_names(var_dir: Path) -> None:
    seed("--quiet")
    for username in ("congdan.an", "khong.co"):
        with pytest.raises(CommandError, match="Không có cán bộ nào"):
            call_command("demo_totp", username, stdout=StringIO())


def test_demo_totp_refuses_to_run_in_production(settings: Any) -> None:
    settings.PROFILE = "production"
    with pytest.raises(CommandError, match="không dùng trên hệ thống thật"):
        call_command("demo_totp", "mc.stp", stdout=StringIO())
