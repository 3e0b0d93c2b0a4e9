from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(duration: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (a lockout of 29 min 30 s reads as 30 minutes)."""
    if duration is None:
        return 0
    return -(-int(duration.total_seconds()) // 60)
