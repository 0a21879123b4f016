"""Bookmarks: what bookmarking a post answers (the list of bookmarks is a list of posts)."""

from __future__ import annotations

from rest_framework import serializers


class BookmarkResultSerializer(serializers.Serializer):
    bookmarked = serializers.BooleanField(help_text="Always true: the post is in your bookmarks.")
    count = serializers.IntegerField(help_text="Bookmarks of the post now, yours included.")
