"""How the agent talks to the official at the computer: asking the token PIN and, optionally,
confirming what is about to be signed.

The PIN is asked here, on the official's computer; egov never sends or sees it. It is handed to the
token's C_Login and dropped; it is never logged or written anywhere.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from typing import Protocol, TextIO

from .protocol import DocumentLabel


@dataclass(frozen=True)
class PromptContext:
    """What the official is shown: who asks, with which certificate, for which documents."""

    origin: str
    certificate_subject: str
    token_label: str
    documents: tuple[DocumentLabel, ...]
    note: str = ""  # e.g. "the token reports few tries left"

    def summary(self, *, limit: int = 10) -> str:
        lines = [
            f"Trang {self.origin} yêu cầu ký số {len(self.documents)} văn bản",
            f"bằng chứng thư: {self.certificate_subject}",
            f"trên token: {self.token_label}",
        ]
        for number, document in enumerate(self.documents[:limit], start=1):
            reference = f" [{document.reference}]" if document.reference else ""
            lines.append(f"  {number}. {document.title}{reference}")
        if len(self.documents) > limit:
            lines.append(f"  … và {len(self.documents) - limit} văn bản khác")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


class PromptProvider(Protocol):
    """Asks the official; implementations must never log or store the PIN."""

    def confirm(self, context: PromptContext) -> bool:
        """True when the official approves signing the documents shown."""
        ...

    def ask_pin(self, context: PromptContext) -> str | None:
        """The PIN typed by the official, or None when they cancel."""
        ...


class TerminalPrompt:
    """Asks on the terminal the agent was started from (reads the PIN without echo, via getpass)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def confirm(self, context: PromptContext) -> bool:
        self.stream.write("\n" + context.summary() + "\nĐồng ý ký? [c/K] (c = có): ")
        self.stream.flush()
        try:
            answer = _read_tty_line()
        except (EOFError, OSError):
            return False
        return answer.strip().lower() in {"c", "co", "có", "y", "yes"}

    def ask_pin(self, context: PromptContext) -> str | None:
        self.stream.write("\n" + context.summary() + "\n")
        self.stream.flush()
        try:
            pin = getpass.getpass("Nhập mã PIN của token (để trống để huỷ): ", stream=self.stream)
        except (EOFError, KeyboardInterrupt, OSError):
            return None
        return pin or None


def _read_tty_line() -> str:
    try:
        with open("/dev/tty", encoding="utf-8") as tty:  # not stdin: the agent may be started by a service
            return tty.readline()
    except OSError:
        return sys.stdin.readline()


class TestOnlyPrompt:
    """FOR AUTOMATED TESTS ONLY: answers with a PIN given when the agent starts, without asking anyone.

    Anyone on the machine who can read the agent's environment or command line can read this PIN,
    and nobody approves what is signed. ``python -m signing_agent`` enables it only with
    ``--test-only-pin-from-env VAR`` and prints a warning.
    """

    __test__ = False  # not a pytest test class

    def __init__(self, pin: str | None, *, approve: bool = True) -> None:
        self._pin = pin
        self._approve = approve

    @classmethod
    def from_environment(cls, variable: str) -> TestOnlyPrompt:
        """Read the PIN from ``variable`` (removed from the environment afterwards) and whether to
        approve from ``SIGNING_AGENT_TEST_APPROVE`` (``no`` refuses every confirmation)."""
        pin = os.environ.pop(variable, None)
        approve = os.environ.get("SIGNING_AGENT_TEST_APPROVE", "yes").lower() not in {"no", "0", "false"}
        return cls(pin, approve=approve)

    def confirm(self, context: PromptContext) -> bool:
        return self._approve

    def ask_pin(self, context: PromptContext) -> str | None:
        return self._pin
