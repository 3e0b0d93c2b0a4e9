from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from egov.accounts.models import User
from egov.accounts.selectors import accounts_matching


class IdentifierBackend(ModelBackend):
    """Sign in with a username, an e-mail address or a phone number (any usual spelling), and a password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        matches = accounts_matching(username)
        if len(matches) != 1:
            User().set_password(password)  # same work as a real check: no timing oracle on identifiers
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
