"""Where signing keys live, behind one interface.

A ``KeyReference`` says where a key is (a PKCS#11 token or HSM slot, or — for development only — a
PKCS#12 file); ``open_signer(key, pin=...)`` opens it for the duration of a ``with`` block and
yields a pyHanko ``Signer``. The PIN is an argument of that call only: it is never stored on the
reference, in the database, in a log line or in a task's arguments, and the PKCS#11 session is
closed (logged out) when the block ends. One opening signs any number of documents, which is what
batch signing relies on (one PIN entry for N documents).

Configured keys (``settings.EGOV_SIGNING_KEYS``) map a name such as ``"agency:000.00.00.H49"`` to a
reference; the PIN comes from whoever signs, at signing time. The same settings also name
remote-signing credentials (kind ``"csc"``, e.g. ``"remote:<username>"``): those are read by
``remote.configured_csc_key``, not opened here (egov does not hold those keys).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign import signers


class SignerUnavailable(Exception):  # noqa: N818 - reads as "except SignerUnavailable"
    """The key cannot be used now: wrong PIN, token absent, unknown key. Message in Vietnamese."""


@dataclass(frozen=True, slots=True)
class Pkcs12Key:
    """A development key file. Refused when ``EGOV_SIGNING_ALLOW_PKCS12`` is off (production)."""

    path: Path
    ca_chain: tuple[Path, ...] = ()

    @property
    def kind(self) -> str:
        return "pkcs12"


@dataclass(frozen=True, slots=True)
class Pkcs11Key:
    """A key on a PKCS#11 token or HSM (agency seals on the server; SoftHSM2 in tests)."""

    module: str
    token_label: str
    key_label: str
    cert_label: str | None = None
    ca_chain: tuple[Path, ...] = ()

    @property
    def kind(self) -> str:
        return "pkcs11"


KeyReference = Pkcs12Key | Pkcs11Key


def _load_chain(paths: tuple[Path, ...]) -> list[asn1_x509.Certificate]:
    return list(load_certs_from_pemder([str(p) for p in paths])) if paths else []


@contextlib.contextmanager
def open_signer(key: KeyReference, *, pin: str) -> Iterator[signers.Signer]:
    """Open ``key`` with ``pin`` for the duration of the block."""
    match key:
        case Pkcs12Key():
            if not getattr(settings, "EGOV_SIGNING_ALLOW_PKCS12", False):
                raise SignerUnavailable(_("Tệp khóa PKCS#12 chỉ dùng cho môi trường phát triển."))
            try:
                signer = signers.SimpleSigner.load_pkcs12_data(
                    key.path.read_bytes(), other_certs=_load_chain(key.ca_chain), passphrase=pin.encode()
                )
            except (OSError, ValueError) as exc:
                raise SignerUnavailable(_("Không mở được tệp khóa: sai mật khẩu hoặc tệp hỏng.")) from exc
            if signer is None:
                raise SignerUnavailable(_("Không mở được tệp khóa: sai mật khẩu hoặc tệp hỏng."))
            yield signer
        case Pkcs11Key():
            yield from _open_pkcs11(key, pin)


def _open_pkcs11(key: Pkcs11Key, pin: str) -> Iterator[signers.Signer]:
    import pkcs11  # python-pkcs11, loaded only where a token is used
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    try:
        session = open_pkcs11_session(
            key.module, token_criteria=TokenCriteria(label=key.token_label), user_pin=pin
        )
    except pkcs11.exceptions.PinIncorrect as exc:
        raise SignerUnavailable(_("Mã PIN không đúng.")) from exc
    except (pkcs11.exceptions.PKCS11Error, OSError, RuntimeError) as exc:
        raise SignerUnavailable(
            _("Không kết nối được thiết bị ký số “%(label)s”.") % {"label": key.token_label}
        ) from exc
    try:
        yield PKCS11Signer(
            session,
            key_label=key.key_label,
            cert_label=key.cert_label or key.key_label,
            other_certs_to_pull=(),
            ca_chain=_load_chain(key.ca_chain),
        )
    finally:
        session.close()


def key_from_config(spec: Mapping[str, Any]) -> KeyReference:
    """A reference from a configuration entry (``{"kind": "pkcs11", "module": ..., ...}``)."""
    chain = tuple(Path(p) for p in spec.get("ca_chain", ()))
    if spec.get("kind") == "pkcs11":
        return Pkcs11Key(
            module=str(spec["module"]),
            token_label=str(spec["token_label"]),
            key_label=str(spec["key_label"]),
            cert_label=spec.get("cert_label"),
            ca_chain=chain,
        )
    if spec.get("kind") == "pkcs12":
        return Pkcs12Key(path=Path(spec["path"]), ca_chain=chain)
    raise SignerUnavailable(_("Cấu hình khóa ký không hợp lệ."))


def configured_keys() -> Mapping[str, Mapping[str, Any]]:
    """``settings.EGOV_SIGNING_KEYS`` plus the JSON file named by ``EGOV_SIGNING_KEYS_FILE``."""
    keys: dict[str, Mapping[str, Any]] = dict(getattr(settings, "EGOV_SIGNING_KEYS", {}))
    path = getattr(settings, "EGOV_SIGNING_KEYS_FILE", "")
    if path and Path(path).exists():
        keys.update(json.loads(Path(path).read_text(encoding="utf-8")))
    return keys


def configured_key(name: str) -> KeyReference:
    """The key configured under ``name`` (``configured_keys``)."""
    keys = configured_keys()
    try:
        return key_from_config(keys[name])
    except KeyError as exc:
        raise SignerUnavailable(_("Chưa cấu hình khóa ký “%(name)s”.") % {"name": name}) from exc
