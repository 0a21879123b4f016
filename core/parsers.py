"""Request parsers: DRF's JSON parser, with absurdly deep nesting answered as a 400."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """``json.load`` raises ``RecursionError`` (not ``ValueError``) on input nested about a thousand
    levels deep, which DRF would let through as a 500; here it is malformed input like any other."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
