"""``manage.py run_dev_pki``: the throwaway development PKI — NOT FOR PRODUCTION.

Builds (once, keys kept in ``--directory``) a root CA, an issuing CA, an official's and an agency's
certificate, a TSA and an OCSP responder; writes PKCS#12 files, the CA certificates and a keys file
for ``EGOV_SIGNING_KEYS_FILE``; loads the agency key into a SoftHSM2 token when SoftHSM2 is
installed (otherwise the demo falls back to the PKCS#12 file and says so); then serves the TSA,
OCSP and CRLs on ``127.0.0.1:--port`` until stopped (``--build-only`` exits instead).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.signatures.devpki import DEV_PFX_PASSPHRASE, DevPki, DevPkiServer, build_dev_pki
from egov.signatures.softhsm import SOFTHSM_MODULE, TokenObject, load_token, softhsm_available

TOKEN_LABEL = "egov-dev"  # noqa: S105 - a token label, not a password
DEV_TOKEN_PIN = "1234"  # noqa: S105 - throwaway development token, printed on purpose


class Command(BaseCommand):
    help = (
        "PKI thử nghiệm (KHÔNG DÙNG THẬT): tạo CA, chứng thư, TSA, OCSP; "
        "nạp khóa vào SoftHSM2; phục vụ TSA/OCSP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=None)
        parser.add_argument("--port", type=int, default=int(os.environ.get("EGOV_DEV_PKI_PORT", "8091")))
        parser.add_argument("--build-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"] or Path(settings.VAR_DIR) / "dev-pki"
        if options["build_only"]:  # no socket: the certificates only name the port
            pki, _config = build_dev_pki(directory / "keys", base_url=f"http://127.0.0.1:{options['port']}")
            self._announce(pki, directory)
            return
        server = DevPkiServer(directory / "keys", port=options["port"])
        pki = server.pki
        self._announce(pki, directory)
        server.start()
        self.stdout.write(f"Đang phục vụ TSA/OCSP/CRL tại {pki.base_url} (Ctrl+C để dừng).")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    def _announce(self, pki: Any, directory: Path) -> None:
        keys = self._write_files(pki, directory)
        self.stdout.write(self.style.WARNING("PKI THỬ NGHIỆM — KHÔNG DÙNG CHO HỆ THỐNG THẬT."))
        self.stdout.write(f"TSA: {pki.tsa_url}")
        self.stdout.write(f"Tệp khóa: EGOV_SIGNING_KEYS_FILE={directory / 'keys.json'} ({', '.join(keys)})")

    def _write_files(self, pki: DevPki, directory: Path) -> list[str]:
        pki.write_pem("root", directory / "root.pem")
        pki.write_pem("ica", directory / "ica.pem")
        chain = [str(directory / "ica.pem")]
        keys: dict[str, dict[str, Any]] = {
            "official:dev": {
                "kind": "pkcs12",
                "path": str(pki.write_pkcs12("official", directory / "official.p12")),
                "ca_chain": chain,
            },
            "agency:dev-file": {
                "kind": "pkcs12",
                "path": str(pki.write_pkcs12("agency", directory / "agency.p12")),
                "ca_chain": chain,
            },
        }
        if self._load_softhsm(pki, directory):
            keys["agency:dev"] = {
                "kind": "pkcs11",
                "module": SOFTHSM_MODULE,
                "token_label": TOKEN_LABEL,
                "key_label": "agency",
                "ca_chain": chain,
            }
            self.stdout.write(f"Khóa cơ quan đã nạp vào SoftHSM2 (token {TOKEN_LABEL}, PIN {DEV_TOKEN_PIN}).")
        else:
            keys["agency:dev"] = keys["agency:dev-file"]
            self.stdout.write(
                self.style.WARNING("Không có SoftHSM2: khóa cơ quan dùng tệp PKCS#12 (chỉ để phát triển).")
            )
        self.stdout.write(f"Mật khẩu tệp PKCS#12: {DEV_PFX_PASSPHRASE}")
        (directory / "keys.json").write_text(json.dumps(keys, ensure_ascii=False, indent=2), encoding="utf-8")
        return sorted(keys)

    def _load_softhsm(self, pki: DevPki, directory: Path) -> bool:
        if not softhsm_available():
            return False
        # The certificate names the current port: the token is reloaded every time.
        load_token(
            conf=directory / "softhsm2.conf",
            tokens=directory / "softhsm-tokens",
            label=TOKEN_LABEL,
            pin=DEV_TOKEN_PIN,
            objects=(
                TokenObject("01", "agency", pki.key_der("agency"), private=True),
                TokenObject("01", "agency", pki.cert_der("agency")),
            ),
        )
        return True
