"""The metrics app's shapes: error logs (what a frontend reports, the receipt, the staff view of a group),
the staff metrics (the query parameters they accept and what they answer, each metric defined) and the
health probes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from content.api.serializers.tickers import TrendingTickerSerializer
from core.serializers import StrictCharField
from metrics.errors import CONTEXT_MAX_BYTES, CONTEXT_MAX_DEPTH, MESSAGE_MAX, STACK_MAX, URL_MAX, context_problem
from metrics.health import READINESS_CACHE_SECONDS
from metrics.models import ErrorLog
from metrics.reports import DEFAULT_DAYS, MAX_DAYS
from moderation.models import Reason

# Error logs


class _OptionalText(StrictCharField):
    """Optional text where JSON ``null`` means empty; never trimmed (stacks keep their indentation)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> str:
        return super().run_validation(data) or ""


class ErrorReportSerializer(serializers.Serializer):
    message = StrictCharField(
        help_text=f"What went wrong. Required, not blank; longer than {MESSAGE_MAX} characters is cut."
    )
    stack = _OptionalText(help_text=f"The stack trace (`error.stack`); cut to {STACK_MAX} characters.")
    url = _OptionalText(help_text=f"The page's URL; cut to {URL_MAX} characters; credentials in it are scrubbed.")
    user_agent = _OptionalText(help_text="The browser's user agent; default: this request's `User-Agent`.")
    level = serializers.ChoiceField(choices=ErrorLog.Level.choices, default=ErrorLog.Level.ERROR)
    # A field named like Serializer.context (the stubs type the attribute, DRF allows the field).
    context = serializers.JSONField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        default=dict,
        help_text=(
            f"Anything that helps (a JSON object; `null` means none), at most {CONTEXT_MAX_BYTES // 1024} KB "
            f"serialized and {CONTEXT_MAX_DEPTH} levels deep, with no NUL character (U+0000) or lone "
            "surrogate in any key or string (PostgreSQL stores neither). Values of keys that look like credentials "
            "(token, password, secret, authorization, cookie, api key, refresh, access, session, csrf) are "
            "stored as `[scrubbed]`."
        ),
    )

    def validate_context(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        problem = context_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value  # type: ignore[no-any-return]


# What the fields of an error group mean, for the receipt and the staff view alike.
ERROR_GROUP_FIELDS: dict[str, dict[str, Any]] = {
    name: {"help_text": text}
    for name, text in {
        "fingerprint": "The group's key: a SHA-256 of the source, the level, the message with numbers and ids "
        "masked, and the place (a frontend error's top stack frame, else its page's path; a backend "
        "exception's type and innermost frame of our code).",
        "source": "`frontend` (reported through `errors/log`) or `backend` (an unhandled exception).",
        "message": "The example occurrence's message, credentials scrubbed.",
        "stack": "The example occurrence's stack trace, credentials scrubbed.",
        "url": "The example occurrence's page (frontend) or request URL (backend), credentials scrubbed.",
        "path": "The path of `url`.",
        "user_agent": "The example occurrence's user agent.",
        "context": "The example occurrence's context, credential-like keys `[scrubbed]`.",
        "request_id": "The example occurrence's request id (`X-Request-ID`), to find it in the logs.",
        "count": "Occurrences of the group so far.",
        "first_seen": "When the group's first occurrence was recorded.",
        "last_seen": "When its latest occurrence was recorded.",
        "resolved": "Marked resolved by staff; a new backend occurrence (or a staff report) reopens it.",
        "resolved_at": "When it was last marked resolved; null while open.",
    }.items()
}


class ErrorReceiptSerializer(serializers.ModelSerializer):
    """What the reporter gets back: the group, without other occurrences' details."""

    id = StrictCharField(read_only=True)

    class Meta:
        model = ErrorLog
        fields = ["id", "fingerprint", "source", "level", "message", "count", "first_seen", "last_seen", "resolved"]
        read_only_fields = fields
        extra_kwargs = ERROR_GROUP_FIELDS


class ErrorLogSerializer(serializers.ModelSerializer):
    """A group of identical errors, for staff; the example fields are a frontend group's first occurrence's,
    a backend group's latest's."""

    id = StrictCharField(read_only=True)
    user_id = serializers.SerializerMethodField(help_text="The example occurrence's signed-in user, if any.")
    resolved_by_id = serializers.SerializerMethodField(help_text="The staff user who marked it resolved, if any.")

    class Meta:
        model = ErrorLog
        fields = [
            "id",
            "fingerprint",
            "source",
            "level",
            "message",
            "stack",
            "url",
            "path",
            "user_agent",
            "context",
            "request_id",
            "user_id",
            "count",
            "first_seen",
            "last_seen",
            "resolved",
            "resolved_at",
            "resolved_by_id",
        ]
        read_only_fields = fields
        extra_kwargs = ERROR_GROUP_FIELDS

    def get_user_id(self, error_log: ErrorLog) -> str | None:
        return None if error_log.user_id is None else str(error_log.user_id)

    def get_resolved_by_id(self, error_log: ErrorLog) -> str | None:
        return None if error_log.resolved_by_id is None else str(error_log.resolved_by_id)


# Staff metrics

EXPORT_FORMATS = ("csv", "json")
ACTIVE = "A user is active on a UTC day when one of their sessions overlaps that day."


class MetricsQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        default=DEFAULT_DAYS,
        help_text=f"How many UTC days, ending today (today so far included): 1-{MAX_DAYS}.",
    )


class ExportQuerySerializer(MetricsQuerySerializer):
    format = serializers.ChoiceField(
        choices=EXPORT_FORMATS, default="csv", help_text="`csv` (a header row, then one row per day) or `json`."
    )


class WindowSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="The number of days covered.")
    first = serializers.DateField(help_text="The first UTC day covered.")
    last = serializers.DateField(help_text="The last UTC day covered: today (so far).")


class ActivityDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The UTC day.")
    signups = serializers.IntegerField(help_text="Accounts created that day.")
    dau = serializers.IntegerField(help_text=f"Daily active users: users active that day. {ACTIVE}")
    wau = serializers.IntegerField(help_text="Weekly active users: users active on any of the 7 days ending that day.")
    mau = serializers.IntegerField(
        help_text="Monthly active users: users active on any of the 30 days ending that day."
    )
    stickiness = serializers.FloatField(help_text="DAU / MAU (0 to 1, 4 decimals); 0 when MAU is 0.")


class RetentionCohortSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday (UTC) of the ISO week the cohort's members signed up in.")
    users = serializers.IntegerField(help_text="Members: accounts created that week.")
    day_1 = serializers.FloatField(
        allow_null=True,
        help_text="Share of the members (0 to 1) active on the UTC day after their own sign-up day; null until "
        "that day has ended for every member (the Monday after the cohort week).",
    )
    day_7 = serializers.FloatField(
        allow_null=True,
        help_text="Share of the members active on the day exactly 7 days after their own sign-up day; null "
        "until that day has ended for every member.",
    )
    day_30 = serializers.FloatField(
        allow_null=True,
        help_text="Share of the members active on the day exactly 30 days after their own sign-up day; null "
        "until that day has ended for every member.",
    )


class UsersSerializer(WindowSerializer):
    total_users = serializers.IntegerField(help_text="Accounts that exist now.")
    signups = serializers.IntegerField(help_text="Accounts created during the window.")
    daily = ActivityDaySerializer(many=True, help_text="One entry per day, oldest first.")
    retention = RetentionCohortSerializer(
        many=True,
        help_text="Weekly sign-up cohorts of the ISO weeks overlapping the window, oldest first (from the roll-up "
        "`refresh_metrics` keeps; weeks without sign-ups are left out).",
    )


class EngagementCountsSerializer(serializers.Serializer):
    posts = serializers.FloatField(help_text="Posts created and still visible (not deleted, not hidden).")
    comments = serializers.FloatField(help_text="Comments created and still visible.")
    reactions = serializers.FloatField(help_text="Likes given, on posts and on comments.")
    reposts = serializers.FloatField(help_text="Plain reposts (a quote is a post).")
    poll_votes = serializers.FloatField(help_text="Poll votes cast.")


class EngagementTotalsSerializer(serializers.Serializer):
    posts = serializers.IntegerField(help_text="Posts created during the window and still visible.")
    comments = serializers.IntegerField(help_text="Comments created during the window and still visible.")
    reactions = serializers.IntegerField(help_text="Likes given during the window, on posts and comments.")
    reposts = serializers.IntegerField(help_text="Plain reposts made during the window.")
    poll_votes = serializers.IntegerField(help_text="Poll votes cast during the window.")


class EngagementDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The UTC day.")
    dau = serializers.IntegerField(help_text=f"Users active that day. {ACTIVE}")
    posts = serializers.IntegerField(help_text="Posts created that day and still visible (not deleted, not hidden).")
    comments = serializers.IntegerField(help_text="Comments created that day and still visible.")
    reactions = serializers.IntegerField(help_text="Likes given that day, on posts and on comments.")
    reposts = serializers.IntegerField(help_text="Plain reposts made that day (a quote is a post).")
    poll_votes = serializers.IntegerField(help_text="Poll votes cast that day.")
    per_active_user = EngagementCountsSerializer(
        help_text="Each count divided by that day's DAU (4 decimals); 0 when DAU is 0."
    )


class EngagementSerializer(WindowSerializer):
    totals = EngagementTotalsSerializer(help_text="Sums over the window.")
    daily = EngagementDaySerializer(many=True, help_text="One entry per day, oldest first.")


class ChangeSerializer(serializers.Serializer):
    this_week = serializers.IntegerField(help_text="The 7 days ending today (today so far included).")
    last_week = serializers.IntegerField(help_text="The 7 days before those.")
    change = serializers.IntegerField(help_text="this_week - last_week.")
    change_percent = serializers.FloatField(
        allow_null=True, help_text="100 * change / last_week, 1 decimal; null when last_week is 0."
    )


class GrowthWeekSerializer(serializers.Serializer):
    first = serializers.DateField(help_text="The week's first UTC day.")
    last = serializers.DateField(help_text="The week's last UTC day.")
    signups = serializers.IntegerField(help_text="Accounts created during the week.")
    wau = serializers.IntegerField(help_text="Users active on any day of the week (the WAU of its last day).")
    posts = serializers.IntegerField(help_text="Posts created during the week and still visible.")


class GrowthSerializer(WindowSerializer):
    signups = ChangeSerializer(help_text="Sign-ups, week over week.")
    wau = ChangeSerializer(help_text="Weekly active users (WAU of today vs WAU of 7 days ago).")
    posts = ChangeSerializer(help_text="Posts created and still visible, week over week.")
    weeks = GrowthWeekSerializer(
        many=True,
        help_text="Seven-day weeks ending today, oldest first: as many whole weeks as the window holds, at least "
        "two; the last is `this_week`, the one before `last_week`.",
    )


class ErrorLevelSerializer(serializers.Serializer):
    groups = serializers.IntegerField(help_text="Error groups (distinct errors) seen in the last 24 hours.")
    occurrences = serializers.IntegerField(
        help_text="The occurrence counts of those groups added up: an upper bound of the occurrences in the last "
        "24 hours, since a group's count includes its older occurrences."
    )


class ErrorHealthSerializer(serializers.Serializer):
    unresolved_groups = serializers.IntegerField(help_text="Error groups not marked resolved.")
    last_24h = serializers.DictField(
        child=ErrorLevelSerializer(),
        help_text="By level (" + ", ".join(f"`{level}`" for level in ErrorLog.Level.values) + "); every level present.",
    )


class ReportHealthSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="Moderation reports waiting for a decision.")
    open_by_reason = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Open reports by reason (" + ", ".join(f"`{reason}`" for reason in Reason.values) + "); every "
        "reason present.",
    )


# A field named `errors` shadows Serializer.errors only for the type checker: DRF moves declared
# fields out of the class body, so the attribute stays the validation errors at run time.


class HealthDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The UTC day.")
    errors = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Error groups first seen that day (new distinct errors)."
    )
    reports = serializers.IntegerField(help_text="Moderation reports filed that day.")


class HealthSerializer(WindowSerializer):
    errors = ErrorHealthSerializer()  # type: ignore[assignment]
    reports = ReportHealthSerializer()
    checks = serializers.DictField(
        child=serializers.ChoiceField(choices=["ok", "down"]),
        help_text="The readiness checks of `/health/ready` (database, cache, storage, and the task broker "
        "when one is configured): `ok` or `down`.",
    )
    daily = HealthDaySerializer(many=True, help_text="One entry per day, oldest first.")


class MentionTotalsSerializer(serializers.Serializer):
    symbol = StrictCharField()
    mentions = serializers.IntegerField(help_text="Visible posts mentioning it during the window.")
    bullish = serializers.IntegerField(help_text="Of those, tagged bullish.")
    bearish = serializers.IntegerField(help_text="Of those, tagged bearish.")


class TrendingSerializer(WindowSerializer):
    hours = serializers.IntegerField(help_text="The trending window in hours (always 24).")
    tickers = TrendingTickerSerializer(
        many=True, help_text="The 10 trending tickers of the last 24 hours, as `GET tickers/trending` answers."
    )
    most_mentioned = MentionTotalsSerializer(
        many=True,
        help_text="The 10 tickers with the most mentions during the window, from the hourly roll-up "
        "(`refresh_metrics` keeps it; the hours since its last run are not counted yet).",
    )


class ExportRowSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The UTC day.")
    signups = serializers.IntegerField(help_text="Accounts created that day.")
    dau = serializers.IntegerField(help_text=f"Users active that day. {ACTIVE}")
    wau = serializers.IntegerField(help_text="Users active on any of the 7 days ending that day.")
    mau = serializers.IntegerField(help_text="Users active on any of the 30 days ending that day.")
    posts = serializers.IntegerField(help_text="Posts created that day and still visible (not deleted, not hidden).")
    comments = serializers.IntegerField(help_text="Comments created that day and still visible.")
    reactions = serializers.IntegerField(help_text="Likes given that day, on posts and on comments.")
    reposts = serializers.IntegerField(help_text="Plain reposts made that day (a quote is a post).")
    poll_votes = serializers.IntegerField(help_text="Poll votes cast that day.")
    errors = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Error groups first seen that day (new distinct errors)."
    )
    reports = serializers.IntegerField(help_text="Moderation reports filed that day.")
    computed_at = serializers.DateTimeField(help_text="When the row was computed (now, for today's live row).")


class DashboardSerializer(WindowSerializer):
    users = UsersSerializer()
    engagement = EngagementSerializer()
    growth = GrowthSerializer()
    health = HealthSerializer()
    trending = TrendingSerializer()


# Health probes


# One object, though `GET /health` is a viewset's list.
@extend_schema_serializer(many=False)
class LivenessSerializer(serializers.Serializer):
    status = StrictCharField(help_text="Always `ok`: the process answers.")


class ReadinessSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "unavailable"], help_text="`ok` when every check is.")
    checks = serializers.DictField(
        child=serializers.ChoiceField(choices=["ok", "down"]),
        help_text=f"Each dependency (database, cache, storage, and `broker` when the task queue has one: "
        f"not in eager mode) and its state, at most {READINESS_CACHE_SECONDS} s old.",
    )
    down = serializers.ListField(child=StrictCharField(), help_text="The checks that are down.")
