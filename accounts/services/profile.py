"""The signed-in user's own profile: editing it, onboarding, interests.

Services raise ``core.errors`` naming the offending field, so every caller
(API, admin, commands) reports the same refusal. A taken username is
decided by the ``user_username_unique_ci`` constraint, never by a check that
a concurrent request could slip past.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from accounts.models import User, UserInterest
from accounts.validators import interest_validator
from core.errors import Conflict, Invalid
from core.geo import country_for_ip
from core.net import hash_ip
from core.textnorm import visible_text

MAX_INTERESTS = 20
# `settings` is the frontend's own bag of preferences: a JSON object, small and shallow.
SETTINGS_MAX_BYTES = 10 * 1024
SETTINGS_MAX_DEPTH = 5
USERNAME_TAKEN = "This username is taken."


# Validation shared by the API serializers and the services.


def interests_normalise(values: object) -> list[str]:
    """Lower-cased, stripped, de-duplicated slugs in the order given; raises naming `interests`."""
    if not isinstance(values, list | tuple):
        raise Invalid({"interests": ["Expected a list of strings."]})
    interests: list[str] = []
    errors: list[str] = []
    for value in values:
        if not isinstance(value, str):
            errors.append("Each interest must be a string.")
            continue
        interest = value.strip().lower()
        try:
            interest_validator(interest)
        except DjangoValidationError as exc:
            errors.append(f"{value[:40]!r}: {exc.messages[0]}")
            continue
        if interest not in interests:
            interests.append(interest)
    if errors:
        raise Invalid({"interests": errors[:5]})
    if len(interests) > MAX_INTERESTS:
        raise Invalid({"interests": [f"At most {MAX_INTERESTS} interests."]})
    return interests


def _settings_errors(value: Any, depth: int) -> str | None:
    """The first problem found in ``value``; ``depth`` counts the containers down to it, itself included."""
    if isinstance(value, dict | list):
        if depth > SETTINGS_MAX_DEPTH:
            return f"Nested deeper than {SETTINGS_MAX_DEPTH} levels."
        items: Iterable[Any] = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        for item in items:
            error = _settings_errors(item, depth + 1)
            if error:
                return error
    elif isinstance(value, str) and "\x00" in value:
        # PostgreSQL's jsonb refuses NUL characters.
        return "Strings may not contain NUL characters."
    return None


def settings_validate(value: object) -> dict[str, Any]:
    """A JSON object of at most ``SETTINGS_MAX_BYTES`` (compact UTF-8) nested at most ``SETTINGS_MAX_DEPTH`` deep."""
    if not isinstance(value, dict):
        raise Invalid({"settings": ["Must be a JSON object."]})
    # The depth is checked first: it stops early, before anything is serialised.
    error = _settings_errors(value, 1)
    if error is None:
        try:
            size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        except (TypeError, ValueError, UnicodeError):
            error = "Must be plain JSON."
        else:
            if size > SETTINGS_MAX_BYTES:
                error = f"At most {SETTINGS_MAX_BYTES // 1024} KB of JSON."
    if error:
        raise Invalid({"settings": [error]})
    return value


# Writes.


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    username: str | None = None,
    timezone: str | None = None,
    settings: dict[str, Any] | None = None,
) -> User:
    """Changes the given fields (None leaves a field alone); a taken username is a 400 naming `username`.

    ``settings`` replaces the whole object.
    """
    if settings is not None:
        settings = settings_validate(settings)
    if display_name is not None:
        display_name = visible_text(display_name, field="display_name")
    if bio is not None:
        bio = visible_text(bio, field="bio")
    changes = {
        "display_name": display_name,
        "bio": bio,
        "username": username,
        "timezone": timezone,
        "settings": settings,
    }
    changes = {name: value for name, value in changes.items() if value is not None and getattr(user, name) != value}
    if not changes:
        return user
    before = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:
        for name, value in before.items():
            setattr(user, name, value)
        if "username" in changes:
            # The only unique constraint these fields touch (the format was validated).
            raise Invalid({"username": [USERNAME_TAKEN]}) from exc
        raise
    return user


def _interests_set(*, user: User, interests: list[str]) -> None:
    existing = set(UserInterest.objects.filter(user=user).values_list("interest", flat=True))
    removed = existing.difference(interests)
    if removed:
        UserInterest.objects.filter(user=user, interest__in=removed).delete()
    added = [UserInterest(user=user, interest=interest) for interest in interests if interest not in existing]
    if added:
        # ignore_conflicts: a concurrent replacement on a database without row locks (SQLite) must not fail.
        UserInterest.objects.bulk_create(added, ignore_conflicts=True)


@transaction.atomic
def interests_replace(*, user: User, interests: list[str]) -> list[str]:
    """Replaces the user's interests with these (normalised); returns them sorted."""
    wanted = interests_normalise(interests)
    # Serialises concurrent replacements of one user's set (a no-op on SQLite, whose writes are serial anyway).
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    _interests_set(user=user, interests=wanted)
    return sorted(wanted)


def user_onboard(
    *,
    user: User,
    username: str,
    timezone: str,
    ip: str | None,
    display_name: str | None = None,
    interests: list[str] | None = None,
) -> User:
    """Finishes sign-up: username, time zone, display name and interests; country from the IP.

    409 if someone else has the username (resubmitting one's own is fine).
    The IP is geolocated before the transaction opens (it may be a network call
    that must not hold a database lock), and only its keyed hash is stored.
    Interests, when given, replace the current ones in the same transaction.
    """
    wanted = interests_normalise(interests) if interests is not None else None
    if display_name is not None:
        display_name = visible_text(display_name, field="display_name")
    # Fails fast before the lookup; the constraint still decides in _onboarding_save.
    if User.objects.filter(Exact(Lower("username"), username.lower())).exclude(pk=user.pk).exists():
        raise Conflict(USERNAME_TAKEN, code="username_taken")
    country = country_for_ip(ip)
    return _onboarding_save(
        user=user,
        username=username,
        timezone=timezone,
        display_name=display_name,
        interests=wanted,
        country=country,
        ip_hash=hash_ip(ip) if ip else None,
    )


@transaction.atomic
def _onboarding_save(
    *,
    user: User,
    username: str,
    timezone: str,
    display_name: str | None,
    interests: list[str] | None,
    country: str | None,
    ip_hash: str | None,
) -> User:
    restorable = ("username", "timezone", "display_name", "country", "signup_ip_hash", "onboarded")
    before = {name: getattr(user, name) for name in restorable}
    user.username = username
    user.timezone = timezone
    user.onboarded = True
    fields = ["username", "timezone", "onboarded"]
    if display_name is not None:
        user.display_name = display_name
        fields.append("display_name")
    if country:
        # An unknown country (private IP, lookup failure) keeps the one we may already have.
        user.country = country
        fields.append("country")
    if ip_hash:
        user.signup_ip_hash = ip_hash
        fields.append("signup_ip_hash")
    try:
        with transaction.atomic():
            user.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:
        for name, value in before.items():
            setattr(user, name, value)
        raise Conflict(USERNAME_TAKEN, code="username_taken") from exc
    if interests is not None:
        _interests_set(user=user, interests=interests)
    return user
