"""Reports: users flag posts, comments and other users for the moderators' queue."""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from rest_framework.exceptions import NotFound, ValidationError

from accounts.models import User
from content.models import Comment, Post
from core.exceptions import Conflict
from moderation.models import Report, ReportStatus, TargetType
from social.querysets import visible_profiles

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
    ``ValidationError`` naming ``target_id`` for a report on one's own post,
    comment or account; ``Conflict`` when the reporter already has an open
    report on it. The partial unique constraints decide that last one, so two
    concurrent identical reports make one row and one ``Conflict``.
    """
    kind = TargetType(target_type)
    target = _visible_target(kind, target_id, reporter)
    if target is None:
        raise NotFound(_NOT_FOUND[kind])
    author_id = target.pk if isinstance(target, User) else target.author_id
    if author_id == reporter.pk:
        raise ValidationError({"target_id": [_SELF[kind]]}, code="self_report")

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
