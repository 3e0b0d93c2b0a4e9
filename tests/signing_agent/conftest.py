"""Fixtures for the signing agent: a throwaway test CA, a SoftHSM2 token holding an RSA and an EC
key with their certificates, and the agent itself started as a subprocess on a free port.

The agent runs in its own process (as on an official's computer), so the SoftHSM2 configuration
it loads never mixes with other PKCS#11 users of the test process.
"""

from __future__ import annotations

import datetime as dt
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from egov.signatures.softhsm import SOFTHSM_MODULE, TokenObject, load_token, softhsm_available
from signing_agent.client import AgentClient

ROOT = Path(__file__).resolve().parents[2]
TOKEN_LABEL = "agent-test"
TOKEN_PIN = "quan-PIN-4821"  # not hexadecimal: can never appear by chance inside a logged serial
ORIGIN = "https://egov.example"
PIN_VARIABLE = "SIGNING_AGENT_TEST_PIN"


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


@dataclass
class TestPki:
    """A root CA and the certificates of one official (RSA and EC keys), made for this test run."""

    __test__ = False

    folder: Path
    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)
    keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] = field(default_factory=dict)

    def issue(
        self, name: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, *, expired: bool = False
    ) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        start, end = (
            (now - dt.timedelta(days=400), now - dt.timedelta(days=30))
            if expired
            else (
                now - dt.timedelta(days=1),
                now + dt.timedelta(days=365),
            )
        )
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(f"Nguyễn Văn An ({name})", "UBND tỉnh Đắk Lắk"))
            .issuer_name(self.root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.root_key.public_key()), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(self.root_key, hashes.SHA256())
        )
        self.certificates[name] = certificate
        self.keys[name] = key
        return certificate

    def root_pem(self) -> Path:
        path = self.folder / "root.pem"
        path.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        return path


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("agent-pki"))


def make_pki(folder: Path) -> TestPki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    name = _name("Test Root CA — KHÔNG DÙNG THẬT", "egov tests")
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=2))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pki = TestPki(folder=folder, root_key=root_key, root=root)
    pki.issue("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    pki.issue("ec", ec.generate_private_key(ec.SECP256R1()))
    pki.issue("expired", rsa.generate_private_key(public_exponent=65537, key_size=2048), expired=True)
    return pki


@pytest.fixture(scope="session")
def softhsm_conf(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh SoftHSM2 token with the official's keys (ids 01 RSA, 02 EC, 03 expired) and the root."""
    if not softhsm_available():
        pytest.skip("SoftHSM2/OpenSC not installed (apt-get install softhsm2 opensc)")
    folder = tmp_path_factory.mktemp("agent-softhsm")
    pkcs8 = (serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    objects = [
        item
        for object_id, name in (("01", "rsa"), ("02", "ec"), ("03", "expired"))
        for item in (
            TokenObject(object_id, name, pki.keys[name].private_bytes(*pkcs8), private=True),
            TokenObject(object_id, name, pki.certificates[name].public_bytes(serialization.Encoding.DER)),
        )
    ]
    objects.append(TokenObject("10", "root", pki.root.public_bytes(serialization.Encoding.DER)))
    return load_token(
        conf=folder / "softhsm2.conf",
        tokens=folder / "tokens",
        label=TOKEN_LABEL,
        pin=TOKEN_PIN,
        objects=objects,
    )


def spawn_agent(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """Start the agent (``args``) and wait for its "listening on" line: (process, port)."""
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 20)
    line = process.stdout.readline() if ready else ""
    if "listening on" not in line:
        process.kill()
        raise AssertionError(
            f"agent did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    return process, int(line.rsplit(":", 1)[1])


def stop_agent(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


@dataclass
class RunningAgent:
    process: subprocess.Popen[str]
    port: int
    log_file: Path
    client: AgentClient

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log_file.read_text(encoding="utf-8") if self.log_file.exists() else ""


StartAgent = Callable[..., RunningAgent]


@pytest.fixture(scope="session")
def start_agent(softhsm_conf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartAgent]:
    """Start ``python -m signing_agent`` on a free port; the PIN comes from the test-only variable."""
    running: list[RunningAgent] = []

    def start(
        *extra: str, pin: str | None = TOKEN_PIN, approve: bool = True, token_label: str = TOKEN_LABEL
    ) -> RunningAgent:
        log_file = tmp_path_factory.mktemp("agent-log") / "agent.log"
        env = {
            **os.environ,
            "SOFTHSM2_CONF": str(softhsm_conf),
            "SIGNING_AGENT_TEST_APPROVE": "yes" if approve else "no",
        }
        env.pop(PIN_VARIABLE, None)
        if pin is not None:
            env[PIN_VARIABLE] = pin
        args = [
            sys.executable, "-m", "signing_agent", "--module", SOFTHSM_MODULE, "--token-label", token_label,
            "--allowed-origin", ORIGIN, "--port", "0", "--log-file", str(log_file),
            "--test-only-pin-from-env", PIN_VARIABLE, *extra,
        ]  # fmt: skip
        process, port = spawn_agent(args, env)
        agent = RunningAgent(process, port, log_file, AgentClient(f"http://127.0.0.1:{port}", origin=ORIGIN))
        running.append(agent)
        return agent

    yield start
    for agent in running:
        stop_agent(agent.process)


@pytest.fixture(scope="session")
def agent(start_agent: StartAgent) -> RunningAgent:
    """The agent as an official runs it, with a generous rate limit for the test run."""
    return start_agent("--rate", "1000")
