#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that only read the models and migrations: they sign nothing, so they run on a fresh
# clone without a SECRET_KEY (config.settings accepts the development key for them).
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ["PAGESHARE_KEYLESS_COMMAND"] = "1"
    from django.core.management import execute_from_command_line

    from config.env import settings_or_exit

    settings_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
