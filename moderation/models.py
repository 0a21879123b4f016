from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from moderation.querysets import ReportQuerySet


class TargetType(models.TextChoices):
    POST = "post", "Post"
    COMMENT = "comment", "Comment"
    USER = "user", "User"


class Reason(models.TextChoices):
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment"
    MISINFORMATION = "misinformation", "Misinformation"
    OTHER = "other", "Other"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved (action taken)"
    DISMISSED = "dismissed", "Dismissed"


_OPEN = models.Q(status=ReportStatus.OPEN)


class Report(models.Model):
    """A user's complaint about a post, a comment or another user."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    target_type = models.CharField(max_length=7, choices=TargetType.choices)
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    comment = models.ForeignKey(
        "content.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_received"
    )
    reason = models.CharField(max_length=14, choices=Reason.choices)
    details = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=9, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        permissions = [("moderate", "Can act on reported content: hide, delete, suspend, dismiss")]
        constraints = [
            # Exactly the one target its type names.
            models.CheckConstraint(
                condition=(
                    models.Q(target_type=TargetType.POST, post__isnull=False, comment__isnull=True, user__isnull=True)
                    | models.Q(
                        target_type=TargetType.COMMENT, post__isnull=True, comment__isnull=False, user__isnull=True
                    )
                    | models.Q(target_type=TargetType.USER, post__isnull=True, comment__isnull=True, user__isnull=False)
                ),
                name="report_one_target",
            ),
            models.CheckConstraint(condition=~models.Q(reporter=models.F("user")), name="report_not_self"),
            models.UniqueConstraint(fields=["reporter", "post"], condition=_OPEN, name="report_open_once_post"),
            models.UniqueConstraint(fields=["reporter", "comment"], condition=_OPEN, name="report_open_once_comment"),
            models.UniqueConstraint(fields=["reporter", "user"], condition=_OPEN, name="report_open_once_user"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_queue_idx"),
            models.Index(fields=["post", "status"], name="report_post_idx"),
            models.Index(fields=["comment", "status"], name="report_comment_idx"),
            models.Index(fields=["user", "status"], name="report_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report on {self.target_type} by {self.reporter_id}"

    @property
    def target_id(self) -> int | None:
        """The id of the post, comment or user this report is about."""
        return {TargetType.POST: self.post_id, TargetType.COMMENT: self.comment_id, TargetType.USER: self.user_id}.get(
            TargetType(self.target_type)
        )


class ReportQueue(Report):
    """The moderators' queue in the admin: open reports grouped by target (a proxy, no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "report queue"
        verbose_name_plural = "report queue"


class ModerationAction(models.Model):
    """An audit log entry: who did what to which target, when and why."""

    class Action(models.TextChoices):
        HIDE = "hide", "Hide"
        UNHIDE = "unhide", "Unhide"
        DELETE = "delete", "Delete"
        SUSPEND = "suspend", "Suspend author"
        UNSUSPEND = "unsuspend", "Lift suspension"
        DISMISS = "dismiss", "Dismiss reports"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="moderation_actions"
    )
    action = models.CharField(max_length=9, choices=Action.choices)
    target_type = models.CharField(max_length=7, choices=TargetType.choices)
    target_id = models.CharField(max_length=32)
    reason = models.CharField(max_length=1000, blank=True)
    reports_resolved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at"], name="modaction_recent_idx"),
            models.Index(fields=["target_type", "target_id"], name="modaction_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_type} {self.target_id}"
