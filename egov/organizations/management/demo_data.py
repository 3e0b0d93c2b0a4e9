"""The demo province: Cà Mau (code 96), which since 1 Jul 2025 includes the former Bạc Liêu province.

Sources: province and commune codes and names come from ``vietnam-provinces`` (2026.9.0, data of
2026-09-20); the seed checks that every unit named here exists there. Everything else here is
dữ liệu minh họa (illustrative data):
- ``PROVINCE_H_CODE``: "H12" is Cà Mau's level-1 code in the alphabetical list of the 63
  pre-2025 provinces used by Decision 20/2020/QĐ-TTg (the same list gives H49 Quảng Ninh and
  H56 Thanh Hóa, as DOMAIN.md says); not checked against the decision's appendix nor against any
  renumbering after the 2025 merger.
- the level-2 groups of the agencies (01–05 departments, 20 the public service centre, 31–33 the
  communes) are invented; a real deployment loads the province's own decision on electronic IDs.
- people, their names, personal ID numbers, e-mail addresses and phone numbers are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from egov.organizations.models import Agency, Role

PROVINCE_CODE = 96  # Tỉnh Cà Mau in vietnam-provinces
PROVINCE_H_CODE = "H12"  # dữ liệu minh họa: see the module docstring
EMAIL_DOMAIN = "demo.egov.vn"


def agency_code(level2: int) -> str:
    """``000.00.{level2}.H12``: Decision 20/2020 groups, the province last; ``00`` is the committee."""
    return f"000.00.{level2:02d}.{PROVINCE_H_CODE}"


class DivisionKind(StrEnum):
    """Which posts a division has (``positions_for``)."""

    OFFICE = "office"  # văn phòng: specialists and the clerk
    PROFESSIONAL = "professional"  # phòng chuyên môn: head and specialists
    DESK = "desk"  # bộ phận một cửa: one-stop officers


@dataclass(frozen=True)
class DivisionSpec:
    abbreviation: str
    name: str
    kind: DivisionKind


@dataclass(frozen=True)
class AgencySpec:
    key: str  # short handle used in demo usernames: mc.<key>
    code: str
    name: str
    abbreviation: str
    kind: Agency.Kind
    parent: str | None  # key of the parent agency
    unit_code: str | None  # AdministrativeUnit.code (province or commune)
    divisions: tuple[DivisionSpec, ...]


def _department(key: str, level2: int, name: str, abbr: str, professional: DivisionSpec) -> AgencySpec:
    return AgencySpec(
        key=key,
        code=agency_code(level2),
        name=name,
        abbreviation=abbr,
        kind=Agency.Kind.DEPARTMENT,
        parent="ubnd",
        unit_code=None,
        divisions=(
            DivisionSpec("VP", "Văn phòng Sở", DivisionKind.OFFICE),
            professional,
            DivisionSpec("MC", "Bộ phận Một cửa", DivisionKind.DESK),
        ),
    )


def _commune(key: str, level2: int, unit_code: str, name: str) -> AgencySpec:
    return AgencySpec(
        key=key,
        code=agency_code(level2),
        name=f"Ủy ban nhân dân {name}",
        abbreviation="UBND",
        kind=Agency.Kind.COMMITTEE,
        parent="ubnd",
        unit_code=unit_code,
        divisions=(
            DivisionSpec("VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", DivisionKind.OFFICE),
            DivisionSpec("KT", "Phòng Kinh tế", DivisionKind.PROFESSIONAL),
            DivisionSpec("VHXH", "Phòng Văn hóa – Xã hội", DivisionKind.PROFESSIONAL),
            DivisionSpec("MC", "Trung tâm Phục vụ hành chính công", DivisionKind.DESK),
        ),
    )


# Parents come before their children: the seed creates agencies in this order.
AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        key="ubnd",
        code=agency_code(0),
        name="Ủy ban nhân dân tỉnh Cà Mau",
        abbreviation="UBND",
        kind=Agency.Kind.COMMITTEE,
        parent=None,
        unit_code=f"{PROVINCE_CODE:02d}",
        divisions=(
            DivisionSpec("VP", "Văn phòng", DivisionKind.OFFICE),
            DivisionSpec("TH", "Phòng Tổng hợp", DivisionKind.PROFESSIONAL),
        ),
    ),
    _department(
        "snv",
        1,
        "Sở Nội vụ",
        "SNV",
        DivisionSpec("TCBC", "Phòng Tổ chức, biên chế", DivisionKind.PROFESSIONAL),
    ),
    _department(
        "stc",
        2,
        "Sở Tài chính",
        "STC",
        DivisionSpec("QLNS", "Phòng Quản lý ngân sách", DivisionKind.PROFESSIONAL),
    ),
    _department(
        "stp",
        3,
        "Sở Tư pháp",
        "STP",
        DivisionSpec("HCTP", "Phòng Hành chính tư pháp", DivisionKind.PROFESSIONAL),
    ),
    _department(
        "sxd",
        4,
        "Sở Xây dựng",
        "SXD",
        DivisionSpec("QLXD", "Phòng Quản lý xây dựng", DivisionKind.PROFESSIONAL),
    ),
    _department(
        "syt", 5, "Sở Y tế", "SYT", DivisionSpec("NVY", "Phòng Nghiệp vụ Y", DivisionKind.PROFESSIONAL)
    ),
    AgencySpec(
        key="ttpvhcc",
        code=agency_code(20),
        name="Trung tâm Phục vụ hành chính công tỉnh Cà Mau",
        abbreviation="TTPVHCC",
        kind=Agency.Kind.SERVICE_CENTRE,
        parent="ubnd",
        unit_code=None,
        divisions=(
            DivisionSpec("HCTH", "Phòng Hành chính – Tổng hợp", DivisionKind.OFFICE),
            DivisionSpec("MC", "Bộ phận tiếp nhận và trả kết quả", DivisionKind.DESK),
        ),
    ),
    _commune("baclieu", 31, "31825", "phường Bạc Liêu"),
    _commune("anxuyen", 32, "32002", "phường An Xuyên"),
    _commune("datmui", 33, "32248", "xã Đất Mũi"),
)

HEAD_TITLES = {Agency.Kind.COMMITTEE: ("Chủ tịch", "Phó Chủ tịch")}
DEFAULT_HEAD_TITLES = ("Giám đốc", "Phó Giám đốc")
DIVISION_TITLES = {
    DivisionKind.OFFICE: ("Chuyên viên", "Văn thư"),
    DivisionKind.PROFESSIONAL: ("Trưởng phòng", "Chuyên viên"),
    DivisionKind.DESK: ("Chuyên viên",),
}


@dataclass(frozen=True)
class OfficialSpec:
    username: str
    full_name: str
    agency: str  # AgencySpec.key
    role: Role
    position: str  # Position.title
    division: str | None = None  # DivisionSpec.abbreviation
    superuser: bool = False


def _full_staff(
    key: str, names: tuple[str, str, str, str, str, str, str], professional: str, head: str
) -> tuple[OfficialSpec, ...]:
    """One official per role: the agency's whole working chain for the demo journeys."""
    leader, division_head, specialist, one_stop, clerk, editor, admin = names
    desk = "MC" if key != "ubnd" else None  # the province's desk is the public service centre
    office = "VP"
    return (
        OfficialSpec(f"lanhdao.{key}", leader, key, Role.AGENCY_LEADER, head),
        OfficialSpec(
            f"truongphong.{key}", division_head, key, Role.DIVISION_HEAD, "Trưởng phòng", professional
        ),
        OfficialSpec(f"chuyenvien.{key}", specialist, key, Role.SPECIALIST, "Chuyên viên", professional),
        OfficialSpec(f"mc.{key}", one_stop, key, Role.ONE_STOP_OFFICER, "Chuyên viên", desk),
        OfficialSpec(f"vanthu.{key}", clerk, key, Role.CLERK, "Văn thư", office),
        OfficialSpec(f"bientap.{key}", editor, key, Role.EDITOR, "Chuyên viên", office),
        OfficialSpec(
            f"quantri.{key}", admin, key, Role.ADMINISTRATOR, "Chuyên viên", office, superuser=key == "ubnd"
        ),
    )


def _front_desk(key: str, leader: str, one_stop: str, head: str = "Giám đốc") -> tuple[OfficialSpec, ...]:
    return (
        OfficialSpec(f"lanhdao.{key}", leader, key, Role.AGENCY_LEADER, head),
        OfficialSpec(f"mc.{key}", one_stop, key, Role.ONE_STOP_OFFICER, "Chuyên viên", "MC"),
    )


OFFICIALS: tuple[OfficialSpec, ...] = (
    *_full_staff(
        "ubnd",
        (
            "Trần Quốc Thắng",
            "Phạm Minh Tuấn",
            "Huỳnh Thị Ngọc Hân",
            "Võ Thanh Tâm",
            "Đặng Thị Mỹ Linh",
            "Ngô Hoàng Phúc",
            "Lâm Quốc Bảo",
        ),
        professional="TH",
        head="Chủ tịch",
    ),
    OfficialSpec("phochutich.ubnd", "Lê Thị Kim Loan", "ubnd", Role.AGENCY_LEADER, "Phó Chủ tịch"),
    *_full_staff(
        "stp",
        (
            "Nguyễn Thị Thu Hà",
            "Trương Văn Lộc",
            "Phan Thị Bích Ngọc",
            "Lý Minh Khoa",
            "Tạ Thị Hồng Nhung",
            "Dương Thanh Sơn",
            "Cao Văn Đạt",
        ),
        professional="HCTP",
        head="Giám đốc",
    ),
    *_full_staff(
        "baclieu",
        (
            "Lưu Văn Thành",
            "Thạch Thị Sa Ly",
            "Danh Hoàng Vũ",
            "Nguyễn Thị Cẩm Tú",
            "Lê Hoàng Yến",
            "Trần Minh Nhựt",
            "Phạm Quốc Huy",
        ),
        professional="KT",
        head="Chủ tịch",
    ),
    *_front_desk("snv", "Châu Văn Hiền", "Đoàn Thị Thảo"),
    *_front_desk("stc", "Hồ Văn Phước", "Kiều Thị Diễm"),
    *_front_desk("sxd", "Bùi Văn Nam", "Tô Thị Yến"),
    *_front_desk("syt", "Mai Xuân Trường", "Quách Thị Như Ý"),
    *_front_desk("ttpvhcc", "Vương Minh Trí", "Trịnh Thị Mai Anh"),
    *_front_desk("anxuyen", "Huỳnh Văn Út", "Võ Thị Kim Thoa", head="Chủ tịch"),
    *_front_desk("datmui", "Nguyễn Văn Tư", "Lê Thị Diệu", head="Chủ tịch"),
)


@dataclass(frozen=True)
class CitizenSpec:
    username: str  # technical key only: citizens sign in with their e-mail or phone
    full_name: str
    national_id: str  # 3 digits birth-registration province, century+sex, 2 digits year, 6 random
    email: str | None
    phone: str | None


CITIZENS: tuple[CitizenSpec, ...] = (
    # 096 Cà Mau, 0 = male born 19xx, 85 → 1985
    CitizenSpec("congdan.an", "Nguyễn Văn An", "096085004217", f"nguyenvanan@{EMAIL_DOMAIN}", "0901000001"),
    # 095 Bạc Liêu, 1 = female born 19xx, 92 → 1992; phone only
    CitizenSpec("congdan.hoa", "Trần Thị Hoa", "095192013580", None, "0901000002"),
    # 096 Cà Mau, 2 = male born 20xx, 03 → 2003; e-mail only
    CitizenSpec("congdan.khang", "Lê Minh Khang", "096203007731", f"leminhkhang@{EMAIL_DOMAIN}", None),
    # 094 Sóc Trăng, 1 = female born 19xx, 78 → 1978
    CitizenSpec(
        "congdan.suong", "Thạch Thị Sương", "094178021946", f"thachthisuong@{EMAIL_DOMAIN}", "0901000004"
    ),
)
