"""Error tracking: frontend reports and unhandled backend exceptions, grouped by fingerprint.

One ``ErrorLog`` row per group. The fingerprint is the SHA-256 of the source,
the level, the message with its variable parts masked (UUIDs, hex ids and
numbers, after scrubbing) and the place:

- frontend: the top frame of ``stack`` (function and script path, without
  host, query or line numbers: minified bundles move lines on every build),
  else the path of ``url``;
- backend: the exception type and the innermost frame of our own code
  (``module:function:line``), else the innermost frame at all.

A new occurrence of a known group increments ``count`` in the database (an F()
update) and moves ``last_seen``. A backend occurrence also replaces the example
(message, stack, url, context, request id, user) with its own and reopens the
group if it was resolved (a regression). A frontend report, which anyone may
send, does neither: the group keeps its first example, and only a report from
a staff user reopens it (staff can also reopen groups in the admin).
Concurrent first occurrences are settled by the unique fingerprint: the loser
of the insert updates the winner's row.

Secrets never reach the table: context keys that look like credentials
(token, password, secret, authorization, cookie, api key, refresh, access,
session, csrf; any case, at any depth, inside lists too) become
``[scrubbed]``, and so do bearer/basic credentials, JWT-looking strings and
``key=value`` pairs with such keys in the message, stack, url and context
strings. Text is cut to the column sizes (``stack`` to ``STACK_MAX``) before
it is scrubbed, and every pattern is linear, so a hostile report costs
milliseconds, however long it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.http import HttpRequest
from django.utils.timezone import now

from accounts.models import User
from core.logging import request_id_var
from core.ratelimit import parse_rate
from core.text import json_text_problem, storable
from metrics.models import ErrorLog

SCRUBBED = "[scrubbed]"
STACK_MAX = 16_000
CONTEXT_MAX_BYTES = 8 * 1024
CONTEXT_MAX_DEPTH = 8
COUNT_MAX = 2**31 - 1  # PositiveIntegerField's ceiling on PostgreSQL
# Where anonymous reports go once they may open no more new groups (none of their text is kept).
OVERFLOW_MESSAGE = "New error groups reported anonymously beyond ERROR_LOG_ANONYMOUS_NEW_GROUPS"
OVERFLOW_PLACE = "(overflow)"

MESSAGE_MAX = ErrorLog._meta.get_field("message").max_length or 2000
URL_MAX = ErrorLog._meta.get_field("url").max_length or 2000
PATH_MAX = ErrorLog._meta.get_field("path").max_length or 2000
USER_AGENT_MAX = ErrorLog._meta.get_field("user_agent").max_length or 500
REQUEST_ID_MAX = ErrorLog._meta.get_field("request_id").max_length or 128

_SENSITIVE = r"token|password|passwd|secret|authorization|cookie|api[_-]?key|refresh|access|session|csrf|credential"
SENSITIVE_KEY = re.compile(_SENSITIVE, re.IGNORECASE)

# Every pattern that runs over reported text is linear in its length: a match
# can only start where a token starts (a lookbehind or a fixed word), and the
# quantifiers that scan a token are possessive (``++``, ``*+``), so a failed
# attempt never backtracks into what it scanned, nor rescans it from a later
# start. ``tests/test_errors_hostile.py`` holds them to it with 1 MB inputs.
_KEY = rf"(?=[\w.-]*?(?:{_SENSITIVE}))[\w.-]++"  # a whole [\w.-] run containing a sensitive word
_AUTH_HEADER_VALUE = re.compile(r"\b(Bearer|Basic|Token)\s++[A-Za-z0-9._~+/=-]++", re.IGNORECASE)
# A JWT, or at the very end of the text its head (the text may have been cut in
# the middle of one); any other word starting with eyJ is consumed unchanged
# (``rest``) so that no later start inside it scans it again.
_JWT = re.compile(
    r"\beyJ(?:[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]*+"
    r"|[A-Za-z0-9_-]{4,}+(?:\.[A-Za-z0-9_-]*+)?\Z"
    r"|(?P<rest>[A-Za-z0-9_-]*+))"
)
# password=hunter2, ?access_token=abc&...; the key is the whole run (a.b-token=).
_KEY_VALUE = re.compile(rf"""(?<![\w.-])({_KEY})=[^&\s#"',;]*+""", re.IGNORECASE)
# "apiKey": "abc"; a string the end of the text cut open counts as ending there.
_JSON_KEY_VALUE = re.compile(rf"""("{_KEY}"\s*+:\s*+)"(?:[^"\\]++|\\.?)*+(?:"|\Z)""", re.IGNORECASE)

_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
# Tried only where a word starts; the lookaheads scan that word's leading hex digits.
_HEX = re.compile(r"\b(?:0x[0-9a-f]++|(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}+)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

# "    at fn (https://host/app.js:1:2)", "    at https://host/app.js:1:2" (V8);
# "fn@https://host/app.js:1:2", "@https://host/app.js:1:2" (Firefox, Safari).
# The function name ends on a non-space right before the spaces and "(", so each
# run of spaces is scanned once, not once per position inside it.
_V8_FRAME = re.compile(r"^\s*+at\s++(?:(?:(?P<fn>.*?\S)\s++)?\()?(?P<file>[^()\s]+?)(?::\d++){1,2}\)?\s*+$")
_GECKO_FRAME = re.compile(r"^\s*+(?P<fn>[^@\s]*+)@(?P<file>\S+?)(?::\d++){1,2}\s*+$")

_PROJECT_ROOT = str(Path(settings.BASE_DIR).resolve())


# Scrubbing.


def scrub_text(text: str) -> str:
    """``text`` with credentials replaced by ``[scrubbed]``."""
    text = _AUTH_HEADER_VALUE.sub(lambda match: f"{match.group(1)} {SCRUBBED}", text)
    text = _JWT.sub(lambda match: match.group() if match.group("rest") is not None else SCRUBBED, text)
    text = _JSON_KEY_VALUE.sub(lambda match: f'{match.group(1)}"{SCRUBBED}"', text)
    return _KEY_VALUE.sub(lambda match: f"{match.group(1)}={SCRUBBED}", text)


def scrub(value: Any) -> Any:
    """A JSON value with every credential-looking key's value, and credentials in strings, scrubbed."""
    if isinstance(value, dict):
        return {str(key): SCRUBBED if SENSITIVE_KEY.search(str(key)) else scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def json_depth(value: Any, *, limit: int) -> int:
    """How deeply ``value`` nests (a scalar is 0); stops counting past ``limit``."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((json_depth(item, limit=limit - 1) for item in items), default=0)


def context_problem(context: Any) -> str | None:
    """Why ``context`` cannot be stored (not an object, too deep, too big, a NUL or lone surrogate in it), or None."""
    if not isinstance(context, dict):
        return "Must be a JSON object."
    if json_depth(context, limit=CONTEXT_MAX_DEPTH) > CONTEXT_MAX_DEPTH:
        return f"Nested deeper than {CONTEXT_MAX_DEPTH} levels."
    if len(json.dumps(context, separators=(",", ":"), default=str).encode()) > CONTEXT_MAX_BYTES:
        return f"At most {CONTEXT_MAX_BYTES // 1024} KB of JSON."
    # PostgreSQL's jsonb cannot hold them: refused rather than silently changed.
    return json_text_problem(context)


# Grouping.


def normalize(text: str) -> str:
    """``text`` with its variable parts masked, so occurrences of one error compare equal."""
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACES.sub(" ", text).strip()


def error_fingerprint(*, source: str, level: str, message: str, place: str) -> str:
    """The group of an error: SHA-256 over source, level, masked message and masked place."""
    key = "\n".join([source, level, normalize(message)[:MESSAGE_MAX], normalize(place)])
    return hashlib.sha256(key.encode()).hexdigest()


def frontend_place(*, stack: str, url: str) -> str:
    """The top stack frame (function and script path), else the page's path."""
    for line in stack.splitlines():
        match = _V8_FRAME.match(line) or _GECKO_FRAME.match(line)
        if match:
            function = (match.group("fn") or "").removeprefix("async ").strip() or "?"
            return f"{function} in {_url_path(match.group('file')) or match.group('file')}"
    return _url_path(url)


def _url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:  # e.g. a malformed IPv6 host
        return ""


def backend_place(exc: BaseException) -> str:
    """The exception type and the innermost frame of our own code (``module:function:line``)."""
    kind = type(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in frames if _is_project_file(frame.filename)]
    frame = ours[-1] if ours else (frames[-1] if frames else None)
    where = f"{_module_of(frame.filename)}:{frame.name}:{frame.lineno}" if frame is not None else "?"
    return f"{kind.__module__}.{kind.__qualname__} at {where}"


def _is_project_file(filename: str) -> bool:
    path = str(Path(filename).resolve())
    return path.startswith(_PROJECT_ROOT + "/") and "site-packages" not in path and "/.venv/" not in path


def _module_of(filename: str) -> str:
    path = Path(filename).resolve()
    try:
        relative = path.relative_to(_PROJECT_ROOT)
    except ValueError:
        return path.stem
    return ".".join(relative.with_suffix("").parts)


# Writes.


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, storable by PostgreSQL (an exception's message may hold a NUL)."""
    return storable(text if len(text) <= limit else text[: limit - 1] + "…")


def _cut_scrubbed(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, then scrubbed, so no pattern reads more than ``limit``.

    A credential the cut splits is scrubbed all the same: the patterns take the
    end of the text for the end of a value. Scrubbing can lengthen the text
    (``[scrubbed]`` is longer than a short secret), hence the second cut.
    """
    if len(text) <= limit:
        return _cut(scrub_text(text), limit)
    return _cut(scrub_text(text[: limit - 1]) + "…", limit)


def _scrub_url(url: str) -> str:
    """The URL, cut to ``URL_MAX``, with credentials in its query, and any ``user:password@``, scrubbed."""
    url = _cut_scrubbed(url, URL_MAX)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" in parts.netloc:
        url = urlunsplit(parts._replace(netloc=f"{SCRUBBED}@{parts.netloc.rpartition('@')[2]}"))
    return _cut(url, URL_MAX)


@dataclass(frozen=True)
class Occurrence:
    """One error as it is stored: scrubbed and cut to the column sizes."""

    source: str
    level: str
    message: str
    place: str
    stack: str = ""
    url: str = ""
    path: str = ""
    user_agent: str = ""
    context: dict[str, Any] | None = None
    request_id: str = ""
    user: User | None = None


def occurrence_fingerprint(occurrence: Occurrence) -> str:
    return error_fingerprint(
        source=occurrence.source, level=occurrence.level, message=occurrence.message, place=occurrence.place
    )


@transaction.atomic
def error_log_record(*, occurrence: Occurrence, at: datetime | None = None) -> ErrorLog:
    """Adds an occurrence to its group, creating the group on first sight; returns the group.

    Race-safe: the unique fingerprint decides which of two concurrent first
    occurrences inserts; the other then counts itself on that row.
    """
    at = at or now()
    fingerprint = occurrence_fingerprint(occurrence)
    example: dict[str, Any] = {
        "message": occurrence.message,
        "stack": occurrence.stack,
        "url": occurrence.url,
        "path": occurrence.path,
        "user_agent": occurrence.user_agent,
        "context": occurrence.context or {},
        "request_id": occurrence.request_id,
        "user": occurrence.user,
    }
    again: dict[str, Any] = {"count": Least(F("count") + 1, Value(COUNT_MAX)), "last_seen": at}
    if occurrence.source == ErrorLog.Source.BACKEND:
        # Our own crash: the latest traceback and request id are the ones to chase.
        again.update(example)
    if occurrence.source == ErrorLog.Source.BACKEND or (occurrence.user is not None and occurrence.user.is_staff):
        # A resolved error that comes back is open again; anyone may report a
        # frontend error, so only staff's reports reopen one.
        again.update(resolved=False, resolved_at=None, resolved_by=None)
    for _attempt in range(3):
        seen_again = ErrorLog.objects.filter(fingerprint=fingerprint).update(**again)
        if seen_again:
            return ErrorLog.objects.get(fingerprint=fingerprint)
        try:
            with transaction.atomic():
                return ErrorLog.objects.create(
                    fingerprint=fingerprint,
                    source=occurrence.source,
                    level=occurrence.level,
                    first_seen=at,
                    last_seen=at,
                    count=1,
                    **example,
                )
        except IntegrityError:
            # Someone inserted this group meanwhile: count on their row.
            continue
    raise RuntimeError(f"could not record error group {fingerprint}")


def frontend_error_record(
    *,
    message: str,
    stack: str = "",
    url: str = "",
    user_agent: str = "",
    level: str = ErrorLog.Level.ERROR,
    context: dict[str, Any] | None = None,
    request_id: str = "",
    user: User | None = None,
) -> ErrorLog:
    """Stores an error the web frontend reported (``POST errors/log``), cut to size and scrubbed.

    A report from nobody in particular that would open a new group takes one
    from the budget all anonymous reporters share (``ERROR_LOG_ANONYMOUS_NEW_GROUPS``);
    past it, it is counted on the overflow group of its level instead, so
    random messages from many addresses cannot fill the table.
    """
    message = _cut_scrubbed(message, MESSAGE_MAX)
    stack = _cut_scrubbed(stack, STACK_MAX)
    url = _scrub_url(url)
    occurrence = Occurrence(
        source=ErrorLog.Source.FRONTEND,
        level=level,
        message=message,
        place=frontend_place(stack=stack, url=url),
        stack=stack,
        url=url,
        path=_cut(_url_path(url), PATH_MAX),
        user_agent=_cut(user_agent, USER_AGENT_MAX),
        context=scrub(context or {}),
        request_id=request_id[:REQUEST_ID_MAX],
        user=user,
    )
    if user is None and not _anonymous_group_allowed(occurrence):
        occurrence = Occurrence(
            source=ErrorLog.Source.FRONTEND, level=level, message=OVERFLOW_MESSAGE, place=OVERFLOW_PLACE
        )
    return error_log_record(occurrence=occurrence)


def _anonymous_group_allowed(occurrence: Occurrence) -> bool:
    """Whether an anonymous report may be stored as it is: its group exists, or the window's budget has room."""
    if not settings.RATE_LIMITS_ENABLED:
        return True
    if ErrorLog.objects.filter(fingerprint=occurrence_fingerprint(occurrence)).exists():
        return True
    limit, period = parse_rate(settings.ERROR_LOG_ANONYMOUS_NEW_GROUPS)
    key = f"errorlog:anonymous-groups:{int(now().timestamp()) // period}"
    cache.add(key, 0, timeout=period + 1)
    try:
        return bool(cache.incr(key) <= limit)
    except ValueError:  # the window expired between add() and incr(): a new one begins
        return True


def backend_error_record(*, exc: BaseException, request: HttpRequest | None = None) -> ErrorLog:
    """Stores an unhandled exception of a request (or of no request) with its traceback."""
    message = _cut_scrubbed(f"{type(exc).__name__}: {_safe_str(exc)}", MESSAGE_MAX)
    stack = _cut_scrubbed(_format_exception(exc, exc.__traceback__), STACK_MAX)
    context: dict[str, Any] = {"exception": f"{type(exc).__module__}.{type(exc).__qualname__}"}
    url = path = user_agent = ""
    request_id = request_id_var.get()
    user = None
    if request is not None:
        context["method"] = request.method
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name:
            context["view"] = match.view_name
        url = _scrub_url(request.get_full_path())
        path = request.path
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        request_id = getattr(request, "request_id", None) or request_id
        user = _request_user(request)
    return error_log_record(
        occurrence=Occurrence(
            source=ErrorLog.Source.BACKEND,
            level=ErrorLog.Level.ERROR,
            message=message,
            place=backend_place(exc),
            stack=stack,
            url=url,
            path=_cut(path, PATH_MAX),
            user_agent=_cut(user_agent, USER_AGENT_MAX),
            context=scrub(context),
            request_id="" if request_id == "-" else request_id[:REQUEST_ID_MAX],
            user=user,
        )
    )


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<unprintable>"


def _format_exception(exc: BaseException, tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _request_user(request: HttpRequest) -> User | None:
    """The signed-in user (DRF puts the bearer token's user on the request); None if unknown."""
    try:
        user = getattr(request, "user", None)
        return user if isinstance(user, User) and user.is_authenticated else None
    except Exception:
        # A broken session store must not cost us the error itself.
        return None


@transaction.atomic
def error_logs_resolve(*, ids: Iterable[int], by: User, at: datetime | None = None) -> int:
    """Marks the open groups among ``ids`` resolved by ``by``; already resolved ones keep who and when."""
    return ErrorLog.objects.filter(pk__in=ids, resolved=False).update(
        resolved=True, resolved_at=at or now(), resolved_by=by
    )


@transaction.atomic
def error_logs_reopen(*, ids: Iterable[int]) -> int:
    """Opens the resolved groups among ``ids`` again."""
    return ErrorLog.objects.filter(pk__in=ids, resolved=True).update(resolved=False, resolved_at=None, resolved_by=None)


def error_log_resolve(*, error_log: ErrorLog, by: User) -> ErrorLog:
    """Resolves one group (idempotent: a resolved group stays as it was) and returns it fresh."""
    error_logs_resolve(ids=[error_log.pk], by=by)
    error_log.refresh_from_db()
    return error_log
