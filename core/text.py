"""Text PostgreSQL cannot store: the NUL character and lone surrogates.

PostgreSQL refuses U+0000 in ``text`` and in ``jsonb`` alike, and a lone UTF-16
surrogate (``"\\ud800"`` in JSON decodes to one) is not valid UTF-8 at all;
either turns an insert into a ``DataError``, a 500. DRF's ``CharField`` already
refuses both; anything else that takes text from a client (a ``JSONField``, a
header, a query parameter read by hand) asks ``control_problem`` or
``json_text_problem`` and answers a 400 naming the field. Text that must be
stored whatever it holds (an exception's message) goes through ``storable``.
"""

from __future__ import annotations

import re
from typing import Any

NUL = "\x00"
REPLACEMENT = "\ufffd"
NUL_PROBLEM = "Must not contain the NUL character (U+0000)."
SURROGATE_PROBLEM = "Must not contain a lone surrogate (U+D800 to U+DFFF)."
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: str) -> bool:
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def control_problem(value: str) -> str | None:
    """Why PostgreSQL cannot store ``value`` (a NUL character, a lone surrogate), or None."""
    if NUL in value:
        return NUL_PROBLEM
    if _has_surrogate(value):
        return SURROGATE_PROBLEM
    return None


def json_text_problem(value: Any) -> str | None:
    """The first ``control_problem`` of any string in a parsed JSON value: keys and values, at any depth.

    Iterative, so no nesting depth can exhaust the stack.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            problem = control_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def storable(value: str) -> str:
    """``value`` with every NUL character and lone surrogate replaced by U+FFFD."""
    if control_problem(value) is None:
        return value
    return _SURROGATE.sub(REPLACEMENT, value.replace(NUL, REPLACEMENT))
