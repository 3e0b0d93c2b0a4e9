"""Text messages (SMS): one provider interface, the gateways egov ships, Vietnamese SMS text rules.

Choosing the gateway
    ``settings.EGOV_SMS_GATEWAY`` is the dotted path of a class implementing ``SmsGateway``,
    instantiated without arguments for each delivery (a provider's adapter reads its own
    settings). Unset or empty: ``FileSmsGateway`` in the demo and test profiles, and *no SMS at
    all* in production, where every message that would have gone out is logged as a warning
    instead: a province must choose its provider (brand-name SMS through a carrier's API), and a
    missing choice must neither crash the web process nor pretend to send. ``check_sms_gateway``
    reports the same at start-up as a system check.

Text
    Vietnamese SMS are usually sent without diacritics: GSM-7 fits 153 characters per segment of
    a long message, while one accented letter switches the whole message to UCS-2 with 67.
    ``sms_text`` strips diacritics unless ``EGOV_SMS_STRIP_DIACRITICS`` is off, folds typographic
    punctuation that GSM-7 lacks, and trims the message to ``MAX_SEGMENTS`` segments.
"""

from __future__ import annotations

import fcntl
import json
import logging
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from egov.core import clock
from egov.core import text as vn_text

__all__ = [
    "FILE_GATEWAY",
    "MAX_SEGMENTS",
    "ConsoleSmsGateway",
    "FileSmsGateway",
    "InvalidPhoneNumberError",
    "SmsGateway",
    "check_sms_gateway",
    "configured_gateway",
    "masked_phone",
    "normalise_phone",
    "sms_text",
    "strip_diacritics",
]

logger = logging.getLogger(__name__)

FILE_GATEWAY = "egov.core.sms.FileSmsGateway"
MAX_SEGMENTS = 3
GSM7_SEGMENT = 153  # septets per segment of a concatenated message (160 for a single one)
UCS2_SEGMENT = 67  # UTF-16 units per segment of a concatenated message (70 for a single one)
WORD_CUT_WINDOW = 20  # a trimmed message ends at a word boundary if one is this close to the cut


class SmsGateway(Protocol):
    """What egov needs from an SMS provider."""

    def send(self, phone: str, text: str) -> str:
        """Send ``text`` to ``phone`` (``0xxxxxxxxx``); return the provider's message id.

        Raise on any failure: the delivery task records it and is marked failed.
        """
        ...


class ConsoleSmsGateway:
    """Development: writes each SMS to the log instead of sending it."""

    def send(self, phone: str, text: str) -> str:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info("SMS %s to %s: %s", message_id, phone, text)
        return message_id


class FileSmsGateway:
    """Demo and development outbox: one JSON line per SMS in ``VAR_DIR/sms/outbox.jsonl``.

    Nothing leaves the machine; the demo's "sent" messages are read from the file.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.VAR_DIR) / "sms" / "outbox.jsonl"

    def send(self, phone: str, text: str) -> str:
        message_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(
            {"id": message_id, "sent_at": clock.now().isoformat(), "phone": phone, "text": text},
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            fcntl.flock(outbox, fcntl.LOCK_EX)  # several task workers may append at once
            outbox.write(line + "\n")
        return message_id

    def sent(self) -> list[dict[str, Any]]:
        """The messages in the outbox, oldest first."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


def configured_gateway() -> SmsGateway | None:
    """The gateway chosen in settings, or ``None`` when SMS is disabled (production, unset)."""
    path = _gateway_path()
    if not path:
        return None
    gateway: SmsGateway = import_string(path)()
    return gateway


def _gateway_path() -> str:
    path = str(getattr(settings, "EGOV_SMS_GATEWAY", "") or "")
    if path:
        return path
    # A settings module without a profile is treated as production: nothing is sent by surprise.
    return FILE_GATEWAY if getattr(settings, "PROFILE", "production") in {"demo", "test"} else ""


def check_sms_gateway(**kwargs: Any) -> list[checks.CheckMessage]:
    """System check: warn when SMS is disabled, fail when the configured gateway cannot load."""
    path = _gateway_path()
    if not path:
        return [
            checks.Warning(
                "SMS is disabled: EGOV_SMS_GATEWAY is not set, so citizens get no SMS notifications.",
                hint=(
                    "Set EGOV_SMS_GATEWAY to the dotted path of the province's SMS provider adapter, "
                    "or add core.W001 to SILENCED_SYSTEM_CHECKS if the province sends no SMS."
                ),
                id="core.W001",
            )
        ]
    try:
        import_string(path)
    except ImportError as error:
        return [checks.Error(f"EGOV_SMS_GATEWAY {path!r} cannot be imported: {error}", id="core.E001")]
    return []


# --- Phone numbers ----------------------------------------------------------------------------


class InvalidPhoneNumberError(ValueError):
    """Not a Vietnamese mobile number: an SMS cannot reach it."""


def normalise_phone(raw: str) -> str:
    """The number an SMS goes to, ``0912345678``; ``InvalidPhoneNumberError`` if it is no mobile."""
    phone = vn_text.normalise_phone(raw)
    if not vn_text.is_mobile(phone):
        raise InvalidPhoneNumberError(f"not a Vietnamese mobile number: {masked_phone(raw)}")
    return phone


masked_phone = vn_text.masked_phone
strip_diacritics = vn_text.strip_diacritics


# --- Text -------------------------------------------------------------------------------------

_GSM_FOLD = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\u00a0": " "}
)
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each (escape + character)


def sms_text(text: str, *, strip: bool | None = None) -> str:
    """``text`` as it should go out: one line, diacritics stripped (setting), at most 3 segments.

    ``strip`` defaults to ``settings.EGOV_SMS_STRIP_DIACRITICS`` (on when unset). A trimmed
    message ends with an ellipsis so the reader knows it was cut.
    """
    if strip is None:
        strip = bool(getattr(settings, "EGOV_SMS_STRIP_DIACRITICS", True))
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if strip:
        text = strip_diacritics(text).translate(_GSM_FOLD)
    if _is_gsm7(text):
        return _trim(text, MAX_SEGMENTS * GSM7_SEGMENT, _septets, "...")
    return _trim(text, MAX_SEGMENTS * UCS2_SEGMENT, _utf16_units, "…")


def _is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def _septets(text: str) -> int:
    return sum(2 if char in GSM7_EXTENDED else 1 for char in text)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _trim(text: str, limit: int, cost: Callable[[str], int], ellipsis: str) -> str:
    if cost(text) <= limit:
        return text
    room, used, kept = limit - cost(ellipsis), 0, []
    for char in text:
        used += cost(char)
        if used > room:
            break
        kept.append(char)
    head = "".join(kept)
    word_end = head.rfind(" ", len(head) - WORD_CUT_WINDOW)
    return (head[:word_end] if word_end > 0 else head).rstrip() + ellipsis
