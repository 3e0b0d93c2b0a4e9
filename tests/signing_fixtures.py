"""Signing fixtures for the whole suite, defined once (registered by tests/conftest.py): the dev PKI
with its TSA/OCSP on a free loopback port, a SoftHSM2 token holding the agency key, an NSS database
trusting the test root for poppler's pdfsig, and sample PDFs and images.

Defined once on purpose: python-pkcs11 reads SOFTHSM2_CONF once per process, so a second copy of
``softhsm_key`` in the same xdist worker would sign with the first copy's token. Test modules
import the helpers (``pdfsig``, ``LAYOUT``…) but never the fixtures.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from egov.signatures import pades, signers
from egov.signatures.appearances import Placement
from egov.signatures.devpki import DEV_PFX_PASSPHRASE, DevPki, DevPkiServer
from egov.signatures.models import TrustedCertificate
from egov.signatures.softhsm import SOFTHSM_MODULE, TokenObject, load_token, softhsm_available
from tests.factories import OfficialFactory

TOKEN_LABEL = "egov-test"
TOKEN_PIN = "1234"


@pytest.fixture(scope="session")
def dev_pki_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevPkiServer]:
    server = DevPkiServer(tmp_path_factory.mktemp("pki"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dev_pki(dev_pki_server: DevPkiServer) -> DevPki:
    return dev_pki_server.pki


@pytest.fixture(scope="session")
def pki_files(dev_pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki-files")
    return {
        "official.p12": dev_pki.write_pkcs12("official", folder / "official.p12"),
        "agency.p12": dev_pki.write_pkcs12("agency", folder / "agency.p12"),
        "root.pem": dev_pki.write_pem("root", folder / "root.pem"),
        "ica.pem": dev_pki.write_pem("ica", folder / "ica.pem"),
    }


@pytest.fixture
def official_key(pki_files: dict[str, Path], settings: Any) -> signers.Pkcs12Key:
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    return signers.Pkcs12Key(path=pki_files["official.p12"])


@pytest.fixture
def agency_p12_key(pki_files: dict[str, Path], settings: Any) -> signers.Pkcs12Key:
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    return signers.Pkcs12Key(path=pki_files["agency.p12"])


PFX_PIN = DEV_PFX_PASSPHRASE


@pytest.fixture(scope="session")
def softhsm_key(
    dev_pki: DevPki, pki_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> signers.Pkcs11Key:
    """The agency's key and certificate on a fresh SoftHSM2 token (skips where SoftHSM2 is absent)."""
    if not softhsm_available():
        pytest.skip("SoftHSM2/OpenSC not installed (apt-get install softhsm2 opensc)")
    folder = tmp_path_factory.mktemp("softhsm")
    # In-process signing (python-pkcs11) reads this token store from the environment.
    os.environ["SOFTHSM2_CONF"] = str(folder / "softhsm2.conf")
    load_token(
        conf=folder / "softhsm2.conf",
        tokens=folder / "tokens",
        label=TOKEN_LABEL,
        pin=TOKEN_PIN,
        objects=(
            TokenObject("01", "agency", dev_pki.key_der("agency"), private=True),
            TokenObject("01", "agency", dev_pki.cert_der("agency")),
        ),
    )
    return signers.Pkcs11Key(
        module=SOFTHSM_MODULE, token_label=TOKEN_LABEL, key_label="agency", ca_chain=(pki_files["ica.pem"],)
    )


@pytest.fixture
def trusted_root(db: Any, dev_pki: DevPki) -> TrustedCertificate:
    from egov.signatures.trust import add_trusted_certificate

    admin = OfficialFactory(is_superuser=True)
    add_trusted_certificate(
        actor=admin, data=dev_pki.cert_der("ica"), kind=TrustedCertificate.Kind.INTERMEDIATE
    )
    return add_trusted_certificate(
        actor=admin, data=dev_pki.cert_der("root"), kind=TrustedCertificate.Kind.ROOT
    )


@pytest.fixture
def policy(dev_pki: DevPki) -> pades.SigningPolicy:
    return pades.SigningPolicy(tsa_url=dev_pki.tsa_url)


@pytest.fixture
def tsa_setting(settings: Any, dev_pki: DevPki) -> None:
    settings.EGOV_TSA_URL = dev_pki.tsa_url
    settings.EGOV_SIGNATURE_LEVEL = "B-T"
    settings.EGOV_PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"


# --- remote signing (ký số từ xa) --------------------------------------------------------------


@pytest.fixture(scope="session")
def csc_sandbox(dev_pki_server: DevPkiServer) -> Iterator[str]:
    """certomancer's CSC dummy service on loopback, holding the dev PKI's keys (credential
    ``egov-dev/official``): approves every authorisation at once. Yields its base address."""
    csc_dummy = pytest.importorskip("csc_dummy.csc_dummy_server")
    from aiohttp import web

    with warnings.catch_warnings():  # the dummy uses plain string app keys (aiohttp NotAppKeyWarning)
        warnings.simplefilter("ignore")
        app = csc_dummy.CSCWithCertomancer(
            dev_pki_server.config, service_params=csc_dummy.DummyServiceParams(hash_pinning_required=True)
        )
    app.register_routes()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app.app)
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result(10)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result(10)
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


# --- documents and images ---------------------------------------------------------------------

LAYOUT = pades.FreezeLayout(
    signer=Placement(page=0, box=(330.0, 240.0, 530.0, 320.0)),
    number=Placement(page=0, box=(60.0, 700.0, 260.0, 722.0)),
    date=Placement(page=0, box=(320.0, 700.0, 545.0, 722.0)),
)


def render_pdf(pages: int = 1) -> bytes:
    from weasyprint import HTML

    body = "".join(
        '<section style="page-break-after: always"><h1>QUYẾT ĐỊNH</h1>'
        f"<p>Trang {n}: Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh Thử Nghiệm"
        " — ưu tiên, Đức, Ự, ự.</p></section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<html lang='vi'><body>{body}</body></html>").write_pdf()


@pytest.fixture(scope="session")
def draft_pdf() -> bytes:
    return render_pdf(1)


def png(color: tuple[int, int, int, int], size: tuple[int, int], *, circle: bool = False) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if circle:
        draw.ellipse((4, 4, size[0] - 4, size[1] - 4), outline=color, width=8)
    else:
        draw.line((10, size[1] - 20, size[0] - 10, 20), fill=color, width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def signature_png() -> bytes:
    return png((0, 0, 200, 255), (300, 120))


@pytest.fixture(scope="session")
def seal_png() -> bytes:
    return png((220, 0, 0, 255), (200, 200), circle=True)


def issue_document(
    *,
    leader: Any,
    clerk: Any,
    pdf: bytes,
    official_key: signers.KeyReference,
    signature_image: bytes,
    agency_key: signers.KeyReference,
    agency_pin: str,
    seal_image: bytes,
    number_notation: str,
    date_text: str,
) -> tuple[Any, bytes, bytes]:
    """Freeze ``pdf``, sign it as ``leader`` and number and seal it as ``clerk``: (frozen, signed, sealed)."""
    from egov.signatures import services

    frozen = services.freeze_document(
        actor=leader.user, agency=leader.agency, pdf=pdf, layout=LAYOUT, title="Quy chế làm việc"
    )
    signed = services.sign_as_official(
        actor=leader.user,
        agency=leader.agency,
        pdf=frozen.pdf,
        key=official_key,
        pin=PFX_PIN,
        signature_image=signature_image,
    )
    sealed = services.number_and_seal(
        actor=clerk.user,
        agency=clerk.agency,
        pdf=signed,
        number_notation=number_notation,
        date_text=date_text,
        key=agency_key,
        pin=agency_pin,
        seal_image=seal_image,
    )
    return frozen, signed, sealed


# --- poppler's pdfsig, the independent check ----------------------------------------------------


@dataclass(frozen=True)
class PdfsigSignature:
    field: str
    signature_valid: bool  # "Signature is Valid."
    digest_mismatch: bool
    certificate: str  # the "Certificate Validation:" line
    total_document: bool

    @property
    def issuer_known(self) -> bool:
        """pdfsig found the chain to a root in its NSS database (see notes: poppler 22.12 reports
        "Unknown issue" even for a trusted chain here, but "issuer isn't Trusted" without the root)."""
        return not any(
            s in self.certificate for s in ("isn't Trusted", "issuer is unknown", "Unknown Issuer")
        )


@pytest.fixture(scope="session")
def nss_db(pki_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip("poppler-utils / libnss3-tools not installed")
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True
    )
    subprocess.run(
        [
            "certutil",
            "-A",
            "-n",
            "egov-test-root",
            "-t",
            "C,C,C",
            "-i",
            str(pki_files["root.pem"]),
            "-d",
            f"sql:{folder}",
        ],
        check=True,
        capture_output=True,
    )
    return f"sql:{folder}"


@pytest.fixture(scope="session")
def empty_nss_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("nss-empty")
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True
    )
    return f"sql:{folder}"


def pdfsig(pdf: bytes, nssdir: str, tmp_path: Path) -> list[PdfsigSignature]:
    path = tmp_path / "pdfsig-input.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfsig", "-nssdir", nssdir, "-no-ocsp", str(path)], capture_output=True, text=True
    ).stdout
    result = []
    for block in re.split(r"^Signature #\d+:$", out, flags=re.MULTILINE)[1:]:
        field = re.search(r"Signature Field Name: (.*)", block)
        validation = re.search(r"Signature Validation: (.*)", block)
        cert = re.search(r"Certificate Validation: (.*)", block)
        result.append(
            PdfsigSignature(
                field=field.group(1).strip() if field else "",
                signature_valid=bool(validation and validation.group(1).strip() == "Signature is Valid."),
                digest_mismatch=bool(validation and "Digest Mismatch" in validation.group(1)),
                certificate=cert.group(1).strip() if cert else "",
                total_document="Total document signed" in block,
            )
        )
    return result
