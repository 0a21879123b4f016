from django.contrib import admin
from django.urls import path

from core.admin import ReadOnlyAdmin
from metrics.dashboard import dashboard_view
from metrics.errors import error_logs_reopen, error_logs_resolve
from metrics.models import DAILY_COLUMNS, DailyMetrics, ErrorLog, RetentionCohort


@admin.register(ErrorLog)
class ErrorLogAdmin(admin.ModelAdmin):
    list_display = ("short_message", "source", "level", "count", "first_seen", "last_seen", "resolved")
    list_filter = ("resolved", "source", "level", "last_seen")
    search_fields = ("message", "fingerprint", "request_id", "path", "url")
    # Everything is read-only: resolving goes through the actions (the same services as the API),
    # so resolved_at and resolved_by are always set with it.
    readonly_fields = [field.name for field in ErrorLog._meta.fields]
    actions = ["mark_resolved", "reopen"]

    @admin.display(description="message")
    def short_message(self, obj: ErrorLog) -> str:
        return obj.message[:100]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Mark resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):  # type: ignore[no-untyped-def]
        resolved = error_logs_resolve(ids=list(queryset.values_list("pk", flat=True)), by=request.user)
        self.message_user(request, f"Resolved {resolved} error group(s).")

    @admin.action(description="Reopen", permissions=["change"])
    def reopen(self, request, queryset):  # type: ignore[no-untyped-def]
        reopened = error_logs_reopen(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Reopened {reopened} error group(s).")


@admin.register(DailyMetrics)
class DailyMetricsAdmin(ReadOnlyAdmin):
    """The daily roll-up, read-only (``refresh_metrics`` writes it), and the metrics dashboard."""

    list_display = DAILY_COLUMNS
    date_hierarchy = "date"
    ordering = ("-date",)

    def get_urls(self):  # type: ignore[no-untyped-def]
        dashboard = self.admin_site.admin_view(lambda request: dashboard_view(self, request))
        return [path("dashboard/", dashboard, name="metrics_dashboard"), *super().get_urls()]


@admin.register(RetentionCohort)
class RetentionCohortAdmin(ReadOnlyAdmin):
    list_display = ("week", "users", "day_1", "day_7", "day_30", "computed_at")
    ordering = ("-week",)
