"""Vietnamese text and phone-number helpers shared by every app (core sits below them all)."""

from __future__ import annotations

import re
import unicodedata

MOBILE_LENGTH = 10
# Mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x; 02x is the landline range.
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
MOBILE = re.compile(r"0[35789][0-9]{8}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def normalise_phone(raw: str) -> str:
    """``+84 912 345 678``, ``84912345678`` and ``0912.345.678`` all become ``0912345678``.

    Only the writing is normalised; whether it is a mobile number is ``is_mobile``'s question.
    """
    phone = _PHONE_SEPARATORS.sub("", raw)
    if phone.startswith("+84"):
        return "0" + phone[3:]
    if phone.startswith("84") and len(phone) == MOBILE_LENGTH + 1:
        return "0" + phone[2:]
    return phone


def is_mobile(phone: str) -> bool:
    return MOBILE.fullmatch(phone) is not None


def masked_phone(phone: str) -> str:
    """``0912345678`` → ``091****678``: enough to tell numbers apart in logs, not to call them."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:]


def strip_diacritics(text: str) -> str:
    """``Nguyễn Văn Đức`` → ``Nguyen Van Duc``: NFD, drop combining marks, ``đ→d``, ``Đ→D``.

    Unicode decomposition alone leaves ``đ`` (it is a letter, not a marked ``d``): SMS text,
    search folding and ASCII file names all need the translation first.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D_WITH_STROKE))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
