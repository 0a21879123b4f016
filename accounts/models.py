from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.timezone import now

from accounts.validators import USERNAME_PATTERN, interest_validator, username_validator, validate_timezone
from core.fields import UpdatedAtField


def in_good_standing(prefix: str = "") -> Q:
    """Users in good standing: active and not suspended; the one spelling of that rule.

    ``prefix`` reaches the user through a relation (``"author__"``, ``"follower__"``).
    Suspension sets ``is_active=False`` as well, but a suspension date alone also counts.
    """
    return Q(**{f"{prefix}is_active": True, f"{prefix}suspended_at__isnull": True})


class UserQuerySet(models.QuerySet["User"]):
    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def in_good_standing(self) -> UserQuerySet:
        """Active, unsuspended users: who may sign in, whose profiles and content others see."""
        return self.filter(in_good_standing())

    def by_username(self, username: str) -> UserQuerySet:
        return self.filter(username__iexact=username)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # Email is the login and is unique ignoring case.
        return self.get(email__iexact=username)

    def _create_user(self, email: str, username: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        if not username:
            raise ValueError("A username is required.")
        user = self.model(email=self.normalize_email(email).lower(), username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, username, password, **extra)

    def create_superuser(self, email: str, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("onboarded", True)
        return self._create_user(email, username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A PageShare member; signs in with email, is known by a case-insensitive unique username."""

    email = models.EmailField(max_length=254, unique=True)
    username = models.CharField(max_length=30, validators=[username_validator])
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    profile_picture = models.FileField(upload_to="profile-pictures/", max_length=255, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, from the sign-up IP.")
    signup_ip_hash = models.CharField(max_length=64, blank=True, help_text="Keyed SHA-256 of the IP; never the IP.")
    settings = models.JSONField(default=dict, blank=True)
    onboarded = models.BooleanField(default=False)
    external_subject = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        help_text="The `sub` of the external identity provider that created this user.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True, help_text="False while suspended: cannot sign in, tokens refused.")
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    # Moved by changes to the profile and account (services save it in update_fields), never by
    # the counters below, sign-ins or activity.
    updated_at = UpdatedAtField()
    # Kept exact by the services that follow, unfollow, post and delete
    # (F() updates in the same transaction), so a profile costs no counting.
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    posts_count = models.PositiveIntegerField(default=0)
    # The 1m track record of the user's calls (README "Calls"), kept by content's call
    # scoring and post services; ``score_calls --rebuild`` recounts them.
    calls_count = models.PositiveIntegerField(default=0, help_text="Calls that are not void.")
    calls_scored = models.PositiveIntegerField(default=0, help_text="Calls scored at 1m.")
    calls_hits = models.PositiveIntegerField(default=0, help_text="Calls that were right at 1m.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.UniqueConstraint(
                fields=["external_subject"],
                condition=models.Q(external_subject__isnull=False),
                name="user_external_subject_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(username__regex=rf"^{USERNAME_PATTERN}$"),
                name="user_username_format",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at"], name="user_created_idx"),
            models.Index(fields=["last_active_at"], name="user_last_active_idx"),
        ]

    def __str__(self) -> str:
        return self.username

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def in_good_standing(self) -> bool:
        """This user alone, by ``in_good_standing``'s rule: active and not suspended."""
        return self.is_active and not self.is_suspended


class UserInterest(models.Model):
    """A topic a user follows (e.g. `options`, `dividends`), chosen during onboarding."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="interests")
    interest = models.CharField(max_length=40, validators=[interest_validator])
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "interest"], name="interest_once_per_user"),
        ]
        indexes = [models.Index(fields=["interest"], name="interest_name_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.interest}"


class UserSession(models.Model):
    """A run of a user's activity; a gap of more than 30 minutes starts a new one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activity_sessions")
    started_at = models.DateTimeField(default=now)
    last_seen_at = models.DateTimeField(default=now)
    request_count = models.PositiveIntegerField(default=1)
    user_agent = models.CharField(max_length=255, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_seen_at__gte=models.F("started_at")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-last_seen_at"], name="session_user_recent_idx"),
            models.Index(fields=["started_at"], name="session_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> int:
        return int((self.last_seen_at - self.started_at).total_seconds())
