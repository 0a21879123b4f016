from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class DailyMetricsQuerySet(models.QuerySet["DailyMetrics"]):
    def between(self, first: date, last: date) -> DailyMetricsQuerySet:
        """The rows of the days ``first`` to ``last`` (both included), oldest first."""
        return self.filter(date__gte=first, date__lte=last).order_by("date")


class RetentionCohortQuerySet(models.QuerySet["RetentionCohort"]):
    def overlapping(self, first: date, last: date) -> RetentionCohortQuerySet:
        """The cohorts of the ISO weeks overlapping the days ``first`` to ``last``, oldest first."""
        return self.filter(week__gt=first - timedelta(days=7), week__lte=last).order_by("week")


class ErrorLog(models.Model):
    """A group of identical errors (same fingerprint: message and place) with a count."""

    class Source(models.TextChoices):
        FRONTEND = "frontend", "Frontend"
        BACKEND = "backend", "Backend"

    class Level(models.TextChoices):
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"
        CRITICAL = "critical", "Critical"

    fingerprint = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.ERROR)
    message = models.CharField(max_length=2000)
    stack = models.TextField(blank=True)
    url = models.CharField(max_length=2000, blank=True)
    path = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    context = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["resolved", "-last_seen", "-id"], name="errorlog_queue_idx"),
            models.Index(fields=["level", "-last_seen"], name="errorlog_level_idx"),
        ]

    def __str__(self) -> str:
        return f"[{self.level}] {self.message[:80]}"


class DailyMetrics(models.Model):
    """One UTC day's platform numbers, kept by `refresh_metrics` (idempotent per day).

    The definitions (``metrics.rollup`` computes them, the API schema repeats them): a user is
    active on a day when one of their ``accounts.UserSession`` rows overlaps it.
    """

    date = models.DateField(unique=True, help_text="The UTC day.")
    signups = models.PositiveIntegerField(default=0, help_text="Accounts created that day.")
    dau = models.PositiveIntegerField(
        default=0, help_text="Daily active users: users with a session overlapping the day."
    )
    wau = models.PositiveIntegerField(
        default=0, help_text="Weekly active users: active on any of the 7 days ending that day."
    )
    mau = models.PositiveIntegerField(
        default=0, help_text="Monthly active users: active on any of the 30 days ending that day."
    )
    posts = models.PositiveIntegerField(
        default=0, help_text="Posts created that day and still visible (not deleted, not hidden)."
    )
    comments = models.PositiveIntegerField(default=0, help_text="Comments created that day and still visible.")
    reactions = models.PositiveIntegerField(default=0, help_text="Likes given that day, on posts and on comments.")
    reposts = models.PositiveIntegerField(default=0, help_text="Plain reposts made that day (quotes are posts).")
    poll_votes = models.PositiveIntegerField(default=0, help_text="Poll votes cast that day.")
    errors = models.PositiveIntegerField(default=0, help_text="Error groups first seen that day (new distinct errors).")
    reports = models.PositiveIntegerField(default=0, help_text="Moderation reports filed that day.")
    computed_at = models.DateTimeField(default=timezone.now, help_text="When these numbers were computed.")

    objects = DailyMetricsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "daily metrics"

    def __str__(self) -> str:
        return str(self.date)

    @property
    def stickiness(self) -> float:
        """DAU / MAU, 0 when MAU is 0."""
        return round(self.dau / self.mau, 4) if self.mau else 0.0


# The roll-up's columns, in the order the export writes and the admin shows them.
DAILY_COLUMNS = (
    "date",
    "signups",
    "dau",
    "wau",
    "mau",
    "posts",
    "comments",
    "reactions",
    "reposts",
    "poll_votes",
    "errors",
    "reports",
    "computed_at",
)


class RetentionCohort(models.Model):
    """The users who signed up in one ISO week, and how many came back 1, 7 and 30 days later.

    Member u "came back on day N" when u was active (a session overlapping the UTC day) on the
    UTC day N days after the day u signed up. A day-N count is null until day N has ended for
    every member, i.e. until the day N days after the cohort week's Sunday is over.
    """

    week = models.DateField(unique=True, help_text="The Monday (UTC) starting the ISO week of sign-up.")
    users = models.PositiveIntegerField(help_text="Accounts created that week.")
    day_1 = models.PositiveIntegerField(null=True, blank=True, help_text="Members active 1 day after signing up.")
    day_7 = models.PositiveIntegerField(null=True, blank=True, help_text="Members active 7 days after signing up.")
    day_30 = models.PositiveIntegerField(null=True, blank=True, help_text="Members active 30 days after signing up.")
    computed_at = models.DateTimeField(default=timezone.now)

    objects = RetentionCohortQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_1__lte=models.F("users"))
                & models.Q(day_7__lte=models.F("users"))
                & models.Q(day_30__lte=models.F("users")),
                name="retention_within_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"week of {self.week}"
