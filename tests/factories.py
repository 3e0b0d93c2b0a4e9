"""factory-boy factories shared by the whole suite: people and the agencies they work in.

Every factory makes valid rows: personal ID numbers pass ``accounts.rules``, agency codes pass
``organizations.rules``, and every account's password is ``DEFAULT_PASSWORD``.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory, Password

from egov.accounts.models import User
from egov.accounts.rules import Sex, century_digit
from egov.organizations.models import Agency, Division, Membership, Position, Role

DEFAULT_PASSWORD = "Mật-khẩu-thử-nghiệm-2026"


def personal_id(n: int, *, province: str = "001", birth_year: int = 1990, sex: Sex = Sex.MALE) -> str:
    """A structurally valid personal ID number whose last six digits are ``n``."""
    return f"{province}{century_digit(birth_year, sex)}{birth_year % 100:02d}{n % 1_000_000:06d}"


class UserFactory(DjangoModelFactory[User]):
    """A citizen with an e-mail address, a mobile number and a self-declared personal ID number."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"cd-test{n:05d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    email = factory.Sequence(lambda n: f"congdan{n}@example.vn")
    phone = factory.Sequence(lambda n: f"09{n % 100_000_000:08d}")
    national_id = factory.Sequence(personal_id)
    is_official = False
    password = Password(DEFAULT_PASSWORD)


class OfficialFactory(UserFactory):
    """An official: signs in with a username; a second factor is still to be set up."""

    username = factory.Sequence(lambda n: f"canbo{n:04d}")
    full_name = factory.Sequence(lambda n: f"Trần Thị Cán Bộ {n}")
    email = factory.Sequence(lambda n: f"canbo{n}@egov.gov.vn")
    phone = None
    national_id = None
    is_official = True


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.00.{n:02d}.H99")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm số {n}")
    abbreviation = factory.Sequence(lambda n: f"STN{n}")
    kind = Agency.Kind.DEPARTMENT


class DivisionFactory(DjangoModelFactory[Division]):
    class Meta:
        model = Division

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Phòng Thử nghiệm {n}")
    abbreviation = factory.Sequence(lambda n: f"PTN{n}")


class PositionFactory(DjangoModelFactory[Position]):
    class Meta:
        model = Position

    agency = factory.SubFactory(AgencyFactory)
    division = None
    title = "Chuyên viên"
    kind = Position.Kind.SPECIALIST


class MembershipFactory(DjangoModelFactory[Membership]):
    """An official's role in an agency (a specialist unless told otherwise)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(OfficialFactory)
    agency = factory.SubFactory(AgencyFactory)
    division = None
    position = None
    role = Role.SPECIALIST
    is_active = True
