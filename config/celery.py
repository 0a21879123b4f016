"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Configuration comes from Django's settings (``CELERY_*``); tasks are found in
each app's ``tasks.py``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("pageshare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
