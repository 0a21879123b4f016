"""Finding the tickers a post mentions: `$AAPL`, `#aapl` and `$BRK.B` all count.

A pure function, shared by the post service and the demo data, so the
`PostTicker` rows of every post are exactly `extract_tickers(post.content)`.
"""

from __future__ import annotations

import re

from content.models import MAX_TICKERS_PER_POST

# The same shape as the `ticker_symbol_format` constraint on Ticker.symbol.
SYMBOL_RE = re.compile(r"^[A-Z]{1,5}(\.[A-Z]{1,2})?\Z")

# Links are removed before looking for tags (and mentions, content.mentions), so `https://x.com/a#frag` or
# `https://x.com/?q=$AAPL` never yield a ticker. A scheme is tried once per run
# of scheme characters, from the run's start (what precedes the scheme in the
# run, `keep`, stays: `$AAPL-https://` is a tag and a link), never from every
# letter inside the run: that rescanned `a.a.a.a...` once per dot (quadratic).
_URL = re.compile(
    r"""
    (?<![a-z0-9+.-])                     # the start of a run of scheme characters
    (?:(?<![\w$#])(?=[a-z])             # the scheme starts there,
     |(?P<keep>(?>[a-z0-9+.-]*?[+.-](?=[a-z]))))  # or at the first letter after + . -
    [a-z0-9+.-]*+://\S*+
    |(?<![\w$#])www\.\S*+
    """,
    re.IGNORECASE | re.VERBOSE,
)

_CASHTAG = re.compile(
    r"""
    (?<![\w$#&])               # not glued to a word, an amount (3$), another tag or an entity
    [$#]
    ([A-Za-z]{1,5}             # the symbol: letters only, so $100, $5.50 and $1k are amounts
     (?:\.[A-Za-z]{1,2})?)     # an optional share class: $BRK.B
    (?![\w])                   # and nothing glued after it: #earnings is a hashtag
    """,
    re.VERBOSE,
)


def _unlink(link: re.Match[str]) -> str:
    return (link.group("keep") or "") + " "


def strip_links(text: str) -> str:
    """`text` with every link replaced by a space: no tag nor `@mention` is read inside a URL."""
    return _URL.sub(_unlink, text)


def extract_tickers(text: str) -> list[str]:
    """The upper-cased symbols tagged in `text`, unique, in order of first mention, at most 10."""
    symbols: list[str] = []
    for match in _CASHTAG.finditer(strip_links(text)):
        symbol = match.group(1).upper()
        if symbol not in symbols:
            symbols.append(symbol)
            if len(symbols) == MAX_TICKERS_PER_POST:
                break
    return symbols
