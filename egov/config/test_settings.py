"""Settings for the test suite: the normal settings in the ``test`` profile."""

import os

os.environ["EGOV_PROFILE"] = "test"

from egov.config.settings import *  # noqa: F403
from egov.config.settings import STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; argon2 tested explicitly
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_ENABLED = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
