"""Whether a citizen's identity is verified (VNeID): the one place the online services ask.

It is the accounts app's answer (``accounts.selectors.is_verified``), re-exported so that the online
services name one function.
"""

from __future__ import annotations

from egov.accounts.selectors import is_verified

__all__ = ["is_verified"]
