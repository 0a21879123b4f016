"""Removing a post or comment by someone other than its author: content asks, moderation decides.

Such a removal needs the moderation permission and a reason, and is written to
the audit log, whichever door it comes through. All of that belongs to
``moderation``, which comes after ``content`` in the app order, so content
cannot call it: moderation plugs its service in here from
``ModerationConfig.ready()``. Until something is plugged in, only authors
delete their own content (403 for anyone else).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from core.errors import Forbidden

if TYPE_CHECKING:
    from accounts.models import User
    from content.models import Comment, Post


class ContentRemover(Protocol):
    """Checks that ``moderator`` may remove ``target`` (else ``Forbidden``), validates the reason
    (else ``Invalid`` naming ``reason``), soft-deletes it and logs it; a falsy result when
    there was nothing to do."""

    def __call__(self, *, moderator: User, target: Post | Comment, reason: str) -> object: ...


_remover: ContentRemover | None = None


def content_remover_register(remover: ContentRemover | None) -> None:
    """Plugs in (or, with None, unplugs) the service that removes other users' content."""
    global _remover
    _remover = remover


def content_remove(*, moderator: User, target: Post | Comment, reason: str) -> bool:
    """Removes someone else's post or comment through the plugged-in service; True when it did something."""
    if _remover is None:
        raise Forbidden("Only the author may delete this.")
    return bool(_remover(moderator=moderator, target=target, reason=reason))
