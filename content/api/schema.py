"""The OpenAPI declarations the content viewsets share, each written once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from core.ids import ID_PATTERN

POST_ID = OpenApiParameter(
    "post_id", str, OpenApiParameter.PATH, required=True, pattern=ID_PATTERN, description="The post's id."
)
COMMENT_ID = OpenApiParameter(
    "comment_id", str, OpenApiParameter.PATH, required=True, pattern=ID_PATTERN, description="The comment's id."
)

# Every write on a post or comment someone else may have hidden from you.
BLOCK_RULE = "404 when it is not visible to you, which includes when you and its author blocked one another."
