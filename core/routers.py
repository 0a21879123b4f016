"""The router every app's ``api/urls.py`` registers its viewsets with."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter


class Router(SimpleRouter):
    """Routes as the API writes them: no trailing slash, and path converters instead of regexes.

    A viewset whose objects are found by id sets ``lookup_value_converter = "id"``
    (``core.ids.IdConverter``), so an id too big for a bigint is a 404 at the
    resolver and the schema declares the parameter a string, like every id.
    """

    def __init__(self) -> None:
        super().__init__(trailing_slash=False, use_regex_path=False)
