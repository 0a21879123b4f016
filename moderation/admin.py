"""Moderation in the admin: the report queue, every report, the audit log, and the user admin for moderators.

Moderators are staff in the Moderators group (migration 0002): they may view
reports, posts, comments, users and the audit log, and act (the
``moderation.moderate`` permission) through ``moderation.services``: from a
target's page in the queue, or the user, post and comment admins' actions,
which ask for the reason first. Nothing here hides, deletes or suspends
without a reason and an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.admin import UserAdmin as AccountsUserAdmin
from accounts.models import User
from content.admin import CommentAdmin, PostAdmin
from content.models import Comment, Post
from core.admin import ReadOnlyAdmin
from core.errors import DomainError
from moderation.admin_views import preview, report_queue_view, report_target_view, states
from moderation.forms import ReasonForm
from moderation.models import ModerationAction, Report, ReportQueue
from moderation.services import (
    MODERATE_PERMISSION,
    content_delete,
    content_hide,
    content_unhide,
    target_type_of,
    user_suspend,
    user_unsuspend,
)
from notifications.admin import notifications_admin_url

VIEW_REPORTS = "moderation.view_report"
PANEL_POSTS = 10
PANEL_REPORTS = 20


@admin.register(ReportQueue)
class ReportQueueAdmin(ReadOnlyAdmin):
    """Not a change list: the grouped queue and each target's page (``moderation.admin_views``)."""

    # Unused by the queue's own template; named for Django's admin checks and the project's admin tests.
    list_display = ("target_type", "reason", "status", "created_at")

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="{}_{}_changelist".format(*info)),
            path(
                "<str:target_type>/<str:target_id>/",
                self.admin_site.admin_view(self.target_view),
                name="{}_{}_target".format(*info),
            ),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return report_queue_view(self, request)

    def target_view(self, request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
        return report_target_view(self, request, target_type, target_id)

    # Whoever may view reports may open the queue; the proxy needs no permissions of its own.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(VIEW_REPORTS)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Every report, one by one. Read-only: reports are filed by users and closed by moderation actions."""

    list_display = ("id", "target_type", "reason", "status", "reporter", "created_at", "resolved_by")
    list_filter = ("status", "reason", "target_type", "created_at")
    search_fields = ("reporter__username", "details", "user__username", "post__content", "comment__content")
    raw_id_fields = ("reporter", "post", "comment", "user", "resolved_by")
    list_select_related = ("reporter", "resolved_by")
    date_hierarchy = "created_at"
    readonly_fields = (
        "reporter",
        "target_type",
        "post",
        "comment",
        "user",
        "reason",
        "details",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The audit log: append-only, written by ``moderation.services`` only."""

    list_display = ("created_at", "moderator", "action", "target_type", "target_id", "reason", "reports_resolved")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("moderator__username", "target_id", "reason")
    list_select_related = ("moderator",)
    date_hierarchy = "created_at"


# Admin actions that ask for a reason (an intermediate page), then call a moderation service on each selected row.
Service = Callable[..., ModerationAction | None]


def label_of(target: Any) -> str:
    """How a selected row is named on the reason page and in messages."""
    if isinstance(target, User):
        return f"@{target.username}"
    return f"{target._meta.verbose_name} {target.pk} by @{target.author.username}"


def act_with_reason(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    action: str,
    title: str,
    done: str,
    service: Service,
    target_name: str = "target",
) -> HttpResponse | None:
    """First asks for the reason, then runs ``service(moderator=, <target_name>=row, reason=)`` on each row;
    None goes back to the list.

    A refusal by the service is reported for its row and the others go ahead.
    """
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    targets = list(queryset.order_by("pk"))
    if form.is_valid():
        moderator = cast(User, request.user)
        changed = 0
        for target in targets:
            try:
                arguments = {"moderator": moderator, target_name: target, "reason": form.cleaned_data["reason"]}
                if service(**arguments) is not None:
                    changed += 1
            except DomainError as exc:
                messages.error(request, f"{label_of(target)}: {exc}")
        opts = model_admin.opts
        noun = opts.verbose_name if changed == 1 else opts.verbose_name_plural
        messages.success(request, f"{changed} {noun} {done}.")
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "targets": [(target.pk, label_of(target)) for target in targets],
        "changelist_url": reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"),
        "action": action,
        "form": form,
    }
    return TemplateResponse(request, "admin/moderation/action_reason.html", context)


class CanModerate:
    """Admin mixin: the ``moderate`` permission that ``reason_action`` actions require."""

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_PERMISSION)


def reason_action(
    name: str, description: str, *, title: str, done: str, service: Service, target_name: str = "target"
) -> Callable[[Any, HttpRequest, QuerySet[Any]], HttpResponse | None]:
    """An admin action (for those with the moderate permission) that runs ``act_with_reason``."""

    @admin.action(description=description, permissions=["moderate"])
    def action(
        model_admin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return act_with_reason(
            model_admin,
            request,
            queryset,
            action=name,
            title=title,
            done=done,
            service=service,
            target_name=target_name,
        )

    action.__name__ = name
    return action


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspension"
    parameter_name = "suspended"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Suspended"), ("no", "Not suspended")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


# accounts may not import moderation, so the moderators' user admin replaces it from here.
admin.site.unregister(User)


@admin.register(User)
class ModeratedUserAdmin(CanModerate, AccountsUserAdmin):
    """The accounts user admin, plus suspensions (through the services) and a moderation panel."""

    actions = ["suspend_users", "unsuspend_users"]

    def get_list_display(self, request: HttpRequest) -> Any:
        return (*super().get_list_display(request), "suspended_at")

    def get_list_filter(self, request: HttpRequest) -> Any:
        return (*super().get_list_filter(request), SuspendedFilter)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Suspensions go through the actions: they also revoke tokens, close reports and recount tickers.
        return (
            *super().get_readonly_fields(request, obj),
            "suspended_at",
            "suspension_reason",
            "moderation_panel",
            "notifications_link",
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # the add form
            return fieldsets
        return (*fieldsets, ("Moderation", {"fields": ("moderation_panel", "notifications_link")}))

    suspend_users = reason_action(
        "suspend_users",
        "Suspend the selected users…",
        title="Suspend these users",
        done="suspended",
        service=user_suspend,
        target_name="user",
    )

    unsuspend_users = reason_action(
        "unsuspend_users",
        "Lift the suspension of the selected users…",
        title="Lift these suspensions",
        done="reinstated",
        service=user_unsuspend,
        target_name="user",
    )

    @admin.display(description="Notifications")
    def notifications_link(self, obj: User | None) -> SafeString | str:
        """A link to the user's notification groups (accounts may not import notifications; moderation may)."""
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}" id="user-notifications">Their notifications</a>', notifications_admin_url(obj.pk)
        )

    @admin.display(description="Recent posts and reports")
    def moderation_panel(self, obj: User | None) -> SafeString | str:
        """The user's latest posts and the latest reports about them or their content: two queries."""
        if obj is None or obj.pk is None:
            return "-"
        posts = obj.posts.order_by("-created_at")[:PANEL_POSTS]
        reports = Report.objects.about_user(obj).select_related("reporter").order_by("-created_at")[:PANEL_REPORTS]
        post_rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:content_post_change", args=[post.pk]),
                    post.pk,
                    post.created_at.strftime("%Y-%m-%d %H:%M"),
                    preview(post, chars=100),
                    ", ".join(states(post)[:2]) or "visible",
                )
                for post in posts
            ),
        )
        report_rows = format_html_join(
            "",
            '<tr><td><a href="{}">{} {}</a></td><td>{}</td><td>@{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:moderation_reportqueue_target", args=[report.target_type, report.target_id]),
                    report.target_type,
                    report.target_id,
                    report.created_at.strftime("%Y-%m-%d %H:%M"),
                    report.reporter.username,
                    report.get_reason_display(),
                    report.get_status_display(),
                )
                for report in reports
            ),
        )
        return format_html(
            '<table id="recent-posts"><caption>Latest posts</caption>'
            "<thead><tr><th>Post</th><th>When</th><th>Content</th><th>State</th></tr></thead>"
            "<tbody>{}</tbody></table>"
            '<table id="reports-about"><caption>Latest reports about them or their content</caption>'
            "<thead><tr><th>Target</th><th>When</th><th>Reporter</th><th>Reason</th><th>Status</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            post_rows or format_html('<tr><td colspan="4">{}</td></tr>', "No posts."),
            report_rows or format_html('<tr><td colspan="5">{}</td></tr>', "No reports."),
        )


# content may not import moderation either: its post and comment admins get the moderation actions from here.
admin.site.unregister(Post)
admin.site.unregister(Comment)


class ModeratedContentAdmin(CanModerate, admin.ModelAdmin):
    """Hide, unhide and delete through ``moderation.services`` (a reason, the audit log, reports resolved)."""

    actions = ["hide_selected", "unhide_selected", "delete_with_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), "moderation_link")

    hide_selected = reason_action(
        "hide_selected",
        "Hide the selected %(verbose_name_plural)s…",
        title="Hide these",
        done="hidden",
        service=content_hide,
    )

    unhide_selected = reason_action(
        "unhide_selected",
        "Show the selected hidden %(verbose_name_plural)s again…",
        title="Show these again",
        done="shown again",
        service=content_unhide,
    )

    delete_with_reason = reason_action(
        "delete_with_reason",
        "Delete the selected %(verbose_name_plural)s…",
        title="Delete these",
        done="deleted",
        service=content_delete,
    )

    @admin.display(description="Moderation")
    def moderation_link(self, obj: Post | Comment | None) -> SafeString | str:
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Hide, delete or suspend the author, with a reason</a>',
            reverse("admin:moderation_reportqueue_target", args=[target_type_of(obj), obj.pk]),
        )


@admin.register(Post)
class ModeratedPostAdmin(ModeratedContentAdmin, PostAdmin):
    """The content post admin, plus the moderation actions."""


@admin.register(Comment)
class ModeratedCommentAdmin(ModeratedContentAdmin, CommentAdmin):
    """The content comment admin, plus the moderation actions."""
