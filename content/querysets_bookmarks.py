"""Reads over bookmarks: which of a user's bookmarks are listed."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef

from accounts.models import User
from content.models import Bookmark, Post


def bookmarks_of(user: User) -> models.QuerySet[Bookmark]:
    """The user's bookmarks whose post the user may still see (order: the caller's pagination).

    Bookmarks of posts since deleted, hidden or blocked are kept (they come back
    if the post does) but not listed.
    """
    return Bookmark.objects.filter(user_id=user.pk).filter(
        Exists(Post.objects.visible_to(user).filter(pk=OuterRef("post_id")))
    )
