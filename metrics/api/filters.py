"""The filters of the error log list."""

from __future__ import annotations

from django_filters import rest_framework as filters

from metrics.models import ErrorLog


class ErrorLogFilter(filters.FilterSet):
    resolved = filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        help_text="`true`: only resolved groups; `false`: only open ones.",
    )
    level = filters.ChoiceFilter(choices=ErrorLog.Level.choices, help_text="Only groups of this level.")
    source = filters.ChoiceFilter(choices=ErrorLog.Source.choices, help_text="Only frontend or backend errors.")

    class Meta:
        model = ErrorLog
        fields = ["resolved", "level", "source"]
