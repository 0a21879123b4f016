"""Keyset (cursor) pages: every page costs the same, however deep.

The cursor is the sort key of the row at the page edge, base64-encoded JSON,
so the next page is ``WHERE (created_at, id) < (edge)`` on an index matching
the order. Rows that arrive while a client pages never shift what it sees.

One mechanism serves every list: ``keyset_page`` reads ``limit + 1`` rows after
a ``Cursor`` through any reader (``queryset_page`` for a queryset, or a
hand-written merge such as the following feed) and returns a ``KeysetPage``
with the cursors of the pages before and after. It speaks the domain (a bad
cursor is ``core.errors.Invalid``), so selectors use it; the HTTP side is
``core.pagination``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Q, QuerySet

from core.errors import Invalid
from core.ids import BIGINT_MAX

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INVALID_CURSOR = "Invalid cursor."
# Sort keys are timestamps, strings, finite floats and integers that fit a bigint column (a larger
# one would overflow the query).
_MAX_INT = BIGINT_MAX

Row = TypeVar("Row")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, float):
        # Scores: JSON writes a float's shortest repr, which reads back as the same float.
        if not math.isfinite(value):
            raise ValueError(value)
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    if isinstance(value, int) and not -_MAX_INT <= value <= _MAX_INT:
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class Cursor:
    """A place in a keyset order: the sort key of the row at a page's edge, and which way to read on.

    ``forward`` reads on in the order (the next page); otherwise against it (the previous page).
    """

    values: tuple[Any, ...]
    forward: bool = True

    def encode(self) -> str:
        data = {"d": "n" if self.forward else "p", "v": [_encode_value(value) for value in self.values]}
        text = json.dumps(data, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, raw: str | None, *, types: Sequence[type] | int) -> Cursor | None:
        """The cursor ``raw`` encodes (None when empty), else ``Invalid`` naming ``cursor``.

        ``types`` is the class of each sort key value, or just how many there are
        when the reader checks the values itself (a queryset, against its fields).
        """
        if not raw:
            return None
        size = types if isinstance(types, int) else len(types)
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            direction = data["d"]
            values = tuple(_decode_value(value) for value in data["v"])
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            raise Invalid({"cursor": INVALID_CURSOR}) from None
        if direction not in ("n", "p") or len(values) != size:
            raise Invalid({"cursor": INVALID_CURSOR})
        if not isinstance(types, int) and not all(
            isinstance(value, kind) and not isinstance(value, bool) for value, kind in zip(values, types, strict=True)
        ):
            raise Invalid({"cursor": INVALID_CURSOR})
        return cls(values=values, forward=direction == "n")


@dataclass(frozen=True)
class KeysetPage(Generic[Row]):
    """One page, in list order, with the cursors of the pages after and before it (None at either end)."""

    rows: list[Row]
    next: Cursor | None
    previous: Cursor | None


def keyset_page(
    read: Callable[[Cursor | None, int], Sequence[Row]],
    *,
    key: Callable[[Row], Sequence[Any]],
    cursor: Cursor | None,
    limit: int,
) -> KeysetPage[Row]:
    """The page of up to ``limit`` rows after ``cursor``.

    ``read(cursor, n)`` returns up to ``n`` rows strictly after the cursor: in
    list order when the cursor is None or goes forward, in reverse order when it
    goes back. ``key(row)`` is a row's sort key, which the cursors record. One
    row more than the page is read, to know whether there is more beyond it.
    """
    forward = cursor is None or cursor.forward
    rows = list(read(cursor, limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()
    if not rows:
        return KeysetPage(rows=rows, next=None, previous=None)
    # Going forward, there is a page before unless this is the first; going back, there is always
    # the page we came from after it.
    more_after = has_more if forward else True
    more_before = (cursor is not None) if forward else has_more
    return KeysetPage(
        rows=rows,
        next=Cursor(tuple(key(rows[-1])), forward=True) if more_after else None,
        previous=Cursor(tuple(key(rows[0])), forward=False) if more_before else None,
    )


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


def queryset_page(
    queryset: QuerySet[Any], *, ordering: Sequence[str], cursor: Cursor | None, limit: int
) -> KeysetPage[Any]:
    """A ``keyset_page`` of ``queryset`` in ``ordering`` (whose last field must be unique, so the order is total)."""

    def read(position: Cursor | None, count: int) -> list[Any]:
        forward = position is None or position.forward
        rows = queryset.order_by(*(ordering if forward else [_flip(field) for field in ordering]))
        if position is not None:
            try:
                rows = rows.filter(keyset_filter(ordering, position.values, forward=forward))
            except (TypeError, ValueError, DjangoValidationError):
                # A forged cursor whose values do not fit the ordering fields' types.
                raise Invalid({"cursor": INVALID_CURSOR}) from None
        return list(rows[:count])

    def key(row: Any) -> list[Any]:
        return [_row_value(row, field.lstrip("-")) for field in ordering]

    return keyset_page(read, key=key, cursor=cursor, limit=limit)


def _row_value(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    if isinstance(value, Model):
        value = value.pk
    return value


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"
