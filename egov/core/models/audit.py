"""Rows of the append-only audit log and the head of each hash chain.

An event is born unsealed (``seq`` and ``hash`` empty) inside the business transaction and is
sealed later, in a short transaction of its own, by ``egov.core.audit.seal_pending``. "Sealing"
here means linking the event into its chain, not the agency seal of the glossary.

The ORM refuses to update or delete events (``AppendOnlyError``); sealing goes through
``AuditEventQuerySet.seal``, the only writer of the seal fields. On PostgreSQL a trigger (migration
0002) also refuses any UPDATE that is not a sealing and any DELETE. The hash chain, not these
guards, is what makes tampering by someone with database access detectable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SEAL_FIELDS = ("seq", "prev_hash", "hash", "sealed_at")


class AppendOnlyError(Exception):
    """Someone tried to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được xoá.")

    def seal(self, events: Sequence[AuditEvent]) -> int:
        """Write the seal fields of still-unsealed ``events`` in one statement; the sealer is the
        only caller. Returns how many rows were sealed."""

        def per_event(field: str, output: models.Field[Any, Any]) -> Case:
            return Case(*(When(pk=e.pk, then=Value(getattr(e, field))) for e in events), output_field=output)

        unsealed = self.filter(pk__in=[e.pk for e in events], seq__isnull=True)
        return models.QuerySet.update(
            unsealed,
            seq=per_event("seq", models.PositiveBigIntegerField()),
            prev_hash=per_event("prev_hash", models.CharField()),
            hash=per_event("hash", models.CharField()),
            sealed_at=per_event("sealed_at", models.DateTimeField()),
        )


class AuditEvent(models.Model):
    """Who did what to which object, when and from where; one link of a hash chain.

    The actor and the object are stored as strings, not foreign keys: the log must outlive the
    accounts and objects it names (deleting or anonymising a user must neither cascade into the
    log nor rewrite sealed rows), and the kernel must not depend on upper apps' tables.
    """

    class ActorKind(models.TextChoices):
        USER = "user", _("Người dùng")
        ANONYMOUS = "anonymous", _("Khách chưa đăng nhập")
        SYSTEM = "system", _("Hệ thống")

    chain = models.CharField(_("chuỗi"), max_length=32, default="audit")
    seq = models.PositiveBigIntegerField(_("số thứ tự trong chuỗi"), null=True, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("thời điểm"))
    actor_kind = models.CharField(_("loại tác nhân"), max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(_("mã tác nhân"), max_length=64, blank=True)
    actor_name = models.CharField(_("tác nhân"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=100)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    details = models.JSONField(_("chi tiết"), default=dict, blank=True)
    prev_hash = models.CharField(_("mã băm sự kiện trước"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("mã băm"), max_length=64, blank=True, editable=False)
    sealed_at = models.DateTimeField(_("thời điểm niêm chuỗi"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_unique_chain_seq"),
            # Sealed means all of the seal at once: no half-linked events.
            models.CheckConstraint(
                condition=Q(seq__isnull=True, hash="", prev_hash="", sealed_at__isnull=True)
                | Q(seq__gte=1, sealed_at__isnull=False) & ~Q(hash="") & ~Q(prev_hash=""),
                name="audit_event_sealed_whole",
            ),
        ]
        indexes = [
            # What the sealer scans: small, because sealed rows leave it.
            models.Index(fields=["chain", "id"], condition=Q(seq__isnull=True), name="audit_event_pending"),
            models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_event_object"),
            models.Index(fields=["actor_id", "occurred_at"], name="audit_event_actor"),
            models.Index(fields=["chain", "occurred_at"], name="audit_event_time"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or self.get_actor_kind_display()
        return f"{self.occurred_at:%d/%m/%Y %H:%M} {who}: {self.action} {self.object_repr}".rstrip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được sửa.")
        if self.seq is not None or self.hash or self.prev_hash or self.sealed_at is not None:
            raise AppendOnlyError("Sự kiện mới phải được ghi chưa niêm; chỉ bộ niêm chuỗi gán số thứ tự.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Nhật ký kiểm toán chỉ được ghi thêm, không được xoá.")

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None


class AuditChainHead(models.Model):
    """The last sealed link of one chain; its row lock serialises sealers, never business writes."""

    chain = models.CharField(_("chuỗi"), max_length=32, primary_key=True)
    seq = models.PositiveBigIntegerField(_("số thứ tự cuối"), default=0)
    hash = models.CharField(_("mã băm cuối"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("lần niêm cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = pgettext_lazy("plural", "đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"
