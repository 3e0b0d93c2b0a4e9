"""A throwaway PKI for development, demos and tests — NOT FOR PRODUCTION.

Builds, with certomancer, a root CA, an issuing CA, certificates for an official and an agency seal
(Vietnamese subject names) and, on request (``extra``), one per demo agency seal and demo leader,
an RFC 3161 timestamp authority and an OCSP responder, and serves the TSA, OCSP and CRLs on
loopback (``DevPkiServer``) on a port chosen by the operating system. The certificates' OCSP/CRL
URLs name that port, so the PKI is built after the server's socket is bound.

Keys are fresh RSA-2048 keys written to the given directory; nothing here is trusted by anything
but the tests and the demo that created it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

ARCH = "egov-dev"
KEY_LABELS = ("root", "ica", "official", "agency", "tsa", "ocsp")
VALID_FROM = "2020-01-01T00:00:00+0000"
VALID_TO = "2045-01-01T00:00:00+0000"
DEV_PFX_PASSPHRASE = "egov-dev"  # noqa: S105 - throwaway development PKI, printed in the demo notes

ENTITIES = {
    "root": {"common-name": "Egov Thử nghiệm — CA gốc (KHÔNG DÙNG THẬT)"},
    "ica": {"common-name": "Egov Thử nghiệm — CA cấp cho cơ quan (KHÔNG DÙNG THẬT)"},
    "official": {
        "common-name": "Nguyễn Văn Đức",
        "organizational-unit-name": "Văn phòng",
        "organization-name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
    },
    "agency": {"common-name": "Ủy ban nhân dân tỉnh Thử Nghiệm"},
    "tsa": {"common-name": "Egov Thử nghiệm — Dịch vụ cấp dấu thời gian"},
    "ocsp": {"common-name": "Egov Thử nghiệm — OCSP"},
}


@dataclass(frozen=True, slots=True)
class ExtraSigner:
    """One more end-entity certificate issued by the issuing CA (the demo's agencies and leaders)."""

    label: str  # certomancer label and key file stem, e.g. "seal-stp", "official-lanhdao.stp"
    common_name: str
    organization: str
    unit: str = ""

    def entity(self) -> dict[str, str]:
        names = {"common-name": self.common_name, "organization-name": self.organization}
        if self.unit:
            names["organizational-unit-name"] = self.unit
        return names


def demo_signers() -> list[tuple[str, ExtraSigner]]:
    """``(key name, signer)`` for every demo agency's seal (``agency:<code>``) and every demo
    leader (``official:<username>``), with the demo's Vietnamese names."""
    from egov.organizations.management.demo_data import AGENCIES, OFFICIALS
    from egov.organizations.models import Role

    names = {spec.key: spec.name for spec in AGENCIES}
    seals = [
        (f"agency:{spec.code}", ExtraSigner(f"seal-{spec.key}", spec.name, spec.name)) for spec in AGENCIES
    ]
    leaders = [
        (
            f"official:{spec.username}",
            ExtraSigner(f"official-{spec.username}", spec.full_name, names[spec.agency], spec.position),
        )
        for spec in OFFICIALS
        if spec.role == Role.AGENCY_LEADER
    ]
    return seals + leaders


def _validity() -> dict[str, str]:
    return {"valid-from": VALID_FROM, "valid-to": VALID_TO}


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocation_pointers() -> list[dict[str, Any]]:
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["ica"]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["ica-ocsp"]}},
        },
    ]


def certomancer_config(extra: Sequence[ExtraSigner] = ()) -> dict[str, Any]:
    """The architecture as certomancer's configuration dictionary (``extra``: more signers)."""
    ca_exts = [
        {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
        _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
    ]
    signer_exts = [_key_usage("digital_signature", "non_repudiation"), *_revocation_pointers()]
    certs: dict[str, Any] = {
        "root": {"subject": "root", "issuer": "root", "validity": _validity(), "extensions": ca_exts},
        "ica": {
            "subject": "ica",
            "issuer": "root",
            "validity": _validity(),
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path_len_constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "official": {
            "subject": "official",
            "issuer": "ica",
            "validity": _validity(),
            "extensions": signer_exts,
        },
        "agency": {"subject": "agency", "issuer": "ica", "validity": _validity(), "extensions": signer_exts},
        "tsa": {
            "subject": "tsa",
            "issuer": "root",
            "validity": _validity(),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}},
                },
            ],
        },
        "ocsp": {
            "subject": "ocsp",
            "issuer": "ica",
            "validity": _validity(),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
    }
    for signer in extra:
        certs[signer.label] = {
            "subject": signer.label,
            "issuer": "ica",
            "validity": _validity(),
            "extensions": signer_exts,
        }
    labels = [*KEY_LABELS, *(signer.label for signer in extra)]
    return {
        "keysets": {ARCH: {"keys": {label: {"path": f"{label}.key.pem"} for label in labels}}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": "Egov Thử nghiệm"},
                "entities": {**ENTITIES, **{signer.label: signer.entity() for signer in extra}},
                "certs": certs,
                "services": {
                    "ocsp": {
                        "ica-ocsp": {"for-issuer": "ica", "responder-cert": "ocsp", "signing-key": "ocsp"}
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P90D",
                        },
                        "ica": {
                            "for-issuer": "ica",
                            "signing-key": "ica",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


def write_keys(directory: Path, labels: Sequence[str] = KEY_LABELS) -> None:
    """Fresh RSA-2048 keys (PKCS#8 PEM) for every entity, unless already there."""
    directory.mkdir(parents=True, exist_ok=True)
    for label in labels:
        path = directory / f"{label}.key.pem"
        if path.exists():
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )


@dataclass
class DevPki:
    """The built architecture and where its services answer."""

    directory: Path
    base_url: str
    arch: Any  # certomancer.registry.PKIArchitecture

    def cert(self, label: str) -> asn1_x509.Certificate:
        from certomancer.registry import CertLabel

        return self.arch.get_cert(CertLabel(label))

    def cert_der(self, label: str) -> bytes:
        return self.cert(label).dump()

    def key_der(self, label: str) -> bytes:
        from certomancer.registry import KeyLabel

        key: asn1_keys.PrivateKeyInfo = self.arch.key_set.get_private_key(KeyLabel(label))
        return key.dump()

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def write_pkcs12(self, label: str, path: Path, passphrase: str = DEV_PFX_PASSPHRASE) -> Path:
        """A PKCS#12 file with the key, its certificate and the CA chain (development signer)."""
        from cryptography import x509

        # Our own freshly generated keys: the (slow) RSA consistency check adds nothing here.
        key = serialization.load_der_private_key(
            self.key_der(label), password=None, unsafe_skip_rsa_key_validation=True
        )
        cert = x509.load_der_x509_certificate(self.cert_der(label))
        chain = [x509.load_der_x509_certificate(self.cert_der(ca)) for ca in ("ica",)]
        data = pkcs12.serialize_key_and_certificates(
            label.encode(),
            key,  # type: ignore[arg-type]
            cert,
            chain,
            serialization.BestAvailableEncryption(passphrase.encode()),
        )
        path.write_bytes(data)
        return path

    def write_pem(self, label: str, path: Path) -> Path:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(self.cert_der(label))
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path


def build_dev_pki(directory: Path, *, base_url: str, extra: Sequence[ExtraSigner] = ()) -> tuple[DevPki, Any]:
    """The dev PKI whose certificates point their TSA/OCSP/CRL addresses at ``base_url``, without
    serving it (the keys in ``directory`` are kept, so the same URL gives the same certificates)."""
    from certomancer.registry import ArchLabel, CertomancerConfig

    write_keys(directory, [*KEY_LABELS, *(signer.label for signer in extra)])
    config = CertomancerConfig(
        certomancer_config(extra), key_search_dir=str(directory), external_url_prefix=base_url
    )
    arch = config.get_pki_arch(ArchLabel(ARCH))
    return DevPki(directory=directory, base_url=base_url, arch=arch), config


class DevPkiServer:
    """Serves the dev PKI's TSA, OCSP and CRLs on 127.0.0.1 in a background thread."""

    def __init__(
        self, directory: Path, *, host: str = "127.0.0.1", port: int = 0, extra: Sequence[ExtraSigner] = ()
    ) -> None:
        from certomancer.integrations.animator import Animator, AnimatorArchStore
        from werkzeug.serving import make_server

        self._server = make_server(host, port, _not_ready, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.pki, config = build_dev_pki(directory, base_url=f"http://{host}:{self.port}", extra=extra)
        self.config = config  # certomancer's, for sandboxes built on it (remote signing)
        self._server.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self._thread = threading.Thread(target=self._server.serve_forever, name="dev-pki", daemon=True)

    def start(self) -> DevPki:
        self._thread.start()
        return self.pki

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()  # blocks until serve_forever returns: only when it runs
            self._thread.join(timeout=5)
        self._server.server_close()


def _quiet_handler_class() -> Any:
    from werkzeug.serving import WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass  # one line per TSA/OCSP request would drown the test and demo output

    return Quiet


_QuietHandler = _quiet_handler_class()


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
