"""Driving the sandbox identity provider's sign-in page over HTTP, as a browser would (no JavaScript)."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.test import Client

DEMO_AN = "001090012345"  # Nguyễn Văn An
DEMO_BINH = "079195001234"  # Trần Thị Bình, legal representative of 0312345678


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


def http(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:
    encoded = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with _OPENER.open(
            urllib.request.Request(url, data=encoded, headers=headers or {}), timeout=10
        ) as response:
            return Answer(response.status, response.headers.get("Location", ""), response.read().decode())
    except urllib.error.HTTPError as answered:
        return Answer(answered.code, answered.headers.get("Location", ""), answered.read().decode())


def start(client: Client, next_url: str = "") -> str:
    """Begin a sign-in at egov; return the provider's authorisation URL egov redirects to."""
    query = f"?{urllib.parse.urlencode({'next': next_url})}" if next_url else ""
    response = client.get(f"/accounts/oidc/vneid/login/{query}")
    assert response.status_code == 302, response.status_code
    return response["Location"]


def decide_at_sandbox(authorisation_url: str, *, action: str = "approve", **fields: str) -> str:
    """Open the sandbox's sign-in page and submit it; return the redirect back to egov (the callback)."""
    page = http(authorisation_url)
    assert page.status == 200, page.body
    request_id = re.search(r'name="request" value="([^"]+)"', page.body)
    assert request_id is not None
    issuer = authorisation_url.split("/authorize")[0]
    form = {"request": request_id[1], "action": action, "citizen": DEMO_AN, "fault": ""} | fields
    answer = http(f"{issuer}/authorize", form)
    assert answer.status == 302, answer.body
    return answer.location


def local(url: str) -> str:
    """The path and query of an absolute egov URL, for Django's test client."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in(client: Client, *, next_url: str = "", **fields: str):
    """The whole round trip; returns egov's answer to the callback."""
    callback = decide_at_sandbox(start(client, next_url), **fields)
    return client.get(local(callback))
