"""The official's token, through PKCS#11 (python-pkcs11): list its certificates and sign digests.

What is signed (see docs/signing-agent.md, "What the agent signs"):
- RSA keys: RSASSA-PKCS1-v1_5 with ``CKM_RSA_PKCS`` over the DER ``DigestInfo(digest_algorithm,
  digest)`` the agent builds; the same bytes ``CKM_SHA256_RSA_PKCS`` would sign after hashing, so the
  result is an ordinary ``sha256WithRSAEncryption`` signature of the data egov hashed (the CMS
  SignedAttributes), usable directly as the CMS SignerInfo signature value.
- EC keys: ECDSA with ``CKM_ECDSA`` over the digest; the token's raw ``r || s`` is returned
  DER-encoded (``ECDSA-Sig-Value``), as CMS requires.
Every signature is verified against the certificate's public key before it leaves the agent.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag
from pkcs11 import exceptions as p11

from .errors import AgentError
from .protocol import digest_info

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(frozen=True)
class TokenCertificate:
    """An X.509 certificate object stored on the token, with the CKA_ID that pairs it with its key."""

    certificate: x509.Certificate
    object_id: bytes
    label: str

    @property
    def serial(self) -> int:
        return self.certificate.serial_number

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def key_kind(self) -> str:
        key = self.certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            return "rsa"
        if isinstance(key, ec.EllipticCurvePublicKey):
            return "ec"
        return "other"

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def cms_signature_algorithm(self, digest_algorithm: str) -> str:
        """asn1crypto's name of the SignerInfo signature algorithm the agent's output matches."""
        return f"{digest_algorithm}_{'ecdsa' if self.key_kind == 'ec' else 'rsa'}"

    def describe(self) -> dict[str, Any]:
        cert = self.certificate
        key = cert.public_key()
        try:
            is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        return {
            "serial": format(cert.serial_number, "x"),
            "subject": self.subject,
            "issuer": cert.issuer.rfc4514_string(),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
            "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(),
            "key_type": self.key_kind,
            "key_size": getattr(key, "key_size", None),
            "is_ca": is_ca,
            "label": self.label,
            "pem": self.pem,
        }


@dataclass(frozen=True)
class TokenState:
    present: bool
    label: str = ""
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    pin_count_low: bool = False
    pin_final_try: bool = False
    pin_locked: bool = False

    def describe(self) -> dict[str, Any]:
        return dict(self.__dict__)


def token_not_present(label: str | None) -> AgentError:
    name = f" “{label}”" if label else ""
    return AgentError(
        "token_not_present",
        f"Không tìm thấy token ký số{name}. Hãy cắm token vào máy tính rồi thử lại.",
        status=503,
    )


class Token:
    """One PKCS#11 module and the token chosen by label (or the only token present).

    All calls go through one lock: one prompt and one token session at a time.
    """

    def __init__(self, module: str, label: str | None = None) -> None:
        self.module = module
        self.label = label
        self.lock = threading.Lock()
        self._lib = pkcs11.lib(module)

    # -- reading -------------------------------------------------------------------------------
    def _token(self) -> Any:
        try:
            if self.label:
                return self._lib.get_token(token_label=self.label)
            return self._lib.get_token()
        except (p11.NoSuchToken, p11.TokenNotPresent, p11.TokenNotRecognised):
            raise token_not_present(self.label) from None
        except p11.MultipleTokensReturned:
            raise AgentError(
                "several_tokens",
                "Có nhiều token đang cắm vào máy; hãy khởi động trình ký số với --token-label.",
                status=503,
            ) from None

    def state(self) -> TokenState:
        with self.lock:
            try:
                token = self._token()
            except AgentError:
                return TokenState(present=False, label=self.label or "")
            return _state(token)

    def certificates(self) -> list[TokenCertificate]:
        """The X.509 certificates on the token (public objects: read without logging in)."""
        with self.lock:
            token = self._token()
            try:
                with token.open() as session:
                    found = []
                    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                        try:
                            certificate = x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
                        except ValueError:
                            continue  # not an X.509 certificate we can read
                        found.append(
                            TokenCertificate(
                                certificate=certificate,
                                object_id=bytes(_attribute(obj, Attribute.ID, b"")),
                                label=str(_attribute(obj, Attribute.LABEL, "")),
                            )
                        )
                    return found
            except p11.PKCS11Error as exc:
                raise _token_failure(exc) from None

    def certificate(self, serial: int) -> TokenCertificate:
        matches = [cert for cert in self.certificates() if cert.serial == serial]
        if not matches:
            raise AgentError(
                "certificate_not_found",
                f"Không tìm thấy chứng thư số có số hiệu {serial:x} trên token.",
                status=404,
            )
        if len({cert.certificate.fingerprint(hashes.SHA256()) for cert in matches}) > 1:
            raise AgentError(
                "certificate_ambiguous",
                f"Token có nhiều chứng thư số cùng số hiệu {serial:x}; không thể chọn chứng thư để ký.",
                status=409,
            )
        return matches[0]

    # -- signing -------------------------------------------------------------------------------
    def sign_digests(
        self, *, certificate: TokenCertificate, digest_algorithm: str, digests: list[bytes], pin: str
    ) -> list[bytes | AgentError]:
        """Log in once with ``pin`` and sign every digest with the key paired with ``certificate``.

        Returns one signature (or the error for that digest) per digest, in order. A wrong PIN,
        locked token or missing key raises before anything is signed.
        """
        with self.lock:
            token = self._token()
            try:
                session = token.open(user_pin=pin)
            except (p11.PinIncorrect, p11.PinLenRange, p11.PinInvalid):
                raise _pin_incorrect(self._token()) from None
            except p11.PinLocked:
                raise pin_locked() from None
            except p11.PinExpired:
                raise AgentError(
                    "pin_expired",
                    "Mã PIN của token đã hết hạn. Hãy đổi mã PIN bằng phần mềm quản lý token rồi thử lại.",
                    status=423,
                ) from None
            except p11.PKCS11Error as exc:
                raise _token_failure(exc) from None
            del pin
            with session:
                key = _private_key(session, certificate)
                results: list[bytes | AgentError] = []
                for digest in digests:
                    try:
                        results.append(_sign_one(key, certificate, digest_algorithm, digest))
                    except AgentError as error:
                        results.append(error)
                    except p11.PKCS11Error as exc:
                        results.append(_token_failure(exc))
                return results


def _attribute(obj: Any, attribute: Attribute, default: Any) -> Any:
    try:
        return obj[attribute]
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive, KeyError):
        return default


def _state(token: Any) -> TokenState:
    flags = TokenFlag(token.flags)
    return TokenState(
        present=True,
        label=str(token.label).strip(),
        manufacturer=str(token.manufacturer_id).strip(),
        model=str(token.model).strip(),
        serial=(
            token.serial.decode("ascii", "replace") if isinstance(token.serial, bytes) else str(token.serial)
        ).strip(),
        pin_count_low=bool(flags & TokenFlag.USER_PIN_COUNT_LOW),
        pin_final_try=bool(flags & TokenFlag.USER_PIN_FINAL_TRY),
        pin_locked=bool(flags & TokenFlag.USER_PIN_LOCKED),
    )


def pin_locked() -> AgentError:
    return AgentError(
        "pin_locked",
        "Token đã bị khoá do nhập sai mã PIN quá số lần cho phép. Chưa văn bản nào được ký. "
        "Hãy liên hệ đơn vị cấp chứng thư số để mở khoá token.",
        status=423,
    )


def _pin_incorrect(token: Any) -> AgentError:
    return pin_incorrect(_state(token))


def pin_incorrect(state: TokenState) -> AgentError:
    """Wrong PIN, with what the token tells about the remaining tries (read after the failed login).

    Standard PKCS#11 has no counter of remaining tries: tokens only raise the flags "count low" and
    "final try" (and "locked"), so that is what the message can say.
    """
    if state.pin_locked:
        return pin_locked()
    if state.pin_final_try:
        tries = "Token báo chỉ còn MỘT lần thử: nhập sai lần nữa token sẽ bị khoá."
    elif state.pin_count_low:
        tries = "Token báo số lần thử còn lại đã thấp; hãy kiểm tra kỹ trước khi nhập lại."
    else:
        tries = "Token không cho biết số lần thử còn lại; nhập sai nhiều lần có thể làm khoá token."
    return AgentError(
        "pin_incorrect",
        f"Mã PIN không đúng. Chưa văn bản nào được ký. {tries}",
        status=401,
        extra={"pin_count_low": state.pin_count_low, "pin_final_try": state.pin_final_try},
    )


def _token_failure(exc: Exception) -> AgentError:
    return AgentError(
        "token_error",
        f"Token báo lỗi ({type(exc).__name__}). Hãy kiểm tra token đã cắm chắc chắn rồi thử lại.",
        status=502,
    )


def _private_key(session: Any, certificate: TokenCertificate) -> Any:
    template: dict[Attribute, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if certificate.object_id:
        template[Attribute.ID] = certificate.object_id
    elif certificate.label:
        template[Attribute.LABEL] = certificate.label
    keys = list(session.get_objects(template))
    if len(keys) != 1:
        raise AgentError(
            "key_not_found",
            "Không tìm thấy (đúng một) khoá bí mật đi kèm chứng thư số này trên token.",
            status=404,
        )
    key = keys[0]
    expected = KeyType.EC if certificate.key_kind == "ec" else KeyType.RSA
    if key.key_type != expected:
        raise AgentError("key_mismatch", "Khoá bí mật trên token không khớp với chứng thư số.", status=409)
    return key


def _sign_one(key: Any, certificate: TokenCertificate, digest_algorithm: str, digest: bytes) -> bytes:
    public_key = certificate.certificate.public_key()
    prehashed = utils.Prehashed(HASHES[digest_algorithm]())
    if isinstance(public_key, rsa.RSAPublicKey):
        signature = bytes(key.sign(digest_info(digest_algorithm, digest), mechanism=Mechanism.RSA_PKCS))
        check = lambda: public_key.verify(signature, digest, padding.PKCS1v15(), prehashed)  # noqa: E731
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        raw = bytes(key.sign(digest, mechanism=Mechanism.ECDSA))
        half = len(raw) // 2
        signature = utils.encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )
        check = lambda: public_key.verify(signature, digest, ec.ECDSA(prehashed))  # noqa: E731
    else:
        raise AgentError("unsupported_key", "Trình ký số chỉ hỗ trợ khoá RSA và ECDSA.", status=422)
    try:
        check()
    except InvalidSignature:
        raise AgentError(
            "key_mismatch",
            "Chữ ký tạo ra không khớp với chứng thư số (khoá trên token không đi cặp với chứng thư).",
            status=409,
        ) from None
    return signature


def certificate_valid_now(certificate: TokenCertificate, now: dt.datetime) -> None:
    cert = certificate.certificate
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise AgentError(
            "certificate_not_valid",
            "Chứng thư số không còn hiệu lực (hết hạn hoặc chưa đến ngày hiệu lực) "
            f"— hiệu lực từ {cert.not_valid_before_utc:%d/%m/%Y} đến {cert.not_valid_after_utc:%d/%m/%Y}.",
            status=422,
        )


def short_digest(digest: bytes) -> str:
    """The first bytes of a digest, for logs (never the whole value)."""
    return digest[:4].hex() + "…"
