"""Reports, and what moderators do about them.

Users flag posts, comments and other users (``report_create``). Moderators
(staff with the ``moderation.moderate`` permission: the Moderators group) then
hide or unhide a post or comment, delete it, suspend or reinstate a user, or
dismiss the reports. Each of those writes one ``ModerationAction`` (who, what,
why, and how many reports it closed) and closes the open reports it answers:

- hiding or deleting a post or comment resolves the open reports on it;
- suspending a user resolves the open reports on the user *and* on their posts
  and comments (their content disappears with them, so those reports are
  answered too);
- dismissing closes the open reports on the target as ``dismissed``;
- unhiding and lifting a suspension close none.

Every change is a conditional UPDATE (``WHERE is_hidden = false``,
``WHERE status = 'open'``...), so when two moderators act on the same target
at once the second changes nothing and gets None back: no second log entry,
no error.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services.auth import refresh_tokens_revoke_all
from accounts.signals import user_deactivated
from content.models import Comment, Post
from content.services.interactions import comment_set_hidden, comment_soft_delete
from content.services.posts import post_set_hidden, post_soft_delete
from content.services.tickers import author_tickers_recount
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.textnorm import visible_text
from moderation.models import ModerationAction, Report, ReportStatus, TargetType
from moderation.querysets import ReportQuerySet
from social.querysets import visible_profiles

MODERATE_PERMISSION = "moderation.moderate"
# A suspension's reason is kept on the user too (``User.suspension_reason``).
REASON_MAX_LENGTH = 500

Action = ModerationAction.Action

_NOT_FOUND = {
    TargetType.POST: "No such post.",
    TargetType.COMMENT: "No such comment.",
    TargetType.USER: "No such user.",
}
_SELF = {
    TargetType.POST: "You cannot report your own post.",
    TargetType.COMMENT: "You cannot report your own comment.",
    TargetType.USER: "You cannot report yourself.",
}


@transaction.atomic
def report_create(*, reporter: User, target_type: str, target_id: int, reason: str, details: str = "") -> Report:
    """Files an open report on a post, comment or user the reporter can see.

    ``NotFound`` when the target does not exist or the reporter may not open
    it (``visible_to``: deleted, hidden, suspended author, a block either way;
    for a user, a deactivated or suspended account);
    ``Invalid`` naming ``target_id`` for a report on one's own post,
    comment or account; ``Conflict`` when the reporter already has an open
    report on it. The partial unique constraints decide that last one, so two
    concurrent identical reports make one row and one ``Conflict``.
    """
    details = visible_text(details, field="details")
    kind = TargetType(target_type)
    target = _visible_target(kind, target_id, reporter)
    if target is None:
        raise NotFound(_NOT_FOUND[kind])
    author_id = target.pk if isinstance(target, User) else target.author_id
    if author_id == reporter.pk:
        raise Invalid({"target_id": [_SELF[kind]]}, code="self_report")

    report = Report(reporter=reporter, target_type=kind, reason=reason, details=details)
    setattr(report, kind.value, target)
    try:
        with transaction.atomic():
            report.save(force_insert=True)
    except IntegrityError:
        if _open_reports(reporter, kind, target).exists():
            raise Conflict(
                f"You already have an open report on this {kind.label.lower()}; moderators will review it."
            ) from None
        raise
    return report


def _visible_target(kind: TargetType, target_id: int, reporter: User) -> Post | Comment | User | None:
    """The target if the reporter may open it; None otherwise (a 404 either way)."""
    if kind == TargetType.POST:
        return Post.objects.visible_to(reporter).filter(pk=target_id).first()
    if kind == TargetType.COMMENT:
        return Comment.objects.visible_to(reporter).filter(pk=target_id).first()
    # Blocks do not hide a profile, so a user who blocked you can still be reported.
    return visible_profiles().filter(pk=target_id).first()


def _open_reports(reporter: User, kind: TargetType, target: models.Model) -> models.QuerySet[Report]:
    return Report.objects.filter(reporter=reporter, status=ReportStatus.OPEN, **{kind.value: target})


# Moderation


def _moderator_check(moderator: User) -> None:
    if not (moderator.is_active and moderator.is_staff and moderator.has_perm(MODERATE_PERMISSION)):
        raise Forbidden("Only moderators may do this.")


def _reason_clean(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise Invalid({"reason": ["Say why: the reason is kept in the audit log."]})
    if len(text) > REASON_MAX_LENGTH:
        raise Invalid({"reason": [f"At most {REASON_MAX_LENGTH} characters."]})
    return text


def target_type_of(target: Post | Comment | User) -> TargetType:
    if isinstance(target, Post):
        return TargetType.POST
    if isinstance(target, Comment):
        return TargetType.COMMENT
    return TargetType.USER


def _reports_close(reports: ReportQuerySet, *, moderator: User, status: ReportStatus) -> int:
    """Closes the open ones among ``reports``; returns how many.

    ``reports`` must filter on the report's own columns only (no joins), so the
    ``status = 'open'`` condition stays on the updated rows and PostgreSQL
    re-checks it when a concurrent moderator closed them first.
    """
    return reports.open().update(status=status, resolved_at=timezone.now(), resolved_by=moderator)


def _log(
    *, moderator: User, action: str, target: Post | Comment | User, reason: str, reports_resolved: int
) -> ModerationAction:
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        reason=reason,
        reports_resolved=reports_resolved,
    )


def _set_hidden(target: Post | Comment, hidden: bool) -> bool:
    if isinstance(target, Post):
        return post_set_hidden(post=target, hidden=hidden)
    return comment_set_hidden(comment=target, hidden=hidden)


@transaction.atomic
def content_hide(*, moderator: User, target: Post | Comment, reason: str) -> ModerationAction | None:
    """Hides a post or comment from everyone and resolves its open reports.

    Reversible (``content_unhide``): hidden content answers 404 and leaves every
    list until then. None when there was nothing to do (already hidden or
    deleted, and no open report).
    """
    _moderator_check(moderator)
    text = _reason_clean(reason)
    # Reports first, the content (and its ticker counters) last: counters are locked last.
    resolved = _reports_close(Report.objects.on(target), moderator=moderator, status=ReportStatus.RESOLVED)
    changed = _set_hidden(target, True)
    if not (changed or resolved):
        return None
    return _log(moderator=moderator, action=Action.HIDE, target=target, reason=text, reports_resolved=resolved)


@transaction.atomic
def content_unhide(*, moderator: User, target: Post | Comment, reason: str) -> ModerationAction | None:
    """Shows a hidden post or comment again; None if it was not hidden (or is deleted)."""
    _moderator_check(moderator)
    text = _reason_clean(reason)
    if not _set_hidden(target, False):
        return None
    return _log(moderator=moderator, action=Action.UNHIDE, target=target, reason=text, reports_resolved=0)


@transaction.atomic
def content_delete(*, moderator: User, target: Post | Comment, reason: str) -> ModerationAction | None:
    """Soft-deletes a post or comment (through the content services) and resolves its open reports.

    None when there was nothing to do (already deleted, no open report). The
    API's delete of someone else's post or comment comes here too (plugged into
    ``content.moderation_hooks`` by ``ModerationConfig.ready``).
    """
    _moderator_check(moderator)
    text = _reason_clean(reason)
    resolved = _reports_close(Report.objects.on(target), moderator=moderator, status=ReportStatus.RESOLVED)
    changed = post_soft_delete(post=target) if isinstance(target, Post) else comment_soft_delete(comment=target)
    if not (changed or resolved):
        return None
    return _log(moderator=moderator, action=Action.DELETE, target=target, reason=text, reports_resolved=resolved)


@transaction.atomic
def user_suspend(*, moderator: User, user: User, reason: str) -> ModerationAction | None:
    """Suspends a user: they cannot sign in, and their posts and comments are hidden from others.

    ``is_active`` becomes False and ``suspended_at``/``suspension_reason`` are
    set; every outstanding refresh token is blacklisted (access tokens are
    refused on the next request, as the user is inactive); the open reports on
    them and on their content are resolved; their tickers are recounted.
    400 naming ``user`` for oneself, a superuser, or staff when the moderator
    is not a superuser. None when already suspended and nothing was open.
    """
    _moderator_check(moderator)
    text = _reason_clean(reason)
    if user.pk == moderator.pk:
        raise Invalid({"user": ["You cannot suspend yourself."]})
    if user.is_superuser:
        raise Invalid({"user": ["A superuser cannot be suspended."]})
    if user.is_staff and not moderator.is_superuser:
        raise Invalid({"user": ["Only a superuser can suspend staff."]})
    moment = timezone.now()
    # update() skips auto_now: updated_at is set with the change.
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
        is_active=False, suspended_at=moment, suspension_reason=text, updated_at=moment
    )
    if changed:
        user.is_active, user.suspended_at, user.suspension_reason, user.updated_at = False, moment, text, moment
        refresh_tokens_revoke_all(user=user)
        user_deactivated.send(User, user_id=user.pk, reason="suspended")
    resolved = _reports_close(Report.objects.about_user(user), moderator=moderator, status=ReportStatus.RESOLVED)
    if not (changed or resolved):
        return None
    action = _log(moderator=moderator, action=Action.SUSPEND, target=user, reason=text, reports_resolved=resolved)
    if changed:
        # Last: ticker rows are locked last in every transaction (see content.services.tickers).
        author_tickers_recount(user.pk)
    return action


@transaction.atomic
def user_unsuspend(*, moderator: User, user: User, reason: str) -> ModerationAction | None:
    """Lifts a suspension: the user can sign in again and their content is visible again.

    None when the user was not suspended.
    """
    _moderator_check(moderator)
    text = _reason_clean(reason)
    moment = timezone.now()
    changed = User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(
        is_active=True, suspended_at=None, suspension_reason="", updated_at=moment
    )
    if not changed:
        return None
    user.is_active, user.suspended_at, user.suspension_reason, user.updated_at = True, None, "", moment
    action = _log(moderator=moderator, action=Action.UNSUSPEND, target=user, reason=text, reports_resolved=0)
    author_tickers_recount(user.pk)
    return action


@transaction.atomic
def reports_dismiss(*, moderator: User, target: Post | Comment | User, reason: str) -> ModerationAction | None:
    """Dismisses every open report on the target (no action against it); None when none was open."""
    _moderator_check(moderator)
    text = _reason_clean(reason)
    dismissed = _reports_close(Report.objects.on(target), moderator=moderator, status=ReportStatus.DISMISSED)
    if not dismissed:
        return None
    return _log(moderator=moderator, action=Action.DISMISS, target=target, reason=text, reports_resolved=dismissed)
