"""The demo data set behind `manage.py seed_demo`.

Determinism: every value is a function of two inputs only, the seed (one
`random.Random(seed)` makes every choice, in a fixed order; visits and the
`cc @someone` of some posts draw from generators of their own seeded from it)
and the anchor time `now` (every timestamp is `now` minus a generated number of
seconds, so nothing is later than the anchor). The same seed and anchor give the same users, texts,
social graph and times whatever the database already holds; only primary keys
may differ.

Demo accounts are the ones whose e-mail is `@pageshare.local`. They all share
the password `DEMO_PASSWORD`; `admin@pageshare.local` (username `admin`) is a
superuser so the admin site can be tried at once, `demo@pageshare.local`
(username `demo`) is an ordinary member with a populated feed. Never seed a
production database: the password is public.

Prices and calls: every ticker the posts can tag gets daily bars (`demo.prices`: a random walk
per symbol, seeded from the seed and the symbol, on weekdays less four listed holidays) from
more than 30 trading days before the oldest post to the last trading day before the anchor's
date; they replace whatever bars those symbols had. Posts go back 88 days, so about 40% of the
calls are old enough to be scored at `1m`. Authors are ranked by how much they post and, in
every ten, two are skilled (their bullish or bearish posts agree with the move from the entry
day to 21 trading days later 75% of the time, reading the walk past the anchor for recent
posts), one is a contrarian (30%) and seven call at random, as the demo accounts do: the
mood of a post is chosen before its text, so the text always says what the sentiment says.
Last, in the same transaction, `content.calls.calls_score(rebuild=True)` derives the calls from
the posts and scores them as of the anchor's date, so the leaderboard is there at once.

Idempotency: when demo accounts exist, seeding does nothing and says so (the
result has `skipped=True`); `flush=True` first removes the demo accounts and
everything attached to them. The run is one transaction, so it either leaves
a complete data set or nothing.

Activity: every account has `UserSession` visits (the metrics' DAU, MAU and
retention come from them): one on its sign-up day, starting as it signs up,
then on a share of the days after that falls off over the first weeks and
settles at a floor (half the members drift away for good). They are drawn
from their own random generator, seeded from the seed, so adding them left
every other row of a seed's data set as it was.

Speed (100,000 posts in about 13 s on SQLite, prices and calls included): rows are generated a
chunk of posts at a time (posts with their tickers, mentions, polls, comments, likes,
reposts and bookmarks) and written before the next chunk, so memory stays
bounded whatever `posts` is. The few thousand users, tickers and reports go
through `bulk_create`; the big tables through `_Table`, plain tuples and one
prepared INSERT (COPY on PostgreSQL), because building and preparing model
instances costs several times more than the database's own work. Rows that
other rows point at (users, polls, options, posts, comments) get primary keys
allocated here from the table's current maximum, so nothing is read back; the
sequences are moved past them at the end (PostgreSQL). Run it on a quiet
database: a row inserted by someone else meanwhile may take one of those keys.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import string
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User, UserInterest, UserQuerySet, UserSession
from content.calls import calls_score
from content.cashtags import extract_tickers
from content.counters import counters_repair_all, post_counter_expressions, user_counter_expressions
from content.mentions import extract_mentions
from content.models import (
    CALL_HORIZONS,
    Bookmark,
    Call,
    Comment,
    CommentMention,
    CommentReaction,
    Post,
    PostMention,
    PostReaction,
    PostTicker,
    Repost,
    Sentiment,
    Ticker,
    WatchlistItem,
)
from content.reference import reference_tickers, well_known_tickers
from content.services.tickers import ticker_posts_recount
from core.dates import utc_date
from demo.prices import PriceBook, is_fund, price_walk, trading_days
from markets.models import DailyBar
from markets.services import quotes_refresh
from moderation.models import Reason, Report, TargetType
from polls.models import MIN_OPTIONS, Poll, PollOption, PollVote
from social.models import Block, Follow, Mute

DEMO_EMAIL_DOMAIN = "pageshare.local"
DEMO_PASSWORD = "pageshare-demo"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"
DEMO_ADMIN_USERNAME = "admin"
DEMO_USER_EMAIL = f"demo@{DEMO_EMAIL_DOMAIN}"
DEMO_USER_USERNAME = "demo"

DEFAULT_USERS = 200
DEFAULT_POSTS = 2000
DEFAULT_SEED = 42
MIN_USERS = 2  # the demo admin and the demo member

HOUR = 3600
DAY = 24 * HOUR
USER_WINDOW = 120 * DAY  # accounts were made over the last 120 days
POST_WINDOW = 88 * DAY  # posts over the last 88 days (the leaderboard's 90-day window holds them all)...
POST_RECENCY = 8 * DAY  # ...with density falling off like exp(-age / 8 days)...
POST_FLOOR = 0.12  # ...over a steady rate of 12% of today's (about 40% of the posts are a month old)
SENTIMENT_SHARE = 0.85  # of the bullish or bearish posts on a ticker, those that say so in `sentiment` (calls)
AGE_QUANTILES = 1024  # points of the post age distribution's quantile table
# Prices (demo.prices) from 50 days (over 30 trading days) before the oldest post possible; the walk
# goes on past the anchor, unwritten, so that the calls of recent posts have a next month to agree
# with too (21 trading days, holidays included, fit in 45 days).
PRICE_HISTORY = POST_WINDOW + 50 * DAY
PRICE_FUTURE = 45 * DAY
# Skill: how often an author's call agrees with the move from its entry to its 1m exit. Of
# every ten posting authors, ranked by how much they post, two are skilled and one is a
# contrarian; the rest call at random (None), with a mild bullish bias.
SKILLED_AGREEMENT = 0.75
CONTRARIAN_AGREEMENT = 0.3
SKILL_BLOCK: tuple[float | None, ...] = (SKILLED_AGREEMENT, SKILLED_AGREEMENT, CONTRARIAN_AGREEMENT, *[None] * 7)
QUOTE_WINDOW = 2000  # a quote points at one of the previous 2000 posts (mostly the last 200)
CHUNK_POSTS = 5000  # posts generated, with everything attached, per write
POST_MENTION_SHARE = 0.06  # posts ending with "cc @someone"
BATCH_SIZE = 5000  # rows per executemany or bulk_create
# Visits (UserSession rows).
VISIT_DECAY_DAYS = 7.0  # a new member's chance of coming back falls off like exp(-days / 7)...
VISIT_GAP = 30 * 60  # ...and visits on one day are at least this far apart (closer ones are one session)
VISIT_SECONDS = (2 * 60, 60 * 60)  # a visit lasts 2 minutes to an hour, log-uniformly
USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "PageShare/2.3 (iOS 17.5)",
    "PageShare/2.3 (Android 14)",
)


@dataclass
class SeedResult:
    """What one run created (all zero and `skipped` when demo data was already there)."""

    skipped: bool = False
    flushed_users: int = 0
    users: int = 0
    interests: int = 0
    watchlist_items: int = 0
    follows: int = 0
    mutes: int = 0
    blocks: int = 0
    posts: int = 0
    post_tickers: int = 0
    post_mentions: int = 0
    polls: int = 0
    poll_votes: int = 0
    comments: int = 0
    post_reactions: int = 0
    comment_reactions: int = 0
    comment_mentions: int = 0
    reposts: int = 0
    bookmarks: int = 0
    reports: int = 0
    sessions: int = 0
    daily_bars: int = 0
    calls: int = 0
    # The usernames of the authors whose calls agree with the next month's move more often than
    # chance, and less often.
    skilled: list[str] = field(default_factory=list)
    contrarians: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The number of rows made, by kind."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in {"skipped", "flushed_users"} and isinstance(getattr(self, f.name), int)
        }


def demo_users() -> UserQuerySet:
    """The demo accounts: every user with a `@pageshare.local` e-mail."""
    return User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")


@transaction.atomic
def demo_data_flush() -> int:
    """Delete the demo accounts and everything attached to them; return how many accounts went."""
    users = demo_users()
    posts = Post.objects.filter(author__in=users)
    comments = Comment.objects.filter(Q(author__in=users) | Q(post__author__in=users))
    # The big tables first, one set-based DELETE each, so the chunked ORM deletes
    # below (which follow every relation, including ones added later) find little.
    PostTicker.objects.filter(post__in=posts).delete()
    Call.objects.filter(Q(author__in=users) | Q(post__in=posts)).delete()
    PostMention.objects.filter(Q(user__in=users) | Q(post__in=posts)).delete()
    CommentMention.objects.filter(Q(user__in=users) | Q(comment__in=comments)).delete()
    UserSession.objects.filter(user__in=users).delete()
    PostReaction.objects.filter(Q(user__in=users) | Q(post__in=posts)).delete()
    CommentReaction.objects.filter(Q(user__in=users) | Q(comment__in=comments)).delete()
    Repost.objects.filter(Q(user__in=users) | Q(post__in=posts)).delete()
    Bookmark.objects.filter(Q(user__in=users) | Q(post__in=posts)).delete()
    PollVote.objects.filter(Q(user__in=users) | Q(poll__post__in=posts)).delete()
    Follow.objects.filter(Q(follower__in=users) | Q(following__in=users)).delete()
    _delete_in_chunks(Poll.objects.filter(post__in=posts))
    _delete_in_chunks(comments.filter(parent__isnull=False))
    _delete_in_chunks(comments)
    _delete_in_chunks(posts)
    count = users.count()
    _delete_in_chunks(users)
    # The members' posts and accounts that demo accounts liked, commented, followed...: their counters.
    counters_repair_all()
    return count


def _delete_in_chunks(queryset: models.QuerySet[Any], size: int = BATCH_SIZE) -> None:
    # Django's collector loads the objects it deletes; chunks keep that bounded.
    while ids := list(queryset.order_by().values_list("pk", flat=True)[:size]):
        queryset.model._default_manager.filter(pk__in=ids).delete()


@transaction.atomic
def demo_data_seed(
    *,
    users: int = DEFAULT_USERS,
    posts: int = DEFAULT_POSTS,
    seed: int = DEFAULT_SEED,
    now: datetime,
    flush: bool = False,
) -> SeedResult:
    """Create the demo data set; see the module docstring for what "the same" and "again" mean."""
    if users < MIN_USERS:
        raise ValueError(f"users must be at least {MIN_USERS} (the demo admin and the demo member).")
    if posts < 0:
        raise ValueError("posts must not be negative.")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime.")
    flushed = demo_data_flush() if flush else 0
    if demo_users().exists():
        return SeedResult(skipped=True)
    result = _Seeder(users=users, posts=posts, seed=seed, now=now).run()
    result.flushed_users = flushed
    ticker_posts_recount()  # the seeder writes rows in bulk, past the services that keep the counters
    return result


# Vocabulary. Changing any list changes the data set a seed produces.

FIRST_NAMES = (  # noqa: SIM905 (a word list reads better as words)
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Steven "
    "Ashley Andrew Emily Kevin Michelle Brian Amanda Priya Arjun Wei Mei Hiroshi Yuki Carlos Sofia Diego "
    "Valentina Lucas Camila Mateo Lucía Olumide Amara Kwame Ngozi Fatima Omar Layla Noah Emma Liam Olivia "
    "Elijah Ava Lars Ingrid Sven Freya Pierre Chloé Hannah Jonas Zoë Aleksandr Anya Dmitri Mikhail Sanjay "
    "Ananya Rohan Kenji Sakura Min-jun Ji-woo Thanh Linh Tomás Inés Marco Giulia"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better as words)
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Shah Kumar Chen Wang Li Zhang Tanaka "
    "Sato Kim Park Müller Schmidt Schneider Dubois Moreau Rossi Bianchi Silva Santos Okafor Mensah Haddad "
    "Novak Kowalski Ivanov Petrov Larsen Nielsen Johansson O'Brien Murphy Kelly MacLeod Cohen Levi Costa"
).split()
HANDLE_WORDS = (  # noqa: SIM905 (a word list reads better as words)
    "capital invests trades stocks charts research value growth dividends options alpha macro fund "
    "portfolio compounding quant"
).split()
HANDLE_PAIRS = (
    ("patient", "bull"),
    ("theta", "gang"),
    ("value", "hunter"),
    ("diamond", "hands"),
    ("dividend", "snowball"),
    ("chart", "wizard"),
    ("macro", "monk"),
    ("compound", "interest"),
    ("bear", "market_survivor"),
    ("index", "fund_enjoyer"),
    ("earnings", "whisperer"),
    ("deep", "value"),
    ("tendie", "chef"),
    ("cash", "flow_king"),
)
BIO_ROLES = (
    "Dividend growth investor.",
    "Long-term value investor.",
    "Options trader, mostly covered calls and cash-secured puts.",
    "Swing trader. Charts first, news second.",
    "Index fund enjoyer with a small fun-money account.",
    "Semiconductor nerd.",
    "Ex-equity analyst, now managing my own money.",
    "Retail investor since 2008.",
    "Biotech and healthcare focus.",
    "Macro watcher. Rates, dollar, oil.",
    "Small-cap hunter.",
    "Retired engineer investing for income.",
    "Growth at a reasonable price.",
    "Energy and commodities.",
    "Learning in public.",
    "CPA by day, investor by night.",
    "Momentum trader.",
    "Building a portfolio one paycheck at a time.",
)
BIO_CLOSERS = (
    "Not financial advice.",
    "Posts are my own opinions.",
    "NFA, DYOR.",
    "Here to learn.",
    "Coffee and 10-Ks.",
    "Chart addict 📈",
    "Patience > timing.",
    "",
)
INTERESTS = (  # noqa: SIM905 (a word list reads better as words)
    "dividends options value-investing growth tech semiconductors ai biotech healthcare energy "
    "commodities crypto etfs index-funds earnings macro day-trading swing-trading technical-analysis "
    "small-caps reits fintech ev banks retirement ipos consumer industrials bonds"
).split()
# (time zone, country, weight): mostly North America, like the audience.
TIMEZONES = (
    ("America/New_York", "US", 25),
    ("America/Chicago", "US", 10),
    ("America/Denver", "US", 4),
    ("America/Los_Angeles", "US", 12),
    ("America/Toronto", "CA", 5),
    ("America/Vancouver", "CA", 2),
    ("America/Mexico_City", "MX", 1),
    ("America/Sao_Paulo", "BR", 2),
    ("Europe/London", "GB", 7),
    ("Europe/Dublin", "IE", 1),
    ("Europe/Berlin", "DE", 4),
    ("Europe/Paris", "FR", 3),
    ("Europe/Amsterdam", "NL", 2),
    ("Europe/Zurich", "CH", 1),
    ("Europe/Madrid", "ES", 1),
    ("Europe/Stockholm", "SE", 1),
    ("Asia/Dubai", "AE", 1),
    ("Asia/Kolkata", "IN", 3),
    ("Asia/Singapore", "SG", 2),
    ("Asia/Hong_Kong", "HK", 1),
    ("Asia/Tokyo", "JP", 1),
    ("Asia/Seoul", "KR", 1),
    ("Australia/Sydney", "AU", 3),
    ("Pacific/Auckland", "NZ", 1),
    ("Africa/Lagos", "NG", 1),
    ("Africa/Johannesburg", "ZA", 1),
)
# How often each symbol is talked about, relative to the rest of the list (weight 1).
HOT_TICKERS = {
    "NVDA": 60,
    "TSLA": 55,
    "AAPL": 45,
    "SPY": 40,
    "AMD": 30,
    "PLTR": 30,
    "META": 25,
    "MSFT": 25,
    "AMZN": 25,
    "QQQ": 20,
    "GOOGL": 18,
    "AVGO": 12,
    "TSM": 12,
    "SMCI": 12,
    "COIN": 12,
    "MSTR": 12,
    "GME": 10,
    "SOFI": 10,
    "HOOD": 10,
    "BRK.B": 8,
    "LLY": 8,
    "NFLX": 8,
    "INTC": 8,
    "MU": 8,
    "ARM": 6,
    "IONQ": 6,
    "RKLB": 6,
    "RIVN": 6,
    "BA": 6,
    "JPM": 6,
    "SCHD": 5,
    "NVO": 5,
    "UBER": 5,
    "SHOP": 5,
    "OKLO": 5,
    "DIS": 5,
    "KO": 4,
    "O": 4,
    "XOM": 4,
    "BF.B": 2,
}

REASONS = (
    "Fundamentals keep improving.",
    "The moat is real.",
    "Free cash flow is incredible.",
    "Management keeps delivering.",
    "The market is sleeping on this one.",
    "Buybacks plus growth, what's not to like?",
    "AI tailwinds are just getting started.",
    "Balance sheet is rock solid.",
)
BEAR_REASONS = (
    "The debt load is getting scary.",
    "Competition is catching up fast.",
    "Insiders keep selling.",
    "Growth is slowing and the multiple hasn't caught up.",
    "Too much hype, not enough earnings.",
)
CLOSINGS = ("Not financial advice.", "Long-term hold.", "NFA.", "Let's see how it plays out.", "Patience pays.", "")
EMOJI = {"bull": ("🚀", "📈", "🐂", "💎🙌", "🔥", ""), "bear": ("📉", "🐻", "😬", ""), "neutral": ("👀", "🤔", "")}
EXPIRIES = ("this week's", "next week's", "March", "June", "September", "December", "January LEAPS")
# What each template slot is picked from.
SLOTS: dict[str, Sequence[object]] = {
    "reason": REASONS,
    "bear_reason": BEAR_REASONS,
    "closing": CLOSINGS,
    "expiry": EXPIRIES,
    "amount": ("250", "1.2k", "3,400", "900"),
    "target": range(10, 1201, 5),
    "strike": range(5, 1001, 5),
    "pct": range(2, 61),
    "pe": range(8, 91),
    "ma": (20, 50, 100, 200),
    "quarter": range(1, 5),
}

# Templates by mood and by how many tickers they tag ({a}, {b}; {list} takes 3 or 4).
TEMPLATES: dict[str, dict[int, tuple[str, ...]]] = {
    "bull": {
        1: (
            "{a} looking strong into earnings. {reason}",
            "Added more {a} today at ${price}. {closing}",
            "{a} just broke out above the {ma}-day moving average on big volume {emoji}",
            "Long {a}. Price target ${target} by year end.",
            "Bought the dip in {a}. {reason}",
            "{a} calls printing today, up {pct}% {emoji}",
            "Still can't believe how cheap {a} is at {pe}x forward earnings.",
            "Q{quarter} numbers from {a} were excellent. Revenue up {pct}% year over year.",
            "Started a position in {a}. Small for now, will add on weakness.",
            "{a} is my highest conviction name for the next five years. {reason}",
            "Sold covered calls on {a}, ${strike} strike, {expiry} expiry. Happy to hold either way.",
            "Dividend from {a} just hit. Reinvesting all of it. {closing}",
        ),
        2: (
            "Rotating into {a}, out of {b}. {reason}",
            "{a} and {b} both on sale today {emoji}",
            "Long {a}, short {b}. Pair trade for the quarter.",
            "{a} earnings lifted {b} too. Whole sector is moving {emoji}",
        ),
        3: (
            "My watchlist this week: {list} {emoji}",
            "Green across the board today: {list}",
            "Top holdings right now: {list}. {closing}",
        ),
    },
    "bear": {
        1: (
            "Trimmed {a} here. Valuation is stretched at {pe}x earnings.",
            "{a} guidance was weak. I expect more downside from here {emoji}",
            "Bought puts on {a}, ${strike} strike, {expiry} expiry.",
            "{a} lost the {ma}-day moving average. Stepping aside.",
            "Sold my entire {a} position today. {bear_reason}",
            "Margins at {a} keep shrinking. Down {pct}% and I don't think it's done.",
            "{a} looks like a value trap to me. {bear_reason}",
            "Shorting {a} into the earnings print. Risky, sized small.",
        ),
        2: (
            "Cutting {a} and {b}, too much risk in the portfolio right now.",
            "{a} down {pct}% and dragging {b} with it {emoji}",
        ),
        3: ("Red day. {list} all down more than {pct}%.", "Took profits on {list}. Cash feels good here."),
    },
    "neutral": {
        0: (
            "Market feels choppy today. Staying patient and keeping cash ready.",
            "CPI print tomorrow. Cash is a position.",
            "Reminder: position sizing matters more than entries.",
            "Up ${amount} this month. Slow and steady {emoji}",
            "Great thread on discounted cash flow models: https://example.com/notes/dcf#step-3",
            "Fed day. Nobody knows anything until 2pm.",
            "Rebalanced today: {pct}% stocks, the rest in bonds.",
            "Made my first US$500 in dividends this year!",
            "Spent $1k on a trading course. Should have bought an index fund instead.",
            "Anyone else buying the #dividends dip?",
            "What's the best book on #investing you've read? Looking for recommendations.",
        ),
        1: (
            "What's everyone's take on {a} after the earnings call?",
            "Reading the {a} 10-K tonight. Anything I should focus on?",
            "{a} flat today despite the news. Interesting {emoji}",
            "Holding {a} through earnings, no changes to the position.",
            "Is {a} a buy at ${price}? Genuinely curious what people think.",
            "Watching {a} closely this week. No position yet.",
        ),
        2: (
            "{a} vs {b}: which one would you hold for ten years?",
            "Watching {a} and {b} into earnings season.",
            "{a} reports tomorrow, {b} on Thursday. Busy week.",
        ),
        3: ("Which is the best long-term hold: {list}?", "Doing a deep dive on {list} this weekend."),
    },
}
QUOTE_TEMPLATES = (
    "This aged well.",
    "Called it {emoji}",
    "Worth a read.",
    "Adding to this: {reason}",
    "Strongly disagree, {a} is a buy here.",
    "Exactly why I sold {a}.",
    "Great take.",
)
# (question, options); an option of None is replaced by the poll's tickers.
POLL_TEMPLATES: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("Where does {a} close on Friday?", ("Higher", "Lower", "About flat")),
    ("{a} earnings: beat or miss?", ("Beat", "Miss")),
    ("Would you buy {a} at ${price}?", ("Yes", "No", "Already own it")),
    ("How are you positioned for the Fed meeting?", ("More stocks", "More cash", "More bonds", "No changes")),
    ("Best long-term hold: {list}?", None),
)
POLL_HOURS = (1, 6, 12, 24, 24, 48, 72, 168, 168)
COMMENTS = (
    "Great call!",
    "What's your price target?",
    "I'm holding too. Fingers crossed.",
    "Source?",
    "This is the way.",
    "Bagholder here 😅",
    "Respectfully disagree, the valuation makes no sense.",
    "Thanks for sharing, super helpful.",
    "How big is your position?",
    "Same here, added at the open.",
    "Earnings will tell.",
    "I sold too early, again.",
    "Interesting take. What about the debt?",
    "Nice entry!",
    "Patience wins.",
)
REPLIES = ("Fair point.", "Agreed 💯", "Not sure about that.", "Good question, following.", "@{username} exactly.")
REPORT_DETAILS = ("", "", "Pump and dump.", "Same link posted everywhere.", "Rude replies.", "Made-up numbers.")
WELCOME_POST = (
    "Welcome to PageShare 👋 Share your ideas, tag tickers with a cashtag like $AAPL or #tsla, "
    "and follow the people whose research you trust. Be kind, and nothing here is financial advice."
)


class _Table:
    """Fast inserts into one model's table.

    A big `bulk_create` spends most of its time building model instances and
    preparing each value; rows here are tuples of values the driver accepts
    as they are (ids, strings, booleans, `_Seeder.stamp()` times), in the
    order of `columns`. Columns left out get their field's default, and the
    primary key too unless it is listed. Table and column names come from
    the model, so they follow its migrations. PostgreSQL gets the rows through
    COPY, several times faster there than any INSERT.
    """

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        opts = model._meta
        concrete = {f.name: f for f in opts.concrete_fields}
        given = [concrete[name] for name in columns]
        rest = [f for f in opts.concrete_fields if f not in given and not f.primary_key]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.get_attname_column()[1] or f.attname) for f in given + rest)
        marks = ", ".join(["%s"] * (len(given) + len(rest)))
        # Names come from the model, values travel as parameters.
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(opts.db_table)} ({names}) FROM STDIN"
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def write(self) -> int:
        """Insert the pending rows; return how many were written so far in all."""
        rows = [row + self.defaults for row in self.rows] if self.defaults else self.rows
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(rows), BATCH_SIZE):
                    cursor.executemany(self.sql, rows[start : start + BATCH_SIZE])
        self.count += len(rows)
        self.rows = []
        return self.count


class _Seeder:
    """One run. Users, posts and comments are handled by index; ids are `first id + index`."""

    def __init__(self, *, users: int, posts: int, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        # Mentions added to posts draw from their own generator, so they left every other row as it was.
        self.mention_rng = random.Random(f"pageshare-demo-mentions-{seed}")  # noqa: S311
        self.seed = seed
        self.now = now
        self.n_users = users
        self.n_posts = posts
        self.result = SeedResult()
        self.symbols = list(well_known_tickers())
        self.known_symbols = set(self.symbols)
        self.symbol_cum_weights = list(accumulate(float(HOT_TICKERS.get(s, 1)) for s in self.symbols))
        self.adapt_datetime = connection.ops.adapt_datetimefield_value
        # SQLite (and MySQL) store naive UTC text; making it here skips the
        # backend's per-value time zone conversion, a large part of the run.
        naive_now = now.astimezone(UTC).replace(tzinfo=None)
        self.naive_now = naive_now if self.adapt_datetime(now) == str(naive_now) else None
        # Filled by _users().
        self.usernames: list[str] = []
        self.user_by_name: dict[str, int] = {}  # lower-cased username: user index
        self.user_age: list[int] = []  # seconds before `now` each account was made
        self.user_pull: list[float] = []  # how much engagement a user's posts draw (mean about 1)
        self.fame_cum_weights: list[float] = []
        self.activity_cum_weights: list[float] = []
        self.veterans: list[int] = []  # posting users older than every post
        self.activity: list[float] = []  # by user: how much they post (0: never)
        self.agreement: list[float | None] = []  # by user: how often their calls agree with the move (None: random)
        # Filled by _prices().
        self.prices = PriceBook([])
        self.blocked: set[tuple[int, int]] = set()  # both directions
        # Quoted posts are looked up here; only the last QUOTE_WINDOW are kept.
        self.post_author: dict[int, int] = {}
        # Written in this order (foreign keys point backwards).
        self.interests = _Table(UserInterest, ("user", "interest", "created_at"))
        self.watchlist = _Table(WatchlistItem, ("user", "ticker", "created_at"))
        self.follows = _Table(Follow, ("follower", "following", "created_at"))
        self.polls = _Table(Poll, ("id", "created_at", "expires_at"))
        self.options = _Table(PollOption, ("id", "poll", "position", "text"))
        self.posts = _Table(
            Post, ("id", "author", "content", "sentiment", "quoted_post", "poll", "created_at", "updated_at")
        )
        self.post_tickers = _Table(PostTicker, ("post", "ticker", "position", "created_at", "sentiment"))
        self.post_mentions = _Table(PostMention, ("post", "user", "position"))
        self.votes = _Table(PollVote, ("poll", "option", "user", "created_at"))
        self.comments = _Table(Comment, ("id", "post", "parent", "author", "content", "created_at", "updated_at"))
        self.post_reactions = _Table(PostReaction, ("post", "user", "created_at"))
        self.comment_reactions = _Table(CommentReaction, ("comment", "user", "created_at"))
        self.comment_mentions = _Table(CommentMention, ("comment", "user", "position"))
        self.reposts = _Table(Repost, ("post", "user", "created_at"))
        self.bookmarks = _Table(Bookmark, ("post", "user", "created_at"))
        self.sessions = _Table(UserSession, ("user", "started_at", "last_seen_at", "request_count", "user_agent"))
        self.bars = _Table(
            DailyBar, ("symbol", "date", "open", "high", "low", "close", "adj_close", "volume", "updated_at")
        )
        self.new_tickers: list[Ticker] = []
        self.reports: list[Report] = []

    # Helpers

    def at(self, age: int) -> datetime:
        """The moment `age` seconds before the anchor."""
        return self.now - timedelta(seconds=age)

    def stamp(self, age: int) -> Any:
        """`at(age)` as the database driver wants it, for `_Table` rows."""
        if self.naive_now is not None:
            return str(self.naive_now - timedelta(seconds=age))
        return self.adapt_datetime(self.now - timedelta(seconds=age))

    def after(self, *ages: int, mean_delay: float = 6 * HOUR) -> int:
        """An age later than all of `ages` (each an earlier event), never after the anchor."""
        delay = -mean_delay * math.log(1.0 - self.rng.random())  # exponentially distributed
        return max(0, min(ages) - int(delay))

    def sround(self, x: float) -> int:
        """Stochastic rounding: an int whose mean is x."""
        return int(x + self.rng.random())

    def people(self, k: int, *, besides: int) -> list[int]:
        """Up to k distinct random users, none of them `besides` or blocked with them."""
        n = self.n_users
        k = min(k, n - 1)
        if k <= 0:
            return []
        if 4 * k > n:
            picked = [u for u in self.rng.sample(range(n), k + 1) if u != besides][:k]
        else:  # the usual case: a few people out of many, by rejection
            rand = self.rng.random
            picked = []
            seen = {besides}
            while len(picked) < k:
                u = int(rand() * n)
                if u not in seen:
                    seen.add(u)
                    picked.append(u)
        return [u for u in picked if (u, besides) not in self.blocked] if self.blocked else picked

    def weighted_unique(self, population: Sequence[Any], cum_weights: Sequence[float], k: int) -> list[Any]:
        """k distinct items drawn by weight (fewer if the weights make that hard)."""
        chosen: list[Any] = []
        seen: set[Any] = set()
        if k <= 0:
            return chosen
        for _ in range(8):
            for item in self.rng.choices(population, cum_weights=cum_weights, k=2 * (k - len(chosen))):
                if item not in seen:
                    seen.add(item)
                    chosen.append(item)
                    if len(chosen) == k:
                        return chosen
        return chosen

    def tickers(self, k: int) -> list[str]:
        return self.weighted_unique(self.symbols, self.symbol_cum_weights, k)

    def tag(self, symbol: str) -> str:
        r = self.rng.random()
        if r < 0.82:
            return f"${symbol}"
        if r < 0.90:
            return f"#{symbol.lower()}"
        if r < 0.95:
            return f"${symbol.lower()}"
        return f"#{symbol}"

    def pick(self, items: Sequence[Any]) -> Any:
        # Cheaper than rng.choice, which matters a few million times per run.
        return items[int(self.rng.random() * len(items))]

    def fill(self, template: str, symbols: list[str], mood: str) -> str:
        """The template with its tags and slots filled; only the slots it uses draw numbers."""
        tags = [self.tag(s) for s in symbols]
        values: dict[str, object] = {}
        for name in _slots(template):
            if name == "a":
                values[name] = tags[0]
            elif name == "b":
                values[name] = tags[1]
            elif name == "list":
                values[name] = ", ".join(tags)
            elif name == "emoji":
                values[name] = self.pick(EMOJI[mood])
            elif name == "price":
                values[name] = f"{4 + self.rng.random() * 896:.2f}"
            else:
                values[name] = self.pick(SLOTS[name])
        return " ".join(template.format(**values).split())

    # The run

    def run(self) -> SeedResult:
        if connection.vendor == "sqlite":
            with _sqlite_cache(megabytes=512):
                return self._run()
        if connection.vendor == "postgresql":
            with _postgresql_immediate_constraints():
                return self._run()
        return self._run()

    def _run(self) -> SeedResult:
        # Hashed once for every account. A salt made from the seed keeps runs
        # identical; 24 characters satisfy Django's salt entropy check.
        salt = hashlib.sha256(f"pageshare-demo-{self.seed}".encode()).hexdigest()[:24]
        self.password = make_password(DEMO_PASSWORD, salt=salt)
        self.first_user_id = _next_id(User)
        self.first_post_id = _next_id(Post)
        self.next_comment_id = _next_id(Comment)
        self.next_poll_id = _next_id(Poll)
        self.next_option_id = _next_id(PollOption)
        Ticker.objects.bulk_create(
            [
                Ticker(symbol=s, name=name, is_listed=True, created_at=self.at(USER_WINDOW))
                for s, name in reference_tickers().items()
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        self._users()
        self._skills()
        self._prices()
        self._mutes_and_blocks()
        self._follows()
        self._posts()
        self._user_reports()
        self._sessions()
        # Rows were bulk-written: the counters the services keep are set from them here. First the
        # planner learns the tables' sizes (ANALYZE counts this transaction's own rows, and its
        # statistics commit with them): they were empty when last analysed, and a million
        # correlated counts planned as sequential scans never finish on PostgreSQL. With autovacuum
        # off or not yet round, every later query of the demo data plans from these statistics too.
        # (The calls' scorer samples its own two tables again once it has derived the calls.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        demo_users().update(**user_counter_expressions())
        Post.objects.filter(author__in=demo_users()).update(**post_counter_expressions())
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [User, Post, Comment, Poll, PollOption]):
                cursor.execute(sql)
        quotes_refresh(sorted(self.prices.closes))
        # The calls, derived from the posts and scored as of the anchor's date (a call whose entry
        # window ends after it is pending, not void), with their authors' record counters.
        self.result.calls = calls_score(rebuild=True, today=utc_date(self.now)).created
        r = self.result
        r.interests, r.watchlist_items, r.follows = self.interests.count, self.watchlist.count, self.follows.count
        r.polls, r.posts, r.post_tickers, r.post_mentions, r.poll_votes = (
            self.polls.count,
            self.posts.count,
            self.post_tickers.count,
            self.post_mentions.count,
            self.votes.count,
        )
        r.comments, r.comment_mentions, r.post_reactions, r.comment_reactions = (
            self.comments.count,
            self.comment_mentions.count,
            self.post_reactions.count,
            self.comment_reactions.count,
        )
        r.reposts, r.bookmarks = self.reposts.count, self.bookmarks.count
        r.sessions, r.daily_bars = self.sessions.count, self.bars.count
        return r

    def _users(self) -> None:
        rng, n = self.rng, self.n_users
        n_staff = min(n - 2, max(1, n // 500))
        taken = {DEMO_ADMIN_USERNAME, DEMO_USER_USERNAME}
        names: list[tuple[str, str]] = [("Demo", "Admin"), ("Demo", "User")]
        self.usernames = [DEMO_ADMIN_USERNAME, DEMO_USER_USERNAME]
        for _ in range(n - 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            names.append((first, last))
            self.usernames.append(self._username(first, last, taken))
        self._avoid_existing_usernames()
        self.user_by_name = {name.lower(): u for u, name in enumerate(self.usernames)}

        ranks = list(range(n))
        rng.shuffle(ranks)
        fame = [1 / (rank + 1) ** 0.9 for rank in ranks]
        mean_fame = sum(fame) / n
        self.user_pull = [min(5.0, max(0.3, (f / mean_fame) ** 0.5)) for f in fame]
        self.fame_cum_weights = list(accumulate(fame))
        tz_cum_weights = list(accumulate(w for _, _, w in TIMEZONES))

        rows: list[User] = []
        activity: list[float] = []
        for u in range(n):
            user_id = self.first_user_id + u
            fixed = u < 2
            age = USER_WINDOW if fixed else rng.randint(HOUR, USER_WINDOW)
            onboarded = fixed or rng.random() < 0.95
            tz, country, _ = rng.choices(TIMEZONES, cum_weights=tz_cum_weights)[0] if onboarded else ("UTC", "", 0)
            first, last = names[u]
            posting = onboarded and rng.random() < 0.85
            weight = fame[u] ** 0.4 * rng.lognormvariate(0, 1.0) if posting else 0.0
            activity.append(weight * (0.1 if u == 0 else 1.0))
            self.user_age.append(age)
            rows.append(
                User(
                    id=user_id,
                    email=DEMO_ADMIN_EMAIL if u == 0 else DEMO_USER_EMAIL if u == 1 else self._email(u),
                    username=self.usernames[u],
                    display_name=f"{first} {last}" if fixed else self._display_name(first, last),
                    bio=self._bio() if onboarded else "",
                    timezone=tz,
                    country=country,
                    password=self.password,
                    onboarded=onboarded,
                    is_staff=u == 0 or 2 <= u < 2 + n_staff,  # the admin and a few moderators
                    is_superuser=u == 0,
                    created_at=self.at(age),
                    last_active_at=self.at(rng.randint(0, min(age, 7 * DAY))),
                )
            )
            if not onboarded:
                continue
            for interest in rng.sample(INTERESTS, rng.randint(1, 5)):
                self.interests.rows.append((user_id, interest, self.stamp(age)))
            for symbol in self.tickers(rng.randint(0 if u > 1 else 5, 12)):
                self.watchlist.rows.append((user_id, symbol, self.stamp(rng.randint(0, age))))
        self.activity = activity
        self.activity_cum_weights = list(accumulate(activity))
        if self.activity_cum_weights[-1] == 0:  # tiny runs: someone has to post
            self.activity_cum_weights = list(accumulate(1.0 for _ in range(n)))
        self.veterans = [u for u in range(n) if self.user_age[u] >= POST_WINDOW and activity[u] > 0] or [1]
        User.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.result.users = len(rows)
        self.interests.write()
        self.watchlist.write()

    def _skills(self) -> None:
        """Who is skilled (SKILL_BLOCK): the demo accounts call at random."""
        rng, n = self.rng, self.n_users
        self.agreement = [None] * n
        # Ranked by how much they post over the posts' window, so the skilled have records long enough to show.
        posted = [self.activity[u] * min(self.user_age[u], POST_WINDOW) for u in range(n)]
        posting = sorted((u for u in range(2, n) if posted[u] > 0), key=lambda u: -posted[u])
        for start in range(0, len(posting), len(SKILL_BLOCK)):
            block = list(SKILL_BLOCK)
            rng.shuffle(block)
            for u, agreement in zip(posting[start : start + len(block)], block, strict=False):
                self.agreement[u] = agreement
                if agreement == SKILLED_AGREEMENT:
                    self.result.skilled.append(self.usernames[u])
                elif agreement == CONTRARIAN_AGREEMENT:
                    self.result.contrarians.append(self.usernames[u])

    def _prices(self) -> None:
        """Every ticker's daily bars up to the last trading day before the anchor's date (demo.prices).

        They replace whatever bars the tickers had: the calls are scored on the demo's prices.
        """
        names = well_known_tickers()
        utc = self.now.astimezone(UTC)
        days = trading_days(
            (utc - timedelta(seconds=PRICE_HISTORY)).date(), (utc + timedelta(seconds=PRICE_FUTURE)).date()
        )
        self.prices = PriceBook(days)
        written = self.prices.entry_index(utc.date())  # the days before the anchor's
        DailyBar.objects.filter(symbol__in=self.symbols).delete()
        adapt = connection.ops.adapt_datefield_value
        dates = [adapt(day) for day in days[:written]]
        updated_at = self.adapt_datetime(timezone.now())
        for symbol in self.symbols:
            busy = HOT_TICKERS.get(symbol, 1) ** 0.8
            bars = price_walk(seed=self.seed, symbol=symbol, fund=is_fund(names[symbol]), busy=busy, days=days)
            self.prices.add(bars)
            self.bars.rows.extend((symbol, dates[k], *bar[2:], updated_at) for k, bar in enumerate(bars[:written]))
            if len(self.bars.rows) >= BATCH_SIZE:
                self.bars.write()
        self.bars.write()

    def _username(self, first: str, last: str, taken: set[str]) -> str:
        rng = self.rng
        given, family = _ascii(first), _ascii(last)
        style = rng.randrange(8)
        if style == 0:
            base = f"{given}_{family}"
        elif style == 1:
            base = f"{given}{family}{rng.randint(1, 99)}"
        elif style == 2:
            base = f"{given[0]}{family}"
        elif style == 3:
            base = f"{family}_{rng.choice(HANDLE_WORDS)}"
        elif style == 4:
            base = f"{given}_{rng.choice(HANDLE_WORDS)}"
        elif style == 5:
            adjective, noun = rng.choice(HANDLE_PAIRS)
            base = f"{adjective}_{noun}{rng.randint(1, 999)}"
        elif style == 6:
            base = f"{given}{rng.choice(HANDLE_WORDS)}"
        else:
            base = f"the_{family}_portfolio"
        base = base[:26].ljust(3, "_")
        username = base
        while username.lower() in taken:
            username = f"{base}{rng.randint(2, 999)}"
        taken.add(username.lower())
        return username

    def _avoid_existing_usernames(self) -> None:
        # Only members outside the demo can hold these names (demo accounts are
        # gone or we would not be here). Renaming is deterministic and uses no
        # randomness, so the rest of the data set does not move.
        existing: set[str] = set()
        for start in range(0, len(self.usernames), BATCH_SIZE):
            lowered = [name.lower() for name in self.usernames[start : start + BATCH_SIZE]]
            existing.update(
                User.objects.annotate(lowered=Lower("username"))
                .filter(lowered__in=lowered)
                .values_list("lowered", flat=True)
            )
        if not existing:
            return
        taken = existing | {name.lower() for name in self.usernames}
        for u, name in enumerate(self.usernames):
            if name.lower() in existing:
                suffix = 1
                while f"{name[:24]}_demo{suffix}".lower() in taken:
                    suffix += 1
                self.usernames[u] = f"{name[:24]}_demo{suffix}"
                taken.add(self.usernames[u].lower())

    def _email(self, u: int) -> str:
        return f"{self.usernames[u].lower()}@{DEMO_EMAIL_DOMAIN}"

    def _display_name(self, first: str, last: str) -> str:
        r = self.rng.random()
        if r < 0.7:
            return f"{first} {last}"
        if r < 0.85:
            return f"{first} {last[0]}."
        if r < 0.95:
            return f"{first} | {self.rng.choice(('Investing', 'Dividends', 'Options', 'Charts', 'Value'))}"
        return f"{first} {self.rng.choice(('📈', '🐂', '💎', '🌱'))}"

    def _bio(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return ""
        a, b = [*self.tickers(2), "SPY", "QQQ"][:2]
        focus = rng.choice(
            (
                f"Long ${a} and ${b}.",
                f"Top holding: ${a}.",
                "Charts, earnings, patience.",
                f"Mostly {rng.choice(INTERESTS)}.",
            )
        )
        return " ".join(part for part in (rng.choice(BIO_ROLES), focus, rng.choice(BIO_CLOSERS)) if part)

    def _mutes_and_blocks(self) -> None:
        rng, n = self.rng, self.n_users
        if n < 3:
            return
        pairs: set[tuple[int, int]] = set()

        def pairs_of(count: int) -> list[tuple[int, int]]:
            chosen: list[tuple[int, int]] = []
            for attempt in range(count * 4):
                user = 1 if attempt == 0 else rng.randrange(n)  # the demo member has one of each to try
                target = rng.randrange(2, n)  # nobody mutes or blocks the demo accounts
                if user != target and (user, target) not in pairs and (target, user) not in pairs:
                    pairs.add((user, target))
                    chosen.append((user, target))
                    if len(chosen) == count:
                        break
            return chosen

        blocks = pairs_of(max(1, n // 100))
        mutes = pairs_of(max(2, n // 40))
        self.blocked = {(a, b) for a, b in blocks} | {(b, a) for a, b in blocks}
        first = self.first_user_id
        made = {
            pair: self.at(self.after(self.user_age[pair[0]], self.user_age[pair[1]], mean_delay=10 * DAY))
            for pair in blocks + mutes
        }
        Block.objects.bulk_create(
            Block(user_id=first + u, target_id=first + v, created_at=made[u, v]) for u, v in blocks
        )
        Mute.objects.bulk_create(Mute(user_id=first + u, target_id=first + v, created_at=made[u, v]) for u, v in mutes)
        self.result.blocks, self.result.mutes = len(blocks), len(mutes)

    def _follows(self) -> None:
        rng, n = self.rng, self.n_users
        mean = min(25.0, (n - 1) * 0.3)
        if mean < 1:
            return
        sigma = 1.0
        population = range(n)
        first = self.first_user_id
        for u in range(n):
            # Out-degrees are log-normal, in-degrees follow fame (a power law).
            k = int(rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma))
            k = min(max(k, 40), n - 1) if u == 1 else min(k, (n - 1) // 2)  # the demo member's feed is full
            for v in self.weighted_unique(population, self.fame_cum_weights, k + 1):
                if v != u and (u, v) not in self.blocked:
                    age = rng.randint(0, min(self.user_age[u], self.user_age[v]))
                    self.follows.rows.append((first + u, first + v, self.stamp(age)))
            if len(self.follows.rows) >= BATCH_SIZE:
                self.follows.write()
        self.follows.write()

    def _posts(self) -> None:
        rng, n = self.rng, self.n_posts
        ages = _age_quantiles()
        report_targets = set(rng.sample(range(n), min(n, max(3, n // 500)))) if n else set()
        for start in range(0, n, CHUNK_POSTS):
            end = min(n, start + CHUNK_POSTS)
            authors = rng.choices(range(self.n_users), cum_weights=self.activity_cum_weights, k=end - start)
            for i in range(start, end):
                # Stratified quantiles of the age distribution: post i is never
                # older than post i - 1, so a quote (of an earlier index) never
                # comes before the post it quotes.
                x = (1 - (i + rng.random()) / n) * AGE_QUANTILES
                k = min(int(x), AGE_QUANTILES - 1)
                age = int(ages[k] + (ages[k + 1] - ages[k]) * (x - k))
                self._post(i, age, authors[i - start], i in report_targets)
            self._write_chunk()
            for i in range(max(0, start - QUOTE_WINDOW), max(0, end - QUOTE_WINDOW)):
                del self.post_author[i]

    def _post(self, i: int, age: int, author: int, reported: bool) -> None:
        rng = self.rng
        for _ in range(8):
            if self.user_age[author] >= age:
                break
            author = rng.choices(range(self.n_users), cum_weights=self.activity_cum_weights)[0]
        else:
            author = rng.choice(self.veterans)
        post_id = self.first_post_id + i
        created_at = self.stamp(age)
        sentiment: str | None = None
        quoted: int | None = None
        poll_id: int | None = None
        r = rng.random()
        mood = "bull" if r < 0.42 else "bear" if r < 0.75 else "neutral"
        kind = rng.random()
        if i == 0:
            author = 0
            content = WELCOME_POST
        elif kind < 0.03:
            quoted = i - 1 - min(i - 1, QUOTE_WINDOW - 1, int(rng.expovariate(1 / 200)))
            if author == self.post_author[quoted] or (author, self.post_author[quoted]) in self.blocked:
                quoted = None
            symbols = self.tickers(int(rng.random() * 2))
            content = self.fill(self.pick(QUOTE_TEMPLATES if symbols else QUOTE_TEMPLATES[:4]), symbols, "neutral")
        elif kind < 0.06:
            question, options = rng.choice(POLL_TEMPLATES)
            symbols = self.tickers(rng.randint(2, 4) if options is None else 1)
            content = self.fill(question, symbols, "neutral")
            choices = options or tuple(symbols)
            poll_id = self._poll(choices if len(choices) >= MIN_OPTIONS else ("Yes", "No"), age, author)
        else:
            r = rng.random()
            count = 0 if r < 0.12 else 1 if r < 0.7 else 2 if r < 0.9 else 3 if r < 0.97 else 4
            symbols = self.tickers(count)
            if count == 0:
                mood = "neutral"
            elif mood != "neutral" and (agreement := self.agreement[author]) is not None:
                mood = self._skilled_mood(agreement, symbols[0], age, mood)
            templates = TEMPLATES[mood].get(min(count, 3)) or TEMPLATES["neutral"][min(count, 3)]
            content = self.fill(self.pick(templates), symbols, mood)
            if mood != "neutral" and rng.random() < SENTIMENT_SHARE:
                sentiment = Sentiment.BULLISH.value if mood == "bull" else Sentiment.BEARISH.value
        if i and self.mention_rng.random() < POST_MENTION_SHARE:
            mentioned = int(self.mention_rng.random() * self.n_users)
            if mentioned != author and (author, mentioned) not in self.blocked:
                content = f"{content} cc @{self.usernames[mentioned]}"
        self.post_author[i] = author
        quoted_id = None if quoted is None else self.first_post_id + quoted
        self.posts.rows.append(
            # Never edited: updated when created.
            (post_id, self.first_user_id + author, content, sentiment, quoted_id, poll_id, created_at, created_at)
        )
        for position, symbol in enumerate(extract_tickers(content)):
            if symbol not in self.known_symbols:  # a tag we did not mean: made like a real first mention
                self.known_symbols.add(symbol)
                self.new_tickers.append(Ticker(symbol=symbol, created_at=self.at(age)))
            self.post_tickers.rows.append((post_id, symbol, position, created_at, sentiment))
        self._mentions(self.post_mentions, post_id, content)
        self._engagement(post_id, age, author, reported)

    def _skilled_mood(self, agreement: float, symbol: str, age: int, mood: str) -> str:
        """The view on `symbol` of an author whose calls agree with the next month's move this often.

        The move is the one a call made now is scored on: from the entry day's close to the close
        21 trading days later (demo.prices walks past the anchor for recent posts).
        """
        day = (self.now - timedelta(seconds=age)).astimezone(UTC).date()
        move = self.prices.move(symbol, day, CALL_HORIZONS["1m"])
        if not move:  # no prices, or no move: no view
            return mood
        agrees = self.rng.random() < agreement
        return "bull" if (move > 0) == agrees else "bear"

    def _mentions(self, table: _Table, target_id: int, content: str) -> None:
        """The mention rows the post and comment services would write: demo users are all in good standing."""
        users = (self.user_by_name.get(name.lower()) for name in extract_mentions(content))
        for position, u in enumerate(u for u in users if u is not None):
            table.rows.append((target_id, self.first_user_id + u, position))

    def _poll(self, options: tuple[str, ...], age: int, author: int) -> int:
        rng = self.rng
        poll_id = self.next_poll_id
        self.next_poll_id += 1
        hours = rng.choice(POLL_HOURS)
        self.polls.rows.append((poll_id, self.stamp(age), self.stamp(age - hours * HOUR)))
        option_ids = []
        for position, text in enumerate(options):
            self.options.rows.append((self.next_option_id, poll_id, position, text))
            option_ids.append(self.next_option_id)
            self.next_option_id += 1
        popularity = list(accumulate(rng.random() + 0.2 for _ in options))
        earliest = max(0, age - hours * HOUR + 1)  # votes stop at expires_at
        for voter in self.people(self.sround(rng.paretovariate(1.5) * 6), besides=author):
            latest = min(age, self.user_age[voter])
            if latest >= earliest:
                option_id = rng.choices(option_ids, cum_weights=popularity)[0]
                voted_at = self.stamp(rng.randint(earliest, latest))
                self.votes.rows.append((poll_id, option_id, self.first_user_id + voter, voted_at))
        return poll_id

    def _engagement(self, post_id: int, age: int, author: int, reported: bool) -> None:
        rng, first_user, user_age = self.rng, self.first_user_id, self.user_age
        # Heavy-tailed: most posts get a like or two, a few get hundreds.
        heat = rng.paretovariate(2.0) * self.user_pull[author]
        for table, share in ((self.post_reactions, 1.0), (self.reposts, 0.07), (self.bookmarks, 0.06)):
            for u in self.people(self.sround(heat * share), besides=author):
                table.rows.append((post_id, first_user + u, self.stamp(self.after(age, user_age[u]))))
        thread: list[tuple[int, int, int]] = []  # (comment id, age, author index)
        for _ in range(self.sround(heat * 0.35)):
            commenter = int(rng.random() * self.n_users)
            if (commenter, author) in self.blocked:
                continue
            parent = self.pick(thread) if thread and rng.random() < 0.35 else None
            if parent is None:
                content = self.pick(COMMENTS)
                comment_age = self.after(age, user_age[commenter], mean_delay=2 * HOUR)
            else:
                content = self.pick(REPLIES).format(username=self.usernames[parent[2]])
                comment_age = self.after(parent[1], user_age[commenter], mean_delay=HOUR)
            comment_id = self.next_comment_id
            self.next_comment_id += 1
            thread.append((comment_id, comment_age, commenter))
            self.comments.rows.append(
                (
                    comment_id,
                    post_id,
                    None if parent is None else parent[0],
                    first_user + commenter,
                    content,
                    commented_at := self.stamp(comment_age),
                    commented_at,  # never edited: updated when created
                )
            )
            self._mentions(self.comment_mentions, comment_id, content)
            for u in self.people(self.sround(rng.paretovariate(2.0) * 0.25), besides=commenter):
                liked_at = self.stamp(self.after(comment_age, user_age[u]))
                self.comment_reactions.rows.append((comment_id, first_user + u, liked_at))
        if reported:
            self._reports(post_id, age, author, thread)

    def _reports(self, post_id: int, age: int, author: int, thread: list[tuple[int, int, int]]) -> None:
        rng, first_user = self.rng, self.first_user_id
        for reporter in self.people(rng.randint(1, 3), besides=author):
            self.reports.append(
                Report(
                    reporter_id=first_user + reporter,
                    target_type=TargetType.POST,
                    post_id=post_id,
                    reason=rng.choice(Reason.values),
                    details=rng.choice(REPORT_DETAILS),
                    created_at=self.at(self.after(age, self.user_age[reporter])),
                )
            )
        if thread and rng.random() < 0.5:
            comment_id, comment_age, commenter = rng.choice(thread)
            for reporter in self.people(1, besides=commenter):
                self.reports.append(
                    Report(
                        reporter_id=first_user + reporter,
                        target_type=TargetType.COMMENT,
                        comment_id=comment_id,
                        reason=rng.choice(Reason.values),
                        details=rng.choice(REPORT_DETAILS),
                        created_at=self.at(self.after(comment_age, self.user_age[reporter])),
                    )
                )

    def _user_reports(self) -> None:
        rng, n = self.rng, self.n_users
        seen: set[tuple[int, int]] = set()
        for _ in range(max(1, n // 200) if n > 2 else 0):
            reporter, target = rng.randrange(n), rng.randrange(2, n)
            if reporter == target or (reporter, target) in seen:
                continue
            seen.add((reporter, target))
            self.reports.append(
                Report(
                    reporter_id=self.first_user_id + reporter,
                    target_type=TargetType.USER,
                    user_id=self.first_user_id + target,
                    reason=rng.choice((Reason.SPAM, Reason.HARASSMENT)),
                    details=rng.choice(REPORT_DETAILS),
                    created_at=self.at(self.after(self.user_age[reporter], self.user_age[target], mean_delay=5 * DAY)),
                )
            )
        self._write_reports()

    def _sessions(self) -> None:
        """Visits, user by user, written a batch at a time (memory stays flat whatever the user count)."""
        rng = random.Random(f"pageshare-demo-sessions-{self.seed}")  # noqa: S311 (demo data, not secrets)
        rand = rng.random
        cum = self.activity_cum_weights
        mean_weight = cum[-1] / self.n_users
        utc = self.now.astimezone(UTC)
        today = utc.hour * HOUR + utc.minute * 60 + utc.second  # seconds since midnight UTC: ages of today
        decay = [math.exp(-k / VISIT_DECAY_DAYS) for k in range(USER_WINDOW // DAY + 2)]
        for u in range(self.n_users):
            if u < 2:  # the demo accounts come back nearly every day
                keen, floor = 0.9, 1.0
            else:
                # How often a member comes back while keen; people who post more come more.
                keen = rng.betavariate(1.5, 2.5)
                weight = cum[u] - (cum[u - 1] if u else 0.0)
                if weight > 0:
                    keen = min(0.95, keen + 0.4 * (1 - math.exp(-weight / mean_weight)))
                floor = 0.0 if rand() < 0.5 else 0.3 + 0.5 * rand()  # where interest settles
            age = self.user_age[u]
            signup_day = 0 if age <= today else (age - today + DAY - 1) // DAY  # UTC days before today
            end = self._visits(rng, u, oldest=age, newest=max(0, today + (signup_day - 1) * DAY), first=age, end=None)
            for k in range(1, signup_day + 1):
                if rand() < keen * (floor + (1 - floor) * decay[k - 1]):
                    oldest = today + (signup_day - k) * DAY
                    end = self._visits(rng, u, oldest=oldest, newest=max(0, oldest - DAY), first=None, end=end)
            if len(self.sessions.rows) >= BATCH_SIZE:
                self.sessions.write()
        self.sessions.write()
        # What the request path keeps up to date, made to agree with the visits.
        latest = UserSession.objects.filter(user=OuterRef("pk")).order_by("-last_seen_at").values("last_seen_at")[:1]
        demo_users().update(last_active_at=Subquery(latest))

    def _visits(
        self, rng: random.Random, u: int, *, oldest: int, newest: int, first: int | None, end: int | None
    ) -> int | None:
        """One to three sessions starting between ages `oldest` and `newest` (the first at `first` if given).

        `end` is where the user's previous session ended (a visit may run past midnight); the age where
        the last one ends is returned.
        """
        if oldest <= newest:  # an empty day: the anchor is at midnight
            return end
        rand = rng.random
        r = rand()
        count = 1 if r < 0.6 else 2 if r < 0.88 else 3
        starts = [oldest - int(rand() * (oldest - newest)) for _ in range(count)]
        if first is not None:
            starts[0] = first
        starts.sort(reverse=True)  # oldest first
        user_id = self.first_user_id + u
        agent = USER_AGENTS[(u * 7 + int(rand() * 1.3)) % len(USER_AGENTS)]  # mostly one device per user
        low, high = math.log(VISIT_SECONDS[0]), math.log(VISIT_SECONDS[1])
        for start in starts:
            if end is not None and start > end - VISIT_GAP:
                continue  # would have been the same session
            seconds = int(math.exp(low + (high - low) * rand()))
            end = max(0, start - seconds)
            requests = 1 + (start - end) // (20 + int(rand() * 100))
            self.sessions.rows.append((user_id, self.stamp(start), self.stamp(end), requests, agent))
        return end

    def _write_chunk(self) -> None:
        Ticker.objects.bulk_create(self.new_tickers, ignore_conflicts=True)
        self.new_tickers = []
        for table in (
            self.polls,
            self.options,
            self.posts,
            self.post_tickers,
            self.post_mentions,
            self.votes,
            self.comments,
            self.comment_mentions,
            self.post_reactions,
            self.comment_reactions,
            self.reposts,
            self.bookmarks,
        ):
            table.write()
        self._write_reports()

    def _write_reports(self) -> None:
        Report.objects.bulk_create(self.reports, batch_size=BATCH_SIZE)
        self.result.reports += len(self.reports)
        self.reports = []


@contextmanager
def _sqlite_cache(*, megabytes: int) -> Iterator[None]:
    # One big transaction touches every index page of the big tables; with
    # SQLite's default 2 MB page cache it spends most of its time spilling
    # and re-reading them. The cache only grows as pages are used.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-megabytes * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@cache
def _age_quantiles() -> list[float]:
    """The post ages (seconds) younger than which 0, 1/AGE_QUANTILES, ..., all of the posts are.

    Age density: exp(-age / POST_RECENCY) + POST_FLOOR up to POST_WINDOW.
    """

    def younger(age: float) -> float:  # the mass of posts younger than `age` (not normalised)
        return POST_RECENCY * (1 - math.exp(-age / POST_RECENCY)) + POST_FLOOR * age

    total = younger(POST_WINDOW)
    ages = []
    for k in range(AGE_QUANTILES + 1):
        target = total * k / AGE_QUANTILES
        low, high = 0.0, float(POST_WINDOW)
        for _ in range(50):  # bisection: the mass only grows with the age
            middle = (low + high) / 2
            low, high = (middle, high) if younger(middle) < target else (low, middle)
        ages.append(high)
    return ages


@cache
def _slots(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


@contextmanager
def _postgresql_immediate_constraints() -> Iterator[None]:
    # Django's foreign keys are checked at commit, where PostgreSQL would check
    # millions of queued rows at once, holding the queue in memory. Rows are
    # written parents first, so checking as each statement ends works and
    # keeps memory flat. All of Django's constraints are deferred by default.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Not after an error: the transaction is failed and will be rolled back anyway.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower())
