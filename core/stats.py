"""The Wilson score lower bound, in Python and as a database expression that gives the same number.

The lower bound (95%) of the Wilson score interval of a hit rate: ``hits`` out of ``n`` trials.
It ranks a long good record above a lucky short one: 9 hits out of 10 scores 0.596, 90 out of
100 scores 0.826. Both versions make the same IEEE operations in the same order, so PostgreSQL,
SQLite and Python agree to the last bit.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import FloatField, Value
from django.db.models.functions import Cast, NullIf, Sqrt

# The two-sided 95% normal quantile.
Z = 1.959963984540054
Z2 = Z * Z


def wilson_lower_bound(hits: int, n: int) -> float | None:
    """None when there were no trials."""
    if n <= 0:
        return None
    p = hits / n
    return (p + Z2 / (2.0 * n) - Z * math.sqrt(p * (1.0 - p) / n + Z2 / (4.0 * n * n))) / (1.0 + Z2 / n)


def _float(value: float) -> Value:
    return Value(value, output_field=FloatField())


def ratio(part: Any, whole: Any) -> Any:
    """``part / whole`` as a float expression; null when ``whole`` is 0."""
    return Cast(part, FloatField()) / NullIf(Cast(whole, FloatField()), _float(0.0))


def wilson_lower_bound_sql(hits: Any, n: Any) -> Any:
    """``wilson_lower_bound`` of two integer expressions; null when ``n`` is 0."""
    trials = NullIf(Cast(n, FloatField()), _float(0.0))
    p = Cast(hits, FloatField()) / trials
    spread = Sqrt(p * (_float(1.0) - p) / trials + _float(Z2) / (_float(4.0) * trials * trials))
    return (p + _float(Z2) / (_float(2.0) * trials) - _float(Z) * spread) / (_float(1.0) + _float(Z2) / trials)
