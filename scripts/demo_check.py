"""`make demo-check`: the demo, end to end, without blocking.

Installs nothing itself (make did): migrates a fresh embedded database, seeds the demo data twice
and proves the second run changed nothing but credentials, starts the web server and the task
worker through the Procfile, fetches the main pages over HTTP, and stops everything.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CITIZEN = "nguyenvanan@demo.egov.vn"
OFFICIAL = "mc.stp"
ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "demo-check"

# (path, expected status, text the page must contain)
PAGES = [
    ("/health", 200, '"status": "ok"'),
    ("/", 200, "<main"),
    ("/accounts/login/", 200, 'name="password"'),
    ("/accounts/register/", 200, "định danh"),
    ("/static/egov/egov.css", 200, "--red"),
    ("/workspace/", 302, ""),
    ("/khong-co-trang-nay/", 404, "Không tìm thấy trang"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EGOV_PROFILE="demo",
        EGOV_VAR_DIR=str(VAR),
        EGOV_PORT=str(port),
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    env.pop("DATABASE_URL", None)  # the demo is the embedded SQLite default
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"demo-check: manage.py {' '.join(args)} failed")
    return result.stdout


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("demo-check: the server stopped during start-up")
        try:
            if fetch(base + "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("demo-check: the server did not answer within 60 s")


def seed_twice(env: dict[str, str]) -> None:
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    first_output = manage(env, "seed_demo")
    first = manage(env, "data_fingerprint").strip()
    manage(env, "seed_demo")
    second = manage(env, "data_fingerprint").strip()
    if first != second:
        raise SystemExit(f"demo-check: a second seed_demo changed data ({first} → {second})")
    print(f"seed_demo twice: data unchanged (fingerprint {first[:16]}…)")
    print(first_output)


def check_pages(base: str) -> list[str]:
    failures = []
    for path, status, text in PAGES:
        got, body = fetch(base + path)
        ok = got == status and text in body
        print(f"  {'ok ' if ok else 'BAD'} {status} {path} (got {got})")
        if not ok:
            failures.append(path)
    return failures


class Browser:
    """A cookie-keeping HTTP client that posts forms with their CSRF token, as a person would."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")

    def submit(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        _url, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit(f"demo-check: no CSRF token on {path}")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=10) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")


def demo_credentials(login: str) -> str:
    """The password printed for ``login`` in var/…/demo-accounts.txt."""
    for line in (VAR / "demo-accounts.txt").read_text().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) >= 4 and login in cells[2].split():
            return cells[3]
    raise SystemExit(f"demo-check: {login} is not in demo-accounts.txt")


def check_sign_ins(base: str, env: dict[str, str]) -> list[str]:
    failures = []
    citizen = Browser(base)
    url, page = citizen.submit(
        "/accounts/login/",
        {"username": CITIZEN, "password": demo_credentials(CITIZEN)},
    )
    ok = "/accounts/login/" not in url and "Đăng xuất" in page
    print(f"  {'ok ' if ok else 'BAD'} citizen {CITIZEN} signs in with the printed password")
    failures += [] if ok else ["citizen sign-in"]

    official = Browser(base)
    url, _page = official.submit(
        "/accounts/login/", {"username": OFFICIAL, "password": demo_credentials(OFFICIAL)}
    )
    code = manage(env, "demo_totp", OFFICIAL).strip().split()[-1]
    url, page = official.submit("/accounts/otp/verify/", {"code": code})
    ok = url.rstrip("/").endswith("/workspace") and OFFICIAL in page
    print(f"  {'ok ' if ok else 'BAD'} official {OFFICIAL} signs in with password and TOTP")
    failures += [] if ok else ["official sign-in"]
    return failures


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> int:
    shutil.rmtree(VAR, ignore_errors=True)
    port = free_port()
    env = environment(port)
    seed_twice(env)
    server = subprocess.Popen(
        [str(BIN / "honcho"), "--procfile", "Procfile", "start"], cwd=ROOT, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        print(f"server up at {base}; fetching the main pages:")
        failures = check_pages(base)
        print("signing in with the printed demo accounts:")
        failures += check_sign_ins(base, env)
    finally:
        stop(server)
    if failures:
        print(f"demo-check FAILED: {', '.join(failures)}")
        return 1
    print("demo-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
