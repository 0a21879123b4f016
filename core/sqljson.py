"""SQL that reads related rows into the outer row: correlated counts and JSON lists.

A list page reads each post (or poll) with what hangs on it in one SELECT: a count as
``COALESCE((SELECT COUNT(*) ...), 0)`` (``count_by``), rows as one JSON array
(``json_rows``), instead of one prefetch query per relation. Both are correlated subqueries
on an index of the related table, so their cost follows the page, not the table.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Aggregate, Count, Func, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_by(queryset: models.QuerySet[Any], field: str) -> Coalesce:
    """``COALESCE((SELECT COUNT(*) ... WHERE field = outer.id), 0)``: exact, and no join fan-out."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


class JSONTuple(Func):
    """The expressions' values as one JSON array: PostgreSQL's JSONB_BUILD_ARRAY, SQLite's JSON_ARRAY.

    Not Django's JSONObject/JSONArray: on SQLite those first probe for JSON support, three queries
    on each new connection, which made the query counts of post lists depend on test order.
    """

    function = "JSONB_BUILD_ARRAY"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_ARRAY", **extra)


class JSONList(Aggregate):
    """The group's values as one JSON array: PostgreSQL's JSONB_AGG, SQLite's JSON_GROUP_ARRAY."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def json_rows(queryset: models.QuerySet[Any], field: str, *columns: str, outer: str = "pk") -> Subquery:
    """The rows of ``queryset`` whose ``field`` is the outer row (its ``outer`` column), as one
    correlated subquery: ``[[column, ...], ...]`` in no particular order (sort on a column), or
    None when there are none.

    A subquery in the row's own SELECT rather than a prefetch: it adds no query to any list,
    and the quoted post (loaded by its own prefetch) gets it in that same query.
    """
    rows = (
        queryset.filter(**{field: OuterRef(outer)})
        .order_by()
        .values(field)
        .annotate(rows=JSONList(JSONTuple(*columns)))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def by_position(rows: list[list[Any]] | None) -> list[list[Any]]:
    """``json_rows`` whose last column is a position, in that order."""
    return sorted(rows or (), key=lambda row: row[-1])
