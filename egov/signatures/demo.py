"""Demo step for ``manage.py seed_demo``: trust the throwaway development PKI (NOT FOR PRODUCTION).

Builds ``var/dev-pki`` like ``manage.py run_dev_pki --build-only`` (keys kept, so a second run
produces the same certificates; a key per demo agency seal and per demo leader) and records its
root and issuing CA as trusted, so documents the demo signs (with the Procfile's ``pki`` process as
TSA/OCSP) show "valid" on the verification page. Draws a signature image for every demo leader and
a seal for every demo agency (key ``agency:<code>``), once.

``signing_session`` is for later demo steps that sign in-process (the documents demo issues sealed
documents): a TSA of its own on a free port for the duration, and the keys this process can open —
the SoftHSM2 token when it can reach it, else the PKCS#12 files, saying so.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from egov.accounts.models import User
from egov.organizations.management.demo_seed import DemoSeed
from egov.organizations.models import Agency
from egov.signatures.devpki import DEV_PFX_PASSPHRASE, DevPkiServer, demo_signers
from egov.signatures.images import drawn_seal, drawn_signature, set_agency_seal, set_signature_image
from egov.signatures.management.commands.run_dev_pki import DEV_TOKEN_PIN, KEYS_FILE, PKCS12_KEYS_FILE
from egov.signatures.models import AgencySeal, SignatureImage, TrustedCertificate
from egov.signatures.signers import SignerUnavailable, key_from_config, open_signer
from egov.signatures.softhsm import SOFTHSM_MODULE
from egov.signatures.trust import add_trusted_certificate, parse_certificate


def dev_pki_directory() -> Path:
    return Path(settings.VAR_DIR) / "dev-pki"


def seed(demo: DemoSeed) -> None:
    directory = dev_pki_directory()
    port = os.environ.get("EGOV_DEV_PKI_PORT", "8091")
    # Builds without binding the port (the Procfile's "pki" may serve it already): same files.
    call_command(
        "run_dev_pki", "--directory", str(directory), "--port", port, "--build-only", stdout=io.StringIO()
    )
    for name, kind in (
        ("root.pem", TrustedCertificate.Kind.ROOT),
        ("ica.pem", TrustedCertificate.Kind.INTERMEDIATE),
    ):
        data = (directory / name).read_bytes()
        fingerprint = hashlib.sha256(parse_certificate(data).dump()).hexdigest()
        if not TrustedCertificate.objects.filter(sha256=fingerprint).exists():
            add_trusted_certificate(actor=None, data=data, kind=kind, note="PKI thử nghiệm — KHÔNG DÙNG THẬT")
    demo.say(
        f"Chữ ký số: PKI thử nghiệm trong {directory}"
        f" (TSA/OCSP: Procfile “pki”, cổng {port}); CA gốc đã tin cậy."
    )
    _images_and_seals(demo)


def _images_and_seals(demo: DemoSeed) -> None:
    """A drawn signature for each demo leader, a drawn seal for each demo agency — once each."""
    drawn = 0
    for name, _signer in demo_signers():
        kind, _sep, reference = name.partition(":")
        if kind == "agency":
            agency = Agency.objects.filter(code=reference).select_related("parent").first()
            if agency is None or AgencySeal.objects.filter(agency=agency).exists():
                continue
            parent = agency.parent.name if agency.parent is not None else ""
            set_agency_seal(
                actor=None, agency=agency, png=drawn_seal(agency.name, parent_name=parent), key_name=name
            )
        else:
            user = User.objects.filter(username=reference).first()
            if user is None or SignatureImage.objects.filter(user=user).exists():
                continue
            set_signature_image(actor=None, user=user, png=drawn_signature(user.display_name))
        drawn += 1
    if drawn:
        demo.say(f"Chữ ký số: {drawn} ảnh chữ ký lãnh đạo, con dấu cơ quan (ảnh vẽ cho trình diễn).")


@dataclass(frozen=True)
class DemoSigning:
    """The keys a demo step signs with in this process, and their development PINs."""

    keys: Mapping[str, Mapping[str, Any]]

    def pin_for(self, key_name: str) -> str:
        return DEV_TOKEN_PIN if self.keys[key_name].get("kind") == "pkcs11" else DEV_PFX_PASSPHRASE


@contextmanager
def signing_session(demo: DemoSeed) -> Iterator[DemoSigning]:
    """Sign in-process during the seed: the dev PKI's TSA on a free port (the Procfile's may not run
    yet), the settings pointing at it and at the keys this process can open; stopped afterwards.
    Revocation is not fetched while seeding (nothing may answer at the certificates' OCSP address)."""
    directory = dev_pki_directory()
    server = DevPkiServer(directory / "keys")
    server.start()
    try:
        with (
            _keys_file(demo, directory) as keys_file,
            override_settings(
                EGOV_TSA_URL=server.pki.tsa_url,
                EGOV_SIGNATURE_LEVEL="B-T",
                EGOV_SIGNING_KEYS_FILE=str(keys_file),
                EGOV_SIGNING_ALLOW_PKCS12=True,
                EGOV_SIGNATURE_FETCH_REVOCATION=False,
            ),
        ):
            yield DemoSigning(json.loads(keys_file.read_text(encoding="utf-8")))
    finally:
        server.stop()


@contextmanager
def _keys_file(demo: DemoSeed, directory: Path) -> Iterator[Path]:
    """``keys.json`` with this process pointed at its SoftHSM2 token store for the block, or the
    PKCS#12 variant where there is no token or it does not open (saying so)."""
    keys = directory / KEYS_FILE
    specs = json.loads(keys.read_text(encoding="utf-8")).values()
    token = next((spec for spec in specs if spec.get("kind") == "pkcs11"), None)
    if token is None:
        demo.say("Không có SoftHSM2: con dấu số trình diễn dùng tệp PKCS#12 (chỉ để phát triển).")
        yield directory / PKCS12_KEYS_FILE
        return
    with _token_store(directory / "softhsm2.conf"):
        try:
            with open_signer(key_from_config(token), pin=DEV_TOKEN_PIN):
                pass
        except SignerUnavailable:
            demo.say(
                "Không mở được token SoftHSM2 thử nghiệm: con dấu số trình diễn dùng tệp PKCS#12 "
                "(chỉ để phát triển)."
            )
            yield directory / PKCS12_KEYS_FILE
        else:
            yield keys


@contextmanager
def _token_store(conf: Path) -> Iterator[None]:
    """SOFTHSM2_CONF points at the dev token store for the block; SoftHSM2 reads it when the PKCS#11
    library initialises, so the library is re-initialised on entry and on exit — whoever used it
    before or after (a test's own token) keeps seeing their own store."""
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    _finalize_pkcs11()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous
        _finalize_pkcs11()


def _finalize_pkcs11() -> None:
    import pkcs11  # python-pkcs11 keeps one initialised library per process

    library = pkcs11.lib(SOFTHSM_MODULE)
    if library.initialized:
        library.finalize()
