"""Two-phase signing for keys egov cannot touch: the signing agent on an official's computer (USB
token), or a remote-signing service.

``begin`` prepares the PDF (placeholder, appearance, byte-range digest) and returns the CMS signed
attributes the key must sign — the only thing that leaves egov. ``finish`` takes the raw signature
value back, adds the RFC 3161 timestamp and embeds the CMS. Between the two, ``PendingSignature``
holds the state; it contains no secret and no PIN (the PIN stays in the agent's memory).
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.stamp import BaseStampStyle as StampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.signatures._sync import outside_event_loop
from egov.signatures.pades import PdfProblem, SigningPolicy, _empty_signature_fields, _reader_writer

MD_ALGORITHM = "sha256"
SIGNATURE_ALGORITHM = "sha256_rsa"  # RSASSA-PKCS1-v1_5 over the DER of the signed attributes


@dataclass(frozen=True)
class PendingSignature:
    pdf: bytes  # the document with the signature placeholder
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attributes: bytes  # DER; what the key signs
    certificate: bytes  # DER
    chain: tuple[bytes, ...]
    tsa_url: str

    def as_json(self) -> dict[str, Any]:
        b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
        return {
            "pdf": b64(self.pdf),
            "document_digest": b64(self.document_digest),
            "reserved_region_start": self.reserved_region_start,
            "reserved_region_end": self.reserved_region_end,
            "signed_attributes": b64(self.signed_attributes),
            "certificate": b64(self.certificate),
            "chain": [b64(c) for c in self.chain],
            "tsa_url": self.tsa_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PendingSignature:
        d = base64.b64decode
        return cls(
            pdf=d(data["pdf"]),
            document_digest=d(data["document_digest"]),
            reserved_region_start=int(data["reserved_region_start"]),
            reserved_region_end=int(data["reserved_region_end"]),
            signed_attributes=d(data["signed_attributes"]),
            certificate=d(data["certificate"]),
            chain=tuple(d(c) for c in data["chain"]),
            tsa_url=str(data["tsa_url"]),
        )


def _external_signer(
    certificate: bytes, chain: tuple[bytes, ...], value: bytes | None
) -> signers.ExternalSigner:
    cert = asn1_x509.Certificate.load(certificate)
    registry = SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(c) for c in chain])
    size = cert.public_key.byte_size if cert.public_key.algorithm == "rsa" else 512
    return signers.ExternalSigner(
        signing_cert=cert, cert_registry=registry, signature_value=value or bytes(size)
    )


def begin(
    pdf: bytes,
    *,
    certificate: bytes,
    chain: tuple[bytes, ...],
    policy: SigningPolicy,
    field_name: str,
    style: StampStyle | None = None,
) -> PendingSignature:
    """Prepare ``pdf`` for a signature by ``certificate`` into the empty field ``field_name``."""
    writer = _reader_writer(pdf)
    if field_name not in _empty_signature_fields(writer):
        raise PdfProblem(f"Văn bản không có ô chữ ký trống “{field_name}”.")
    try:
        external = _external_signer(certificate, chain, None)
    except Exception as exc:
        raise PdfProblem("Chứng thư số gửi từ thiết bị ký không hợp lệ.") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm=MD_ALGORITHM, subfilter=SigSeedSubFilter.PADES
    )
    pdf_signer = signers.PdfSigner(meta, signer=external, timestamper=policy.timestamper(), stamp_style=style)
    return outside_event_loop(
        lambda: asyncio.run(_begin(pdf_signer, external, writer, certificate, chain, policy))
    )


async def _begin(
    pdf_signer: signers.PdfSigner,
    external: signers.ExternalSigner,
    writer: IncrementalPdfFileWriter,
    certificate: bytes,
    chain: tuple[bytes, ...],
    policy: SigningPolicy,
) -> PendingSignature:
    prepared, _tbs, output = await pdf_signer.async_digest_doc_for_signing(writer, existing_fields_only=True)
    attributes = await external.signed_attrs(prepared.document_digest, MD_ALGORITHM, use_pades=True)
    output.seek(0)
    return PendingSignature(
        pdf=output.read(),
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_region_start,
        reserved_region_end=prepared.reserved_region_end,
        signed_attributes=attributes.dump(),
        certificate=certificate,
        chain=chain,
        tsa_url=policy.tsa_url,
    )


def finish(pending: PendingSignature, *, signature_value: bytes) -> bytes:
    """Embed the signature value (checked against the certificate) with its timestamp."""
    external = _external_signer(pending.certificate, pending.chain, signature_value)
    attributes = cms.CMSAttributes.load(pending.signed_attributes)
    _check_signature(pending, signature_value)
    policy = SigningPolicy(tsa_url=pending.tsa_url)
    return outside_event_loop(lambda: asyncio.run(_finish(pending, external, attributes, policy)))


async def _finish(
    pending: PendingSignature,
    external: signers.ExternalSigner,
    attributes: cms.CMSAttributes,
    policy: SigningPolicy,
) -> bytes:
    signed_data = await external.async_sign_prescribed_attributes(
        MD_ALGORITHM, signed_attrs=attributes, timestamper=policy.timestamper()
    )
    output = io.BytesIO(pending.pdf)
    prepared = PreparedByteRangeDigest(
        document_digest=pending.document_digest,
        reserved_region_start=pending.reserved_region_start,
        reserved_region_end=pending.reserved_region_end,
    )
    await PdfTBSDocument.async_finish_signing(output, prepared, signed_data)
    return output.getvalue()


def _check_signature(pending: PendingSignature, signature_value: bytes) -> None:
    """Refuse a value that does not verify: a broken agent must not produce a broken PDF."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = x509.load_der_x509_certificate(pending.certificate).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise PdfProblem("Chỉ hỗ trợ khóa RSA từ thiết bị ký.")
    try:
        key.verify(signature_value, pending.signed_attributes, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise PdfProblem("Chữ ký trả về từ thiết bị ký không khớp với chứng thư số.") from exc
