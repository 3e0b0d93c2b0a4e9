"""The official's real PIN prompt: the agent runs on a pseudo-terminal, shows what is to be signed,
reads the PIN without echo, and signs once it is typed."""

from __future__ import annotations

import base64
import hashlib
import os
import pty
import re
import secrets
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from signing_agent.client import AgentClient, AgentResponse

from .conftest import ORIGIN, ROOT, SOFTHSM_MODULE, TOKEN_LABEL, TOKEN_PIN, TestPki
from .test_agent import verify


@dataclass
class Terminal:
    pid: int
    fd: int
    seen: bytearray = field(default_factory=bytearray)

    def wait_for(self, pattern: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while (match := re.search(pattern, self.seen.decode("utf-8", "replace"))) is None:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"terminal never showed {pattern!r}: {self.seen.decode('utf-8', 'replace')}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    break
        assert match is not None
        return match.group(0)

    def drain(self) -> None:
        while select.select([self.fd], [], [], 0)[0]:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.seen += chunk

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())


@pytest.fixture
def terminal_agent(softhsm_conf: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Terminal]:
    extra = getattr(request, "param", [])
    args = [
        sys.executable, "-m", "signing_agent", "--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL,
        "--allowed-origin", ORIGIN, "--port", "0", "--log-file", str(tmp_path / "agent.log"), *extra,
    ]  # fmt: skip
    env = {**os.environ, "SOFTHSM2_CONF": str(softhsm_conf)}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the agent, with the pseudo-terminal as its controlling terminal
        os.chdir(ROOT)
        os.execve(sys.executable, args, env)  # noqa: S606
    terminal = Terminal(pid, fd)
    try:
        yield terminal
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


def sign_in_background(client: AgentClient, **kwargs: object) -> tuple[threading.Thread, list[AgentResponse]]:
    answers: list[AgentResponse] = []
    thread = threading.Thread(target=lambda: answers.append(client.sign(**kwargs)))  # type: ignore[arg-type]
    thread.start()
    return thread, answers


def test_the_pin_is_typed_on_the_officials_terminal_without_echo(terminal_agent: Terminal, pki: TestPki):
    port = int(terminal_agent.wait_for(r"listening on http://127\.0\.0\.1:(\d+)").rsplit(":", 1)[1])
    client = AgentClient(f"http://127.0.0.1:{port}", origin=ORIGIN)
    certificate = pki.certificates["rsa"]
    digest = hashlib.sha256(b"to sign").digest()
    thread, answers = sign_in_background(
        client, request_id="tty-" + secrets.token_hex(8), digest=digest,
        certificate_serial=certificate.serial_number,
        title="Quyết định khen thưởng năm 2026", reference="99/QĐ-UBND",
    )  # fmt: skip
    terminal_agent.wait_for("Nhập mã PIN của token")
    shown = terminal_agent.seen.decode()
    assert "Quyết định khen thưởng năm 2026 [99/QĐ-UBND]" in shown
    assert ORIGIN in shown
    assert "Nguyễn Văn An (rsa)" in shown
    # While the official is being asked, another request does not queue a second prompt.
    other = client.sign(
        request_id="tty-" + secrets.token_hex(8),
        digest=digest,
        certificate_serial=certificate.serial_number,
        title="x",
    )
    assert other.status == 409
    assert other.body["error"]["code"] == "busy"
    terminal_agent.type(TOKEN_PIN + "\n")
    thread.join(timeout=20)
    assert answers[0].status == 200, answers[0].body
    verify(certificate, base64.b64decode(answers[0].body["signature"]), digest)
    terminal_agent.drain()  # an echo would already be there: the PIN was read before the answer came
    assert TOKEN_PIN not in terminal_agent.seen.decode()


@pytest.mark.parametrize("terminal_agent", [["--confirm"]], indirect=True)
def test_with_confirmation_the_official_can_refuse_before_any_pin_is_asked(
    terminal_agent: Terminal, pki: TestPki
):
    port = int(terminal_agent.wait_for(r"listening on http://127\.0\.0\.1:(\d+)").rsplit(":", 1)[1])
    client = AgentClient(f"http://127.0.0.1:{port}", origin=ORIGIN)
    thread, answers = sign_in_background(
        client, request_id="tty-" + secrets.token_hex(8), digest=bytes(32),
        certificate_serial=pki.certificates["rsa"].serial_number, title="Văn bản lạ",
    )  # fmt: skip
    terminal_agent.wait_for(r"Đồng ý ký\? \[c/K\]")
    terminal_agent.type("k\n")
    thread.join(timeout=20)
    assert answers[0].status == 403
    assert answers[0].body["error"]["code"] == "user_refused"
    assert "Nhập mã PIN" not in terminal_agent.seen.decode()
