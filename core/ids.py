"""Ids: the one definition of what the API accepts as an object's id.

Primary keys are 64-bit integers, rendered as JSON strings. Anything above
``MAX_ID`` cannot name a row, so it is refused before it reaches the database
(where it would overflow the ``bigint`` comparison on PostgreSQL).
"""

from __future__ import annotations

import re

# The largest value a PostgreSQL bigint column holds; anything compared with one must fit.
BIGINT_MAX = 2**63 - 1
MAX_ID = BIGINT_MAX
# A positive integer as the API writes it: no sign, no zero padding, at most a bigint's 19 digits.
ID_REGEX = r"[1-9][0-9]{0,18}"
ID_PATTERN = f"^{ID_REGEX}$"
# How an id is declared in the OpenAPI schema, wherever it appears (path, query, body).
ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN, "example": "42"}
_ID = re.compile(ID_REGEX)


def parse_id(value: object) -> int | None:
    """The id ``value`` names (an int, or a string of digits), or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        text = value.strip()
        if _ID.fullmatch(text) and int(text) <= MAX_ID:
            return int(text)
    return None


def is_id(value: int) -> bool:
    """Whether an integer can be a primary key."""
    return 0 < value <= MAX_ID


class IdConverter:
    """URL converter ``<id:name>``: a positive bigint, so ``/posts/99999999999999999999`` is a 404, not an overflow.

    The OpenAPI schema declares these path parameters as strings with
    ``ID_PATTERN`` (``SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]``), as
    ids are strings everywhere else in the API.
    """

    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # no match: the resolver answers 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)
