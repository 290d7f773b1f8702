"""The `comuna` command: the project's manage.py."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comuna.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # The documented commands use hyphens (`comuna load-geography`); Django's use underscores.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
