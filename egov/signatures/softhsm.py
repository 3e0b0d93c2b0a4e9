"""A SoftHSM2 token store filled from DER files — for the development PKI and the tests only.

``pkcs11-tool`` writes each key and certificate onto a fresh token; private-key files are removed
as soon as they are on the token. Only the tools run here see the token store: whoever signs with
the key gets ``SOFTHSM2_CONF`` from their own environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO_PIN = "12345678"  # throwaway development/test token


@dataclass(frozen=True)
class TokenObject:
    """One object to write: a PKCS#8 private key (``private=True``) or a certificate, in DER."""

    object_id: str
    label: str
    der: bytes
    private: bool = False


def softhsm_available() -> bool:
    return bool(
        shutil.which("softhsm2-util") and shutil.which("pkcs11-tool") and Path(SOFTHSM_MODULE).exists()
    )


def load_token(*, conf: Path, tokens: Path, label: str, pin: str, objects: Sequence[TokenObject]) -> Path:
    """Write ``conf`` for a fresh token store in ``tokens`` (an old one is removed), initialise a
    token ``label`` with user PIN ``pin`` and write ``objects`` onto it in order; returns ``conf``.
    The DER files are staged next to ``conf``."""
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    if tokens.exists():
        shutil.rmtree(tokens)
    tokens.mkdir(parents=True)

    def run(*command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, env=env)  # noqa: S603

    run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin)
    login = ("pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", label, "--login", "--pin", pin)
    for item in objects:
        path = conf.parent / f"{item.label}.key.der" if item.private else conf.parent / f"{item.label}.der"
        path.write_bytes(item.der)
        kind = ("privkey", "--usage-sign") if item.private else ("cert",)
        try:
            run(*login, "--write-object", str(path), "--id", item.object_id, "--label", item.label,
                "--type", *kind)  # fmt: skip
        finally:
            if item.private:
                path.unlink()
    return conf
