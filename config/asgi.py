"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from config.env import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# 3 is gunicorn's worker boot error: the whole server stops instead of respawning workers.
settings_or_exit(exit_code=3)

application = get_asgi_application()
