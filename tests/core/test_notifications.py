"""Notifications: sent by e-mail and SMS after the business commits, never when it rolls back."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from egov.core import notifications, sms
from egov.core.tasks import deliver_notification

ACCEPTED = {
    "subject": "Hồ sơ 000.00.12.H56-270129-0001 đã được tiếp nhận",
    "body": "Hồ sơ của ông/bà đã được tiếp nhận. Hẹn trả kết quả ngày 05/02/2027.",
    "event": "dossier.accepted",
}


class PlannedRollbackError(Exception):
    """Raised inside a business transaction to make it fail."""


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    """The file outbox goes to a scratch directory, never the project's var/."""
    settings.VAR_DIR = tmp_path
    settings.EGOV_SMS_GATEWAY = sms.FILE_GATEWAY
    return tmp_path


def outbox(var_dir: Path) -> list[dict[str, str]]:
    return sms.FileSmsGateway(var_dir / "sms" / "outbox.jsonl").sent()


# --- Queued on commit -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_email_goes_out_when_the_business_transaction_commits(var_dir: Path):
    with transaction.atomic():
        notifications.notify(recipient_email="an@example.vn", recipient_phone=None, **ACCEPTED)
        assert mail.outbox == [], "nothing is sent before the commit"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject, message.body) == (
        ["an@example.vn"],
        ACCEPTED["subject"],
        ACCEPTED["body"],
    )


@pytest.mark.django_db(transaction=True)
def test_nothing_goes_out_when_the_business_transaction_rolls_back(var_dir: Path):
    with pytest.raises(PlannedRollbackError), transaction.atomic():
        notifications.notify(recipient_email="an@example.vn", recipient_phone="0912345678", **ACCEPTED)
        raise PlannedRollbackError
    assert mail.outbox == []
    assert outbox(var_dir) == []


@pytest.mark.django_db(transaction=True)
def test_the_sms_lands_in_the_file_outbox_with_the_number_normalised(var_dir: Path):
    with transaction.atomic():
        notifications.notify(recipient_email=None, recipient_phone="+84 912 345 678", **ACCEPTED)
    [sent] = outbox(var_dir)
    assert sent["phone"] == "0912345678"
    assert sent["text"] == "Ho so cua ong/ba da duoc tiep nhan. Hen tra ket qua ngay 05/02/2027."
    assert sent["id"].startswith("file-")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sms_may_have_its_own_shorter_text(var_dir: Path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipient_email="an@example.vn",
            recipient_phone="0912345678",
            sms_body="Đã nhận hồ sơ",
            **ACCEPTED,
        )
    assert [m["text"] for m in outbox(var_dir)] == ["Da nhan ho so"]
    assert mail.outbox[0].body == ACCEPTED["body"]


@pytest.mark.django_db
def test_unusable_recipients_are_dropped_without_failing_the_business(
    var_dir: Path, django_capture_on_commit_callbacks, caplog: pytest.LogCaptureFixture
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        notifications.notify(recipient_email="not an address", recipient_phone="024 3825 1234", **ACCEPTED)
    assert queued == [], "nothing left to send: nothing queued"
    assert "e-mail dropped" in caplog.text and "SMS dropped" in caplog.text
    assert "3825" not in caplog.text, "phone numbers are masked in logs"


@pytest.mark.django_db
def test_a_multi_line_subject_becomes_one_header_line(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipient_email="an@example.vn",
            recipient_phone=None,
            subject="Hồ sơ\n đã được tiếp nhận",
            body="…",
            event="dossier.accepted",
        )
    assert mail.outbox[0].subject == "Hồ sơ đã được tiếp nhận"


# --- Delivery ---------------------------------------------------------------------------------


def test_the_task_reports_the_outcome_of_each_channel(var_dir: Path):
    result = deliver_notification.enqueue(
        recipient_email="an@example.vn", recipient_phone="0912345678", **ACCEPTED
    )
    assert result.status == "SUCCESSFUL"
    assert result.return_value["email"] == "sent"
    assert result.return_value["sms"] == outbox(var_dir)[0]["id"]


class BrokenGateway:
    def send(self, phone: str, text: str) -> str:
        raise ConnectionError("provider unreachable")


def test_a_failed_channel_fails_the_task_after_the_others_were_tried(
    settings: Any, caplog: pytest.LogCaptureFixture
):
    settings.EGOV_SMS_GATEWAY = f"{__name__}.BrokenGateway"
    result = deliver_notification.enqueue(
        recipient_email="an@example.vn", recipient_phone="0912345678", **ACCEPTED
    )
    assert result.status == "FAILED"
    assert result.errors[0].exception_class is notifications.DeliveryError
    assert len(mail.outbox) == 1, "the e-mail still went out"
    assert "provider unreachable" in caplog.text and "091****678" in caplog.text


# --- Choosing the gateway ---------------------------------------------------------------------


def test_the_gateway_is_the_class_named_in_settings(settings: Any):
    settings.EGOV_SMS_GATEWAY = "egov.core.sms.ConsoleSmsGateway"
    assert isinstance(sms.configured_gateway(), sms.ConsoleSmsGateway)


@pytest.mark.parametrize("profile", ["demo", "test"])
def test_without_a_setting_demo_and_tests_use_the_file_outbox(settings: Any, profile: str):
    settings.EGOV_SMS_GATEWAY = ""
    settings.PROFILE = profile
    assert isinstance(sms.configured_gateway(), sms.FileSmsGateway)
    assert sms.check_sms_gateway() == []


def test_without_a_setting_production_sends_no_sms_and_says_so(
    settings: Any, caplog: pytest.LogCaptureFixture, var_dir: Path
):
    settings.EGOV_SMS_GATEWAY = ""
    settings.PROFILE = "production"
    assert sms.configured_gateway() is None
    assert [w.id for w in sms.check_sms_gateway()] == ["core.W001"]
    with caplog.at_level(logging.WARNING):
        outcome = notifications.deliver(recipient_email=None, recipient_phone="0912345678", **ACCEPTED)
    assert outcome == {"sms": "disabled"}
    assert "SMS is disabled" in caplog.text
    assert outbox(var_dir) == []


def test_a_gateway_that_cannot_be_imported_is_a_system_check_error(settings: Any):
    settings.EGOV_SMS_GATEWAY = "egov.core.sms.NoSuchGateway"
    assert [e.id for e in sms.check_sms_gateway()] == ["core.E001"]


def test_the_console_gateway_logs_the_message(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger="egov.core.sms"):
        message_id = sms.ConsoleSmsGateway().send("0912345678", "Da nhan ho so")
    assert message_id.startswith("console-")
    assert "0912345678: Da nhan ho so" in caplog.text


def test_the_file_outbox_holds_one_json_line_per_sms(var_dir: Path):
    gateway = sms.FileSmsGateway()
    gateway.send("0912345678", "Một")
    gateway.send("0387654321", "Hai")
    lines = (var_dir / "sms" / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Một", "Hai"]


# --- Text and numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Nguyễn Văn Đức", "Nguyen Van Duc"),
        ("ĐỒNG THÁP, đắk lắk", "DONG THAP, dak lak"),
        ("Thủ tục cấp Giấy phép xây dựng", "Thu tuc cap Giay phep xay dung"),
        ("Nguye\u0302\u0303n", "Nguyen"),  # already decomposed (NFD) input
    ],
)
def test_stripping_diacritics_leaves_plain_latin_letters(text: str, plain: str):
    assert sms.strip_diacritics(text) == plain


def test_sms_text_folds_punctuation_gsm7_lacks_and_joins_lines():
    assert sms.sms_text("“Hồ sơ” – đã\n  nhận…", strip=True) == '"Ho so" - da nhan...'


def test_a_long_plain_sms_is_cut_to_three_segments_at_a_word():
    text = sms.sms_text("Hồ sơ " * 200, strip=True)
    assert len(text) <= 3 * 153
    assert text.endswith("so...") or text.endswith("Ho...")


def test_gsm7_escaped_characters_count_twice_towards_the_limit():
    text = sms.sms_text("[" * 300, strip=True)
    assert 2 * text.count("[") + len("...") <= 3 * 153
    assert text.count("[") == (3 * 153 - 3) // 2


def test_an_accented_sms_is_cut_to_three_ucs2_segments():
    text = sms.sms_text("Hồ sơ " * 100, strip=False)
    assert len(text) <= 3 * 67
    assert text.endswith("…")
    assert "ồ" in text


def test_the_diacritics_setting_decides_by_default(settings: Any):
    settings.EGOV_SMS_STRIP_DIACRITICS = False
    assert sms.sms_text("Đã nhận") == "Đã nhận"
    settings.EGOV_SMS_STRIP_DIACRITICS = True
    assert sms.sms_text("Đã nhận") == "Da nhan"


def test_a_short_sms_is_left_whole():
    assert sms.sms_text("Da nhan ho so 000.00.12.H56-270129-0001", strip=True) == (
        "Da nhan ho so 000.00.12.H56-270129-0001"
    )


@pytest.mark.parametrize(
    "raw", ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678", "(+84) 912-345-678"]
)
def test_mobile_numbers_are_normalised_to_the_national_form(raw: str):
    assert sms.normalise_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["024 3825 1234", "091234567", "01912345678", "0912abc678", ""])
def test_numbers_that_cannot_receive_an_sms_are_refused(raw: str):
    with pytest.raises(sms.InvalidPhoneNumberError):
        sms.normalise_phone(raw)
