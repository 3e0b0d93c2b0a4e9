"""Access decorators for views of every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

View = Callable[..., HttpResponseBase]  # streamed downloads (FileResponse) too


def login_required(view: View) -> View:
    """Like Django's, and says so when the visitor's session has expired.

    A form posted after the session ran out (8 hours by default) lands on the sign-in page with
    ``next`` and an explanation, instead of failing further down.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if session_expired(request):
            messages.warning(request, _("Phiên làm việc đã hết hạn. Hãy đăng nhập lại để tiếp tục."))
        return redirect_to_login(request.get_full_path())

    return wrapper


def session_expired(request: HttpRequest) -> bool:
    """The browser sent a session cookie that no longer opens a session (expired or flushed)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    request.session.keys()  # loading an unknown or expired session clears its key
    return request.session.session_key is None
