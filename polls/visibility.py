"""Who may see a poll: content decides, polls asks.

A poll is shown on a post, so it may be seen exactly when its post may: not
deleted or hidden, by an active author, no block either way. Those rules belong
to ``content``, which comes after ``polls`` in the app order, so polls cannot
ask it directly: content plugs its rule in here from ``ContentConfig.ready()``.
Without a rule nobody can tell who may see a poll, so asking is an error
rather than a guess.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


class PollVisibility(Protocol):
    """Whether ``viewer`` (a user, or anonymous) may see the poll ``poll_id``; False for no such poll."""

    def __call__(self, *, viewer: Any, poll_id: int) -> bool: ...


_rule: PollVisibility | None = None


def poll_visibility_register(rule: PollVisibility | None) -> None:
    """Plugs in (or, with None, unplugs) the rule that tells who may see a poll."""
    global _rule
    _rule = rule


def poll_visible(*, viewer: Any, poll_id: int) -> bool:
    """Whether ``viewer`` may see the poll, by the plugged-in rule; ImproperlyConfigured when there is none."""
    if _rule is None:
        raise ImproperlyConfigured("No poll visibility rule is registered (content registers one in its AppConfig).")
    return _rule(viewer=viewer, poll_id=poll_id)
