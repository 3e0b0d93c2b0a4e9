"""Gap-free counters: the last number handed out for one (namespace, key).

Only ``egov.core.counters`` writes these rows; see there why the increment happens inside the
business transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Counter(models.Model):
    """One numbering series, e.g. an agency's dossier codes of one day or a register's year.

    ``value`` is the last number used (0: none yet), so the next allocation returns ``value + 1``.
    """

    namespace = models.CharField(_("loại dãy số"), max_length=32)
    key = models.CharField(_("khóa dãy số"), max_length=100)
    value = models.PositiveBigIntegerField(_("số đã cấp gần nhất"), default=0)

    class Meta:
        verbose_name = _("bộ đếm")
        verbose_name_plural = pgettext_lazy("plural", "bộ đếm")
        ordering = ["namespace", "key"]
        constraints = [
            # The first allocation of a key inserts with ON CONFLICT DO NOTHING: this is the conflict.
            models.UniqueConstraint(fields=["namespace", "key"], name="core_counter_unique_namespace_key"),
        ]

    def __str__(self) -> str:
        return f"{self.namespace} {self.key}: {self.value}"
