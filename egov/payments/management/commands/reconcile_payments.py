"""Reconcile one day's payments against the gateway's settlement file (fetched, or --file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from egov.accounts.models import User
from egov.core import clock
from egov.payments import reconciliation
from egov.payments.gateways import GatewayError


class Command(BaseCommand):
    help = "Đối soát giao dịch thanh toán của một ngày với tệp đối soát của cổng thanh toán."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD, default today (local)")
        parser.add_argument("--file", help="a settlement CSV instead of fetching it from the gateway")
        parser.add_argument("--as", dest="username", required=True, help="the official reconciling (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = User.objects.get(username=options["username"])
            day = date.fromisoformat(options["date"]) if options["date"] else clock.today()
            text = Path(options["file"]).read_text(encoding="utf-8") if options["file"] else None
            report = reconciliation.reconcile(actor=actor, day=day, settlement_text=text)
        except (User.DoesNotExist, ValueError, OSError, PermissionDenied, GatewayError) as error:
            raise CommandError(str(error) or error.__class__.__name__) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"{report.day} {report.gateway}: {report.lines_in_file} lines in the file, "
            f"{report.payments_in_egov} paid in egov, {len(report.mismatches)} mismatches"
        )
        for m in report.mismatches:
            ours = f"{m.ours.amount} {m.ours.status}" if m.ours else "-"
            theirs = f"{m.theirs.amount} {m.theirs.status}" if m.theirs else "-"
            self.stdout.write(f"{m.kind.value}\t{m.reference}\tegov={ours}\tgateway={theirs}")
        if report.mismatches:
            raise SystemExit(1)
