"""The site root: where the API, its schema and docs and the health probes are."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def index(request: HttpRequest) -> JsonResponse:
    """``/``: a small JSON index, so the bare host answers something useful in every mode.

    The paths are the fixed ones of the API contract (core/tests/test_index.py follows each).
    """
    return JsonResponse(
        {
            "name": "PageShare API",
            "api": request.build_absolute_uri("/api/v1/"),
            "schema": request.build_absolute_uri("/api/schema"),
            "docs": request.build_absolute_uri("/api/docs"),
            "health": request.build_absolute_uri("/health"),
            "ready": request.build_absolute_uri("/health/ready"),
        }
    )


# Anyone may cache it (core.http_cache): it changes only with a deploy.
index.public_cache_seconds = 300  # type: ignore[attr-defined]
