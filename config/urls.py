from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.schema_view import SchemaView
from core.views import index

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("social.api.urls")),
    path("", include("polls.api.urls")),
    path("", include("content.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("streaming.api.urls")),
    path("", include("moderation.api.urls")),
    path("", include("metrics.api.urls")),
]

urlpatterns = [
    path("", index, name="index"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from its own URL (`?script`): no inline script, so CSP holds.
    path(
        "api/docs",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("", include("metrics.urls")),
]

if settings.SERVE_MEDIA:
    # Local uploads in development and single-box deployments.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
