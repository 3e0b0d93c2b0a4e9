"""Demo dossiers for ``manage.py seed_demo``: every status 1–10 over the demo agencies and procedures.

Each dossier is walked through the real services (``egov.dossiers.services``) at past instants
(``core.clock.frozen``), so codes, due dates, pauses, control-slip rows, audit events and history
are exactly what the desk and processing screens would have produced. Instants are counted back
from the real date in *working* time, so that on any day the demo is seeded some dossiers are
late (received weeks ago with short processing times), one is due later today or at the next
opening, another is at risk, and the rest are on time.

Idempotence: the demo is written once. A second run finds the marker applicant (a fixed personal
ID number no other demo person uses) and changes nothing, so no counter moves either. Everything
here is dữ liệu minh họa: the people, ID numbers, phones and addresses are invented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core import calendar, clock, files
from egov.documents import services as document_services
from egov.documents.demo import sign_and_issue
from egov.documents.models import DocumentType, OutgoingDocument
from egov.documents.types_data import load_types
from egov.dossiers import rules, services
from egov.dossiers.models import Applicant, Channel, DeliveryMethod, Dossier
from egov.dossiers.services import result_document
from egov.dossiers.signed_results import pending_result_document
from egov.organizations.management.demo_seed import DemoSeed
from egov.procedures.models import Procedure
from egov.procedures.selectors import current_form_schema

# The first demo applicant: her row is the marker that the demo dossiers exist.
MARKER_NATIONAL_ID = "096186012345"
PHONE_PREFIX = "09010002"  # invented, sequential numbers like the demo citizens' 0901000001…


@dataclass(frozen=True)
class Person:
    name: str
    national_id: str = ""
    phone: str = ""
    address: str = ""
    tax_code: str = ""
    email: str = ""

    def data(self) -> services.ApplicantData:
        return services.ApplicantData(
            name=self.name,
            kind=Applicant.Kind.ORGANISATION if self.tax_code else Applicant.Kind.PERSON,
            national_id=self.national_id,
            tax_code=self.tax_code,
            phone=self.phone,
            email=self.email,
            address=self.address,
        )


def _person(number: int, name: str, national_id: str, address: str) -> Person:
    return Person(name=name, national_id=national_id, phone=f"{PHONE_PREFIX}{number:02d}", address=address)


# ID numbers: 3 digits birth-registration province (096 Cà Mau, 095 Bạc Liêu, 094 Sóc Trăng, 092
# Cần Thơ), century and sex, two digits of the birth year, six invented digits.
PEOPLE = {
    "mai": _person(1, "Phạm Thị Tuyết Mai", MARKER_NATIONAL_ID, "Số 12 đường Trần Hưng Đạo, phường An Xuyên"),
    "dung": _person(2, "Nguyễn Hoàng Dũng", "096090045678", "Ấp 3, xã Đất Mũi"),
    "lan": _person(3, "Trần Thị Ngọc Lan", "095195031122", "Số 45 đường Hai Bà Trưng, phường Bạc Liêu"),
    "phuc": _person(4, "Lê Văn Phúc", "096079008812", "Khóm 5, phường An Xuyên"),
    "thao": _person(5, "Võ Thị Phương Thảo", "094199027730", "Số 8 đường Lê Lợi, phường Bạc Liêu"),
    "hieu": _person(6, "Đỗ Minh Hiếu", "096201004521", "Ấp Cái Cám, xã Đất Mũi"),
    "yen": _person(7, "Huỳnh Thị Hải Yến", "095188016640", "Số 102 đường 23 Tháng 8, phường Bạc Liêu"),
    "tai": _person(8, "Lâm Tấn Tài", "096085019903", "Khóm 2, phường Bạc Liêu"),
    "nhu": _person(9, "Châu Thị Quỳnh Như", "092197022418", "Số 7 đường Nguyễn Tất Thành, phường An Xuyên"),
    "khoa": _person(10, "Trịnh Đăng Khoa", "096092030077", "Số 21 đường Phan Ngọc Hiển, phường An Xuyên"),
    "bich": _person(11, "Quách Thị Bích", "095170005561", "Ấp Giồng Nhãn, phường Bạc Liêu"),
    "son": _person(12, "Kim Thanh Sơn", "094083014486", "Khóm 7, phường Bạc Liêu"),
    "ngoc": _person(13, "Đặng Thị Bảo Ngọc", "096203011234", "Số 3 đường Lý Thường Kiệt, phường An Xuyên"),
    "vinh": _person(14, "Tô Quang Vinh", "096075026650", "Số 60 đường Hùng Vương, phường Bạc Liêu"),
    "hanh": _person(15, "Mai Thị Mỹ Hạnh", "095191009987", "Ấp Kinh Xáng, phường Bạc Liêu"),
    "quy": _person(16, "Lý Văn Quý", "096068003345", "Ấp Rạch Gốc, xã Đất Mũi"),
    "thu": _person(17, "Phan Thị Thu", "096180028890", "Khóm 9, phường An Xuyên"),
    "hai": _person(18, "Nguyễn Văn Hải", "095087012209", "Số 14 đường Võ Thị Sáu, phường Bạc Liêu"),
    "company": Person(
        name="Công ty TNHH Thủy sản Mũi Cà Mau",
        tax_code="2001234567",
        phone=f"{PHONE_PREFIX}19",
        address="Số 88 đường Nguyễn Trãi, phường An Xuyên",
    ),
}


# --- When things happen -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ago:
    """Anchored ``days`` working days before today at ``at`` (a working period's local time)."""

    days: int
    at: str


@dataclass(frozen=True)
class DueIn:
    """Anchored so that a procedure of ``days`` working days falls due ``hours`` of working time
    from now: accepted at the anchor, the dossier is due today (or at the next opening) or at risk."""

    hours: float
    days: int


@dataclass(frozen=True)
class MinutesAgo:
    """Anchored ``minutes`` before now, any hour: online submissions come in at night too."""

    minutes: int


type Anchor = Ago | DueIn | MinutesAgo


@dataclass(frozen=True)
class Act:
    """One service call, ``hours`` of working time after the scenario's anchor, by ``by``."""

    hours: float
    action: str
    by: str = ""
    to: str = ""  # hand-over recipient's username
    note: str = ""
    score: int = 0
    amount: int = 0  # an obligation payable online, in đồng


@dataclass(frozen=True)
class Scenario:
    agency: str  # demo agency key (competent agency)
    procedure: str  # national procedure code
    person: str  # key of PEOPLE, or a demo citizen's username for an online dossier
    anchor: Anchor
    acts: tuple[Act, ...]
    receiving: str = ""  # a public service centre receiving for the agency
    channel: Channel = Channel.DESK
    missing_document: bool = False  # the last required document was not brought


def _desk(key: str) -> str:
    return f"mc.{key}"


# Shorthands for the acts every desk dossier starts with.
def _received(desk: str, *, accept: bool = True) -> tuple[Act, ...]:
    return (Act(0, "record", desk), Act(0.2, "accept", desk)) if accept else (Act(0, "record", desk),)


SCENARIOS: tuple[Scenario, ...] = (
    # Sở Tư pháp, criminal record certificate (10 working days): late, with an apology.
    Scenario(
        "stp",
        "3.000333",
        "mai",
        Ago(16, "08:30"),
        (
            *_received("mc.stp"),
            Act(1, "start", "truongphong.stp"),
            Act(
                9,
                "handover",
                "truongphong.stp",
                to="chuyenvien.stp",
                note="Đề nghị xác minh tại Công an tỉnh.",
            ),
            Act(80, "handover", "chuyenvien.stp", to="truongphong.stp"),
            Act(
                100,
                "apology",
                "lanhdao.stp",
                note="Chưa nhận được kết quả xác minh thông tin án tích từ cơ quan công an.",
            ),
        ),
    ),
    # Received at the public service centre for the Sở Tư pháp; result ready for collection (9).
    Scenario(
        "stp",
        "3.000333",
        "dung",
        Ago(9, "09:15"),
        (
            *_received("mc.ttpvhcc"),
            Act(2, "start", "truongphong.stp"),
            Act(6, "handover", "truongphong.stp", to="chuyenvien.stp"),
            Act(
                30, "handover", "chuyenvien.stp", to="truongphong.stp", note="Đã thẩm định, đủ điều kiện cấp."
            ),
            Act(40, "handover", "truongphong.stp", to="lanhdao.stp"),
            Act(44, "finish", "lanhdao.stp"),
        ),
        receiving="ttpvhcc",
    ),
    # Returned late, rated by the applicant with the receipt's token.
    Scenario(
        "stp",
        "3.000333",
        "lan",
        Ago(25, "14:00"),
        (
            *_received("mc.stp"),
            Act(3, "start", "truongphong.stp"),
            Act(8, "handover", "truongphong.stp", to="chuyenvien.stp"),
            Act(70, "handover", "chuyenvien.stp", to="truongphong.stp"),
            Act(84, "handover", "truongphong.stp", to="lanhdao.stp"),
            Act(90, "finish", "lanhdao.stp"),
            Act(100, "return", "mc.stp"),
            Act(101, "rate", score=3, note="Trả kết quả chậm hơn hẹn, cán bộ hướng dẫn nhiệt tình."),
        ),
    ),
    # Supplement asked during processing: the clock is paused (5 after acceptance).
    Scenario(
        "stp",
        "3.000333",
        "phuc",
        Ago(6, "10:00"),
        (
            *_received("mc.stp"),
            Act(1, "start", "truongphong.stp"),
            Act(4, "handover", "truongphong.stp", to="chuyenvien.stp"),
            Act(14, "supplement", "chuyenvien.stp", note="Thông tin nơi cư trú trên tờ khai không khớp."),
        ),
    ),
    # Supplement asked and brought: the due date moved by the paused working time; in progress.
    Scenario(
        "stp",
        "3.000333",
        "thao",
        Ago(12, "07:45"),
        (
            *_received("mc.stp"),
            Act(2, "start", "truongphong.stp"),
            Act(5, "handover", "truongphong.stp", to="chuyenvien.stp"),
            Act(12, "supplement", "chuyenvien.stp", note="Thiếu bản sao giấy khai sinh."),
            Act(40, "resubmit", "mc.stp", note="Người nộp đã bổ sung bản sao giấy khai sinh."),
            Act(48, "handover", "chuyenvien.stp", to="truongphong.stp"),
        ),
    ),
    # Stopped by the leader (8).
    Scenario(
        "stp",
        "3.000333",
        "hieu",
        Ago(8, "13:45"),
        (
            *_received("mc.stp"),
            Act(1, "start", "truongphong.stp"),
            Act(3, "handover", "truongphong.stp", to="chuyenvien.stp"),
            Act(20, "stop", "lanhdao.stp", note="Người được cấp phiếu đang bị điều tra, chưa đủ căn cứ cấp."),
        ),
    ),
    # Accepted yesterday, waiting for the division (2).
    Scenario("stp", "3.000333", "yen", Ago(1, "15:10"), _received("mc.stp")),
    # Refused at the desk (3).
    Scenario(
        "stp",
        "3.000333",
        "tai",
        Ago(3, "09:40"),
        (
            Act(0, "record", "mc.stp"),
            Act(0.3, "refuse", "mc.stp", note="Người nộp không có giấy ủy quyền hợp lệ để nhận thay."),
        ),
    ),
    # Phường Bạc Liêu, household business (3 working days): due today or at the next opening.
    Scenario(
        "baclieu",
        "1.001612",
        "nhu",
        DueIn(hours=2, days=3),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(2, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
        ),
    ),
    # Marital status certificate (3 working days), at risk: due within a working day.
    Scenario(
        "baclieu",
        "1.004873",
        "khoa",
        DueIn(hours=6, days=3),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(3, "handover", "truongphong.baclieu"),  # to the division's inbox
            Act(4, "take", "chuyenvien.baclieu"),
        ),
    ),
    # Building permit (15 days): inter-agency step at the Sở Xây dựng, late.
    Scenario(
        "baclieu",
        "1.009122",
        "vinh",
        Ago(22, "08:00"),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(3, "handover", "truongphong.baclieu", to="chuyenvien.baclieu", note="Kiểm tra thực địa."),
            Act(40, "handover", "chuyenvien.baclieu", note="Xin ý kiến Sở Xây dựng về chỉ giới xây dựng."),
        ),
    ),
    # Household business: waiting for the fee (6).
    Scenario(
        "baclieu",
        "1.001612",
        "bich",
        Ago(2, "08:20"),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(2, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
            Act(
                5,
                "obligation",
                "chuyenvien.baclieu",
                note="Nộp lệ phí đăng ký hộ kinh doanh 100.000 đ.",
                amount=100_000,
            ),
        ),
    ),
    # A demo citizen's online certified copy, returned online and rated in her account (10).
    Scenario(
        "baclieu",
        "2.000815",
        "congdan.an",
        Ago(4, "07:30"),
        (
            Act(0, "record", "congdan.an"),
            Act(0.5, "accept", "mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(2, "handover", "truongphong.baclieu", to="lanhdao.baclieu"),
            Act(3, "finish", "lanhdao.baclieu"),
            Act(3.5, "return", "mc.baclieu"),
            Act(5, "rate", "congdan.an", score=5, note="Nhanh, không phải đi lại."),
        ),
        channel=Channel.ONLINE,
    ),
    # A demo citizen's online certified copy whose result went the electronic way: drafted as an
    # outgoing document at the division head's step, signed by the chairman (TM. ỦY BAN NHÂN DÂN)
    # with his demo key and issued with the seal by the clerk; the issue finished the dossier (9),
    # whose signed result the citizen downloads in "Hồ sơ của tôi", the verification link beside it.
    Scenario(
        "baclieu",
        "2.000815",
        "congdan.an",
        Ago(3, "08:00"),
        (
            Act(0, "record", "congdan.an"),
            Act(0.5, "accept", "mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(1.5, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
            Act(3, "handover", "chuyenvien.baclieu", to="truongphong.baclieu", note="Bản chính hợp lệ."),
            Act(3.5, "draft_result", "truongphong.baclieu"),
            Act(4, "submit_result", "vanthu.baclieu", to="lanhdao.baclieu"),
            Act(4.5, "sign_result", "lanhdao.baclieu", to="vanthu.baclieu"),
        ),
        channel=Channel.ONLINE,
    ),
    # A demo citizen's online festival notice, in progress.
    Scenario(
        "baclieu",
        "1.003622",
        "congdan.hoa",
        Ago(2, "14:30"),
        (
            Act(0, "record", "congdan.hoa"),
            Act(1, "accept", "mc.baclieu"),
            Act(2, "start", "truongphong.baclieu"),
            Act(3, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
        ),
        channel=Channel.ONLINE,
    ),
    # Withdrawn during processing at the applicant's request (7).
    Scenario(
        "baclieu",
        "1.004873",
        "son",
        Ago(5, "09:00"),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(
                8,
                "withdraw",
                "mc.baclieu",
                note="Người nộp đề nghị rút hồ sơ để bổ sung giấy tờ ở nơi cư trú cũ.",
            ),
        ),
    ),
    # Monthly social allowance: supplement asked at the desk before acceptance (5, clock not started).
    Scenario(
        "baclieu",
        "1.001776",
        "ngoc",
        Ago(1, "10:30"),
        (
            Act(0, "record", "mc.baclieu"),
            Act(0.3, "supplement", "mc.baclieu", note="Chưa có giấy xác nhận khuyết tật."),
        ),
        missing_document=True,
    ),
    # Supplement at the desk, resubmitted and accepted (1 → 5 → 1 → 2).
    Scenario(
        "baclieu",
        "1.001776",
        "hanh",
        Ago(4, "09:30"),
        (
            Act(0, "record", "mc.baclieu"),
            Act(0.2, "supplement", "mc.baclieu", note="Thiếu giấy tờ chứng minh thuộc diện hưởng trợ cấp."),
            Act(16, "resubmit", "mc.baclieu"),
            Act(16.3, "accept", "mc.baclieu"),
        ),
        missing_document=True,
    ),
    # Household business returned late at the desk, rated with the receipt's token.
    Scenario(
        "baclieu",
        "1.001612",
        "quy",
        Ago(14, "10:10"),
        (
            *_received("mc.baclieu"),
            Act(2, "start", "truongphong.baclieu"),
            Act(4, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
            Act(30, "handover", "chuyenvien.baclieu", to="lanhdao.baclieu"),
            Act(34, "finish", "lanhdao.baclieu"),
            Act(40, "return", "mc.baclieu"),
            Act(40.5, "rate", score=4),
        ),
    ),
    # Stopped, then resumed by the leader; still in progress and late.
    Scenario(
        "baclieu",
        "1.001612",
        "thu",
        Ago(10, "14:15"),
        (
            *_received("mc.baclieu"),
            Act(1, "start", "truongphong.baclieu"),
            Act(2, "handover", "truongphong.baclieu", to="chuyenvien.baclieu"),
            Act(8, "stop", "lanhdao.baclieu", note="Chờ kết quả giải quyết tranh chấp địa điểm kinh doanh."),
            Act(30, "resume", "lanhdao.baclieu", note="Tranh chấp đã được hòa giải thành."),
        ),
    ),
    # Recorded yesterday at the desk, not yet checked (1).
    Scenario("baclieu", "1.000894", "hai", Ago(1, "16:20"), _received("mc.baclieu", accept=False)),
    # Provincial merit certificate received at the public service centre for the province's
    # committee, now at the Sở Nội vụ's step (inter-agency).
    Scenario(
        "ubnd",
        "1.000775",
        "company",
        Ago(7, "08:45"),
        (
            *_received("mc.ttpvhcc"),
            Act(1, "start", "truongphong.ubnd"),
            Act(6, "handover", "truongphong.ubnd", note="Chuyển Sở Nội vụ thẩm định."),
        ),
        receiving="ttpvhcc",
    ),
    # Sở Xây dựng: accepted weeks ago, never taken (2, late).
    Scenario("sxd", "1.009982", "dung", Ago(28, "09:00"), _received("mc.sxd")),
    # Sở Y tế: refused.
    Scenario(
        "syt",
        "2.001827",
        "company",
        Ago(2, "10:45"),
        (
            Act(0, "record", "mc.syt"),
            Act(0.5, "refuse", "mc.syt", note="Cơ sở thuộc thẩm quyền cấp của Ủy ban nhân dân cấp xã."),
        ),
    ),
    # Sở Tài chính: a company's registration recorded yesterday (1).
    Scenario("stc", "2.001610", "company", Ago(1, "14:40"), _received("mc.stc", accept=False)),
    # Xã Đất Mũi: withdrawn before acceptance.
    Scenario(
        "datmui",
        "1.000656",
        "quy",
        Ago(3, "08:10"),
        (
            Act(0, "record", "mc.datmui"),
            Act(
                0.5, "withdraw", "mc.datmui", note="Gia đình đề nghị rút để đăng ký tại nơi cư trú cuối cùng."
            ),
        ),
    ),
    # Demo citizens' online submissions of today, waiting for the desk (1).
    Scenario(
        "anxuyen",
        "2.000884",
        "congdan.khang",
        MinutesAgo(95),
        (Act(0, "record", "congdan.khang"),),
        channel=Channel.ONLINE,
    ),
    Scenario(
        "snv",
        "1.014199",
        "congdan.suong",
        MinutesAgo(40),
        (Act(0, "record", "congdan.suong"),),
        channel=Channel.ONLINE,
    ),
)


# --- Seeding ------------------------------------------------------------------------------------


def seed(demo: DemoSeed) -> None:
    if Applicant.objects.filter(national_id=MARKER_NATIONAL_ID).exists():
        demo.say(_("Hồ sơ một cửa mẫu: đã có, giữ nguyên."))
        return
    seeder = _Seeder(demo)
    seeder.run()
    demo.say(_("Hồ sơ một cửa mẫu: %(count)d hồ sơ ở đủ 10 trạng thái.") % {"count": len(seeder.dossiers)})


@dataclass
class _Seeder:
    demo: DemoSeed
    now: datetime = field(default_factory=clock.now)
    dossiers: dict[int, Dossier] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    cal: calendar.WorkingCalendar = field(default_factory=calendar.current)
    result_file: files.StoredFile | None = None

    def run(self) -> None:
        codes = {s.procedure for s in SCENARIOS}
        self.procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
        # Every act at its instant, in time order: codes of one agency and day then follow the
        # order in which the dossiers were recorded, as they would have been.
        timeline: list[tuple[datetime, int, int, Act]] = []
        for index, scenario in enumerate(SCENARIOS):
            anchor = self.anchor_instant(scenario.anchor)
            for order, act in enumerate(scenario.acts):
                at = (
                    anchor
                    if isinstance(scenario.anchor, MinutesAgo)
                    else rules.add_working_duration(anchor, timedelta(hours=act.hours), cal=self.cal)
                )
                if at >= self.now:  # a scenario written too long for its anchor: a bug, not data
                    raise AssertionError(f"demo act {act.action} of scenario {index} lies in the future")
                timeline.append((at, index, order, act))
        for at, index, _order, act in sorted(timeline, key=lambda item: item[:3]):
            with clock.frozen(at):
                self.perform(index, SCENARIOS[index], act, at)

    # --- instants

    def anchor_instant(self, anchor: Anchor) -> datetime:
        zone = self.cal.zone
        match anchor:
            case MinutesAgo(minutes=minutes):
                return self.now - timedelta(minutes=minutes)
            case Ago(days=days, at=at):
                day = self.working_day_before(self.now.astimezone(zone).date(), days)
                return datetime.combine(day, time.fromisoformat(at), tzinfo=zone)
            case DueIn(hours=hours, days=days):
                due = rules.add_working_duration(self.now, timedelta(hours=hours), cal=self.cal).astimezone(
                    zone
                )
                # Whole working days keep the time of day: accepted ``days`` working days before.
                day = self.working_day_before(due.date(), days)
                return datetime.combine(day, due.time(), tzinfo=zone)
        raise AssertionError(anchor)

    def working_day_before(self, day: date, count: int) -> date:
        while count > 0:
            day -= timedelta(days=1)
            if self.cal.is_working_day(day):
                count -= 1
        return day

    # --- acts

    def user(self, username: str) -> User:
        return cast("User", self.demo.user(username))

    def perform(self, index: int, scenario: Scenario, act: Act, at: datetime) -> None:
        if act.action == "record":
            self.dossiers[index] = self.record(scenario, act)
            return
        dossier = Dossier.objects.get(pk=self.dossiers[index].pk)
        by = self.user(act.by) if act.by else None
        action = _ACTIONS[act.action]
        action(self, dossier, by, act, at)

    def record(self, scenario: Scenario, act: Act) -> Dossier:
        procedure = self.procedures[scenario.procedure]
        actor = self.user(act.by)
        if scenario.channel == Channel.ONLINE:
            person = Person(
                name=actor.full_name,
                national_id=actor.national_id or "",
                phone=actor.phone or "",
                email=actor.email or "",
                address="",
            )
        else:
            person = PEOPLE[scenario.person]
        listed = list(procedure.documents.all())
        # The applicant who must supplement did not bring the last required document.
        left_out = [d for d in listed if d.is_required][-1:] if scenario.missing_document else []
        documents = [
            services.ReceivedDocument(required_document=document, received=document not in left_out)
            for document in listed
        ]
        return services.record_dossier(
            actor=actor,
            procedure=procedure,
            agency=self.demo.agency(scenario.agency),
            applicant=person.data(),
            channel=scenario.channel,
            answers=self.answers(procedure, person),
            documents=documents,
            receiving_agency=self.demo.agency(scenario.receiving) if scenario.receiving else None,
        )

    def answers(self, procedure: Procedure, person: Person) -> dict[str, str]:
        """A filled declaration: the applicant's own details where the field asks for a person."""
        schema = current_form_schema(procedure)
        if schema is None:
            return {}
        today = clock.today()
        values: dict[str, str] = {}
        for number, spec in enumerate(schema.fields):
            values[spec["key"]] = _answer(spec, person, number, today)
        return values

    def stored_result(self) -> files.StoredFile:
        """One small PDF shared by the demo results (the signed outgoing document comes later)."""
        if self.result_file is None:
            content = _minimal_pdf("Ket qua giai quyet ho so - du lieu minh hoa (demo egov)")
            checked = files.check_upload(
                content,
                allowed=frozenset({files.FileKind.PDF}),
                max_bytes=1_000_000,
                name="ket-qua-minh-hoa.pdf",
            )
            self.result_file = files.store(checked, content, folder="dossiers/results")
        return self.result_file


# --- The acts, by name ----------------------------------------------------------------------------

type _Action = Callable[[_Seeder, Dossier, User | None, Act, datetime], object]


def _by(user: User | None) -> User:
    assert user is not None, "this act needs an official"
    return user


def _supplement(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    missing = [doc.name for doc in d.documents.filter(is_required=True, received=False)] or [
        _("Bản sao giấy tờ chứng minh nơi cư trú")
    ]
    return services.request_supplement(dossier=d, officer=_by(by), reason=act.note, missing_documents=missing)


def _resubmit(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    brought = {doc.pk: None for doc in d.documents.filter(received=False)}
    return services.resubmit(dossier=d, officer=_by(by), received_documents=brought, note=act.note)


def _handover(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    return services.hand_over(
        dossier=d, officer=_by(by), to_user=s.user(act.to) if act.to else None, note=act.note
    )


def _apology(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    # Promised a week of working time after the real "now", so the promise is still ahead.
    promised = rules.add_working_duration(max(s.now, at), timedelta(hours=40), cal=s.cal)
    return services.issue_apology(dossier=d, officer=_by(by), promised_at=promised, reason=act.note)


def _return(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    if d.channel == Channel.ONLINE:
        return services.return_result(dossier=d, officer=_by(by), delivery=DeliveryMethod.ONLINE)
    return services.return_result(
        dossier=d, officer=_by(by), delivery=DeliveryMethod.DESK, returned_to=d.applicant.name
    )


def _obligation(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    if act.amount:  # payable at the sandbox gateway from the citizen's pay page
        return services.request_fee_payment(dossier=d, officer=_by(by), amount=act.amount, note=act.note)
    return services.request_obligation(dossier=d, officer=_by(by), note=act.note)


def _rate(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    if by is not None:  # a citizen in her account
        return services.rate(dossier=d, score=act.score, comment=act.note, actor=by)
    return services.rate(dossier=d, score=act.score, comment=act.note, tracking_token=d.tracking_token)


def _draft_result(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    """The division head drafts the result as a composed công văn at the last processing step and
    approves its content (he heads the drafting unit)."""
    head = _by(by)
    load_types(DocumentType)  # the documents demo, which also loads them, runs after this one
    document = result_document.draft_result_document(
        dossier=d,
        drafter=head,
        document_type=DocumentType.objects.get(code="cong-van"),
        summary=result_document.suggested_summary(d),
        composed=document_services.ComposedContent(
            place="Cà Mau",
            title="",
            body=(
                f"{d.agency.name} nhận được hồ sơ số {d.code} của {d.applicant.name}, nộp trực tuyến.\n"
                "Hồ sơ đủ điều kiện; kết quả giải quyết được cấp theo quy định (dữ liệu minh họa)."
            ),
            addressees=d.applicant.name,
            recipients=["Như trên", "Ban Giám đốc Sở"],
        ),
    )
    document_services.submit_for_review(drafter=head, document=document)
    return document_services.approve_content(head=head, document=document, comment="Nội dung đạt.")


def _submit_result(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    """The clerk checks the form and submits the result to the director (the PDF is frozen)."""
    document = _result_document(d)
    return document_services.submit_for_signature(clerk=_by(by), document=document, signer=s.user(act.to))


def _sign_result(s: _Seeder, d: Dossier, by: User | None, act: Act, at: datetime) -> object:
    """The director signs with her demo key and the clerk issues with the seal, which finishes the
    dossier (``dossiers.receivers.finish_with_result_document``)."""
    return sign_and_issue(s.demo, [_result_document(d)], signer=_by(by), clerk=s.user(act.to))


def _result_document(d: Dossier) -> OutgoingDocument:
    document = pending_result_document(d)
    assert document is not None, "draft_result comes first"
    return document


_ACTIONS: dict[str, _Action] = {
    "draft_result": _draft_result,
    "submit_result": _submit_result,
    "sign_result": _sign_result,
    "accept": lambda s, d, by, act, at: services.accept_dossier(dossier=d, officer=_by(by)),
    "refuse": lambda s, d, by, act, at: services.refuse_dossier(dossier=d, officer=_by(by), reason=act.note),
    "supplement": _supplement,
    "resubmit": _resubmit,
    "start": lambda s, d, by, act, at: services.start_processing(dossier=d, officer=_by(by), note=act.note),
    "handover": _handover,
    "take": lambda s, d, by, act, at: services.take_dossier(dossier=d, officer=_by(by)),
    "obligation": _obligation,
    "stop": lambda s, d, by, act, at: services.stop(dossier=d, leader=_by(by), reason=act.note),
    "resume": lambda s, d, by, act, at: services.resume(dossier=d, leader=_by(by), note=act.note),
    "apology": _apology,
    "finish": lambda s, d, by, act, at: services.finish(
        dossier=d, leader=_by(by), result_file=s.stored_result(), note=act.note
    ),
    "return": _return,
    "rate": _rate,
    "withdraw": lambda s, d, by, act, at: services.withdraw(dossier=d, officer=_by(by), reason=act.note),
}


# --- Filling a declaration ------------------------------------------------------------------------

_RELATIVES = ("Nguyễn Văn Bình", "Trần Thị Cúc", "Lê Hoàng Nam", "Phạm Thị Đào")


def _answer(spec: dict[str, Any], person: Person, number: int, today: date) -> str:
    """A plausible answer of the field's type (fields hidden by a condition are dropped later)."""
    kind = spec["type"]
    key = spec["key"]
    own = key.startswith("nguoi_yeu_cau") or key.startswith("nguoi_nop") or number == 0
    if kind == "person":
        return person.name if own or not person.national_id else _RELATIVES[number % len(_RELATIVES)]
    if kind == "id_number":
        if own and person.national_id:
            return person.national_id
        # Another invented person of Cà Mau born in 1970 + n: valid for the checks, unique enough.
        return f"0960{70 + number % 30:02d}{400000 + number:06d}"
    if kind == "phone":
        return person.phone or f"{PHONE_PREFIX}99"
    if kind == "email":
        return person.email or ("lienhe@demo.egov.vn" if spec.get("required") else "")
    if kind == "address":
        return person.address or "Khóm 1, phường An Xuyên, tỉnh Cà Mau"
    if kind == "date":
        return f"{today - timedelta(days=30 + number):%d/%m/%Y}"
    if kind == "number":
        return str(max(int(spec.get("min", 1)), 1))
    if kind == "choice":
        return str(spec["choices"][0]["value"])
    limit = int(spec.get("max_length", 200))
    return _("Theo hồ sơ kèm theo")[:limit]


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of ASCII text, written by hand: no renderer for demo data."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
