from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from polls.querysets import PollQuerySet

MIN_OPTIONS = 2
MAX_OPTIONS = 4
OPTION_MAX_LENGTH = 80
MIN_DURATION_HOURS = 1
MAX_DURATION_HOURS = 168


class Poll(models.Model):
    """A question attached to one post; open for votes until `expires_at`."""

    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = PollQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="poll_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"Poll {self.pk}"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at


class PollOption(models.Model):
    """One of a poll's 2-4 choices, in display order."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=OPTION_MAX_LENGTH)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_position_unique"),
            models.CheckConstraint(condition=models.Q(position__lt=MAX_OPTIONS), name="poll_option_position_range"),
        ]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    """A user's single vote in a poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="poll_vote_once"),
        ]
        indexes = [
            models.Index(fields=["option"], name="poll_vote_option_idx"),
            models.Index(fields=["created_at"], name="poll_vote_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} voted {self.option_id}"
