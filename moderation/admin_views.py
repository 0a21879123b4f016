"""The moderators' pages in the admin: the report queue, and a reported target's page to act from.

Both sit behind ``admin_site.admin_view`` (anyone but active staff is sent to
the admin login) and need ``moderation.view_report``; acting (a POST) needs
``moderation.moderate`` too, else 403. Every action goes through
``moderation.services``, the same functions the rest of the project calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator

from accounts.models import User
from content.models import Comment, Post
from core.errors import DomainError, Invalid, flatten
from core.ids import parse_id
from moderation.forms import ModerationActionForm, QueueFilterForm
from moderation.models import ModerationAction, Reason, Report, ReportQueue, ReportStatus, TargetType
from moderation.querysets import queue_targets_load, reason_column
from moderation.services import (
    MODERATE_PERMISSION,
    content_delete,
    content_hide,
    content_unhide,
    reports_dismiss,
    user_suspend,
    user_unsuspend,
)

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

QUEUE_PAGE_SIZE = 50
PREVIEW_CHARS = 140
TARGET_REPORTS_SHOWN = 100
TARGET_HISTORY_SHOWN = 20
# The queue's query-string parameters that "back to the queue" links keep.
QUEUE_PARAMS = ("status", "target_type", "reason", "page")

Target = Post | Comment | User
Action = ModerationAction.Action


def author_of(target: Target) -> User:
    """The user a report on ``target`` is ultimately about."""
    return target if isinstance(target, User) else target.author


def preview(target: Target, chars: int = PREVIEW_CHARS) -> str:
    """Plain text (templates escape it), cut to ``chars``."""
    if isinstance(target, User):
        text = f"@{target.username}"
        if target.display_name:
            text += f" ({target.display_name})"
        if target.bio:
            text += f": {target.bio}"
    else:
        text = target.content
    return Truncator(text).chars(chars)


def states(target: Target) -> list[str]:
    """What became of the target: deleted, hidden, its author suspended."""
    found = []
    if not isinstance(target, User):
        if target.deleted_at is not None:
            found.append("deleted")
        if target.is_hidden:
            found.append("hidden")
    author = author_of(target)
    if author.is_suspended:
        found.append("author suspended" if author is not target else "suspended")
    return found


def user_admin_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def target_url(target_type: str, target_id: int, back: str = "") -> str:
    url = reverse("admin:moderation_reportqueue_target", args=[target_type, target_id])
    return f"{url}?{urlencode({'back': back})}" if back else url


def queue_url(back: str = "") -> str:
    url = reverse("admin:moderation_reportqueue_changelist")
    return f"{url}?{back}" if back else url


def _back_from(query: str) -> str:
    """Only the queue's own parameters from a ``back`` value: it can only ever lead back to the queue."""
    given = QueryDict(query)
    return urlencode({name: given[name] for name in QUEUE_PARAMS if given.get(name)})


@dataclass(frozen=True)
class QueueRow:
    """One reported target in the queue."""

    target_type: str
    target_id: int
    target: Target | None
    reports: int
    reporters: int
    newest: datetime
    reasons: list[tuple[str, int]]
    url: str

    @property
    def preview(self) -> str:
        return preview(self.target) if self.target is not None else "(gone)"

    @property
    def author(self) -> User | None:
        return author_of(self.target) if self.target is not None else None

    @property
    def author_url(self) -> str:
        return user_admin_url(self.author) if self.author is not None else ""

    @property
    def states(self) -> list[str]:
        return states(self.target) if self.target is not None else []


def _filter_choices(
    current: dict[str, str], name: str, choices: list[tuple[str, str]], *, with_all: bool
) -> list[dict[str, Any]]:
    """The sidebar links of one filter, each keeping the other filters (and going back to page 1)."""
    options = ([("", "All")] if with_all else []) + choices
    links = []
    for value, label in options:
        query = {key: val for key, val in current.items() if val and key != name}
        if value:
            query[name] = value
        links.append({"display": label, "query_string": f"?{urlencode(query)}", "selected": current[name] == value})
    return links


def report_queue_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    """Reported targets, one row each, newest report first; filterable by status, target type and reason.

    Queries: the session and user, their permissions, the page's count and
    rows (GROUP BY), then one per target type on the page.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    filters = QueueFilterForm(request.GET).filters()
    rows = Report.objects.queue(
        status=filters["status"],
        target_type=filters["target_type"] or None,
        reason=filters["reason"] or None,
    )
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    targets = queue_targets_load(entries)
    back = urlencode({key: value for key, value in {**filters, "page": page.number}.items() if value})
    queue = []
    for entry in entries:
        kind = entry["target_type"]
        target_id = entry[f"{kind}_id"]
        queue.append(
            QueueRow(
                target_type=kind,
                target_id=target_id,
                target=targets.get((kind, target_id)),
                reports=entry["reports"],
                reporters=entry["reporters"],
                newest=entry["newest"],
                reasons=[
                    (label, entry[reason_column(value)])
                    for value, label in Reason.choices
                    if entry[reason_column(value)]
                ],
                url=target_url(kind, target_id, back),
            )
        )
    page_query = {key: value for key, value in filters.items() if value}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ReportQueue._meta,
        "title": "Report queue",
        "rows": queue,
        "page_obj": page,
        "page_links": [
            (number, f"?{urlencode({**page_query, 'page': number})}" if isinstance(number, int) else "")
            for number in page.paginator.get_elided_page_range(page.number)
        ],
        "filters": [
            ("status", _filter_choices(filters, "status", ReportStatus.choices, with_all=False)),
            ("target type", _filter_choices(filters, "target_type", TargetType.choices, with_all=True)),
            ("reason", _filter_choices(filters, "reason", Reason.choices, with_all=True)),
        ],
        "status_label": ReportStatus(filters["status"]).label,
        "has_active_filters": bool(filters["target_type"] or filters["reason"])
        or filters["status"] != ReportStatus.OPEN,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/moderation/report_queue.html", context)


def _target_get(target_type: str, raw_id: str) -> Target:
    """The post, comment or user; 404 for an unknown type, a malformed id or a missing target."""
    pk = parse_id(raw_id)
    if target_type not in TargetType.values or pk is None:
        raise Http404("No such target.")
    found: Target | None
    if target_type == TargetType.POST:
        found = Post.objects.select_related("author").filter(pk=pk).first()
    elif target_type == TargetType.COMMENT:
        found = Comment.objects.select_related("author").filter(pk=pk).first()
    else:
        found = User.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such target.")
    return found


def available_actions(target: Target, *, open_reports: int) -> list[tuple[str, str]]:
    """The actions that would change something, as (value, label) choices."""
    actions: list[tuple[str, str]] = []
    if not isinstance(target, User) and target.deleted_at is None:
        actions.append((Action.UNHIDE, "Unhide") if target.is_hidden else (Action.HIDE, "Hide"))
        actions.append((Action.DELETE, "Delete"))
    author = author_of(target)
    who = "the user" if author is target else f"the author, @{author.username}"
    if author.is_suspended:
        actions.append((Action.UNSUSPEND, f"Lift the suspension of {who}"))
    else:
        actions.append((Action.SUSPEND, f"Suspend {who}"))
    if open_reports:
        actions.append((Action.DISMISS, f"Dismiss the {open_reports} open report(s): no action"))
    return actions


def _act(action: str, *, moderator: User, target: Target, reason: str) -> ModerationAction | None:
    """Runs the service behind one of ``available_actions``."""
    if action == Action.SUSPEND:
        return user_suspend(moderator=moderator, user=author_of(target), reason=reason)
    if action == Action.UNSUSPEND:
        return user_unsuspend(moderator=moderator, user=author_of(target), reason=reason)
    if action == Action.DISMISS:
        return reports_dismiss(moderator=moderator, target=target, reason=reason)
    if isinstance(target, User):  # the form offers content actions on content only
        raise Http404("No such action on a user.")
    if action == Action.HIDE:
        return content_hide(moderator=moderator, target=target, reason=reason)
    if action == Action.UNHIDE:
        return content_unhide(moderator=moderator, target=target, reason=reason)
    return content_delete(moderator=moderator, target=target, reason=reason)


def _describe(done: ModerationAction) -> str:
    resolved = done.reports_resolved
    closed = "dismissed" if done.action == Action.DISMISS else "resolved"
    reports = f" {resolved} report{'s' if resolved != 1 else ''} {closed}." if resolved else ""
    return f"Done: {done.get_action_display().lower()} ({done.target_type} {done.target_id}).{reports}"


def report_target_view(
    model_admin: ModelAdmin[Any], request: HttpRequest, target_type: str, target_id: str
) -> HttpResponse:
    """A reported target with its reports and history, and the form to act on it (POST, with a reason)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    target = _target_get(target_type, target_id)
    moderator = cast(User, request.user)
    can_act = moderator.has_perm(MODERATE_PERMISSION)
    back = _back_from(request.GET.get("back", ""))
    reports = Report.objects.on(target)
    open_reports = reports.open().count()
    form = ModerationActionForm(
        request.POST if request.method == "POST" else None,
        actions=available_actions(target, open_reports=open_reports),
    )
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        if form.is_valid():
            try:
                done = _act(
                    form.cleaned_data["action"], moderator=moderator, target=target, reason=form.cleaned_data["reason"]
                )
            except Invalid as exc:
                # Messages about the form's own fields (the reason) show in place, the others above the form.
                for field, problems in exc.errors.items():
                    form.add_error(field if field in form.fields else None, flatten(problems))
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                if done is None:
                    messages.warning(request, "Nothing to do: another moderator may have acted first.")
                else:
                    messages.success(request, _describe(done))
                return HttpResponseRedirect(queue_url(back))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ReportQueue._meta,
        "title": f"Reported {target_type} {target.pk}",
        "target": target,
        "target_type": target_type,
        "author": author_of(target),
        "author_url": user_admin_url(author_of(target)),
        "states": states(target),
        "full_text": preview(target, chars=100_000),
        "reports": reports.select_related("reporter", "resolved_by").order_by("-created_at")[:TARGET_REPORTS_SHOWN],
        "open_reports": open_reports,
        "history": ModerationAction.objects.filter(target_type=target_type, target_id=str(target.pk))
        .select_related("moderator")
        .order_by("-created_at")[:TARGET_HISTORY_SHOWN],
        "form": form,
        "can_act": can_act,
        "queue_url": queue_url(back),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/moderation/report_target.html", context)
