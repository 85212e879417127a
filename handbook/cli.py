"""The `handbook` console script: Django's manage.py with Handbook's settings as the default."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handbook.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
