"""Online services: a scripted citizen's birth registration in Chromium, and 200 concurrent submissions.

    export EGOV_PROFILE=demo EGOV_VAR_DIR=/tmp/egov-eservices-bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_eservices_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --quiet
    .venv/bin/python manage.py collectstatic --noinput   # gunicorn serves the manifest's names
    .venv/bin/python bench/eservices_bench.py

1. Journey (``BENCH_JOURNEY=0`` skips it): a verified citizen on a 360-px phone in Debian's
   Chromium goes from the home page to the confirmation of "Thủ tục đăng ký khai sinh" (finder
   with an unaccented query, procedure page, task list, place of submission, every page of the
   declaration, two uploads, check your answers, declaration). Prints the number of pages, the
   wall time (no think time: the machine's share of the journey) and, per page, the HTML bytes
   and the bytes transferred on that page (HTML + assets not yet cached; uploads excluded).
2. Submissions (``BENCH_SUBMISSIONS=N``, default 200): N verified citizens with complete drafts
   press "Nộp hồ sơ" at the same moment through gunicorn (2 workers × 8 threads on loopback);
   one in ten presses twice. Checks none lost and none duplicated (one dossier per draft, codes
   unique and gap-free per agency and day) and prints the latency percentiles of the POSTs, beside
   the latency of 5 submissions made one at a time (the floor).
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path
from time import perf_counter
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pypdf import PdfWriter  # noqa: E402

from egov.accounts.models import AssuranceLevel, User  # noqa: E402
from egov.accounts.rules import Sex, century_digit  # noqa: E402
from egov.core import clock  # noqa: E402
from egov.dossiers.models import Dossier  # noqa: E402
from egov.eservices import services  # noqa: E402
from egov.eservices.models import ApplicationDraft  # noqa: E402
from egov.procedures.models import Procedure  # noqa: E402

PROCEDURE = "1.001193"  # Thủ tục đăng ký khai sinh
CHROMIUM = os.environ.get("EGOV_CHROMIUM", "/usr/bin/chromium")
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "200"))
DOUBLE_CLICK_EVERY = 10
DEADLINE_SECONDS = 300
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def personal_id(n: int) -> str:
    return f"001{century_digit(1990, Sex.FEMALE)}90{n % 1_000_000:06d}"


def bench_citizen(n: int) -> User:
    user, _ = User.objects.update_or_create(
        username=f"bench-cd-{n:05d}",
        defaults={
            "full_name": f"Nguyễn Thị Thử {n}",
            "email": f"bench{n}@example.vn",
            "phone": f"08{(70_000_000 + n) % 100_000_000:08d}",
            "national_id": personal_id(900_000 + n),
            "assurance_level": AssuranceLevel.VERIFIED,
            "is_official": False,
        },
    )
    return user


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def answer_for(spec: dict[str, Any], user: User) -> str:
    """A valid answer to one question of the declaration, by its type."""
    kind = spec["type"]
    if kind == "choice":
        values = [c["value"] for c in spec["choices"]]
        return "khong" if "khong" in values else "truc_tuyen" if "truc_tuyen" in values else values[0]
    return {
        "person": "Nguyễn Văn An",
        "id_number": user.national_id or "",
        "address": "Số 1 đường Lê Lợi, phường Hạc Thành",
        "phone": "0912345678",
        "email": "",
        "date": f"{clock.today():%d/%m/%Y}",
        "number": "1",
    }.get(kind, "Kinh")


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key or ""


# --- 1. The journey in Chromium ------------------------------------------------------------------


def journey(base: str) -> None:
    from playwright.sync_api import sync_playwright

    user = bench_citizen(0)
    procedure = Procedure.objects.get(code=PROCEDURE)
    fields = {spec["key"]: spec for spec in procedure.form_schemas.get(is_current=True).fields}
    folder = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    (folder / "giay-chung-sinh.pdf").write_bytes(pdf_bytes())
    pages: list[dict[str, Any]] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": base}]
        )
        page = context.new_page()

        def on_finished(request: Any) -> None:
            if request.method != "GET" and request.resource_type == "document":
                return  # a POST's own redirect: the page it lands on is counted
            sizes = request.sizes()
            if request.resource_type == "document":
                pages.append({"url": request.url, "html": 0, "transferred": 0})
            if pages:
                body = sizes["responseBodySize"]
                pages[-1]["transferred"] += body + sizes["responseHeadersSize"]
                if request.resource_type == "document":
                    pages[-1]["html"] = body

        page.on("requestfinished", on_finished)
        started = perf_counter()
        page.goto(base + "/")
        page.goto(base + "/dich-vu-cong/")  # the home page has no link yet (see the notes)
        page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
        page.get_by_role("button", name="Tìm").click()
        page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
        page.get_by_role("button", name="Nộp trực tuyến").click()
        page.locator(".task-list a").first.click()
        if page.get_by_role("heading", name="Chọn nơi nộp hồ sơ").count():
            page.locator("input[name=agency]").first.check()
            page.get_by_role("button", name="Lưu và tiếp tục").click()
        while page.locator("form.stack [name]").count() and "/trang/" in page.url:
            for key in page.eval_on_selector_all(
                "form.stack [name]:not([type=hidden])", "els => [...new Set(els.map(e => e.name))]"
            ):
                spec = fields.get(key)
                if spec is None or (
                    spec.get("show_if") and not page.locator(f"[name={key}]").first.is_visible()
                ):
                    continue
                value = answer_for(spec, user)
                if spec["type"] == "choice":
                    page.locator(f"[name={key}][value={value}]").check()
                elif value:
                    page.locator(f"[name={key}]").fill(value)
            page.get_by_role("button", name="Lưu và tiếp tục").click()
        for item in page.locator(".upload-item").all():  # required documents only, as a citizen would
            title = item.locator(".upload-title").inner_text()
            upload = item.locator("input[type=file][name=file]")
            if "nếu có" in title or not upload.count():
                continue
            form = upload.locator("xpath=ancestor::form[1]")
            upload.set_input_files(str(folder / "giay-chung-sinh.pdf"))
            form.locator("button[type=submit]").click()
        page.get_by_role("button", name="Lưu và tiếp tục").click()
        if page.locator(".error-summary").count():
            raise SystemExit("not ready: " + page.locator(".error-summary").inner_text())
        page.get_by_label("Tôi xin cam đoan", exact=False).check()
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.get_by_role("heading", name="Đã nộp hồ sơ").wait_for()
        spent = perf_counter() - started
        code = page.locator(".dossier-code").inner_text()
        browser.close()

    print(f"Journey: birth registration, {len(pages)} pages, {spent:.1f} s, dossier {code}")
    print(f"  {'page':<58} {'HTML':>9} {'transferred':>12}")
    for entry in pages:
        path = urllib.parse.urlsplit(entry["url"]).path
        print(f"  {path:<58} {entry['html'] / 1024:>7.1f} KB {entry['transferred'] / 1024:>9.1f} KB")
    print(
        f"  heaviest page transferred: {max(e['transferred'] for e in pages) / 1024:.1f} KB (target < 100 KB)"
    )


# --- 2. Concurrent submissions ------------------------------------------------------------------


def ready_drafts(count: int) -> list[tuple[User, ApplicationDraft]]:
    procedure = Procedure.objects.get(code=PROCEDURE)
    schema = procedure.form_schemas.get(is_current=True)
    agency = procedure.offered_by.order_by("code").first()
    assert agency is not None
    content = pdf_bytes()
    drafts = []
    for n in range(1, count + 1):
        user = bench_citizen(n)
        draft = services.start_draft(user=user, procedure=procedure)
        services.choose_agency(draft=draft, user=user, agency=agency)
        answers = {spec["key"]: answer_for(spec, user) for spec in schema.fields if not spec.get("show_if")}
        services.save_page(
            draft=draft, user=user, number=1, typed={}, cleaned={k: v for k, v in answers.items() if v}
        )
        for requirement in services.missing_documents(draft):
            document = procedure.documents.get(pk=requirement.pk)
            services.add_upload(
                draft=draft, user=user, upload=content, name=f"giay-{n}.pdf", required_document=document
            )
        assert services.readiness(draft, user).ok, services.readiness(draft, user)
        drafts.append((user, draft))
    return drafts


def prepare_client(port: int, user: User, draft: ApplicationDraft) -> dict[str, str]:
    session = session_cookie(user)
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    path = f"/dich-vu-cong/ho-so-nhap/{draft.public_id}/kiem-tra/"
    conn.request(
        "GET", path, headers={"Host": "127.0.0.1", "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    )
    response = conn.getresponse()
    body = response.read().decode()
    cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
    csrf = next(c for c in cookies if c.startswith(settings.CSRF_COOKIE_NAME + "="))
    match = _TOKEN.search(body)
    assert response.status == 200 and match, (response.status, path)
    conn.close()
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {csrf}",
        "token": match.group(1),
        "path": f"/dich-vu-cong/ho-so-nhap/{draft.public_id}/nop/",
    }


def press_submit(port: int, state: dict[str, str]) -> tuple[float, int, str]:
    conn = HTTPConnection("127.0.0.1", port, timeout=120)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": state["token"], "declared": "on"})
    started = perf_counter()
    conn.request(
        "POST",
        state["path"],
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": state["cookie"],
            "Referer": "http://127.0.0.1/",
        },
    )
    response = conn.getresponse()
    response.read()
    spent = perf_counter() - started
    conn.close()
    return spent, response.status, response.getheader("Location") or ""


SEQUENTIAL = 5


def submissions(port: int) -> None:
    all_drafts = ready_drafts(SUBMISSIONS + SEQUENTIAL)
    alone = [
        press_submit(port, prepare_client(port, user, draft))[0] for user, draft in all_drafts[:SEQUENTIAL]
    ]
    print(f"Submissions one at a time (the floor): median {statistics.median(alone) * 1000:.0f} ms")
    before = Dossier.objects.count()
    drafts = all_drafts[SEQUENTIAL:]
    states = [prepare_client(port, user, draft) for user, draft in drafts]
    presses = [(i, state) for i, state in enumerate(states)]
    presses += [(i, states[i]) for i in range(0, len(states), DOUBLE_CLICK_EVERY)]  # double clicks
    barrier = threading.Barrier(len(presses))
    results: list[tuple[int, float, int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def press(index: int, state: dict[str, str]) -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            spent, status, location = press_submit(port, state)
            with lock:
                results.append((index, spent, status, location))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=press, args=press_args, daemon=True) for press_args in presses]
    started = perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS)
    wall = perf_counter() - started
    created = Dossier.objects.count() - before
    linked = ApplicationDraft.objects.filter(pk__in=[d.pk for _, d in drafts], dossier__isnull=False)
    codes = list(Dossier.objects.filter(online_draft__in=linked).values_list("code", flat=True))
    per_draft = Counter(index for index, _spent, status, location in results if "/da-nop/" in location)
    latencies = sorted(spent for _index, spent, _status, _location in results)
    statuses = Counter(status for _index, _spent, status, _location in results)
    series = Counter(code.rsplit("-", 1)[0] for code in codes)
    gap_free = all(
        sorted(int(c.rsplit("-", 1)[1]) for c in codes if c.startswith(prefix + "-"))[-1]
        - sorted(int(c.rsplit("-", 1)[1]) for c in codes if c.startswith(prefix + "-"))[0]
        + 1
        == count
        for prefix, count in series.items()
    )
    doubles = len(presses) - len(drafts)
    print(f"Submissions: {len(drafts)} drafts, {len(presses)} POSTs at once ({doubles} double clicks)")
    print(f"  errors in clients: {len(errors)}; HTTP statuses: {dict(statuses)}")
    print(f"  dossiers created: {created} (expected {len(drafts)}); drafts linked: {linked.count()}")
    print(f"  distinct codes: {len(set(codes))}; consecutive within each agency/day: {gap_free}")
    print(f"  every press landed on its confirmation: {len(per_draft) == len(drafts)}")
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(
            f"  POST latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms; all done in {wall:.1f} s"
        )


# --- gunicorn on loopback ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    print(f"{connection.vendor}; {Procedure.objects.filter(is_active=True).count()} procedures")
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "egov.config.wsgi",
            "-w",
            "2",
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                probe = HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/dich-vu-cong/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        if os.environ.get("BENCH_JOURNEY", "1") != "0":
            journey(f"http://127.0.0.1:{port}")
        if SUBMISSIONS:
            submissions(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
