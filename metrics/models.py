from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
    """One day's platform numbers, kept by `refresh_metrics` (idempotent per day)."""

    date = models.DateField(unique=True)
    signups = models.PositiveIntegerField(default=0)
    dau = models.PositiveIntegerField(default=0)
    wau = models.PositiveIntegerField(default=0)
    mau = models.PositiveIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    poll_votes = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "daily metrics"

    def __str__(self) -> str:
        return str(self.date)
