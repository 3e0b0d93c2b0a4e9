"""The demo citizens the sandbox identity provider knows (invented people, valid ID-number structure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCitizen:
    national_id: str
    full_name: str
    birth_date: str  # ISO, as the OIDC ``birthdate`` claim
    phone: str = ""
    organisations: tuple[tuple[str, str], ...] = ()  # (tax code, name) the person legally represents


DEMO_CITIZENS: tuple[DemoCitizen, ...] = (
    DemoCitizen("001090012345", "Nguyễn Văn An", "1990-05-12", "0912000101"),
    DemoCitizen(
        "079195001234",
        "Trần Thị Bình",
        "1995-08-20",
        "0987000202",
        organisations=(("0312345678", "Công ty TNHH Thương mại Bình Minh"),),
    ),
    DemoCitizen("048205004567", "Lê Minh Cường", "2005-01-30"),
)
