"""What the apps above accounts do when an account is deleted.

``accounts`` anonymises and deactivates the user (``accounts.services.account``),
but the rows that point at the user belong to the apps above it (follows,
posts, likes...), which accounts may not import. Each of those apps plugs in a
hook from its ``AppConfig.ready()``; the deletion calls every hook, in the order
the apps were registered (the app order of ``INSTALLED_APPS``), inside its own
transaction and after the user is deactivated: a hook that fails rolls the
whole deletion back, and the user's content is already invisible to others
while the hooks run (inactive authors' content is hidden everywhere).

The same apps add the sections they own to the user's data export
(``account_export_section_register``, next to their deletion hook).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

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


# The data export (GET users/me/export): each app above accounts adds the sections it owns.


class AccountExportSection(Protocol):
    """The rows of one section of ``user``'s archive, as JSON-able dicts (datetimes allowed).

    Read them with ``.iterator(chunk_size=...)`` and a fixed number of queries, whatever the
    number of rows: the archive is streamed, and an account may have 100,000 posts.
    """

    def __call__(self, *, user: User) -> Iterable[dict[str, Any]]: ...


_export_sections: dict[str, AccountExportSection] = {}


def account_export_section_register(name: str, section: AccountExportSection | None) -> None:
    """Adds the section ``name`` to every archive (replacing a previous one), or removes it with None."""
    if section is None:
        _export_sections.pop(name, None)
    else:
        _export_sections[name] = section


def account_export_sections() -> dict[str, AccountExportSection]:
    """The registered sections, in registration order (the app order of ``INSTALLED_APPS``)."""
    return dict(_export_sections)
