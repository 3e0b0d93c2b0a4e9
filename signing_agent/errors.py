"""Errors the agent reports to the browser: a stable machine code, an HTTP status and a Vietnamese
message the egov page can show as is."""

from __future__ import annotations


class AgentError(Exception):
    """An error answered as ``{"error": {"code": ..., "message": ...}}`` with ``status``."""

    def __init__(self, code: str, message: str, *, status: int = 400, extra: dict[str, object] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}

    def as_json(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


def invalid(message: str) -> AgentError:
    return AgentError("invalid_request", f"Yêu cầu không hợp lệ: {message}", status=400)
