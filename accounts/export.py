"""The signed-in user's data export (GET users/me/export): one JSON archive, written as it is read.

The archive is an object: ``format``, ``version``, ``exported_at``, ``account`` (the profile,
settings and interests), then one array per registered section (``accounts.account_hooks``):
accounts' own ``activity_sessions``, then the sections of the apps above it, in app order.
Each section reads its rows with ``.iterator(chunk_size=EXPORT_CHUNK_SIZE)`` and a fixed number
of queries, so neither memory nor the query count grows with the account's size. Rows that hang
off a parent row (a post's tickers, media, poll options) come from one more query ordered like
the parents and are joined while streaming (``children_by``).

On PostgreSQL ``.iterator()`` uses server-side cursors. The archive is deliberately not read in
one transaction: it is written as fast as the client downloads it, and a transaction left idle
that long holds back vacuum and dies of ``idle_in_transaction_session_timeout``. In autocommit
Django declares the cursors ``WITH HOLD``: each query's result is kept on the database server
and fetched from there in chunks. Sections are therefore read one after the other, not as one
snapshot (a post liked mid-download may be missing from ``post_likes``). Behind PgBouncer in
transaction mode set ``DATABASE_DISABLE_SERVER_SIDE_CURSORS=true``: the archive is still
streamed and still takes the same queries, but each query's rows are then fetched into the
worker's memory in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.account_hooks import account_export_section_register, account_export_sections
from accounts.models import User, UserInterest, UserSession

if TYPE_CHECKING:
    from django.db.models import FileField

FORMAT = "pageshare-export"
VERSION = 1
EXPORT_CHUNK_SIZE = 2000
# The archive goes out in pieces of about this many characters (one row may make a piece longer).
_FLUSH_CHARS = 64 * 1024

_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def file_url(field: FileField, name: str | None) -> str | None:
    """The URL of a stored file from its name (as ``.values()`` reads a file field), or None."""
    return field.storage.url(name) if name else None


def children_by(rows: Iterable[tuple[Any, dict[str, Any]]]) -> Callable[[Any], list[dict[str, Any]]]:
    """Joins child rows to their parents while streaming both.

    ``rows`` are ``(parent_key, child)`` pairs ordered by parent key the way the parents are
    (ascending); the function returned gives the children of each parent key, asked in that
    same order. Nothing is read before the first call, and only one parent's children are held.
    """
    iterator = iter(rows)
    pending: list[tuple[Any, dict[str, Any]] | None] = []

    def take(key: Any) -> list[dict[str, Any]]:
        if not pending:
            pending.append(next(iterator, None))
        children = []
        while pending[0] is not None and pending[0][0] < key:  # a child whose parent is not exported
            pending[0] = next(iterator, None)
        while pending[0] is not None and pending[0][0] == key:
            children.append(pending[0][1])
            pending[0] = next(iterator, None)
        return children

    return take


def account_data(user: User) -> dict[str, Any]:
    """The account itself: profile, settings, interests, dates. No IP hashes, no password hash."""
    field = User._meta.get_field("profile_picture")
    interests = UserInterest.objects.filter(user=user).order_by("interest").values_list("interest", flat=True)
    return {
        "id": str(user.pk),
        "email": user.email,
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "profile_picture_url": file_url(field, user.profile_picture.name),  # type: ignore[arg-type]
        "timezone": user.timezone,
        "country": user.country or None,
        "settings": user.settings,
        "interests": list(interests),
        "onboarded": user.onboarded,
        "is_staff": user.is_staff,
        "external_identity": user.external_subject,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_active_at": user.last_active_at,
    }


def activity_sessions(*, user: User) -> Iterator[dict[str, Any]]:
    """The user's activity sessions (when the apps were used, and with what), without IP hashes."""
    rows = (
        UserSession.objects.filter(user=user)
        .order_by("started_at", "id")
        .values("started_at", "last_seen_at", "request_count", "user_agent")
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield dict(row)


def register() -> None:
    """accounts' own sections (called from ``AccountsConfig.ready()``, before the other apps')."""
    account_export_section_register("activity_sessions", activity_sessions)


def archive_filename(user: User) -> str:
    return f"pageshare-export-{user.username}-{timezone.now().date().isoformat()}.json"


def archive_chunks(user: User) -> Iterator[str]:
    """The archive of ``user``, as pieces of JSON text to send in order."""
    sections = account_export_sections()
    head = {"format": FORMAT, "version": VERSION, "exported_at": timezone.now(), "account": account_data(user)}
    buffer = [_encoder.encode(head)[:-1]]  # the object stays open for the sections
    size = len(buffer[0])
    for name, section in sections.items():
        buffer.append(f",{_encoder.encode(name)}:[")
        first = True
        for row in section(user=user):
            text = _encoder.encode(row)
            buffer.append(text if first else "," + text)
            first = False
            size += len(text) + 1
            if size >= _FLUSH_CHARS:
                yield "".join(buffer)
                buffer, size = [], 0
        buffer.append("]")
    buffer.append("}")
    yield "".join(buffer)
