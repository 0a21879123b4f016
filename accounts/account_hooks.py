"""What the apps above accounts do when an account is deleted.

``accounts`` anonymises and deactivates the user (``accounts.services.account``),
but the rows that point at the user belong to the apps above it (follows,
posts, likes...), which accounts may not import. Each of those apps plugs in a
hook from its ``AppConfig.ready()``; the deletion calls every hook, in the order
the apps were registered (the app order of ``INSTALLED_APPS``), inside its own
transaction and after the user is deactivated: a hook that fails rolls the
whole deletion back, and the user's content is already invisible to others
while the hooks run (inactive authors' content is hidden everywhere).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from accounts.models import User


class AccountDeletionHook(Protocol):
    """Removes or anonymises the rows of one app that belong to ``user`` (already deactivated)."""

    def __call__(self, *, user: User) -> object: ...


_hooks: dict[str, AccountDeletionHook] = {}


def account_deletion_hook_register(app: str, hook: AccountDeletionHook | None) -> None:
    """Plugs in ``app``'s hook (replacing a previous one), or unplugs it with None."""
    if hook is None:
        _hooks.pop(app, None)
    else:
        _hooks[app] = hook


def account_deletion_hooks_run(*, user: User) -> list[str]:
    """Runs every plugged-in hook for ``user``, in registration order; returns the apps that ran."""
    for hook in _hooks.values():
        hook(user=user)
    return list(_hooks)
