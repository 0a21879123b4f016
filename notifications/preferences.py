"""Notification preferences: per type, shown in the app and included in the email digest; the digest's frequency.

Only what differs from the defaults is stored (``NotificationPreferences.types``),
so a type added later starts at its defaults for everyone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import Invalid
from notifications.models import DigestFrequency, NotificationPreferences, NotificationType

CHANNELS = ("in_app", "email")
DEFAULTS = {"in_app": True, "email": False}


def _stored(user: Any) -> NotificationPreferences | None:
    return NotificationPreferences.objects.filter(user_id=user.pk).first()


def preferences_render(stored: NotificationPreferences | None) -> dict[str, Any]:
    """``{"types": {type: {"in_app", "email"}}, "email_digest"}`` with the defaults filled in."""
    overrides = stored.types if stored is not None else {}
    types = {kind: {**DEFAULTS, **overrides.get(kind, {})} for kind in NotificationType.values}
    return {"types": types, "email_digest": stored.email_digest if stored is not None else DigestFrequency.OFF}


def preferences_get(*, user: Any) -> dict[str, Any]:
    return preferences_render(_stored(user))


def hidden_types(user: Any) -> list[str]:
    """The types the user switched off in the app: their acts are kept but not listed nor counted."""
    stored = _stored(user)
    if stored is None:
        return []
    return [kind for kind, channels in stored.types.items() if channels.get("in_app") is False]


def _validated_types(types: Any) -> dict[str, dict[str, bool]]:
    if not isinstance(types, dict):
        raise Invalid({"types": ["Must be an object keyed by notification type."]})
    cleaned: dict[str, dict[str, bool]] = {}
    for kind, channels in types.items():
        if kind not in NotificationType.values:
            raise Invalid(
                {"types": [f"Unknown notification type {kind!r}; one of {', '.join(NotificationType.values)}."]}
            )
        if not isinstance(channels, dict):
            raise Invalid({"types": [f"{kind}: must be an object with in_app and/or email."]})
        for channel, value in channels.items():
            if channel not in CHANNELS:
                raise Invalid({"types": [f"{kind}: unknown key {channel!r}; in_app or email."]})
            if not isinstance(value, bool):
                raise Invalid({"types": [f"{kind}.{channel}: must be true or false."]})
        cleaned[kind] = dict(channels)
    return cleaned


@transaction.atomic
def preferences_update(*, user: Any, types: Any = None, email_digest: str | None = None) -> dict[str, Any]:
    """Changes what is given, keeps the rest. Turning the digest on starts its clock now
    (the first digest covers what arrives from then on, not the whole backlog)."""
    cleaned = _validated_types(types) if types is not None else {}
    if email_digest is not None and email_digest not in DigestFrequency.values:
        raise Invalid({"email_digest": [f"One of {', '.join(DigestFrequency.values)}."]})
    stored, _ = NotificationPreferences.objects.select_for_update().get_or_create(user_id=user.pk)
    merged = {kind: dict(channels) for kind, channels in stored.types.items()}
    for kind, channels in cleaned.items():
        merged[kind] = {**merged.get(kind, {}), **channels}
        merged[kind] = {key: value for key, value in merged[kind].items() if DEFAULTS[key] != value}
        if not merged[kind]:
            del merged[kind]
    stored.types = merged
    if email_digest is not None and email_digest != stored.email_digest:
        if stored.email_digest == DigestFrequency.OFF:
            stored.last_digest_at = timezone.now()
        stored.email_digest = email_digest
    stored.save()
    return preferences_render(stored)


def digest_off(*, user_id: int) -> None:
    """The unsubscribe link: the digest stops (the other preferences stay)."""
    NotificationPreferences.objects.filter(user_id=user_id).update(email_digest=DigestFrequency.OFF)
