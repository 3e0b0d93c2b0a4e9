#!/usr/bin/env python
"""Django's command-line utility for egov."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.config.settings")
    # A checkout with no configuration at all (a developer's machine, `manage.py makemigrations
    # --check`) runs as the demo profile; a production host always has SECRET_KEY in its
    # environment and so keeps the strict production profile. The web server (wsgi/asgi) never
    # falls back.
    if "EGOV_PROFILE" not in os.environ and "SECRET_KEY" not in os.environ:
        os.environ["EGOV_PROFILE"] = "demo"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
