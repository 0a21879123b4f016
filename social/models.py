from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Follow(models.Model):
    """`follower` sees `following`'s posts in their following feed."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set")
    following = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "following"], name="follow_once"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("following")), name="follow_not_self"),
        ]
        indexes = [
            # users/{id}/followers, newest first
            models.Index(fields=["following", "-created_at", "-id"], name="follow_followers_idx"),
            # users/{id}/following, newest first
            models.Index(fields=["follower", "-created_at", "-id"], name="follow_following_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.following_id}"


class Mute(models.Model):
    """`user` no longer sees `target` in feeds and ticker streams (direct links still work)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="mute_once"),
            models.CheckConstraint(condition=~models.Q(user=models.F("target")), name="mute_not_self"),
        ]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="mute_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.target_id}"


class Block(models.Model):
    """Neither side sees the other's posts or comments, and `target` cannot interact with `user`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target"], name="block_once"),
            models.CheckConstraint(condition=~models.Q(user=models.F("target")), name="block_not_self"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="block_user_recent_idx"),
            # "who blocked me" for visibility filters
            models.Index(fields=["target", "user"], name="block_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} blocks {self.target_id}"
