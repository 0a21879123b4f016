"""Keyset pagination for DRF list views: ``core.keyset``'s pages in the ``{"results", "next", "previous"}`` body.

``CursorPagination`` reads ``limit`` and ``cursor`` from the query string,
asks ``core.keyset`` for the page and answers it with links; lists that read
their page elsewhere (the feed selector) hand it over with ``paginate_page``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.errors import Invalid
from core.keyset import DEFAULT_LIMIT, MAX_LIMIT, Cursor, KeysetPage, Row, queryset_page


def parse_limit(request: Request, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise Invalid({"limit": f"Must be an integer between 1 and {maximum}."}) from None
    if not 1 <= limit <= maximum:
        raise Invalid({"limit": f"Must be an integer between 1 and {maximum}."})
    return limit


class CursorPagination(BasePagination):
    """``{"results", "next", "previous"}`` pages ordered by ``view.ordering``.

    A view sets ``ordering`` (default newest first: ``-created_at, -id``); the
    last field must be unique so the order is total.
    """

    ordering: tuple[str, ...] = ("-created_at", "-id")
    cursor_query_param = "cursor"

    def get_ordering(self, view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "ordering", None) or self.ordering)

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:  # type: ignore[override]
        ordering = self.get_ordering(view)
        limit = parse_limit(request)
        cursor = Cursor.decode(request.query_params.get(self.cursor_query_param), types=len(ordering))
        page = queryset_page(queryset, ordering=ordering, cursor=cursor, limit=limit)
        return self.paginate_page(page, request)

    def paginate_page(self, page: KeysetPage[Row], request: Request) -> list[Row]:
        """Takes a page read elsewhere (``keyset_page``) for ``get_paginated_response``; returns its rows."""
        self.request = request
        self.page = page
        return page.rows

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor.encode())

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("results", data),
                    ("next", self._link(self.page.next)),
                    ("previous", self._link(self.page.previous)),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": f"Page size, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque cursor taken from `next` or `previous`.",
                "schema": {"type": "string"},
            },
        ]
