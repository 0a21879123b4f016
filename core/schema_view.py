"""``/api/schema``, generated once per process.

drf-spectacular builds the schema on every request (0.1-0.5 s of CPU for ours:
it walks every view and serializer). The schema only changes with the code, so
each process keeps what it generated, per API version and language, and a
settings change (tests) forgets it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

# (version, language) -> the schema as drf-spectacular generated it
_generated: dict[tuple[str | None, str | None], dict[str, Any]] = {}


class SchemaView(SpectacularAPIView):
    """``SpectacularAPIView`` with the generated schema kept for the process's lifetime."""

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        language = request.GET.get("lang") if settings.USE_I18N else None
        key = (version, language)
        if key not in _generated:
            # Two first requests at once both generate it; the same dict either way.
            _generated[key] = super()._get_schema_response(request).data
        return Response(
            data=_generated[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


@receiver(setting_changed)
def _forget_schema(**kwargs: Any) -> None:
    _generated.clear()
