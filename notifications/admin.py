"""The notifications admin: read-only (the fan-out writes groups and acts; counts stay exact that way).

A user's notifications: the groups changelist filtered by recipient
(``?recipient__id__exact=<id>``), which the user's admin page links to
(``notifications_admin_url``), or search by the recipient's username.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from core.admin import ReadOnlyAdmin
from notifications.models import EndedPollNotice, NotificationAct, NotificationGroup, NotificationPreferences


def notifications_admin_url(user_id: int) -> str:
    """The admin's list of ``user_id``'s notification groups, newest first."""
    return f"{reverse('admin:notifications_notificationgroup_changelist')}?recipient__id__exact={user_id}"


class NotificationActInline(admin.TabularInline):
    model = NotificationAct
    extra = 0
    can_delete = False
    fields = ("actor", "type", "target_key", "post", "comment", "created_at")
    readonly_fields = fields
    raw_id_fields = ("actor", "post", "comment")
    ordering = ("-created_at", "-id")
    max_num = 0


@admin.register(NotificationGroup)
class NotificationGroupAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "type", "group_key", "count", "latest_at", "read")
    list_filter = ("type", "read")
    search_fields = ("recipient__username",)
    raw_id_fields = ("recipient", "post", "comment")
    list_select_related = ("recipient",)
    ordering = ("-latest_at", "-id")
    inlines = (NotificationActInline,)


@admin.register(NotificationAct)
class NotificationActAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "actor", "type", "target_key", "created_at")
    list_filter = ("type",)
    search_fields = ("recipient__username", "actor__username")
    raw_id_fields = ("recipient", "actor", "group", "post", "comment")
    list_select_related = ("recipient", "actor")
    ordering = ("-created_at", "-id")


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "email_digest", "last_digest_at")
    list_filter = ("email_digest",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(EndedPollNotice)
class EndedPollNoticeAdmin(ReadOnlyAdmin):
    list_display = ("poll", "notified_at")
    raw_id_fields = ("poll",)
