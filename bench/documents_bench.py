"""Document search and numbering, measured on a throwaway database.

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/documents_bench.py --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench \\
        DJANGO_SETTINGS_MODULE=egov.config.test_settings \\
        .venv/bin/python bench/documents_bench.py --rows 1000000 --issuers 50

1. Generates ``--rows`` incoming documents with realistic Vietnamese summaries, issuers,
   notations and body text (bulk insert; the full-text index is maintained as in production:
   FTS5 triggers on SQLite, the GIN expression index on PostgreSQL).
2. Times four searches the issue names, each as the search screen runs it (the visible rows of
   one agency, match, newest first, count + the first page of 20): a rare phrase, a very common
   word ("kế hoạch"), a notation, and a filter-only list (counted up to 1,001 as the screen does);
   p50/p95 over ``--repeat`` runs, beside
   a naive ``icontains`` scan of the same folded text (the ratio), and the index size.
3. Numbering: ``--issuers`` threads each issue ``--per-issuer`` register entries on one register
   (allocate + insert in one transaction): allocations per second, and a check that the numbers
   are exactly 1..n (no gap, no duplicate).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from egov.accounts.models import User  # noqa: E402
from egov.core import search  # noqa: E402
from egov.core.models.counters import Counter  # noqa: E402
from egov.documents import rules, services  # noqa: E402
from egov.documents.models import DocumentType, IncomingDocument, Register  # noqa: E402
from egov.documents.selectors import bounded_count  # noqa: E402
from egov.organizations.models import Agency  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RARE_PHRASE = "sạt lở bờ biển Gành Hào"
RELEVANCE_QUERIES = {
    "common": "kế hoạch chuyển đổi số",  # ≈ 9 % of the documents
    "middling": "hộ tịch Bạc Liêu",  # ≈ 1.4 %
    "rare": RARE_PHRASE,
}
VERBS = [
    "Triển khai",
    "Báo cáo",
    "Hướng dẫn",
    "Tổ chức",
    "Rà soát",
    "Đôn đốc",
    "Tăng cường",
    "Góp ý",
    "Tổng kết",
]
SUBJECTS = [
    "kế hoạch chuyển đổi số",
    "cải cách hành chính",
    "giải quyết thủ tục hành chính",
    "dự toán ngân sách nhà nước",
    "đầu tư công trung hạn",
    "đăng ký hộ tịch",
    "cấp giấy chứng nhận quyền sử dụng đất",
    "xây dựng nông thôn mới",
    "phòng, chống thiên tai",
    "y tế cơ sở",
    "tuyển sinh đầu cấp",
    "an toàn giao thông",
    "bảo vệ môi trường",
    "công tác cán bộ",
    "phòng cháy, chữa cháy",
    "thi đua, khen thưởng",
    "tiếp công dân",
    "phổ biến pháp luật",
    "bảo hiểm xã hội",
    "đề án 06 về dữ liệu dân cư",
    "chương trình mục tiêu quốc gia",
    "kiểm tra văn bản",
]
PLACES = [
    "tỉnh Cà Mau",
    "phường Bạc Liêu",
    "phường An Xuyên",
    "xã Đất Mũi",
    "xã Năm Căn",
    "huyện Trần Văn Thời",
]
ISSUERS = [
    ("Ủy ban nhân dân tỉnh Cà Mau", "UBND"),
    ("Sở Nội vụ", "SNV"),
    ("Sở Tài chính", "STC"),
    ("Sở Xây dựng", "SXD"),
    ("Sở Y tế", "SYT"),
    ("Văn phòng Chính phủ", "VPCP"),
    ("Bộ Tư pháp", "BTP"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
]
FILLER = (
    "Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác "
    "văn thư; theo đề nghị của các cơ quan, đơn vị có liên quan. Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ "  # noqa: E501
    "được giao tổ chức thực hiện nghiêm túc, báo cáo kết quả về cơ quan thường trực trước ngày 25 hằng tháng."
)


def summary_for(rng: random.Random) -> str:
    subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
    if rng.random() < 0.5:
        return f"{rng.choice(VERBS)} {subject} năm {rng.randint(2024, 2027)}"
    return f"Về việc {rng.choice(VERBS).lower()} {subject} trên địa bàn {place}"


def generate(rows: int, agency: Agency, register: Register, clerk: User, rng: random.Random) -> None:
    types = list(DocumentType.objects.filter(kind="document"))
    start = datetime(2024, 1, 1, 8, tzinfo=VN)
    # Spread over about three years whatever --rows is (numbering below uses another year).
    step = timedelta(minutes=max(1, 3 * 365 * 24 * 60 // max(rows, 1)))
    batch: list[IncomingDocument] = []
    rare_rows = set(rng.sample(range(rows), 5))
    for n in range(rows):
        kind = rng.choice(types)
        issuer, abbr = rng.choice(ISSUERS)
        summary = summary_for(rng)
        body = f"{summary}. {FILLER} {summary_for(rng)}."
        if n in rare_rows:
            body += f" Khẩn trương khắc phục {RARE_PHRASE}."
        number = rng.randint(1, 999)
        notation = (
            f"{number:02d}/{kind.abbreviation or abbr}-{abbr}"
            if kind.abbreviation
            else f"{number:02d}/{abbr}-VP"
        )
        received = start + step * n
        document = IncomingDocument(
            agency=agency,
            register=register,
            year=received.year,
            incoming_number=n + 1,
            received_at=received,
            issuer_name=issuer,
            notation=notation,
            issued_on=received.date() - timedelta(days=2),
            document_type=kind,
            summary=summary,
            status=rng.choice(["registered", "submitted", "assigned", "completed"]),
            urgency="normal",
            text=body,
            registered_by=clerk,
        )
        document.search_text = search.normalise(notation, kind.name, summary, issuer, body)
        batch.append(document)
        if len(batch) == 5000:
            IncomingDocument.objects.bulk_create(batch)
            batch = []
    IncomingDocument.objects.bulk_create(batch)


def timed(run, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        began = perf_counter()
        run()
        samples.append((perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def page(rows) -> None:  # type: ignore[no-untyped-def]
    """What the search screen runs: the bounded count and the first page of 20."""
    bounded_count(rows)
    list(rows[:20])


def index_size() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_relation_size('documents_incomingdocument_search_text_fts')")
            return f"{cursor.fetchone()[0] / 2**20:.1f} MiB (GIN)"
        try:
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'documents_incomingdocument_fts%'")
            return f"{(cursor.fetchone()[0] or 0) / 2**20:.1f} MiB (FTS5 shadow tables)"
        except Exception:
            return "unknown (SQLite without dbstat)"


def searches(agency: Agency, repeat: int) -> None:
    visible = IncomingDocument.objects.filter(agency=agency)
    newest = ("-received_at", "-pk")
    queries = {
        "rare phrase": RARE_PHRASE,
        "common word": "kế hoạch",
        "notation": None,
        "filter only": "",
    }
    sample = visible.order_by("pk").values_list("notation", flat=True)[0]
    queries["notation"] = sample
    print(
        f"{'query':<12} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'naive p50':>10} {'naive p95':>10} {'ratio':>6}"  # noqa: E501
    )
    for label, query in queries.items():
        if query:
            fast = search.matching(visible, query).order_by(*newest)
            naive = visible.filter(search_text__icontains=search.normalise(query)).order_by(*newest)
        else:
            plan = DocumentType.objects.get(code="ke-hoach").pk
            fast = visible.filter(status="assigned", document_type_id=plan).order_by(*newest)
            naive = fast
        matches = fast.count()
        p50, p95 = timed(lambda rows=fast: page(rows), repeat)
        n50, n95 = timed(lambda rows=naive: page(rows), max(3, repeat // 5))
        print(
            f"{label:<12} {matches:>8} {p50:>8.1f} {p95:>8.1f} {n50:>10.1f} {n95:>10.1f} {n50 / p50:>6.1f}",
            flush=True,
        )
    # Relevance order ("Phù hợp nhất trước"): the best 200 of the newest 2,000 matches, first page.
    for label, query in RELEVANCE_QUERIES.items():
        matches = search.matching(visible, query).count()
        ranked_p50, ranked_p95 = timed(
            lambda q=query: list(search.ranked(visible, q, limit=200)[:20]), repeat
        )
        print(
            f"relevance, {label} '{query}' ({matches} matches): "
            f"p50 {ranked_p50:.1f} ms, p95 {ranked_p95:.1f} ms",
            flush=True,
        )
    print(f"index size: {index_size()}")


def numbering(register: Register, agency: Agency, clerk: User, issuers: int, per_issuer: int) -> None:
    kind = DocumentType.objects.get(code="cong-van")
    barrier = threading.Barrier(issuers)
    errors: list[str] = []

    def issue() -> None:
        try:
            barrier.wait()
            for _ in range(per_issuer):
                with transaction.atomic():
                    number = services.allocate_number(register=register, year=2099)
                    IncomingDocument.objects.create(
                        agency=agency,
                        register=register,
                        year=2099,
                        incoming_number=number,
                        received_at=datetime(2099, 1, 2, 8, tzinfo=VN),
                        issuer_name="Bench",
                        notation=f"{number}/B",
                        issued_on=date(2099, 1, 1),
                        document_type=kind,
                        summary="bench",
                        registered_by=clerk,
                    )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(issuers)]
    began = perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = perf_counter() - began
    numbers = sorted(IncomingDocument.objects.filter(year=2099).values_list("incoming_number", flat=True))
    check = "1..n, no gap, no duplicate" if numbers == list(range(1, len(numbers) + 1)) else "BROKEN"
    print(
        f"numbering: {issuers} issuers × {per_issuer}: {len(numbers)} numbers in {seconds:.2f} s = "
        f"{len(numbers) / seconds:.0f}/s; {check}; errors: {len(errors)} {errors[:2]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--issuers", type=int, default=50)
    parser.add_argument("--per-issuer", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database (PostgreSQL: test_<NAME>)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep, without generating"
    )
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="documents_bench_")) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    if args.reuse:
        connection.close()
        connection.settings_dict["NAME"] = name = connection.creation._get_test_db_name()
    else:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if args.reuse:
            agency = Agency.objects.get(code="000.00.03.H99")
            clerk = User.objects.get(username="bench-clerk")
            register = services.register_for(agency=agency, kind=Register.Kind.INCOMING, secret=False)
            # The numbering run below starts again from 1 in its own year.
            IncomingDocument.objects.filter(year=2099).delete()
            Counter.objects.filter(key=rules.counter_key(register.pk, 2099)).delete()
            print(f"{connection.vendor}: {IncomingDocument.objects.count()} documents (reused)")
        else:
            agency = Agency.objects.create(
                code="000.00.03.H99", name="Sở Tư pháp", abbreviation="STP", kind="department"
            )
            clerk = User.objects.create(username="bench-clerk", is_official=True)
            register = services.register_for(agency=agency, kind=Register.Kind.INCOMING, secret=False)
            began = perf_counter()
            generate(args.rows, agency, register, clerk, random.Random(args.seed))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE documents_incomingdocument")
            print(
                f"{connection.vendor}: {args.rows} documents generated and indexed in {perf_counter() - began:.0f} s"  # noqa: E501
            )
        searches(agency, args.repeat)
        numbering(register, agency, clerk, args.issuers, args.per_issuer)
    finally:
        if not (args.keep or args.reuse):
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if connection.vendor == "sqlite":
                shutil.rmtree(Path(name).parent, ignore_errors=True)


if __name__ == "__main__":
    main()
