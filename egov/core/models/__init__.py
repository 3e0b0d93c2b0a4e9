"""Models of the shared kernel, one module per concern."""

from egov.core.models.audit import AppendOnlyError, AuditChainHead, AuditEvent
from egov.core.models.calendar import WorkingDayOverride
from egov.core.models.counters import Counter

__all__ = ["AppendOnlyError", "AuditChainHead", "AuditEvent", "Counter", "WorkingDayOverride"]
