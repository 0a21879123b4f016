from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.querysets import NotificationGroupQuerySet


class NotificationType(models.TextChoices):
    FOLLOW = "follow", "Follow"
    REACTION = "reaction", "Like"
    COMMENT = "comment", "Comment on your post"
    REPLY = "reply", "Reply to your comment"
    MENTION = "mention", "Mention"
    REPOST = "repost", "Repost"
    QUOTE = "quote", "Quote"
    POLL_ENDED = "poll_ended", "Poll ended"
    # Nobody's act: the call's author is told that score_calls scored it at 1m (tasks.notify_calls_scored).
    CALL_SCORED = "call_scored", "Call scored"


class DigestFrequency(models.TextChoices):
    OFF = "off", "Off"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class NotificationGroup(models.Model):
    """Acts of one type on one target for one recipient, shown as one notification ("12 people liked your post")."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_groups"
    )
    type = models.CharField(max_length=16, choices=NotificationType.choices)
    group_key = models.CharField(
        max_length=64, help_text="What the acts share: type and target, or the day of follows."
    )
    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="notification_groups"
    )
    comment = models.ForeignKey(
        "content.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="notification_groups"
    )
    count = models.PositiveIntegerField(default=0, help_text="Acts in the group (kept by notifications.services).")
    latest_at = models.DateTimeField(default=timezone.now)
    read = models.BooleanField(default=False, help_text="False again when a new act joins the group.")

    objects = NotificationGroupQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "group_key"], name="notification_group_key_unique"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-latest_at", "-id"], name="notification_group_list_idx"),
            models.Index(fields=["recipient"], condition=models.Q(read=False), name="notification_group_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} x{self.count} for {self.recipient_id}"


class NotificationAct(models.Model):
    """One act that notifies one user (a like, a follow, a reply...); at most once per (actor, type, target)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_acts")
    type = models.CharField(max_length=16, choices=NotificationType.choices)
    target_key = models.CharField(max_length=64, help_text="What the act is on: `post:12`, `comment:7`, or empty.")
    group = models.ForeignKey(NotificationGroup, on_delete=models.CASCADE, related_name="acts")
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey("content.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "actor", "type", "target_key"], name="notification_act_once"),
        ]
        indexes = [
            models.Index(fields=["group", "-created_at", "-id"], name="notification_act_group_idx"),
            models.Index(fields=["actor", "recipient"], name="notification_act_actor_idx"),
            models.Index(fields=["post"], name="notification_act_post_idx"),
            models.Index(fields=["comment"], name="notification_act_comment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.type} {self.target_key} → {self.recipient_id}"


class NotificationPreferences(models.Model):
    """A user's notification settings; only what differs from the defaults is stored in `types`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    types = models.JSONField(default=dict, blank=True, help_text='{type: {"in_app": bool, "email": bool}}')
    email_digest = models.CharField(max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF)
    last_digest_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last digest was sent (or the digest turned on)."
    )

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class EndedPollNotice(models.Model):
    """A poll whose end was notified: written once, so ``notify_ended_polls`` never notifies a poll twice."""

    poll = models.OneToOneField("polls.Poll", on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Poll {self.poll_id} notified"
