"""Pure rules of the one-stop shop (DOMAIN.md §1): statuses, the transition table, dossier codes.

No ORM here: services ask these functions whether a move is legal and what it does to the clock.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum, IntEnum, StrEnum

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.core.calendar import ProcessingTime, WorkingCalendar, add_working_time, next_working_instant


class Status(IntEnum):
    """The status codes used by provincial systems and the national portal feed."""

    SUBMITTED = 1
    ACCEPTED = 2
    REFUSED = 3
    IN_PROGRESS = 4
    SUPPLEMENT_REQUESTED = 5
    OBLIGATION_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    FINISHED = 9
    RETURNED = 10


STATUS_LABELS = {
    Status.SUBMITTED: _("Mới tiếp nhận"),
    Status.ACCEPTED: _("Đã tiếp nhận"),
    Status.REFUSED: _("Từ chối tiếp nhận"),
    Status.IN_PROGRESS: _("Đang giải quyết"),
    Status.SUPPLEMENT_REQUESTED: _("Yêu cầu bổ sung"),
    Status.OBLIGATION_REQUESTED: _("Chờ thực hiện nghĩa vụ tài chính"),
    Status.WITHDRAWN: _("Đã rút hồ sơ"),
    Status.STOPPED: _("Dừng giải quyết"),
    Status.FINISHED: _("Đã giải quyết xong"),
    Status.RETURNED: _("Đã trả kết quả"),
}

TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.RETURNED})
# Still the agency's work (counted by lateness lists): accepted and not yet finished.
OPEN = frozenset(
    {
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.OBLIGATION_REQUESTED,
        Status.STOPPED,
    }
)


class ClockEffect(Enum):
    """What a transition does to the legal processing clock."""

    NONE = "none"
    START = "start"  # acceptance: received_at and the legal due date are fixed
    PAUSE = "pause"  # the applicant's or a stop's time is not counted against the agency
    RESUME = "resume"  # the due date moves by the paused working time
    END = "end"


class Form(Enum):
    """The legal forms a transition produces (titles live in templates: Circular 01/2018 → 03/2025)."""

    RECEIPT = "01"
    SUPPLEMENT_REQUEST = "02"
    REFUSAL = "03"
    APOLOGY = "04"
    STOP_NOTICE = "05"
    CONTROL_SLIP = "06"


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    name: str  # the service-level verb, also the audit action suffix
    permission: str  # accounts.permissions entry the actor needs in the dossier's agency
    clock: ClockEffect = ClockEffect.NONE
    form: Form | None = None
    # None: either phase; True: only after acceptance; False: only before acceptance.
    after_acceptance: bool | None = None


_T = Transition
TRANSITIONS: tuple[Transition, ...] = (
    _T(Status.SUBMITTED, Status.ACCEPTED, "accept", "dossiers.receive", ClockEffect.START, Form.RECEIPT),
    _T(Status.SUBMITTED, Status.REFUSED, "refuse", "dossiers.receive", form=Form.REFUSAL),
    _T(
        Status.SUBMITTED,
        Status.SUPPLEMENT_REQUESTED,
        "request_supplement",
        "dossiers.receive",
        form=Form.SUPPLEMENT_REQUEST,
        after_acceptance=False,
    ),
    _T(Status.SUPPLEMENT_REQUESTED, Status.SUBMITTED, "resubmit", "dossiers.receive", after_acceptance=False),
    _T(Status.ACCEPTED, Status.IN_PROGRESS, "start_processing", "dossiers.process", form=Form.CONTROL_SLIP),
    _T(
        Status.IN_PROGRESS,
        Status.SUPPLEMENT_REQUESTED,
        "request_supplement",
        "dossiers.process",
        ClockEffect.PAUSE,
        Form.SUPPLEMENT_REQUEST,
        after_acceptance=True,
    ),
    _T(
        Status.SUPPLEMENT_REQUESTED,
        Status.IN_PROGRESS,
        "resubmit",
        "dossiers.receive",
        ClockEffect.RESUME,
        after_acceptance=True,
    ),
    _T(
        Status.IN_PROGRESS,
        Status.OBLIGATION_REQUESTED,
        "request_obligation",
        "dossiers.process",
        ClockEffect.PAUSE,
    ),
    _T(
        Status.OBLIGATION_REQUESTED,
        Status.IN_PROGRESS,
        "obligation_met",
        "dossiers.process",
        ClockEffect.RESUME,
    ),
    _T(Status.IN_PROGRESS, Status.STOPPED, "stop", "dossiers.approve", ClockEffect.PAUSE, Form.STOP_NOTICE),
    _T(Status.STOPPED, Status.IN_PROGRESS, "resume", "dossiers.approve", ClockEffect.RESUME),
    _T(Status.IN_PROGRESS, Status.FINISHED, "finish", "dossiers.approve", ClockEffect.END, Form.CONTROL_SLIP),
    _T(Status.FINISHED, Status.RETURNED, "return_result", "dossiers.return_result"),
    *(
        _T(source, Status.WITHDRAWN, "withdraw", "dossiers.receive", ClockEffect.END)
        for source in (
            Status.SUBMITTED,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.SUPPLEMENT_REQUESTED,
            Status.OBLIGATION_REQUESTED,
        )
    ),
)


class IllegalTransition(Exception):  # noqa: N818 - the domain name used across egov
    """A move the transition table does not allow; the message is for the officer."""


def transition(source: Status, target: Status, *, accepted: bool) -> Transition:
    """The table's row for ``source → target`` in this phase, or ``IllegalTransition``.

    ``accepted`` tells the two uses of status 5 apart: a supplement asked at the desk before
    acceptance returns the dossier to 1, one asked during processing returns it to 4.
    """
    for row in TRANSITIONS:
        if row.source is source and row.target is target and row.after_acceptance in (None, accepted):
            return row
    raise IllegalTransition(transition_refusal(source, target))


def transition_refusal(source: Status, target: Status) -> str:
    return gettext("Không thể chuyển hồ sơ từ trạng thái “%(source)s” sang “%(target)s”.") % {
        "source": STATUS_LABELS[source],
        "target": STATUS_LABELS[target],
    }


def allowed_targets(source: Status, *, accepted: bool) -> list[Status]:
    return [
        row.target for row in TRANSITIONS if row.source is source and row.after_acceptance in (None, accepted)
    ]


def dossier_code(agency_code: str, received_on: date, sequence: int) -> str:
    """``{agency electronic ID}-{YYMMDD}-{NNNN}``; a 10,000th dossier in a day widens to 5 digits."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{received_on:%y%m%d}-{sequence:04d}"


def dossier_code_counter_key(agency_code: str, received_on: date) -> str:
    """The gap-free counter's key: one series per agency per local day."""
    return f"{agency_code}:{received_on:%Y%m%d}"


# --- The working clock of a dossier --------------------------------------------------------------


def add_working_duration(start: datetime, duration: timedelta, *, cal: WorkingCalendar) -> datetime:
    """``start`` moved forward by ``duration`` of *working* time (a resumed pause, a step's share).

    ``core.calendar.add_working_time`` takes a procedure's stated time (whole days or hours); a
    paused duration or a percentage of it is any length, so whole hours go through the calendar
    and the rest is walked period by period. As there, an instant that lands exactly on the end of
    a period stays there (17:00, not 07:00 next morning).
    """
    if duration <= timedelta(0):
        return start
    hours, rest = divmod(duration, timedelta(hours=1))
    instant = add_working_time(start, ProcessingTime.working_hours(hours), cal=cal) if hours else start
    while rest > timedelta(0):
        instant = next_working_instant(instant, cal=cal)
        period_end = _end_of_period(instant, cal)
        if instant + rest <= period_end:
            return instant + rest
        rest -= period_end - instant
        instant = period_end
    return instant


def _end_of_period(instant: datetime, cal: WorkingCalendar) -> datetime:
    local = instant.astimezone(cal.zone)
    for start, end in cal.periods:
        if start <= local.time() < end:
            return datetime.combine(local.date(), end, tzinfo=cal.zone)
    raise AssertionError(f"{instant} is not inside a working period")


def share_of(total: timedelta, percent: int) -> timedelta:
    """A step's allotted working time: ``percent`` % of the dossier's, to the second."""
    return timedelta(seconds=int(total.total_seconds()) * percent // 100)


class Timeliness(StrEnum):
    """Early / on time / late, as the control slip (form 06) and the statistics say it."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


TIMELINESS_LABELS = {
    Timeliness.EARLY: _("Trước hạn"),
    Timeliness.ON_TIME: _("Đúng hạn"),
    Timeliness.LATE: _("Quá hạn"),
}


# The applicant's satisfaction after the return (``Rating.score``), as the rating form says it.
RATING_LABELS = {
    1: _("Rất không hài lòng"),
    2: _("Không hài lòng"),
    3: _("Bình thường"),
    4: _("Hài lòng"),
    5: _("Rất hài lòng"),
}


def timeliness(end: datetime, due: datetime, *, zone: tzinfo) -> Timeliness:
    """Late after the due instant; early when done on a local day before the due day.

    "Early" is read at day level, as registers and the national statistics count it: a dossier
    due on Friday and finished on Thursday is early; finished on Friday before the hour, on time.
    """
    if end > due:
        return Timeliness.LATE
    if end.astimezone(zone).date() < due.astimezone(zone).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


# --- Applicants and the public lookup ------------------------------------------------------------

_TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?")
SECOND_FACTOR = re.compile(r"[0-9]{4}")


def tax_code_problem(code: str) -> str | None:
    """Why ``code`` is not a tax code (10 digits, or 13 with a branch suffix ``-001``)."""
    if not _TAX_CODE.fullmatch(code):
        return gettext("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số của đơn vị phụ thuộc.")
    return None


def second_factor_matches(candidates: list[str], given: str) -> bool:
    """The public lookup's check: ``given`` is the last 4 digits of one of ``candidates``.

    Every candidate is compared (constant time each) so the answer's timing does not say which.
    """
    if not SECOND_FACTOR.fullmatch(given):
        return False
    matched = False
    for candidate in candidates:
        digits = "".join(char for char in candidate if char.isdigit())
        if len(digits) >= 4 and hmac.compare_digest(digits[-4:], given):
            matched = True
    return matched


# --- The result issued as an outgoing document ---------------------------------------------------

RESULT_ORIGIN_PREFIX = "dossiers:"


def result_origin(code: str) -> str:
    """What ``OutgoingDocument.origin`` says of a dossier's result document: ``dossiers:<code>``."""
    return f"{RESULT_ORIGIN_PREFIX}{code}"


def code_from_origin(origin: str) -> str | None:
    """The dossier code an outgoing document's origin names, or ``None`` for another origin."""
    if not origin.startswith(RESULT_ORIGIN_PREFIX):
        return None
    return origin.removeprefix(RESULT_ORIGIN_PREFIX).strip() or None


class ResultStage(StrEnum):
    """Where the result document stands, as the dossier's page says it (the documents app's own
    statuses are finer: content review and form check are both still a draft here)."""

    DRAFT = "draft"
    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"
    ISSUED = "issued"
    RECALLED = "recalled"


RESULT_STAGE_LABELS = {
    ResultStage.DRAFT: _("Dự thảo"),
    ResultStage.AWAITING_SIGNATURE: _("Chờ ký"),
    ResultStage.SIGNED: _("Đã ký"),
    ResultStage.ISSUED: _("Đã phát hành"),
    ResultStage.RECALLED: _("Đã thu hồi"),
}


def result_stage(outgoing_status: str) -> ResultStage:
    """The stage of an outgoing document's status (``documents.rules.OutgoingStatus`` values)."""
    if outgoing_status in {s.value for s in ResultStage}:
        return ResultStage(outgoing_status)
    return ResultStage.DRAFT  # draft, content review, form check
