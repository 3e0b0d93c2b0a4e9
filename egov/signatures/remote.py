"""Remote signing (ký số từ xa) through a Cloud Signature Consortium (CSC API v1) service.

The official's key lives with the signing service; egov prepares each PDF (``external.begin``),
asks the service to authorise the exact hashes (``credentials/authorize``: the provider asks the
official to approve — on their phone in production; the test sandbox, certomancer's CSC dummy,
approves at once), gets the signature values (``signatures/signHash``) and finishes each PDF
(``external.finish``). One authorisation covers a whole batch: one approval for N documents.

Synchronous HTTP (urllib) on purpose: no event loop to share with pyHanko's own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from egov.signatures.signers import SignerUnavailable, configured_keys

SHA256_OID = "2.16.840.1.101.3.4.2.1"
SHA256_WITH_RSA_OID = "1.2.840.113549.1.1.11"
TIMEOUT_SECONDS = 120  # the official has this long to approve on their phone


@dataclass(frozen=True, slots=True)
class CscKey:
    """A credential at a CSC remote-signing service."""

    service_url: str  # the part before /csc/v1/...
    credential_id: str

    @property
    def kind(self) -> str:
        return "csc"


def csc_key_from_config(spec: Mapping[str, Any]) -> CscKey:
    """A CSC reference from a configuration entry (``{"kind": "csc", "service_url": ...,
    "credential_id": ...}``). No secret belongs there: the service asks the official to approve."""
    if spec.get("kind") != "csc" or not spec.get("service_url") or not spec.get("credential_id"):
        raise SignerUnavailable(_("Cấu hình ký số từ xa không hợp lệ."))
    return CscKey(service_url=str(spec["service_url"]), credential_id=str(spec["credential_id"]))


def configured_csc_key(name: str) -> CscKey:
    """The remote-signing credential configured under ``name`` (same settings as the keys egov
    holds: ``EGOV_SIGNING_KEYS`` / ``EGOV_SIGNING_KEYS_FILE``)."""
    spec = configured_keys().get(name)
    if spec is None:
        raise SignerUnavailable(_("Chưa cấu hình ký số từ xa “%(name)s”.") % {"name": name})
    return csc_key_from_config(spec)


@dataclass(frozen=True, slots=True)
class Credential:
    certificate: bytes  # DER
    chain: tuple[bytes, ...]


class CscClient:
    def __init__(self, key: CscKey) -> None:
        self.key = key

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.key.service_url.rstrip('/')}/csc/v1/{endpoint}"
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise SignerUnavailable(_("Dịch vụ ký số từ xa phải dùng HTTPS."))
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            raise SignerUnavailable(
                _("Dịch vụ ký số từ xa từ chối yêu cầu (mã %(code)s).") % {"code": exc.code}
            ) from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SignerUnavailable(_("Không kết nối được dịch vụ ký số từ xa.")) from exc

    def credential(self) -> Credential:
        data = self._post(
            "credentials/info", {"credentialID": self.key.credential_id, "certificates": "chain"}
        )
        certificates = [base64.b64decode(c) for c in data.get("cert", {}).get("certificates", [])]
        if not certificates:
            raise SignerUnavailable(_("Dịch vụ ký số từ xa không trả về chứng thư số."))
        return Credential(certificate=certificates[0], chain=tuple(certificates[1:]))

    def sign(self, to_sign: list[bytes], *, otp: str, description: str) -> list[bytes]:
        """Signature values for ``to_sign`` (each hashed with SHA-256), after one approval."""
        hashes = [base64.b64encode(hashlib.sha256(data).digest()).decode() for data in to_sign]
        authorized = self._post(
            "credentials/authorize",
            {
                "credentialID": self.key.credential_id,
                "numSignatures": len(hashes),
                "hash": hashes,
                "OTP": otp,
                "description": description[:500],
            },
        )
        sad = authorized.get("SAD")
        if not sad:
            raise SignerUnavailable(_("Người ký chưa xác nhận yêu cầu ký số từ xa."))
        signed = self._post(
            "signatures/signHash",
            {
                "credentialID": self.key.credential_id,
                "SAD": sad,
                "hash": hashes,
                "hashAlgo": SHA256_OID,
                "signAlgo": SHA256_WITH_RSA_OID,
            },
        )
        values = [base64.b64decode(v) for v in signed.get("signatures", [])]
        if len(values) != len(hashes):
            raise SignerUnavailable(_("Dịch vụ ký số từ xa trả về thiếu chữ ký."))
        return values
