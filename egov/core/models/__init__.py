"""Models of the shared kernel, one module per concern."""

from egov.core.models.calendar import WorkingDayOverride

__all__ = ["WorkingDayOverride"]
