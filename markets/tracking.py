"""Which symbols the scheduled refresh keeps priced: content says, markets asks.

A symbol is tracked when a post mentions it or someone has it on a watchlist. Posts and
watchlists belong to ``content``, which comes after ``markets`` in the app order, so markets
cannot read them: content plugs its answer in here from ``ContentConfig.ready()``
(``content.market_hooks``). Without one nobody can tell what to fetch, so asking is an error
rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

TrackedSymbols = Callable[[], Iterable[str]]

_source: TrackedSymbols | None = None


def tracked_symbols_register(source: TrackedSymbols | None) -> None:
    """Plugs in (or, with None, unplugs) the function that lists the tracked symbols."""
    global _source
    _source = source


def tracked_symbols() -> list[str]:
    """The tracked symbols, sorted; ImproperlyConfigured when no source is plugged in."""
    if _source is None:
        raise ImproperlyConfigured("No tracked-symbols source is registered (content registers one in its AppConfig).")
    return sorted(set(_source()))
