"""HTTP caching policy: one place decides ``Cache-Control``, ``Vary`` and ``ETag`` for every answer.

- A read that a view declares public (``public_cache_seconds`` on the view class or function; on a
  viewset, a number or ``{"action": seconds}``) answers anonymous callers with
  ``public, max-age=N``, N capped by ``settings.HTTP_CACHE_MAX_AGE`` (0 turns public caching off):
  ticker pages, trending, public profiles. The same URL with a token is another answer.
- Anything authenticated (a bearer token, a signed-in session) or that sets a cookie is
  ``private, no-store``: it may carry the viewer's flags or their own data.
- Other anonymous API reads are ``no-cache``: a cache may keep them but must revalidate.
- Reads that may be stored get an ``ETag``; ``If-None-Match`` with it answers 304 without a body.
- ``Vary: Authorization`` everywhere, so a shared cache never hands an anonymous answer to a
  signed-in caller.

A view that sets ``Cache-Control`` itself (the admin's ``never_cache``) keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

READ_METHODS = frozenset({"GET", "HEAD"})
PRIVATE = "private, no-store"
REVALIDATE = "no-cache"


def public_cache_seconds(view_func: Callable[..., Any], method: str) -> int:
    """How long a view lets shared caches keep its anonymous answers to ``method`` (0: not public)."""
    declared = getattr(view_func, "public_cache_seconds", None)
    if declared is None:
        # DRF's as_view() and Django's keep the class on the function they return.
        view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        declared = getattr(view_class, "public_cache_seconds", None)
    if isinstance(declared, dict):
        # A viewset: per action, as its router mapped this method.
        action = (getattr(view_func, "actions", None) or {}).get(method.lower())
        declared = declared.get(action)
    return declared if isinstance(declared, int) and declared > 0 else 0


def _is_personal(request: HttpRequest, response: HttpResponseBase) -> bool:
    if "Authorization" in request.headers or response.cookies:
        return True
    # DRF puts the user it authenticated on the Django request; a session (the admin) counts too.
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class HTTPCacheMiddleware:
    """Applies the module's policy to every answer that has not chosen its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> None:
        request.public_cache_seconds = public_cache_seconds(view_func, request.method or "")  # type: ignore[attr-defined]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        patch_vary_headers(response, ["Authorization"])
        if response.has_header("Cache-Control"):
            return response
        if _is_personal(request, response):
            response["Cache-Control"] = PRIVATE
            return response
        if request.method not in READ_METHODS:
            return response
        seconds = min(getattr(request, "public_cache_seconds", 0), settings.HTTP_CACHE_MAX_AGE)
        if seconds and response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={seconds}"
        elif request.path.startswith("/api/"):
            response["Cache-Control"] = REVALIDATE
        else:
            return response
        if response.status_code == 200 and not response.streaming and isinstance(response, HttpResponse):
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response) or response
        return response
