from django.contrib import admin

from moderation.models import ModerationAction, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "target_type", "reason", "status", "reporter", "created_at")
    list_filter = ("status", "reason", "target_type", "created_at")
    search_fields = ("reporter__username", "details", "user__username", "post__content", "comment__content")
    raw_id_fields = ("reporter", "post", "comment", "user", "resolved_by")
    list_select_related = ("reporter",)
    date_hierarchy = "created_at"


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "moderator", "action", "target_type", "target_id", "reason", "reports_resolved")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("moderator__username", "target_id", "reason")

    # The audit log is append-only.
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
