"""Keyset (cursor) pagination: every page costs the same, however deep.

The cursor is the sort key of the row at the page edge, base64-encoded JSON,
so the next page is ``WHERE (created_at, id) < (edge)`` on an index matching
the order. Rows that arrive while a client pages never shift what it sees.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    return value


def keyset_filter(ordering: Sequence[str], values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (or strictly before when not ``forward``)."""
    clauses = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        descending = field.startswith("-")
        lookup = "lt" if descending == forward else "gt"
        clause = Q(**{f"{name}__{lookup}": values[index]})
        for previous_field, previous_value in zip(ordering[:index], values[:index], strict=True):
            clause &= Q(**{previous_field.lstrip("-"): previous_value})
        clauses |= clause
    if len(ordering) > 1:
        # Redundant, but a plain range on the leading field is what lets the
        # database start the index scan at the cursor instead of filtering
        # every row before it (the OR above is not an index condition).
        first = ordering[0]
        lookup = "lte" if first.startswith("-") == forward else "gte"
        clauses = Q(**{f"{first.lstrip('-')}__{lookup}": values[0]}) & clauses
    return clauses


def parse_limit(request: Request, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationError({"limit": [f"Must be an integer between 1 and {maximum}."]}) from None
    if not 1 <= limit <= maximum:
        raise ValidationError({"limit": [f"Must be an integer between 1 and {maximum}."]})
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

    def decode_cursor(self, request: Request) -> tuple[bool, list[Any]] | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            forward = data["d"] == "n"
            values = [_decode_value(value) for value in data["v"]]
            if len(values) != len(self.ordering_fields) or data["d"] not in ("n", "p"):
                raise ValueError(raw)
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            raise ValidationError({"cursor": ["Invalid cursor."]}) from None
        return forward, values

    def encode_cursor(self, row: Any, *, forward: bool) -> str:
        values = [_encode_value(self.row_value(row, field.lstrip("-"))) for field in self.ordering_fields]
        data = json.dumps({"d": "n" if forward else "p", "v": values}, separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")

    @staticmethod
    def row_value(row: Any, path: str) -> Any:
        value = row
        for part in path.split("__"):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        if isinstance(value, Model):
            value = value.pk
        return value

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:  # type: ignore[override]
        self.request = request
        self.ordering_fields = self.get_ordering(view)
        self.limit = parse_limit(request)
        cursor = self.decode_cursor(request)
        forward = cursor is None or cursor[0]
        order = self.ordering_fields if forward else tuple(_flip(field) for field in self.ordering_fields)
        queryset = queryset.order_by(*order)
        if cursor is not None:
            try:
                queryset = queryset.filter(keyset_filter(self.ordering_fields, cursor[1], forward=forward))
            except (TypeError, ValueError, DjangoValidationError):
                # A forged cursor whose values do not fit the ordering fields' types.
                raise ValidationError({"cursor": ["Invalid cursor."]}) from None
        rows = list(queryset[: self.limit + 1])
        has_more = len(rows) > self.limit
        rows = rows[: self.limit]
        if not forward:
            rows.reverse()
        self.next_cursor = None
        self.previous_cursor = None
        if rows:
            if has_more if forward else True:
                self.next_cursor = self.encode_cursor(rows[-1], forward=True)
            if (cursor is not None) if forward else has_more:
                self.previous_cursor = self.encode_cursor(rows[0], forward=False)
        return rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("results", data),
                    ("next", self._link(self.next_cursor)),
                    ("previous", self._link(self.previous_cursor)),
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


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"
