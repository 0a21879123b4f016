"""Querysets built and compiled once per process and shape, then run with new values.

Building a queryset with nested ``Exists`` and JSON subqueries and compiling it to SQL costs
milliseconds of Python per request; running the SQL costs a fraction of one. A hot read whose
SQL is the same for every request but for a few integers (the viewer's id, a page of ids) is
written as an ordinary queryset builder and wrapped in ``CompiledQuery``: the first call of a
shape builds the queryset with stand-in values, compiles it, and records where the stand-ins
sit among the SQL parameters; every later call runs that SQL with the real values in their
place, and converts the rows exactly as the ORM would (Django's own converters).

A shape is which values are None and how long each list is: ``id IN (%s, %s)`` and
``id IN (%s, %s, %s)`` are different SQL; and the keywords named as ``shape`` (a direction, a
``LIMIT``, which Django writes into the SQL) are passed through as they are and key the plan.
The rules stay in the querysets the builder calls;
this module only skips rebuilding them.

A value that the builder derives from its arguments rather than passing through (``pk + 1``)
or takes from elsewhere (``timezone.now()``) would be frozen into the compiled SQL: so each
shape is compiled twice with different stand-ins, and ``CompileError`` is raised unless the two
differ only where the stand-ins are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Stand-ins: integers no row has (below every id, inside a bigint), one per value of a shape.
_STAND_IN_BASE = -4_611_686_018_427_000_000
_SECOND_COMPILE_OFFSET = 100_003  # odd: a builder branching on a value's parity shows too
# Stand-in datetimes: microseconds after this instant, which no row holds.
_STAND_IN_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)


class CompileError(Exception):
    """A builder whose SQL depends on its arguments in a way substitution cannot reproduce."""


@dataclass(frozen=True)
class StandIn:
    """A user as the builder sees it: only ``pk`` and ``is_authenticated`` (a stand-in viewer)."""

    pk: int
    is_authenticated: bool = True


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int | None, ...]  # per SQL parameter: the index of the value it takes, or None
    adapted: tuple[bool, ...]  # per SQL parameter: the value goes in as the backend adapts a datetime
    names: tuple[str, ...]
    compiler: Any
    converters: Any


def _shape_of(values: dict[str, Any], literal: frozenset[str]) -> tuple[Hashable, ...]:
    shape: list[Hashable] = []
    for name, value in sorted(values.items()):
        if name in literal:
            shape.append((name, "=", value))
        elif value is None:
            shape.append((name, None))
        elif isinstance(value, list | tuple):
            shape.append((name, len(value)))
        else:
            shape.append((name, datetime if isinstance(value, datetime) else int))
    return tuple(shape)


class CompiledQuery:
    """``build(**values)`` (a ``values()`` queryset on one database), compiled once per shape.

    Each keyword value is an int, an aware datetime, None, or a list of ints, except the
    keywords named in ``shape``, which the builder gets as they are (hashable values that pick
    the SQL: a direction, a limit). The builder receives stand-ins for the others (``StandIn``
    for a keyword named ``viewer``, so ``visible_to(viewer)`` works), and must use them only as
    values in the query. Calling the instance runs the query for the real values and returns
    its rows as dicts, as ``values()`` would.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *, shape: Iterable[str] = ()) -> None:
        self.build = build
        self.literal = frozenset(shape)
        self._plans: dict[tuple[Hashable, ...], _Plan] = {}
        self._lock = threading.Lock()

    def __call__(self, **values: Any) -> list[dict[str, Any]]:
        plan = self._plan(values)
        flat = _flatten(values, self.literal)
        using = plan.compiler.using
        adapt = connections[using].ops.adapt_datetimefield_value
        params = [
            param if slot is None else adapt(flat[slot]) if adapted else flat[slot]
            for param, slot, adapted in zip(plan.params, plan.slots, plan.adapted, strict=True)
        ]
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows: Any = cursor.fetchall()
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        return [dict(zip(plan.names, row, strict=True)) for row in rows]

    def _plan(self, values: dict[str, Any]) -> _Plan:
        shape = _shape_of(values, self.literal)
        plan = self._plans.get(shape)
        if plan is None:
            with self._lock:
                plan = self._plans.get(shape) or self._compile(values)
                self._plans[shape] = plan
        return plan

    def _compile(self, values: dict[str, Any]) -> _Plan:
        first = self._stand_ins(values, 0)
        second = self._stand_ins(values, _SECOND_COMPILE_OFFSET)
        queryset, sql, params = self._sql(first)
        _, sql_again, params_again = self._sql(second)
        adapt = connections[queryset.db].ops.adapt_datetimefield_value
        first_flat, second_flat = _flatten(first, self.literal), _flatten(second, self.literal)
        if sql != sql_again or len(params) != len(params_again):
            raise CompileError(f"{self.build.__qualname__}: the SQL's shape depends on more than the values' shape")
        first_forms, second_forms = _forms(first_flat, adapt), _forms(second_flat, adapt)
        slots: list[int | None] = []
        adapted_slots: list[bool] = []
        for param, param_again in zip(params, params_again, strict=True):
            if param == param_again:
                slots.append(None)
                adapted_slots.append(False)
                continue
            found = first_forms.get(param) if isinstance(param, Hashable) else None
            if found is None or second_forms.get(param_again) != found:
                raise CompileError(f"{self.build.__qualname__}: parameter {param!r} is not one of the values")
            slots.append(found[0])
            adapted_slots.append(found[1])
        if len({slot for slot in slots if slot is not None}) != len(first_flat):
            raise CompileError(f"{self.build.__qualname__}: some value does not reach the SQL")
        compiler = queryset.query.get_compiler(queryset.db)
        compiler.as_sql()  # sets up compiler.select for the converters
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        query = queryset.query  # the names as ``ValuesIterable`` gives them
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        return _Plan(
            sql, tuple(params), tuple(slots), tuple(adapted_slots), names, compiler, compiler.get_converters(fields)
        )

    def _sql(self, values: dict[str, Any]) -> tuple[QuerySet[Any], str, list[Any]]:
        queryset = self.build(**values)
        if not queryset.query.values_select and not queryset.query.annotation_select:
            raise CompileError(f"{self.build.__qualname__}: must return a values() queryset")
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        return queryset, sql, list(params)

    def _stand_ins(self, values: dict[str, Any], offset: int) -> dict[str, Any]:
        numbers = count(_STAND_IN_BASE + offset)
        stand_ins: dict[str, Any] = {}
        for name, value in sorted(values.items()):
            if name in self.literal or value is None:
                stand_ins[name] = value
            elif isinstance(value, datetime):
                stand_ins[name] = _STAND_IN_EPOCH + timedelta(microseconds=next(numbers) - _STAND_IN_BASE)
            elif isinstance(value, list | tuple):
                stand_ins[name] = [next(numbers) for _ in value]
            elif name == "viewer":
                stand_ins[name] = StandIn(next(numbers))
            else:
                stand_ins[name] = next(numbers)
        return stand_ins


def _flatten(values: dict[str, Any], literal: frozenset[str]) -> list[Any]:
    """The values of a call in a fixed order (by keyword, lists in order): what the slots index."""
    flat: list[Any] = []
    for name, value in sorted(values.items()):
        if value is None or name in literal:
            continue
        if isinstance(value, list | tuple):
            flat.extend(int(item) for item in value)
        elif isinstance(value, datetime):
            flat.append(value)
        else:
            flat.append(int(getattr(value, "pk", value)))
    return flat


def _forms(flat: list[Any], adapt: Callable[[Any], Any]) -> dict[Any, tuple[int, bool]]:
    """What each stand-in may look like among the SQL parameters, with its index and whether it
    was adapted: itself, or a datetime as the backend writes it (a string on SQLite)."""
    forms = {value: (index, False) for index, value in enumerate(flat)}
    for index, value in enumerate(flat):
        if isinstance(value, datetime):
            forms.setdefault(adapt(value), (index, True))
    return forms


def ids_of(values: Iterable[Any]) -> list[int]:
    """Unique ids in first-seen order: a list compiles to one ``IN`` parameter per item."""
    return list(dict.fromkeys(int(value) for value in values))
