"""Demo step for ``manage.py seed_demo``: trust the throwaway development PKI (NOT FOR PRODUCTION).

Builds ``var/dev-pki`` like ``manage.py run_dev_pki --build-only`` (keys kept, so a second run
produces the same certificates) and records its root and issuing CA as trusted, so documents the
demo signs (with the Procfile's ``pki`` process as TSA/OCSP) show "valid" on the verification page.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from egov.organizations.management.demo_seed import DemoSeed
from egov.signatures.models import TrustedCertificate
from egov.signatures.trust import add_trusted_certificate, parse_certificate


def seed(demo: DemoSeed) -> None:
    directory = Path(settings.VAR_DIR) / "dev-pki"
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
