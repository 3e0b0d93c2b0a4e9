"""Fee orders (what is owed, for what), payments (attempts through a gateway, with the transition
table of ``rules``), exemptions, e-receipts, the log of gateway callbacks and reconciliation runs.

What is paid for is a generic reference (content type + id): payments never imports the apps whose
things are paid for (dossiers import payments, not the other way round).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from egov.organizations.models import Agency
from egov.payments import rules
from egov.payments.rules import PaymentStatus


def new_token() -> str:
    """The unguessable part of a pay page's address (≈ 190 bits)."""
    return secrets.token_urlsafe(24)


def new_reference() -> str:
    """The payment's reference at the gateway: ``EG`` + 20 upper-case hex digits."""
    return "EG" + secrets.token_hex(10).upper()


class FeeOrder(models.Model):
    """An amount in đồng someone owes an agency for something (a dossier's fee, a financial obligation)."""

    token = models.CharField(_("mã truy cập"), max_length=40, unique=True, default=new_token, editable=False)
    idempotency_key = models.CharField(
        _("khóa chống tạo trùng"),
        max_length=120,
        unique=True,
        help_text=_("Cùng một khóa luôn trả về cùng một yêu cầu thanh toán."),
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan thu"), on_delete=models.PROTECT, related_name="fee_orders"
    )
    subject_type = models.ForeignKey(ContentType, verbose_name=_("loại đối tượng"), on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField(_("mã đối tượng"))
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("nội dung thu cho"), max_length=255, help_text=_("Ví dụ: mã hồ sơ."))
    purpose = models.CharField(_("loại khoản thu"), max_length=40)
    description = models.CharField(_("nội dung"), max_length=255)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp tiền (tài khoản)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_orders",
    )
    payer_name = models.CharField(_("người nộp tiền"), max_length=255)
    amount = models.PositiveBigIntegerField(_("số tiền phải thu (đồng)"))
    exempted_amount = models.PositiveBigIntegerField(_("số tiền được miễn, giảm (đồng)"), default=0)
    currency = models.CharField(_("loại tiền"), max_length=3, default=rules.CURRENCY, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(
        _("hoàn thành nghĩa vụ lúc"), null=True, blank=True, help_text=_("Đã nộp đủ, hoặc được miễn toàn bộ.")
    )

    class Meta:
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("yêu cầu thanh toán")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="fee_order_subject")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exempted_amount__lte=F("amount")), name="fee_exemption_le_amount"
            ),
            models.CheckConstraint(condition=Q(currency=rules.CURRENCY), name="fee_currency_vnd"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({rules.money_text(self.amount_due)})"

    @property
    def amount_due(self) -> int:
        return rules.amount_due(self.amount, self.exempted_amount)

    @property
    def amount_due_text(self) -> str:
        return rules.money_text(self.amount_due)

    @property
    def amount_text(self) -> str:
        return rules.money_text(self.amount)

    @property
    def is_settled(self) -> bool:
        return self.settled_at is not None


class Exemption(models.Model):
    """A fee exemption or reduction (miễn, giảm) with its ground: who granted it, why, under which text."""

    order = models.OneToOneField(
        FeeOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.PROTECT, related_name="exemption"
    )
    amount = models.PositiveBigIntegerField(_("số tiền miễn, giảm (đồng)"))
    ground = models.TextField(_("căn cứ miễn, giảm"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("miễn, giảm phí")
        verbose_name_plural = _("miễn, giảm phí")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="exemption_positive")]

    def __str__(self) -> str:
        return f"{rules.money_text(self.amount)}: {self.ground[:60]}"

    @property
    def amount_text(self) -> str:
        return rules.money_text(self.amount)


class Payment(models.Model):
    """One attempt to pay a fee order through a gateway; moves along ``rules.PAYMENT_TRANSITIONS``."""

    order = models.ForeignKey(
        FeeOrder, verbose_name=_("yêu cầu thanh toán"), on_delete=models.PROTECT, related_name="payments"
    )
    reference = models.CharField(
        _("mã giao dịch"), max_length=40, unique=True, default=new_reference, editable=False
    )
    gateway = models.CharField(_("cổng thanh toán"), max_length=40)
    gateway_payment_id = models.CharField(_("mã giao dịch tại cổng"), max_length=80, blank=True)
    checkout_url = models.URLField(_("trang thanh toán của cổng"), max_length=500, blank=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    currency = models.CharField(_("loại tiền"), max_length=3, default=rules.CURRENCY, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=[(s.value, rules.STATUS_LABELS[s]) for s in PaymentStatus]
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("hoàn tiền lúc"), null=True, blank=True)
    refund_reason = models.TextField(_("lý do hoàn tiền"), blank=True)
    failure_reason = models.CharField(_("lý do không thành công"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "paid_at"], name="payment_status_paid_at")]
        constraints = [
            # At most one open attempt and one paid attempt per order: a double click or a second
            # tab reuses the open attempt, and an order can never be paid twice.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["created", "pending"]),
                name="one_open_payment_per_order",
            ),
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="paid"), name="one_paid_payment_per_order"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(currency=rules.CURRENCY), name="payment_currency_vnd"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PaymentStatus]), name="payment_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"

    @property
    def status_enum(self) -> PaymentStatus:
        return PaymentStatus(self.status)

    @property
    def status_label(self) -> str:
        return str(rules.STATUS_LABELS[self.status_enum])

    @property
    def amount_text(self) -> str:
        return rules.money_text(self.amount)


class Receipt(models.Model):
    """An electronic receipt (biên lai điện tử): a series and a number gap-free within the year."""

    payment = models.OneToOneField(
        Payment, verbose_name=_("giao dịch"), on_delete=models.PROTECT, related_name="receipt"
    )
    series = models.CharField(_("ký hiệu"), max_length=20)
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số"))
    issued_at = models.DateTimeField(_("lập lúc"))
    # What the receipt says, frozen when it is issued (the order's texts may change later).
    agency_name = models.CharField(_("đơn vị thu"), max_length=255)
    payer_name = models.CharField(_("người nộp"), max_length=255)
    description = models.CharField(_("nội dung thu"), max_length=255)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))

    class Meta:
        verbose_name = _("biên lai điện tử")
        verbose_name_plural = _("biên lai điện tử")
        ordering = ["series", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="unique_receipt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.number_text}/{self.year}"

    @property
    def number_text(self) -> str:
        return rules.receipt_number_text(self.number)


class GatewayCallback(models.Model):
    """Every callback the gateway (or anyone) sent, with egov's verdict: the evidence of forgeries
    and replays, and of what changed which payment."""

    class Verdict(models.TextChoices):
        APPLIED = "applied", _("Đã ghi nhận")
        DUPLICATE = "duplicate", _("Trùng lặp, đã ghi nhận trước đó")
        REJECTED = "rejected", _("Bị từ chối")

    received_at = models.DateTimeField(_("nhận lúc"))
    gateway = models.CharField(_("cổng thanh toán"), max_length=40)
    event_id = models.CharField(_("mã sự kiện"), max_length=80, blank=True)
    reference = models.CharField(_("mã giao dịch"), max_length=40, blank=True)
    verdict = models.CharField(_("kết quả"), max_length=20, choices=Verdict.choices)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    body = models.TextField(_("nội dung"), blank=True)

    class Meta:
        verbose_name = _("thông báo từ cổng thanh toán")
        verbose_name_plural = _("thông báo từ cổng thanh toán")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # An event is applied once; its replays are logged as duplicates or rejections.
            models.UniqueConstraint(
                fields=["gateway", "event_id"], condition=Q(verdict="applied"), name="callback_applied_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id} {self.verdict}"
