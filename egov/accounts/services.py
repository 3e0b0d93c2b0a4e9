"""Use cases that change accounts: registration, the officials' second factor, password resets.

Each is one call: it checks what it needs, runs in one transaction and writes an audit event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import lockout
from egov.accounts.models import AssuranceLevel, User
from egov.accounts.rules import PersonalIdError, normalise_phone, parse_personal_id, phone_problem
from egov.core import audit, clock

BACKUP_CODE_COUNT = 10
BACKUP_CODE_DIGITS = 10  # digits only, so one numeric field takes both kinds of code
TOTP_DIGITS = 6
BACKUP_DEVICE_NAME = "backup"
TOTP_DEVICE_NAME = "authenticator"


# --- Registration ---------------------------------------------------------------------------


def register_citizen(
    *,
    full_name: str,
    national_id: str,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    ip: str | None = None,
) -> User:
    """Create a citizen's account; the identity is self-declared until verified (e.g. by VNeID).

    Raises ``ValidationError`` keyed by argument name, so a form can show each message at its field.
    """
    email = (email or "").strip().lower() or None
    phone = normalise_phone(phone or "") or None
    _check_new_citizen(email=email, phone=phone, national_id=national_id)
    user = User(
        username=f"cd-{secrets.token_hex(8)}",  # technical key only: people sign in with e-mail or phone
        full_name=full_name.strip(),
        email=email,
        phone=phone,
        national_id=national_id,
        is_official=False,
        assurance_level=AssuranceLevel.SELF_DECLARED,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            audit.record(
                actor=user,
                action="accounts.register",
                obj=user,
                ip=ip,
                # Channels, not the values: the audit chain is immutable, personal data must stay erasable.
                details={"channels": _channels(email, phone), "assurance_level": user.assurance_level},
            )
    except IntegrityError as error:  # another registration took the address between check and insert
        raise ValidationError(_("Thư điện tử hoặc số điện thoại này vừa được dùng để đăng ký.")) from error
    return user


def _check_new_citizen(*, email: str | None, phone: str | None, national_id: str) -> None:
    errors: dict[str, str] = {}
    if not email and not phone:
        errors["email"] = _("Hãy nhập thư điện tử hoặc số điện thoại (ít nhất một trong hai).")
    if phone and (problem := phone_problem(phone)):
        errors["phone"] = problem
    try:
        parse_personal_id(national_id, today=clock.today())
    except PersonalIdError as invalid:
        errors["national_id"] = invalid.message
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = _(
            "Thư điện tử này đã được dùng cho một tài khoản. Hãy đăng nhập hoặc đặt lại mật khẩu."
        )
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = _("Số điện thoại này đã được dùng cho một tài khoản. Hãy đăng nhập.")
    if errors:
        raise ValidationError(errors)


def _channels(email: str | None, phone: str | None) -> list[str]:
    return [name for name, value in (("email", email), ("phone", phone)) if value]


# --- Second factor --------------------------------------------------------------------------


def start_totp_enrolment(*, user: User, ip: str | None = None) -> TOTPDevice:
    """The unconfirmed authenticator being set up; the same one on every visit until confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is not None:
        return device
    with transaction.atomic():
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False, digits=TOTP_DIGITS
        )
        audit.record(actor=user, action="accounts.totp_enrolment_start", obj=user, ip=ip)
    return device


def confirm_totp_enrolment(*, user: User, device: TOTPDevice, token: str, ip: str | None = None) -> list[str]:
    """Confirm the authenticator with a code it shows; return fresh backup codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Phiên cài đặt ứng dụng xác thực không còn hiệu lực. Hãy bắt đầu lại."))
    if not device.verify_token(normalise_code(token)):  # outside the transaction: the throttle must stick
        raise ValidationError(
            _("Mã không đúng. Hãy nhập mã 6 chữ số đang hiện trong ứng dụng xác thực."), code="token"
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit.record(actor=user, action="accounts.totp_enrol", obj=user, ip=ip)
        return issue_backup_codes(user=user, ip=ip)


def issue_backup_codes(*, user: User, ip: str | None = None) -> list[str]:
    """Replace the user's backup codes with ten new ones; the old ones stop working."""
    codes = [
        f"{secrets.randbelow(10**BACKUP_CODE_DIGITS):0{BACKUP_CODE_DIGITS}d}"
        for _ in range(BACKUP_CODE_COUNT)
    ]
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit.record(
            actor=user, action="accounts.backup_codes_issue", obj=user, ip=ip, details={"count": len(codes)}
        )
    return codes


class CodeOutcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    DEFERRED = "deferred"  # the device asked for a pause after recent failures and did not look at the code


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    device: Device | None = None


def verify_second_factor(*, user: User, token: str, ip: str | None = None) -> CodeCheck:
    """Check a 6-digit authenticator code or a 10-digit backup code; a backup code is used up.

    The caller counts ``REFUSED`` toward the lockout; ``DEFERRED`` checked nothing, so it does not count.
    """
    code = normalise_code(token)
    kind, model = ("totp", TOTPDevice) if len(code) == TOTP_DIGITS else ("backup_code", StaticDevice)
    with transaction.atomic():
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
        check = _check_code(devices, code)
        audit.record(
            actor=user,
            action=f"accounts.second_factor_{check.outcome}",
            obj=user,
            ip=ip,
            details={"kind": kind},
        )
    return check


def _check_code(devices: list[Device], code: str) -> CodeCheck:
    # django-otp's own back-off (1 s, 2 s, 4 s… after failures) stays on beneath the lockout.
    open_devices = [device for device in devices if device.verify_is_allowed()[0]]
    if devices and not open_devices:
        return CodeCheck(CodeOutcome.DEFERRED)
    device = next((device for device in open_devices if device.verify_token(code)), None)
    return CodeCheck(CodeOutcome.ACCEPTED, device) if device else CodeCheck(CodeOutcome.REFUSED)


def normalise_code(token: str) -> str:
    """Codes are read aloud and copied in groups: ``123 456`` and ``12345-67890`` are fine."""
    return "".join(char for char in token if char.isascii() and char.isalnum())


# --- Password reset -------------------------------------------------------------------------


def reset_password(*, user: User, password: str, ip: str | None = None) -> User:
    """Set a new password through an e-mailed link; proving the mailbox also lifts a lockout."""
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password_reset", obj=user, ip=ip)
    lockout.clear_failures(user)
    return user
