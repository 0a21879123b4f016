"""Writes over polls: creating one for a post, voting once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict, Invalid
from core.textnorm import text_normalise
from polls.models import (
    MAX_DURATION_HOURS,
    MAX_OPTIONS,
    MIN_DURATION_HOURS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    Poll,
    PollOption,
    PollVote,
)


def poll_clean(*, options: Sequence[Any], duration_hours: Any) -> tuple[list[str], int]:
    """The trimmed options and the duration, or ``Invalid`` naming ``options``/``duration_hours``.

    Changes nothing, so ``post_create`` can check a poll before it writes.
    """
    errors: dict[str, list[str]] = {}
    cleaned = [text_normalise(option) if isinstance(option, str) else option for option in options]
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        errors["options"] = [f"A poll has {MIN_OPTIONS} to {MAX_OPTIONS} options."]
    elif not all(isinstance(option, str) and 1 <= len(option) <= OPTION_MAX_LENGTH for option in cleaned):
        errors["options"] = [f"Each option is 1-{OPTION_MAX_LENGTH} characters (after trimming)."]
    elif len({option.casefold() for option in cleaned}) != len(cleaned):
        errors["options"] = ["Options must differ from each other."]
    if (
        isinstance(duration_hours, bool)
        or not isinstance(duration_hours, int)
        or not MIN_DURATION_HOURS <= duration_hours <= MAX_DURATION_HOURS
    ):
        errors["duration_hours"] = [f"Must be a whole number of hours, {MIN_DURATION_HOURS}-{MAX_DURATION_HOURS}."]
    if errors:
        raise Invalid(errors)
    return cleaned, duration_hours


@transaction.atomic
def poll_create(*, options: Sequence[str], duration_hours: int) -> Poll:
    """A poll open for ``duration_hours`` from now, with its options in the given order."""
    cleaned, hours = poll_clean(options=options, duration_hours=duration_hours)
    now = timezone.now()
    poll = Poll.objects.create(created_at=now, expires_at=now + timedelta(hours=hours))
    PollOption.objects.bulk_create(
        PollOption(poll=poll, position=position, text=text) for position, text in enumerate(cleaned)
    )
    return poll


@transaction.atomic
def poll_vote(*, poll: Poll, option_id: int, user: User) -> PollVote:
    """Records ``user``'s one vote in ``poll``.

    400 naming ``option_id`` when the option is not this poll's; 409 when the
    poll has expired or the user already voted. The ``poll_vote_once`` unique
    constraint is the judge, so of two concurrent votes exactly one wins.
    """
    option = PollOption.objects.filter(pk=option_id, poll_id=poll.pk).first()
    if option is None:
        raise Invalid({"option_id": ["Not an option of this poll."]})
    if poll.expired:
        raise Conflict("This poll has closed.", code="poll_expired")
    try:
        with transaction.atomic():
            return PollVote.objects.create(poll_id=poll.pk, option=option, user=user)
    except IntegrityError:
        raise Conflict("You already voted in this poll.", code="already_voted") from None
