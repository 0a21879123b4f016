"""The email digest: unread notifications since the last digest, daily or weekly, with a one-click unsubscribe.

Sent per user in one transaction that locks the user's preferences row,
checks the digest is still due, sends, then records ``last_digest_at``: a
retried or overlapping ``send_digests`` finds it done and sends nothing (a mail
server error rolls back, and the retry sends it). It covers the groups shown
in the app (same rules) whose type has ``email`` on, unread, with a new act
since the last digest (or since the digest was turned on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.models import DigestFrequency, NotificationGroup, NotificationPreferences, NotificationType
from notifications.preferences import hidden_types, preferences_render
from notifications.querysets import newest_actors
from notifications.unsubscribe import unsubscribe_token

# An hour less than the period: the hourly beat never lands on the same second twice.
PERIODS = {DigestFrequency.DAILY: timedelta(hours=23), DigestFrequency.WEEKLY: timedelta(days=7, hours=-1)}
# Groups listed in one email; the rest are counted.
MAX_LISTED = 20

VERBS = {
    NotificationType.FOLLOW: "followed you",
    NotificationType.REACTION: "liked your {what}",
    NotificationType.COMMENT: "commented on your post",
    NotificationType.REPLY: "replied to your comment",
    NotificationType.MENTION: "mentioned you",
    NotificationType.REPOST: "reposted your post",
    NotificationType.QUOTE: "quoted your post",
    NotificationType.POLL_ENDED: "'s poll has ended",
}


@dataclass(frozen=True)
class DigestLine:
    text: str
    excerpt: str


def due(now: datetime) -> QuerySet[NotificationPreferences]:
    """Preferences whose digest is on and due at ``now``."""
    due_q = Q()
    for frequency, period in PERIODS.items():
        due_q |= Q(email_digest=frequency) & (Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - period))
    return NotificationPreferences.objects.filter(due_q)


def unsubscribe_url(user_id: int) -> str:
    path = reverse("notification-unsubscribe")
    return f"{settings.API_URL}{path}?token={unsubscribe_token(user_id)}"


def _call_scored_text(group: NotificationGroup) -> str:
    """``call_scored`` has no actor: "Your bullish call on $NVDA was scored at 1m: +4.2%, a hit"."""
    call = getattr(group.post, "call", None)
    if call is None or call.return_1m is None:
        return "Your call was scored at 1m"
    outcome = "a hit" if call.hit_1m else "a miss"
    return f"Your {call.direction} call on ${call.ticker_id} was scored at 1m: {call.return_1m:+.1%}, {outcome}"


def _line(group: NotificationGroup, actors: list[Any]) -> DigestLine:
    if group.type == NotificationType.CALL_SCORED:
        text = _call_scored_text(group)
    else:
        names = [actor.display_name or actor.username for actor in actors[:2]]
        others = group.count - len(names)
        who = " and ".join(names) if others <= 0 else f"{', '.join(names)} and {others} other{'s' * (others > 1)}"
        verb = VERBS[NotificationType(group.type)].format(what="comment" if group.comment_id else "post")
        text = f"{who}{verb}" if verb.startswith("'") else f"{who} {verb}"
    excerpt = ""
    if group.comment is not None:
        excerpt = group.comment.content
    elif group.post is not None:
        excerpt = group.post.content
    return DigestLine(text=text, excerpt=excerpt[:140])


def _email_types(preferences: NotificationPreferences) -> list[str]:
    rendered = preferences_render(preferences)["types"]
    return [kind for kind, channels in rendered.items() if channels["email"] and channels["in_app"]]


def digest_send(*, preferences_id: int, now: datetime) -> bool:
    """Sends one user's digest if it is due and has something to say; True when an email went out."""
    with transaction.atomic():
        preferences = due(now).select_for_update(of=("self",)).select_related("user").filter(pk=preferences_id).first()
        if preferences is None:
            return False  # not due (any more): sent by another run, or turned off
        user = preferences.user
        if not user.in_good_standing or not user.email:
            return False
        groups = (
            NotificationGroup.objects.shown_to(user, hidden_types=hidden_types(user))
            .filter(read=False, type__in=_email_types(preferences))
            .select_related("post__call", "comment")
            .order_by("-latest_at", "-id")
        )
        if preferences.last_digest_at is not None:
            groups = groups.filter(latest_at__gt=preferences.last_digest_at)
        listed = list(groups[:MAX_LISTED])
        if not listed:
            return False
        total = groups.count() if len(listed) == MAX_LISTED else len(listed)
        actors = newest_actors(user, [group.pk for group in listed], per_group=2)
        link = unsubscribe_url(user.pk)
        context = {
            "user": user,
            "lines": [_line(group, actors[group.pk]) for group in listed],
            "more": total - len(listed),
            "total": total,
            "frequency": preferences.email_digest,
            "notifications_url": f"{settings.FRONTEND_URL}/notifications",
            "unsubscribe_url": link,
        }
        message = EmailMultiAlternatives(
            subject=f"PageShare: {total} new notification{'s' * (total > 1)}",
            body=render_to_string("notifications/digest.txt", context),
            to=[user.email],
            headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        message.attach_alternative(render_to_string("notifications/digest.html", context), "text/html")
        message.send()
        preferences.last_digest_at = now
        preferences.save(update_fields=["last_digest_at"])
    return True
