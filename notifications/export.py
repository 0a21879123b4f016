"""notifications' section of the user's data export (``accounts.export``): the notification preferences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accounts.account_hooks import account_export_section_register
from accounts.models import User
from notifications.preferences import preferences_get


def notification_preferences(*, user: User) -> Iterator[dict[str, Any]]:
    """One row: the preferences with their defaults filled in."""
    yield preferences_get(user=user)


def register() -> None:
    account_export_section_register("notification_preferences", notification_preferences)
