"""Who may use the desk screens, at which desk, and the one-time key that makes a submit idempotent."""

from __future__ import annotations

import re
import uuid

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from egov.dossiers import selectors
from egov.organizations.models import Agency

DESK_PARAMETER = "desk"
KEY_FIELD = "submission_key"
_KEY = re.compile(r"[0-9a-f]{32}")
_SESSION_KEY = "egov_desk_submissions"
_PENDING = "pending"
_LOCK_SECONDS = 120
_KEEP = 50  # keys remembered per session: a day at a busy counter


def desk_only(request: HttpRequest) -> None:
    """403 unless the visitor staffs a one-stop desk somewhere."""
    if not getattr(request.user, "is_official", False) or not selectors.desk_agencies(request.user).exists():
        raise PermissionDenied(_("Trang này dành cho cán bộ bộ phận một cửa."))


def current_desk(request: HttpRequest) -> tuple[Agency, list[Agency]]:
    """The desk chosen with ``?desk=`` (or posted), else the first; and all the officer's desks."""
    desks = list(selectors.desk_agencies(request.user))
    if not desks:
        raise PermissionDenied(_("Trang này dành cho cán bộ bộ phận một cửa."))
    wanted = request.POST.get(DESK_PARAMETER) or request.GET.get(DESK_PARAMETER)
    for desk in desks:
        if str(desk.pk) == wanted:
            return desk, desks
    return desks[0], desks


def new_key() -> str:
    return uuid.uuid4().hex


def posted_key(request: HttpRequest) -> str | None:
    key = request.POST.get(KEY_FIELD, "")
    return key if _KEY.fullmatch(key) else None


def _cache_key(request: HttpRequest, key: str) -> str:
    # Bound to the officer: another account replaying a key learns nothing and blocks nothing.
    return f"egov:desk-submit:{request.user.pk}:{key}"


def done_dossier(request: HttpRequest, key: str) -> int | str | None:
    """The dossier a key already produced, ``"pending"`` while its first submit runs, or None."""
    remembered = request.session.get(_SESSION_KEY, {}).get(key)
    if remembered is not None:
        return int(remembered)
    value = cache.get(_cache_key(request, key))
    return value if isinstance(value, int) or value == _PENDING else None


def claim(request: HttpRequest, key: str) -> bool:
    """Take the key for this submit; False if another submit with it is running or finished.

    ``cache.add`` is atomic (Redis at scale; per process with the local-memory cache): two clicks
    arriving together cannot both record a dossier.
    """
    return cache.add(_cache_key(request, key), _PENDING, _LOCK_SECONDS)


def release(request: HttpRequest, key: str) -> None:
    """The submit was refused (bad input): the corrected form may use the same key again."""
    cache.delete(_cache_key(request, key))


def finish(request: HttpRequest, key: str, dossier_id: int) -> None:
    cache.set(_cache_key(request, key), dossier_id, 24 * 3600)
    done = dict(request.session.get(_SESSION_KEY, {}))
    done[key] = dossier_id
    request.session[_SESSION_KEY] = dict(list(done.items())[-_KEEP:])
