"""The staff metrics: the query parameters they accept and the shapes they answer (each metric defined)."""

from __future__ import annotations

from rest_framework import serializers

from content.api.serializers.tickers import TrendingTickerSerializer
from core.serializers import StrictCharField
from metrics.models import ErrorLog
from metrics.reports import DEFAULT_DAYS, MAX_DAYS
from moderation.models import Reason

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
        help_text="The readiness checks of `/health/ready` (database, cache, storage): `ok` or `down`.",
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
