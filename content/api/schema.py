"""OpenAPI declarations the content API shares between its viewsets: parameters and rules, written once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter

from content.feed import FEED_SCOPES
from core.ids import ID_SCHEMA

# An id in a path is declared by the ``<id:...>`` converter; these add what it names.
POST_ID = OpenApiParameter("post_id", ID_SCHEMA, OpenApiParameter.PATH, description="The post's id.")
COMMENT_ID = OpenApiParameter("comment_id", ID_SCHEMA, OpenApiParameter.PATH, description="The comment's id.")
SYMBOL = OpenApiParameter("symbol", str, OpenApiParameter.PATH, description="E.g. `AAPL` or `BRK.B`.")

# Every write on a post or comment others may hide from you (likes, comments, reposts, bookmarks).
BLOCK_RULE = "404 when it is not visible to you, which includes when you and its author blocked one another."

# Deleting someone else's post or comment (``DELETE posts/{id}``, ``DELETE comments/{id}``).
REMOVAL_RULE = (
    "Someone else's: moderators only (staff with the moderation permission; 403 for anyone else), with a "
    "`reason` (400 naming it when missing), written to the moderation audit log; the open reports on it "
    "are resolved."
)
REMOVAL_REASON = OpenApiParameter(
    "reason",
    str,
    description=(
        "Why a moderator removes someone else's content (kept in the audit log). "
        "Also accepted as `reason` in a JSON body. Not needed for your own."
    ),
)

FEED_SCOPE = OpenApiParameter("scope", str, enum=list(FEED_SCOPES), description="Which feed (default `all`).")
