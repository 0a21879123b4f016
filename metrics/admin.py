from django.contrib import admin

from metrics.models import DailyMetrics, ErrorLog


@admin.register(ErrorLog)
class ErrorLogAdmin(admin.ModelAdmin):
    list_display = ("short_message", "source", "level", "count", "first_seen", "last_seen", "resolved")
    list_filter = ("resolved", "source", "level", "last_seen")
    search_fields = ("message", "fingerprint", "request_id", "path", "url")
    readonly_fields = [field.name for field in ErrorLog._meta.fields if field.name not in ("resolved",)]

    @admin.display(description="message")
    def short_message(self, obj: ErrorLog) -> str:
        return obj.message[:100]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DailyMetrics)
class DailyMetricsAdmin(admin.ModelAdmin):
    list_display = ("date", "dau", "wau", "mau", "signups", "posts", "comments", "reactions", "computed_at")
    date_hierarchy = "date"
    ordering = ("-date",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
