"""ASGI entry point: HTTP is Django's app; WebSockets at ``/api/v1/streaming`` are the streaming API
(Channels), behind an origin check. Served by uvicorn (``scripts/dev``; gunicorn with
``uvicorn_worker.UvicornWorker`` in production, README "Running in production")."""

import os

from django.core.asgi import get_asgi_application

from config.env import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# 3 is gunicorn's worker boot error: the whole server stops instead of respawning workers.
settings_or_exit(exit_code=3)

# Django first: the routing below imports models, which need the apps loaded.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from streaming.api.origins import OriginValidator  # noqa: E402
from streaming.api.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": OriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
