"""The e-receipt (biên lai điện tử) as a PDF, rendered from the frozen ``Receipt`` row."""

from __future__ import annotations

from egov.core import clock
from egov.core.pdf import render_pdf
from egov.payments import rules
from egov.payments.models import Receipt


def receipt_pdf(receipt: Receipt) -> bytes:
    """Always the same document for the same receipt: every text comes from the receipt row."""
    return render_pdf(
        "payments/receipt_pdf.html",
        {
            "receipt": receipt,
            "number": receipt.number_text,
            "amount_text": rules.money_text(receipt.amount),
            "amount_words": rules.amount_in_words(receipt.amount),
            "issued_local": receipt.issued_at.astimezone(clock.local_zone()),
            "reference": receipt.payment.reference,
            "gateway": receipt.payment.gateway,
        },
    )


def receipt_filename(receipt: Receipt) -> str:
    return f"bien-lai-{receipt.series}-{receipt.year}-{receipt.number_text}.pdf"
