"""Polls are shown on posts: a poll may be seen exactly when its post may (``polls.visibility``)."""

from __future__ import annotations

from typing import Any

from content.models import Post


def poll_visible(*, viewer: Any, poll_id: int) -> bool:
    """Whether the post that carries poll ``poll_id`` is visible to ``viewer`` (one index probe)."""
    return Post.objects.visible_to(viewer).filter(poll_id=poll_id).exists()
