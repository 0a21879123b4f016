"""The bare view the load harness (bench/load.py) compares the project with: ``gunicorn bench.bare_wsgi``.

The simplest Django JSON view, ``JsonResponse({"ok": True})`` at ``/`` (and ``/health``, which the
harness polls before loading), in a process configured here with ``settings.configure``: no app,
no middleware, no database, no cache. It is served by gunicorn with the same options as the
project, so its throughput is Django's own floor on this machine (request parsing, URL resolution,
a response, the WSGI server), and a target's ratio to it counts everything the project adds:
its middleware, authentication, queries, serialisation and rendering.

Not the project's settings with an extra URL: every request would then go through the project's
middleware too, which is part of what a page costs and belongs in the ratio.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789abcdef"),
    ALLOWED_HOSTS=["localhost", "127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
)


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("", bare), path("health", bare)]

application = get_wsgi_application()
