"""The sandbox identity provider as a WSGI application (no Django views: it is another party).

State (pending requests, codes, access tokens) lives in memory: restarting the sandbox signs
nobody out of egov, it only voids sign-ins half-way through, as a real provider's restart might.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from egov.accounts.sandbox_idp.citizens import DEMO_CITIZENS, DemoCitizen
from egov.core import clock

StartResponse = Callable[..., Any]

REQUEST_LIFETIME = 600
CODE_LIFETIME = 60
TOKEN_LIFETIME = 300
CUSTOM = "custom"
MAX_BODY = 64 * 1024

# Misbehaviours a tester may ask for on the sign-in page (``allow_faults``), to see egov refuse them.
FAULTS: dict[str, str] = {
    "": "Không mô phỏng lỗi (bình thường)",
    "expired": "ID token đã hết hạn",
    "wrong_nonce": "ID token mang nonce khác",
    "tampered": "ID token bị sửa sau khi ký",
    "unknown_key": "ID token ký bằng khóa không công bố",
    "wrong_audience": "ID token gửi cho ứng dụng khác",
    "wrong_issuer": "ID token do nơi khác phát hành",
}


@dataclass
class SandboxClient:
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _AuthRequest:
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    scope: str
    created: float


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    claims: dict[str, Any]
    fault: str
    created: float
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


class _EarlyAnswerError(Exception):
    def __init__(self, status: str, body: bytes, headers: list[tuple[str, str]]) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


class SandboxIdentityProvider:
    """A real OpenID Connect provider for loopback use, clearly marked as a sandbox on every page."""

    def __init__(
        self,
        *,
        issuer: str = "",
        clients: Iterable[SandboxClient] = (),
        citizens: Iterable[DemoCitizen] = DEMO_CITIZENS,
        allow_faults: bool = True,
        claims_in_id_token: bool = True,
    ) -> None:
        self.issuer = issuer
        self.clients = {client.client_id: client for client in clients}
        self.citizens = {citizen.national_id: citizen for citizen in citizens}
        self.allow_faults = allow_faults
        # False: the ID token carries only the protocol claims and ``sub``; the person's attributes
        # come from the userinfo endpoint (as providers that release claims per scope do).
        self.claims_in_id_token = claims_in_id_token
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        self._lock = threading.Lock()
        self._requests: dict[str, _AuthRequest] = {}
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, tuple[dict[str, Any], float]] = {}
        self.tokens_issued = 0

    # --- WSGI -------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        routes: dict[
            tuple[str, str], Callable[[dict[str, Any]], tuple[str, bytes, list[tuple[str, str]]]]
        ] = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/jwks.json"): self._jwks,
            ("GET", "/authorize"): self._authorize_page,
            ("POST", "/authorize"): self._authorize_decision,
            ("POST", "/token"): self._token,
            ("GET", "/userinfo"): self._userinfo,
            ("POST", "/userinfo"): self._userinfo,
            ("GET", "/sandbox.css"): self._stylesheet,
        }
        handler = routes.get((method, path))
        try:
            if handler is None:
                raise _EarlyAnswerError(
                    "404 Not Found", _page("Không tìm thấy", "<p>Địa chỉ này không có.</p>"), []
                )
            status, body, headers = handler(environ)
        except _EarlyAnswerError as answer:
            status, body, headers = answer.status, answer.body, answer.headers
        if not any(name == "Content-Type" for name, _value in headers):
            headers = [*headers, ("Content-Type", "text/html; charset=utf-8")]
        headers = [
            *headers,
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
        ]
        start_response(status, headers)
        return [body]

    # --- Discovery and keys -----------------------------------------------------------------

    def _discovery(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks.json",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "phone"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "nonce",
                    "name",
                    "birthdate",
                    "phone_number",
                    "national_id",
                    "organisations",
                ],
                "ui_locales_supported": ["vi"],
            }
        )

    def _jwks(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        return _json({"keys": [self.key.as_dict(private=False)]})

    # --- Authorisation ----------------------------------------------------------------------

    def _authorize_page(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).items()}
        client = self.clients.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        # Never redirect to an address the client did not register (RFC 6749 §4.1.2.1): say it here.
        if client is None:
            raise _EarlyAnswerError(
                "400 Bad Request", _page("Ứng dụng chưa đăng ký", "<p>Mã ứng dụng không hợp lệ.</p>"), []
            )
        if redirect_uri not in client.redirect_uris:
            raise _EarlyAnswerError(
                "400 Bad Request",
                _page(
                    "Địa chỉ trả về không hợp lệ", "<p>Địa chỉ trả về chưa được đăng ký cho ứng dụng này.</p>"
                ),
                [],
            )
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return _redirect(redirect_uri, error="unsupported_response_type", state=state)
        if "openid" not in query.get("scope", "").split():
            return _redirect(redirect_uri, error="invalid_scope", state=state)
        if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
            return _redirect(
                redirect_uri, error="invalid_request", state=state, description="PKCE S256 required"
            )
        if not query.get("nonce"):
            return _redirect(redirect_uri, error="invalid_request", state=state, description="nonce required")
        request_id = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_old()
            self._requests[request_id] = _AuthRequest(
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                state=state,
                nonce=query["nonce"],
                code_challenge=query["code_challenge"],
                scope=query.get("scope", ""),
                created=_now(),
            )
        return "200 OK", self._sign_in_page(request_id, client.client_id), []

    def _sign_in_page(self, request_id: str, client_id: str, error: str = "") -> bytes:
        citizens = "".join(
            f'<div class="choice"><input type="radio" name="citizen" id="c{i}" '
            f'value="{escape(c.national_id)}"{" checked" if i == 0 else ""}>'
            f'<label for="c{i}">{escape(c.full_name)} — số định danh '
            f"{escape(c.national_id)}, sinh ngày {_dmy(c.birth_date)}</label></div>"
            for i, c in enumerate(self.citizens.values())
        )
        faults = ""
        if self.allow_faults:
            options = "".join(f'<option value="{escape(k)}">{escape(v)}</option>' for k, v in FAULTS.items())
            faults = (
                '<div class="field"><label for="fault">Mô phỏng lỗi (chỉ dùng khi kiểm thử)</label>'
                f'<select id="fault" name="fault">{options}</select></div>'
            )
        alert = f'<div class="error" role="alert"><p>{escape(error)}</p></div>' if error else ""
        body = f"""{alert}
<p>Ứng dụng <strong>{escape(client_id)}</strong> đề nghị xác thực danh tính của bạn.
Đây là môi trường thử nghiệm: chọn một công dân mẫu hoặc nhập danh tính để thử.</p>
<form method="post" action="/authorize">
<input type="hidden" name="request" value="{escape(request_id)}">
<fieldset><legend>Chọn công dân thử nghiệm</legend>{citizens}
<div class="choice"><input type="radio" name="citizen" id="c-custom" value="{CUSTOM}">
<label for="c-custom">Nhập danh tính khác</label></div></fieldset>
<fieldset><legend>Danh tính khác (khi chọn “Nhập danh tính khác”)</legend>
<div class="field"><label for="national_id">Số định danh cá nhân</label>
<input id="national_id" name="national_id" inputmode="numeric" autocomplete="off"></div>
<div class="field"><label for="full_name">Họ và tên</label>
<input id="full_name" name="full_name" autocomplete="off"></div>
<div class="field"><label for="birth_date">Ngày sinh</label>
<input id="birth_date" name="birth_date" type="date"></div>
<div class="field"><label for="phone">Số điện thoại</label>
<input id="phone" name="phone" inputmode="tel" autocomplete="off"></div></fieldset>
{faults}
<div class="actions"><button type="submit" name="action" value="approve">Đồng ý và đăng nhập</button>
<button type="submit" name="action" value="deny" class="secondary">Hủy, quay lại</button></div>
</form>"""
        return _page("Đăng nhập bằng định danh điện tử (sandbox)", body)

    def _authorize_decision(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        form = _form(environ)
        with self._lock:
            self._forget_old()
            request = self._requests.pop(form.get("request", ""), None)
        if request is None:
            raise _EarlyAnswerError(
                "400 Bad Request",
                _page("Phiên đăng nhập đã hết hạn", "<p>Hãy quay lại ứng dụng và bắt đầu đăng nhập lại.</p>"),
                [],
            )
        if form.get("action") != "approve":
            return _redirect(request.redirect_uri, error="access_denied", state=request.state)
        claims = self._claims_for(form)
        if claims is None:
            with self._lock:  # the same request may be tried again with the missing values
                retry = secrets.token_urlsafe(24)
                self._requests[retry] = request
            message = "Hãy nhập số định danh cá nhân và họ tên cho danh tính khác."
            return "200 OK", self._sign_in_page(retry, request.client_id, error=message), []
        fault = form.get("fault", "") if self.allow_faults else ""
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                code_challenge=request.code_challenge,
                nonce=request.nonce,
                claims=claims,
                fault=fault if fault in FAULTS else "",
                created=_now(),
            )
        return _redirect(request.redirect_uri, code=code, state=request.state)

    def _claims_for(self, form: dict[str, str]) -> dict[str, Any] | None:
        choice = form.get("citizen", "")
        if choice == CUSTOM:
            national_id = "".join(form.get("national_id", "").split())
            full_name = " ".join(form.get("full_name", "").split())
            if not national_id or not full_name:
                return None
            citizen = DemoCitizen(
                national_id, full_name, form.get("birth_date", ""), form.get("phone", "").strip()
            )
        else:
            found = self.citizens.get(choice)
            if found is None:
                return None
            citizen = found
        claims: dict[str, Any] = {
            "sub": self._subject(citizen.national_id),
            "name": citizen.full_name,
            "national_id": citizen.national_id,
        }
        if citizen.birth_date:
            claims["birthdate"] = citizen.birth_date
        if citizen.phone:
            claims["phone_number"] = citizen.phone
        claims["organisations"] = [{"tax_code": t, "name": n} for t, n in citizen.organisations]
        return claims

    def _subject(self, national_id: str) -> str:
        # Stable per person and per sandbox issuer, and not the ID number itself (as real providers do).
        return hashlib.sha256(f"{self.issuer}|{national_id}".encode()).hexdigest()[:32]

    # --- Token and userinfo -----------------------------------------------------------------

    def _token(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        form = _form(environ)
        client = self._authenticate_client(environ, form)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None or _now() - grant.created > CODE_LIFETIME:
                return _oauth_error("invalid_grant", "unknown or expired code")
            if grant.used:
                # RFC 6749 §4.1.2: a code used twice revokes what it gave.
                for token in grant.access_tokens:
                    self._access_tokens.pop(token, None)
                return _oauth_error("invalid_grant", "code already used")
            grant.used = True
        if grant.client_id != client.client_id or grant.redirect_uri != form.get("redirect_uri"):
            return _oauth_error("invalid_grant", "code issued to another client or redirect URI")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not hmac.compare_digest(challenge, grant.code_challenge):
            return _oauth_error("invalid_grant", "PKCE verification failed")
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            grant.access_tokens.append(access_token)
            self._access_tokens[access_token] = (grant.claims, _now() + TOKEN_LIFETIME)
            self.tokens_issued += 1
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "id_token": self._id_token(grant, client.client_id),
                "scope": "openid profile phone",
            }
        )

    def _authenticate_client(self, environ: dict[str, Any], form: dict[str, str]) -> SandboxClient:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if authorization.startswith("Basic "):
            try:
                pair = base64.b64decode(authorization[6:]).decode()
                raw_id, raw_secret = pair.split(":", 1)
            except (ValueError, UnicodeDecodeError):
                raw_id, raw_secret = "", ""
            client_id, secret = urllib.parse.unquote(raw_id), urllib.parse.unquote(raw_secret)
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
            status, body, headers = _oauth_error("invalid_client", status="401 Unauthorized")
            raise _EarlyAnswerError(status, body, [*headers, ("WWW-Authenticate", 'Basic realm="sandbox"')])
        return client

    def _id_token(self, grant: _Grant, client_id: str) -> str:
        now = int(_now())
        released = grant.claims if self.claims_in_id_token else {"sub": grant.claims["sub"]}
        claims: dict[str, Any] = {
            **released,
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_LIFETIME,
            "nonce": grant.nonce,
            "acr": "sandbox",
        }
        key = self.key
        if grant.fault == "expired":
            claims |= {"iat": now - 1200, "auth_time": now - 1200, "exp": now - 900}
        elif grant.fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif grant.fault == "wrong_audience":
            claims["aud"] = "another-application"
        elif grant.fault == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/not-the-sandbox"
        elif grant.fault == "unknown_key":
            key = RSAKey.generate_key(2048, auto_kid=True)
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
        if grant.fault == "tampered":  # another name in the payload, the old signature kept
            header, payload, signature = token.split(".")
            changed = dict(claims, name="Kẻ Mạo Danh")
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
            token = f"{header}.{payload}.{signature}"
        return token

    def _userinfo(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self._lock:
            found = self._access_tokens.get(token)
        if found is None or found[1] < _now():
            raise _EarlyAnswerError(
                "401 Unauthorized",
                b'{"error": "invalid_token"}',
                [("Content-Type", "application/json"), ("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        return _json(found[0])

    def _stylesheet(self, environ: dict[str, Any]) -> tuple[str, bytes, list[tuple[str, str]]]:
        return "200 OK", _CSS.encode(), [("Content-Type", "text/css; charset=utf-8")]

    def _forget_old(self) -> None:
        now = _now()
        self._requests = {k: r for k, r in self._requests.items() if now - r.created < REQUEST_LIFETIME}
        self._grants = {k: g for k, g in self._grants.items() if now - g.created < REQUEST_LIFETIME}
        self._access_tokens = {k: t for k, t in self._access_tokens.items() if t[1] > now}


def _now() -> float:
    return clock.now().timestamp()


def _dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else ""
    return {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}


def _json(data: dict[str, Any], status: str = "200 OK") -> tuple[str, bytes, list[tuple[str, str]]]:
    return status, json.dumps(data, ensure_ascii=False).encode(), [("Content-Type", "application/json")]


def _oauth_error(
    error: str, description: str = "", status: str = "400 Bad Request"
) -> tuple[str, bytes, list[tuple[str, str]]]:
    body = {"error": error} | ({"error_description": description} if description else {})
    return _json(body, status)


def _redirect(uri: str, *, description: str = "", **params: str) -> tuple[str, bytes, list[tuple[str, str]]]:
    values = {k: v for k, v in params.items() if v}
    if description:
        values["error_description"] = description
    separator = "&" if "?" in uri else "?"
    return "302 Found", b"", [("Location", uri + separator + urllib.parse.urlencode(values))]


def _page(title: str, body: str) -> bytes:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — Nhà cung cấp định danh thử nghiệm</title>
<link rel="stylesheet" href="/sandbox.css"></head>
<body><header class="banner"><p><strong>MÔI TRƯỜNG THỬ NGHIỆM (SANDBOX)</strong> — không phải VNeID thật;
chỉ dùng dữ liệu mẫu.</p></header>
<main><h1>{escape(title)}</h1>{body}</main></body></html>""".encode()


_CSS = """
body { font-family: system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fff; line-height: 1.5; }
.banner { background: #7a2e00; color: #fff; padding: 0.5rem 1rem; }
.banner p { margin: 0; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; }
fieldset { border: 1px solid #6b6b6b; margin: 0 0 1rem; padding: 0.5rem 1rem; }
legend { font-weight: bold; }
.choice { margin: 0.5rem 0; display: flex; gap: 0.5rem; align-items: flex-start; }
.choice input { width: 1.25rem; height: 1.25rem; margin-top: 0.15rem; }
.field { margin: 0.5rem 0; }
.field label { display: block; font-weight: bold; }
.field input, .field select { font-size: 1rem; padding: 0.4rem; width: 100%; max-width: 24rem;
  box-sizing: border-box; border: 1px solid #1b1b1b; }
.actions { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
button { font-size: 1rem; padding: 0.6rem 1.2rem; border: 2px solid #00594f; background: #00594f; color: #fff;
  cursor: pointer; }
button.secondary { background: #fff; color: #00594f; }
button:focus, input:focus, select:focus { outline: 3px solid #ffbf47; outline-offset: 1px; }
.error { border: 3px solid #b10e1e; padding: 0.5rem 1rem; margin-bottom: 1rem; }
"""
