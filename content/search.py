"""Finding users and tickers: the search box, and ticker lookups that know the reference list.

Matching is by prefix and ignores case; a leading ``$`` or ``#`` is dropped
from the query (people type ``$nvda`` as often as ``nvda``). Results come in
tiers, best first:

- users: 0 the username is the query, 1 the username starts with it, 2 the
  display name starts with it, 3 a later word of the display name (after a
  space) starts with it; within a tier the most followed first, then by
  username. Only active, non-suspended users, never one who blocked the
  viewer or whom the viewer blocked.
- tickers: 0 the symbol is the query, 1 the symbol starts with it, 2 the
  company name (or one of its words) starts with it; within a tier shorter
  symbols first (``AA`` before ``AAPL``), then alphabetically.

Only tickers that may be shown everywhere (``content.querysets.discoverable``):
listed symbols, and unlisted ones once ``TICKER_MIN_AUTHORS`` distinct members
mention them. Listed symbols known only from the shipped reference list
(``content.reference``), which have no row until someone mentions them or
``load_tickers`` runs, are found too and shown with no activity (and their price, if
any: one more query then): a search for "nvidia" finds NVDA before anyone posted about
it. Nothing is created by reading.

On PostgreSQL the ``LIKE 'term%'`` and ``LIKE '% term%'`` conditions are
served by the trigram GIN indexes of migration ``content.0002`` on
``lower(username)``, ``lower(display_name)`` and ``lower(name)``; the symbol
prefix by the ``varchar_pattern_ops`` index PostgreSQL keeps for a
``CharField`` primary key. SQLite scans, which is fine at development sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Lower

from accounts.models import User
from content.models import Ticker
from content.querysets import QUOTE_COLUMNS
from content.reference import reference_tickers
from content.services.watchlist import symbol_normalise
from markets.models import Quote
from social.querysets import not_blocked_with, visible_profiles

QUERY_MAX_LENGTH = 100
SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_LIMIT = 50

# Ranks (lower is better), shared by the SQL and the reference-list matching.
EXACT, PREFIX, NAME_PREFIX, NAME_WORD = 0, 1, 2, 3
NO_MATCH = 99


def search_term(raw: str) -> str:
    """``"  $nvda "`` → ``"nvda"``: trimmed, one leading ``$`` or ``#`` dropped; ``""`` when nothing is left."""
    term = raw.strip()
    if term[:1] in ("$", "#"):
        term = term[1:].strip()
    return term


def search_users(*, term: str, viewer: Any, limit: int) -> list[User]:
    """Up to ``limit`` users matching ``term`` (see the module docstring), best first; one query."""
    return list(ranked_users(term=term, viewer=viewer)[:limit])


def ranked_users(*, term: str, viewer: Any) -> QuerySet[User]:
    """Every user ``viewer`` may find with ``term``, best first, with ``search_rank``."""
    needle = term.lower()
    return (
        visible_profiles()
        .filter(not_blocked_with(viewer, "pk"))
        .alias(username_lower=Lower("username"), display_lower=Lower("display_name"))
        .filter(
            Q(username_lower__startswith=needle)
            | Q(display_lower__startswith=needle)
            | Q(display_lower__contains=f" {needle}")
        )
        .annotate(
            search_rank=Case(
                When(username_lower=needle, then=Value(EXACT)),
                When(username_lower__startswith=needle, then=Value(PREFIX)),
                When(display_lower__startswith=needle, then=Value(NAME_PREFIX)),
                default=Value(NAME_WORD),
                output_field=IntegerField(),
            )
        )
        .order_by("search_rank", "-followers_count", "username_lower", "pk")
    )


@dataclass(frozen=True)
class _ReferenceEntry:
    symbol: str
    name: str
    name_lower: str


@cache
def _reference_entries() -> tuple[_ReferenceEntry, ...]:
    return tuple(_ReferenceEntry(symbol, name, name.lower()) for symbol, name in reference_tickers().items())


def _name_rank(name_lower: str, needle: str) -> int | None:
    if name_lower.startswith(needle) or f" {needle}" in name_lower:
        return NAME_PREFIX
    return None


def _symbol_rank(symbol: str, wanted: str) -> int | None:
    if symbol == wanted:
        return EXACT
    if symbol.startswith(wanted):
        return PREFIX
    return None


def _reference_rank(entry: _ReferenceEntry, wanted: str, needle: str) -> int | None:
    symbol_rank = _symbol_rank(entry.symbol, wanted)
    return symbol_rank if symbol_rank is not None else _name_rank(entry.name_lower, needle)


def search_tickers(*, term: str, limit: int, now: datetime | None = None) -> list[Ticker]:
    """Up to ``limit`` tickers matching ``term``, best first, with their activity (``with_stats``).

    Two queries whatever the result: the ranked candidates with a row, then
    the stats of the chosen ones. The reference list is matched in memory and
    merged in; a symbol from it without a row is an unsaved ``Ticker`` with
    zero activity, one whose row is not discoverable (unlisted since, or
    mentioned before the list knew it and ``load_tickers`` not run yet) is left out.
    """
    wanted, needle = term.upper(), term.lower()
    # The database's best `limit` and every reference match together hold the best `limit` overall.
    candidates: dict[str, int] = dict(ranked_tickers(term=term)[:limit])
    for entry in _reference_entries():
        rank = _reference_rank(entry, wanted, needle)
        if rank is not None and rank < candidates.get(entry.symbol, NO_MATCH):
            candidates[entry.symbol] = rank
    chosen = sorted(candidates, key=lambda symbol: (candidates[symbol], len(symbol), symbol))[:limit]
    if not chosen:
        return []
    found = {ticker.symbol: ticker for ticker in Ticker.objects.filter(symbol__in=chosen).with_stats(now=now)}
    reference_only = _reference_only([symbol for symbol in chosen if symbol not in found])
    return [
        _named(found[symbol]) if symbol in found else reference_only[symbol]
        for symbol in chosen
        if symbol not in found or found[symbol].is_discoverable
    ]


def ranked_tickers(*, term: str) -> QuerySet[Ticker, tuple[str, int]]:
    """``(symbol, search_rank)`` of every discoverable ticker row matching ``term``, best first."""
    wanted, needle = term.upper(), term.lower()
    return (
        Ticker.objects.discoverable()
        .alias(name_lower=Lower("name"))
        .filter(Q(symbol__startswith=wanted) | Q(name_lower__startswith=needle) | Q(name_lower__contains=f" {needle}"))
        .annotate(
            search_rank=Case(
                When(symbol=wanted, then=Value(EXACT)),
                When(symbol__startswith=wanted, then=Value(PREFIX)),
                default=Value(NAME_PREFIX),
                output_field=IntegerField(),
            )
        )
        .order_by("search_rank", Length("symbol"), "symbol")
        .values_list("symbol", "search_rank")
    )


def find_ticker(raw_symbol: str, *, now: datetime | None = None) -> Ticker | None:
    """The ticker ``raw_symbol`` names (``$aapl`` → AAPL) with its activity, or None.

    A symbol without a row but on the reference list is an unsaved ``Ticker``
    with zero activity; a malformed or unknown symbol is None. An unlisted
    symbol someone mentioned has its page (``is_listed`` False) even before it
    is discoverable: its posts link to it. One query.
    """
    symbol = symbol_normalise(raw_symbol)
    if symbol is None:
        return None
    ticker = Ticker.objects.with_stats(now=now).filter(pk=symbol).first()
    if ticker is not None:
        return _named(ticker)
    return _reference_only([symbol])[symbol] if symbol in reference_tickers() else None


def known_symbol(raw_symbol: str) -> str | None:
    """The symbol ``raw_symbol`` names when it has a ticker page (``find_ticker`` finds it), else None.

    No query for a symbol on the reference list, one for any other.
    """
    symbol = symbol_normalise(raw_symbol)
    if symbol is None:
        return None
    if symbol in reference_tickers() or Ticker.objects.filter(pk=symbol).exists():
        return symbol
    return None


def with_reference_names(tickers: list[Ticker]) -> list[Ticker]:
    """Fills in the company name of rows made without one (in memory only)."""
    return [_named(ticker) for ticker in tickers]


def _named(ticker: Ticker) -> Ticker:
    if not ticker.name:
        ticker.name = reference_tickers().get(ticker.symbol, "")
    return ticker


def _reference_only(symbols: list[str]) -> dict[str, Ticker]:
    """Unsaved tickers for reference-list symbols without a row: no activity, and the quotes no ticker
    row could carry (``with_quote``), read in one query when there are any such symbols."""
    if not symbols:
        return {}
    quotes = Quote.objects.in_bulk(symbols)
    tickers = {}
    for symbol in symbols:
        ticker = Ticker(symbol=symbol, name=reference_tickers()[symbol], is_listed=True)
        ticker.post_count = ticker.bullish_count = ticker.bearish_count = 0  # type: ignore[attr-defined]
        quote = quotes.get(symbol)
        for column in QUOTE_COLUMNS:
            setattr(ticker, f"quote_{column}", None if quote is None else getattr(quote, column))
        tickers[symbol] = ticker
    return tickers
