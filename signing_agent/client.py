"""A small Python client of protocol v1, for egov's server-side tools and tests.

In production the *browser* calls the agent (see the JavaScript example in docs/signing-agent.md);
this client does the same over HTTP and must send the egov origin, as a browser would.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class AgentResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class AgentClient:
    def __init__(self, base_url: str, *, origin: str, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = origin
        self.timeout = timeout

    def request(
        self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None
    ) -> AgentResponse:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {"Origin": self.origin}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - loopback URL
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        return AgentResponse(status, json.loads(raw) if raw else {}, got)

    def status(self) -> AgentResponse:
        return self.request("GET", "/v1/status")

    def sign(
        self,
        *,
        request_id: str,
        digest: bytes,
        certificate_serial: int,
        title: str,
        reference: str = "",
        digest_algorithm: str = "sha256",
    ) -> AgentResponse:
        return self.request(
            "POST",
            "/v1/sign",
            {
                "request_id": request_id,
                "digest_algorithm": digest_algorithm,
                "digest": base64.b64encode(digest).decode(),
                "certificate_serial": format(certificate_serial, "x"),
                "document": {"title": title, "reference": reference},
            },
        )

    def sign_batch(
        self,
        *,
        request_id: str,
        documents: list[tuple[str, bytes, str]],
        certificate_serial: int,
        digest_algorithm: str = "sha256",
    ) -> AgentResponse:
        """``documents``: (item_id, digest, title) triples."""
        return self.request(
            "POST",
            "/v1/sign-batch",
            {
                "request_id": request_id,
                "digest_algorithm": digest_algorithm,
                "certificate_serial": format(certificate_serial, "x"),
                "documents": [
                    {"item_id": item_id, "digest": base64.b64encode(digest).decode(), "title": title}
                    for item_id, digest, title in documents
                ],
            },
        )
