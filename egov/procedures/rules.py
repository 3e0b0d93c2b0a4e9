"""Pure rules of the catalogue: procedure codes, step shares, form schemas and filled answers.

No database, no settings: callers pass ``today`` where a rule depends on the date. Messages are
Vietnamese, for the administrator editing a schema or the applicant filling a form, and always
name the field they are about.

A form schema is a list of field specifications (``docs/catalogue-format.md`` §4)::

    {"key": "ho_ten", "label": "Họ, chữ đệm và tên", "type": "person", "required": true,
     "help": "…", "choices": [{"value": "nam", "label": "Nam"}],
     "show_if": {"field": "gioi_tinh", "equals": "nam"}, "min": 0, "max": 100, "max_length": 120}

Filled answers are a ``{key: text}`` mapping; every cleaned value is a string (numbers in their
canonical decimal form, dates as ``dd/mm/yyyy``) so that an application stores and hashes stably.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from egov.accounts.rules import normalise_personal_id, normalise_phone, personal_id_problem, phone_problem

SAME_DAY_CUTOFF = time(15, 0)
PROCEDURE_CODE_MAX_LENGTH = 30
_PROCEDURE_CODE = re.compile(r"[0-9]+(\.[0-9]+)+")
_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,49}")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
DEFAULT_MAX_LENGTH = 255
LABEL_MAX_LENGTH = 200


# --- Procedure codes and step shares ------------------------------------------------------------


def procedure_code_problem(code: str) -> str | None:
    """Why ``code`` is not a national procedure code (digits in dot-separated groups, e.g. 1.001193)."""
    if not code:
        return _("Mã thủ tục không được để trống.")
    if len(code) > PROCEDURE_CODE_MAX_LENGTH:
        return _("Mã thủ tục dài tối đa %(limit)d ký tự.") % {"limit": PROCEDURE_CODE_MAX_LENGTH}
    if not _PROCEDURE_CODE.fullmatch(code):
        return _(
            "Mã thủ tục “%(code)s” không hợp lệ: gồm các nhóm chữ số cách nhau bởi dấu chấm, ví dụ 1.001193."
        ) % {"code": code}
    return None


def share_problems(shares: Sequence[int]) -> list[str]:
    """Why the steps' percentages are not a valid split of the processing time (empty when valid)."""
    if not shares:
        return [_("Quy trình cần ít nhất một bước.")]
    problems = [
        _("Bước %(step)d: thời gian phải là số nguyên từ 1 đến 100 (%%), không phải %(value)s.")
        % {"step": index, "value": share}
        for index, share in enumerate(shares, start=1)
        if isinstance(share, bool) or not isinstance(share, int) or not 1 <= share <= 100
    ]
    if not problems and sum(shares) != 100:
        problems.append(
            _("Tổng thời gian các bước phải bằng 100 %%; hiện là %(total)d %%.") % {"total": sum(shares)}
        )
    return problems


# --- Form schemas --------------------------------------------------------------------------------


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    ADDRESS = "address"
    PERSON = "person"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    EMAIL = "email"


_TEXTUAL = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.ADDRESS, FieldType.PERSON})
_COMMON_KEYS = frozenset({"key", "label", "type", "required", "help", "show_if"})
_EXTRA_KEYS: dict[FieldType, frozenset[str]] = {
    FieldType.CHOICE: frozenset({"choices"}),
    FieldType.NUMBER: frozenset({"min", "max"}),
    **{kind: frozenset({"max_length"}) for kind in _TEXTUAL},
}


@dataclass(frozen=True)
class SchemaProblem:
    """One reason a schema is refused: where (``fields[2].choices``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_problems(fields: object) -> list[SchemaProblem]:
    """Everything wrong with a form schema's field list; empty when it may be published."""
    if not isinstance(fields, list):
        return [SchemaProblem("fields", _("Danh sách trường phải là một mảng JSON."))]
    if not fields:
        return [SchemaProblem("fields", _("Tờ khai cần ít nhất một trường."))]
    problems: list[SchemaProblem] = []
    seen: dict[str, Mapping[str, Any]] = {}
    for index, spec in enumerate(fields):
        path = f"fields[{index}]"
        if not isinstance(spec, dict):
            problems.append(SchemaProblem(path, _("Mỗi trường phải là một đối tượng JSON.")))
            continue
        own = _field_problems(spec, path, seen)
        problems.extend(own)
        key = spec.get("key")
        if isinstance(key, str) and key not in seen:
            seen[key] = spec
    return problems


def _field_problems(
    spec: Mapping[str, Any], path: str, earlier: Mapping[str, Mapping[str, Any]]
) -> list[SchemaProblem]:
    key = spec.get("key")
    if not isinstance(key, str) or not _FIELD_KEY.fullmatch(key):
        return [
            SchemaProblem(
                f"{path}.key",
                _("Mã trường “%(key)s” không hợp lệ: chữ thường không dấu, chữ số và “_”, bắt đầu bằng chữ.")
                % {"key": key},
            )
        ]
    if key in earlier:
        return [SchemaProblem(f"{path}.key", _("Trường “%(key)s” bị trùng mã.") % {"key": key})]
    try:
        kind = FieldType(str(spec.get("type")))
    except ValueError:
        message = _("Trường “%(key)s”: kiểu “%(type)s” không hợp lệ; chọn một trong: %(types)s.") % {
            "key": key,
            "type": spec.get("type"),
            "types": ", ".join(FieldType),
        }
        return [SchemaProblem(f"{path}.type", message)]
    problems = _unknown_keys(spec, kind, key, path)
    problems += _label_problems(spec, key, path)
    problems += _option_problems(spec, kind, key, path)
    if "show_if" in spec:
        problems += _condition_problems(spec["show_if"], key, f"{path}.show_if", earlier)
    return problems


def _unknown_keys(spec: Mapping[str, Any], kind: FieldType, key: str, path: str) -> list[SchemaProblem]:
    allowed = _COMMON_KEYS | _EXTRA_KEYS.get(kind, frozenset())
    return [
        SchemaProblem(
            f"{path}.{name}",
            _("Trường “%(key)s” (kiểu %(type)s) không dùng thuộc tính “%(name)s”.")
            % {"key": key, "type": kind.value, "name": name},
        )
        for name in sorted(set(spec) - allowed)
    ]


def _label_problems(spec: Mapping[str, Any], key: str, path: str) -> list[SchemaProblem]:
    problems = []
    label = spec.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX_LENGTH:
        problems.append(
            SchemaProblem(
                f"{path}.label",
                _("Trường “%(key)s” cần nhãn tiếng Việt (1–%(limit)d ký tự).")
                % {"key": key, "limit": LABEL_MAX_LENGTH},
            )
        )
    if not isinstance(spec.get("required", False), bool):
        problems.append(
            SchemaProblem(
                f"{path}.required", _("Trường “%(key)s”: “required” phải là true hoặc false.") % {"key": key}
            )
        )
    if not isinstance(spec.get("help", ""), str):
        problems.append(
            SchemaProblem(f"{path}.help", _("Trường “%(key)s”: hướng dẫn phải là chuỗi.") % {"key": key})
        )
    return problems


def _option_problems(spec: Mapping[str, Any], kind: FieldType, key: str, path: str) -> list[SchemaProblem]:
    if kind is FieldType.CHOICE:
        return _choice_problems(spec.get("choices"), key, f"{path}.choices")
    problems = []
    for name in ("min", "max", "max_length"):
        value = spec.get(name)
        if name in spec and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(
                SchemaProblem(
                    f"{path}.{name}",
                    _("Trường “%(key)s”: “%(name)s” phải là số nguyên.") % {"key": key, "name": name},
                )
            )
    if "max_length" in spec and isinstance(spec["max_length"], int) and not 1 <= spec["max_length"] <= 4000:
        problems.append(
            SchemaProblem(
                f"{path}.max_length", _("Trường “%(key)s”: độ dài tối đa từ 1 đến 4000.") % {"key": key}
            )
        )
    low, high = spec.get("min"), spec.get("max")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append(
            SchemaProblem(f"{path}.min", _("Trường “%(key)s”: “min” lớn hơn “max”.") % {"key": key})
        )
    return problems


def _choice_problems(choices: object, key: str, path: str) -> list[SchemaProblem]:
    if not isinstance(choices, list) or not choices:
        return [SchemaProblem(path, _("Trường lựa chọn “%(key)s” cần ít nhất một lựa chọn.") % {"key": key})]
    problems = []
    values: set[str] = set()
    for index, choice in enumerate(choices):
        where = f"{path}[{index}]"
        if (
            not isinstance(choice, dict)
            or set(choice) != {"value", "label"}
            or not all(isinstance(choice[n], str) and choice[n].strip() for n in ("value", "label"))
            or "\n" in choice["value"] + choice["label"]
        ):
            problems.append(
                SchemaProblem(
                    where,
                    _("Trường “%(key)s”: mỗi lựa chọn gồm đúng “value” và “label”, là chuỗi một dòng.")
                    % {"key": key},
                )
            )
        elif choice["value"] in values:
            problems.append(
                SchemaProblem(
                    where,
                    _("Trường “%(key)s”: giá trị lựa chọn “%(value)s” bị trùng.")
                    % {"key": key, "value": choice["value"]},
                )
            )
        else:
            values.add(choice["value"])
    return problems


def _condition_problems(
    condition: object, key: str, path: str, earlier: Mapping[str, Mapping[str, Any]]
) -> list[SchemaProblem]:
    if (
        not isinstance(condition, dict)
        or set(condition) != {"field", "equals"}
        or not isinstance(condition["equals"], str)
    ):
        return [
            SchemaProblem(
                path,
                _("Trường “%(key)s”: điều kiện hiển thị có dạng {“field”: mã trường, “equals”: giá trị}.")
                % {"key": key},
            )
        ]
    target = earlier.get(condition["field"]) if isinstance(condition["field"], str) else None
    if target is None:
        return [
            SchemaProblem(
                f"{path}.field",
                _("Trường “%(key)s” chỉ có thể phụ thuộc vào một trường đứng trước nó; không có “%(field)s”.")
                % {"key": key, "field": condition["field"]},
            )
        ]
    if target.get("type") == FieldType.CHOICE and condition["equals"] not in _choice_values(target):
        return [
            SchemaProblem(
                f"{path}.equals",
                _("Trường “%(key)s”: “%(value)s” không phải một lựa chọn của trường “%(field)s”.")
                % {"key": key, "value": condition["equals"], "field": condition["field"]},
            )
        ]
    return []


def _choice_values(spec: Mapping[str, Any]) -> list[str]:
    choices = spec.get("choices") or []
    return [c["value"] for c in choices if isinstance(c, dict) and "value" in c]


# --- Conditions ----------------------------------------------------------------------------------


def shown_keys(fields: Sequence[Mapping[str, Any]], answers: Mapping[str, object]) -> set[str]:
    """Keys of the fields shown for these answers (a field hidden by its condition hides its dependants).

    Conditions compare the answer as typed, spaces trimmed; schemas allow only earlier fields as
    targets, so one pass in order is enough.
    """
    shown: set[str] = set()
    for spec in fields:
        condition = spec.get("show_if")
        if condition is None or (
            condition["field"] in shown and _as_text(answers.get(condition["field"])) == condition["equals"]
        ):
            shown.add(spec["key"])
    return shown


def declaration_lines(
    fields: Sequence[Mapping[str, Any]], answers: Mapping[str, object]
) -> tuple[tuple[str, str], ...]:
    """What a filled declaration (tờ khai) prints: ``(label, answer)`` for each field shown by these
    answers, in schema order; hidden fields are left out, a shown field left blank prints blank.

    A choice prints its label, a number the Vietnamese way (``1.500,5``), anything else as stored.
    """
    shown = shown_keys(fields, answers)
    return tuple(
        (str(spec["label"]), _printed_answer(spec, _as_text(answers.get(spec["key"]))))
        for spec in fields
        if spec["key"] in shown
    )


def _printed_answer(spec: Mapping[str, Any], text: str) -> str:
    if not text:
        return ""
    if spec.get("type") == FieldType.CHOICE:
        labels = {c.get("value"): c.get("label") for c in spec.get("choices") or [] if isinstance(c, dict)}
        return str(labels.get(text) or text)
    if spec.get("type") == FieldType.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if not number.is_finite():
            return text
        whole, _dot, fraction = f"{number:,f}".partition(".")
        return whole.replace(",", ".") + ("," + fraction if fraction else "")
    return text


# --- Filled answers ------------------------------------------------------------------------------


@dataclass
class AnswerCheck:
    """The outcome of checking a filled form: cleaned answers of shown fields, errors per key."""

    cleaned: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_answers(
    fields: Sequence[Mapping[str, Any]], answers: Mapping[str, object], *, today: date
) -> AnswerCheck:
    """Check ``answers`` against a valid schema's ``fields``.

    A field hidden by its condition is never required and its answer is dropped; an empty
    optional field is left out of ``cleaned``; keys the schema does not know are errors.
    """
    result = AnswerCheck()
    known = {spec["key"] for spec in fields}
    for unknown in sorted(set(answers) - known):
        result.errors[unknown] = _("Tờ khai không có trường “%(key)s”.") % {"key": unknown}
    shown = shown_keys(fields, answers)
    for spec in fields:
        key = spec["key"]
        if key not in shown:
            continue
        text = _as_text(answers.get(key))
        if not text:
            if spec.get("required", False):
                result.errors[key] = _("Hãy nhập “%(label)s”.") % {"label": spec["label"]}
            continue
        try:
            result.cleaned[key] = clean_value(spec, text, today=today)
        except ValueError as invalid:
            result.errors[key] = str(invalid)
    return result


def clean_value(spec: Mapping[str, Any], text: str, *, today: date) -> str:
    """The canonical form of one non-empty answer, or ``ValueError`` with the applicant's message."""
    kind = FieldType(spec["type"])
    label = spec["label"]
    match kind:
        case FieldType.NUMBER:
            return _clean_number(text, spec, label)
        case FieldType.DATE:
            return _clean_date(text, label)
        case FieldType.CHOICE:
            if text not in _choice_values(spec):
                raise ValueError(_("“%(label)s”: hãy chọn một trong các lựa chọn có sẵn.") % {"label": label})
            return text
        case FieldType.ID_NUMBER:
            number = normalise_personal_id(text)
            problem = personal_id_problem(number, today=today)
            if problem:
                raise ValueError(problem)
            return number
        case FieldType.PHONE:
            phone = normalise_phone(text)
            problem = phone_problem(phone)
            if problem:
                raise ValueError(problem)
            return phone
        case FieldType.EMAIL:
            return _clean_email(text, label)
        case FieldType.PERSON:
            return _clean_person(text, spec, label)
        case _:
            return _clean_text(text, spec, label)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _clean_text(text: str, spec: Mapping[str, Any], label: str) -> str:
    limit = spec.get("max_length", DEFAULT_MAX_LENGTH if spec["type"] == FieldType.TEXT else 4000)
    if len(text) > limit:
        raise ValueError(
            _("“%(label)s” dài tối đa %(limit)d ký tự; bạn đã nhập %(count)d ký tự.")
            % {"label": label, "limit": limit, "count": len(text)}
        )
    return text


def _clean_person(text: str, spec: Mapping[str, Any], label: str) -> str:
    name = " ".join(text.split())
    if any(not (char.isalpha() or char in " '-") for char in name):
        raise ValueError(
            _("“%(label)s” chỉ gồm chữ cái và khoảng trắng, ví dụ Nguyễn Văn An.") % {"label": label}
        )
    return _clean_text(name, spec, label)


def _clean_number(text: str, spec: Mapping[str, Any], label: str) -> str:
    # Vietnamese writes 1.500,5; people also type 1500.5. Dots before a comma group thousands.
    compact = text.replace(" ", "")
    if "," in compact:
        compact = compact.replace(".", "").replace(",", ".")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        raise ValueError(_("“%(label)s” phải là một số, ví dụ 120 hoặc 85,5.") % {"label": label}) from None
    if not number.is_finite():
        raise ValueError(_("“%(label)s” phải là một số, ví dụ 120 hoặc 85,5.") % {"label": label})
    if "min" in spec and number < spec["min"]:
        raise ValueError(_("“%(label)s” không được nhỏ hơn %(min)d.") % {"label": label, "min": spec["min"]})
    if "max" in spec and number > spec["max"]:
        raise ValueError(_("“%(label)s” không được lớn hơn %(max)d.") % {"label": label, "max": spec["max"]})
    normal = number.normalize()
    return f"{normal:f}" if normal != normal.to_integral() else str(normal.quantize(Decimal(1)))


def _clean_date(text: str, label: str) -> str:
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(_("“%(label)s” phải có dạng ngày/tháng/năm, ví dụ 05/03/2026.") % {"label": label})
    day, month, year = (int(part) for part in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        raise ValueError(
            _("“%(label)s”: ngày %(text)s không có trên lịch.") % {"label": label, "text": text}
        ) from None
    return f"{value:%d/%m/%Y}"


def parse_date(text: str) -> date:
    """A cleaned ``dd/mm/yyyy`` answer as a date (for printing and computations)."""
    return datetime.strptime(text, "%d/%m/%Y").date()


def _clean_email(text: str, label: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError(
            _("“%(label)s” không phải địa chỉ thư điện tử hợp lệ, ví dụ ten@example.vn.") % {"label": label}
        ) from None
    return text


# Key order of a stored field specification: stored schemas compare equal whatever the file kind.
_CANONICAL_ORDER = (
    "key",
    "label",
    "type",
    "required",
    "help",
    "choices",
    "show_if",
    "min",
    "max",
    "max_length",
)


def canonical_fields(fields: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A valid schema in its stored form: ``required`` always present, empty ``help`` left out,
    keys in one order. Two schemas that mean the same have the same canonical form."""
    result = []
    for spec in fields:
        canonical: dict[str, Any] = {"required": False}
        for name in _CANONICAL_ORDER:
            if name in spec and not (name == "help" and not spec[name]):
                canonical[name] = spec[name]
        result.append({name: canonical[name] for name in _CANONICAL_ORDER if name in canonical})
    return result
