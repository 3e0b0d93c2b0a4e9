"""``manage.py run_dev_pki``: the throwaway development PKI — NOT FOR PRODUCTION.

Builds (once, keys kept in ``--directory``) a root CA, an issuing CA, an official's and an agency's
certificate, one certificate per demo agency seal (``agency:<code>``) and per demo leader
(``official:<username>``), a TSA and an OCSP responder; writes PKCS#12 files, the CA certificates
and a keys file for ``EGOV_SIGNING_KEYS_FILE`` (``keys.json``; ``keys-pkcs12.json`` names the same
keys as PKCS#12 files, for a process that cannot reach the SoftHSM2 token); loads the agency keys
into a SoftHSM2 token when SoftHSM2 is installed (otherwise the demo falls back to the PKCS#12 files
and says so); then serves the TSA, OCSP and CRLs on ``127.0.0.1:--port`` until stopped
(``--build-only`` exits instead).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egov.signatures.devpki import (
    ARCH,
    DEV_PFX_PASSPHRASE,
    KEY_LABELS,
    DevPki,
    DevPkiServer,
    ExtraSigner,
    build_dev_pki,
    demo_signers,
    write_keys,
)
from egov.signatures.softhsm import SOFTHSM_MODULE, TokenObject, load_token, softhsm_available

TOKEN_LABEL = "egov-dev"  # noqa: S105 - a token label, not a password
DEV_TOKEN_PIN = "1234"  # noqa: S105 - throwaway development token, printed on purpose
KEYS_FILE = "keys.json"
PKCS12_KEYS_FILE = "keys-pkcs12.json"
STAMP_FILE = "build.sha256"


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
        self.demo = demo_signers()
        extra = [signer for _name, signer in self.demo]
        base_url = f"http://127.0.0.1:{options['port']}"
        if options["build_only"]:  # no socket: the certificates only name the port
            write_keys(directory / "keys", [*KEY_LABELS, *(signer.label for signer in extra)])
            # Loading 27 RSA keys takes seconds: skipped when the files written last time still hold.
            if not self._up_to_date(directory, self._stamp(base_url, directory / "keys")):
                pki, _config = build_dev_pki(directory / "keys", base_url=base_url, extra=extra)
                self._write_all(pki, directory)
            else:
                self.stdout.write("Các tệp PKI thử nghiệm đã có và còn đúng: giữ nguyên.")
            self._announce(base_url, directory)
            return
        server = DevPkiServer(directory / "keys", port=options["port"], extra=extra)
        pki = server.pki
        if not self._up_to_date(directory, self._stamp(pki.base_url, directory / "keys")):
            self._write_all(pki, directory)
        self._announce(pki.base_url, directory)
        server.start()
        self.stdout.write(f"Đang phục vụ TSA/OCSP/CRL tại {pki.base_url} (Ctrl+C để dừng).")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    def _write_all(self, pki: DevPki, directory: Path) -> None:
        self._write_files(pki, directory)
        (directory / STAMP_FILE).write_text(self._stamp(pki.base_url, pki.directory), encoding="utf-8")

    def _announce(self, base_url: str, directory: Path) -> None:
        keys = sorted(json.loads((directory / KEYS_FILE).read_text(encoding="utf-8")))
        self.stdout.write(self.style.WARNING("PKI THỬ NGHIỆM — KHÔNG DÙNG CHO HỆ THỐNG THẬT."))
        self.stdout.write(f"TSA: {base_url}/{ARCH}/tsa/tsa")
        shown = [k for k in keys if k.endswith((":dev", ":dev-file"))]
        self.stdout.write(
            f"Tệp khóa: EGOV_SIGNING_KEYS_FILE={directory / KEYS_FILE} ({', '.join(shown)}"
            f" và {len(keys) - len(shown)} khóa của cơ quan, lãnh đạo trình diễn)"
        )

    def _stamp(self, base_url: str, keys: Path) -> str:
        """What the written files depend on: the keys, the certificates' names and URLs, SoftHSM2."""
        digest = hashlib.sha256(f"{base_url}|{softhsm_available()}".encode())
        for _name, signer in self.demo:
            digest.update(repr(signer).encode())
        for path in sorted(keys.glob("*.key.pem")):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def _up_to_date(self, directory: Path, stamp: str) -> bool:
        stamp_file = directory / STAMP_FILE
        if not stamp_file.exists() or stamp_file.read_text(encoding="utf-8") != stamp:
            return False
        try:
            entries = json.loads((directory / PKCS12_KEYS_FILE).read_text(encoding="utf-8"))
            json.loads((directory / KEYS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        needed = [directory / "root.pem", directory / "ica.pem", *(Path(e["path"]) for e in entries.values())]
        if softhsm_available():
            needed.append(directory / "softhsm-tokens")
        return all(path.exists() for path in needed)

    def _write_files(self, pki: DevPki, directory: Path) -> None:
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
        demo_files = self._write_demo_files(pki, directory / "demo", chain)
        files_only = {**keys, "agency:dev": keys["agency:dev-file"], **demo_files}
        keys.update(demo_files)
        if self._load_softhsm(pki, directory):
            keys.update(self._token_entries(chain))
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
        for name, content in ((KEYS_FILE, keys), (PKCS12_KEYS_FILE, files_only)):
            (directory / name).write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")

    def _write_demo_files(self, pki: DevPki, folder: Path, chain: list[str]) -> dict[str, dict[str, Any]]:
        """A PKCS#12 file per demo seal and leader (leaders' keys stand for their USB tokens)."""
        folder.mkdir(parents=True, exist_ok=True)
        return {
            name: {
                "kind": "pkcs12",
                "path": str(pki.write_pkcs12(signer.label, folder / f"{signer.label}.p12")),
                "ca_chain": chain,
            }
            for name, signer in self.demo
        }

    def _seals(self) -> list[tuple[str, ExtraSigner]]:
        return [(name, signer) for name, signer in self.demo if name.startswith("agency:")]

    def _token_entries(self, chain: list[str]) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "kind": "pkcs11",
                "module": SOFTHSM_MODULE,
                "token_label": TOKEN_LABEL,
                "key_label": signer.label,
                "ca_chain": chain,
            }
            for name, signer in self._seals()
        }

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
                *(
                    item
                    for index, (_name, signer) in enumerate(self._seals(), start=16)
                    for item in (
                        TokenObject(f"{index:02x}", signer.label, pki.key_der(signer.label), private=True),
                        TokenObject(f"{index:02x}", signer.label, pki.cert_der(signer.label)),
                    )
                ),
            ),
        )
        return True
