"""POST errors/log (anyone, throttled), GET errors and PATCH errors/{id}/resolve (staff), and the admin."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.testing import assert_problem
from metrics.errors import OVERFLOW_MESSAGE, STACK_MAX, frontend_error_record
from metrics.models import ErrorLog

pytestmark = pytest.mark.django_db

LOG = "/api/v1/errors/log"
LIST = "/api/v1/errors"
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
STACK = (
    "TypeError: Cannot read properties of undefined (reading 'price')\n"
    "    at renderQuote (https://app.pageshare.example/static/js/main.3f9a2b1c.js:1:2345)\n"
    "    at loadFeed (https://app.pageshare.example/static/js/main.3f9a2b1c.js:1:99)"
)


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def resolve_url(error_log):
    return f"/api/v1/errors/{error_log.pk}/resolve"


def make_error(message="boom", *, level="error", at=NOW, **fields):
    with time_machine.travel(at, tick=False):
        return frontend_error_record(message=message, level=level, **fields)


# POST errors/log: storing


def test_anyone_may_report_an_error_and_gets_its_group(api_client, no_rate_limits):
    with time_machine.travel(NOW, tick=False):
        response = api_client.post(
            LOG,
            {"message": "Cannot read properties of undefined", "stack": STACK, "url": "https://app.example/posts/7"},
            format="json",
            HTTP_USER_AGENT="Mozilla/5.0 Test",
            HTTP_X_REQUEST_ID="front-1",
        )

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert response.json() == {
        "id": str(saved.pk),
        "fingerprint": saved.fingerprint,
        "source": "frontend",
        "level": "error",
        "message": "Cannot read properties of undefined",
        "count": 1,
        "first_seen": iso(NOW),
        "last_seen": iso(NOW),
        "resolved": False,
    }
    assert len(saved.fingerprint) == 64
    assert (saved.stack, saved.url, saved.path) == (STACK, "https://app.example/posts/7", "/posts/7")
    # The request's own User-Agent and request id when the body names none.
    assert (saved.user_agent, saved.request_id, saved.user, saved.context) == ("Mozilla/5.0 Test", "front-1", None, {})


def test_a_signed_in_reporter_is_recorded(client_for, user, no_rate_limits):
    response = client_for(user).post(
        LOG, {"message": "x", "user_agent": "Given/1.0", "level": "warning", "context": {"route": "/feed"}}
    )

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert (saved.user, saved.level, saved.user_agent, saved.context) == (
        user,
        "warning",
        "Given/1.0",
        {"route": "/feed"},
    )


def test_an_invalid_or_expired_token_files_the_report_anonymously(api_client, no_rate_limits):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.post(LOG, {"message": "token expired, then this"}, format="json")

    assert response.status_code == 201, response.content
    assert ErrorLog.objects.get().user is None


def test_null_optional_fields_mean_empty(api_client, no_rate_limits):
    response = api_client.post(
        LOG, {"message": "x", "stack": None, "url": None, "user_agent": None, "context": None}, format="json"
    )

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert (saved.stack, saved.url, saved.path, saved.context) == ("", "", "", {})


def test_long_text_is_cut_to_the_column_sizes(api_client, no_rate_limits):
    response = api_client.post(
        LOG,
        {
            "message": "m" * 5000,
            "stack": "s" * (STACK_MAX + 500),
            "url": "https://app.example/" + "u" * 3000,
            "user_agent": "a" * 900,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert (len(saved.message), len(saved.stack), len(saved.url), len(saved.user_agent)) == (2000, STACK_MAX, 2000, 500)
    assert saved.message.endswith("…")


# POST errors/log: grouping


def test_the_same_error_again_counts_on_its_group_and_keeps_the_first_example(api_client, no_rate_limits):
    first = {"message": "Quote 42 failed", "stack": STACK, "url": "https://app.example/a?x=1", "context": {"n": 1}}
    second = {"message": "Quote 97 failed", "stack": STACK, "url": "https://app.example/b", "context": {"n": 2}}
    with time_machine.travel(NOW, tick=False):
        api_client.post(LOG, first, format="json", HTTP_X_REQUEST_ID="r-1", HTTP_USER_AGENT="First/1")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        response = api_client.post(LOG, second, format="json", HTTP_X_REQUEST_ID="r-2", HTTP_USER_AGENT="Second/2")

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert response.json()["count"] == saved.count == 2
    assert (saved.first_seen, saved.last_seen) == (NOW, NOW + timedelta(hours=1))
    # Anyone may report: a later report cannot replace what staff read as the example.
    assert response.json()["message"] == "Quote 42 failed"
    assert (saved.message, saved.url, saved.path, saved.request_id, saved.user_agent, saved.context) == (
        "Quote 42 failed",
        "https://app.example/a?x=1",
        "/a",
        "r-1",
        "First/1",
        {"n": 1},
    )


def test_ids_and_uuids_in_the_message_do_not_split_a_group(no_rate_limits):
    one = make_error("Post 12 not found (request 550e8400-e29b-41d4-a716-446655440000, obj 0x7f3a)")
    two = make_error("Post 9031 not found (request 6ba7b810-9dad-11d1-80b4-00c04fd430c8, obj 0x11bb)")

    assert one.pk == two.pk
    assert ErrorLog.objects.get().count == 2


def test_another_place_level_or_message_is_another_group(no_rate_limits):
    other_frame = STACK.replace("renderQuote", "renderChart")
    groups = {
        make_error("boom", stack=STACK).pk,
        make_error("boom", stack=STACK).pk,
        make_error("boom", stack=other_frame).pk,
        make_error("boom", stack=STACK, level="warning").pk,
        make_error("bang", stack=STACK).pk,
        make_error("boom", url="https://app.example/feed").pk,
        make_error("boom", url="https://app.example/settings").pk,
    }

    assert len(groups) == 6
    assert ErrorLog.objects.count() == 6


def test_a_new_build_of_the_same_bundle_is_the_same_group(no_rate_limits):
    rebuilt = STACK.replace("main.3f9a2b1c.js:1:2345", "main.77d0e4aa.js:1:2790")

    assert make_error("boom", stack=STACK).pk == make_error("boom", stack=rebuilt).pk


def test_a_report_does_not_reopen_a_resolved_group(api_client, client_for, user, staff_user, no_rate_limits):
    error_log = make_error("boom", url="https://app.example/first")
    ErrorLog.objects.filter(pk=error_log.pk).update(resolved=True, resolved_at=NOW, resolved_by=staff_user)

    # The same group (same message and page path), with another example.
    again = {"message": "boom", "url": "https://evil.example/first?planted=1", "context": {"planted": True}}
    anonymous = api_client.post(LOG, again, format="json")
    member = client_for(user).post(LOG, again, format="json")

    assert (anonymous.status_code, member.status_code) == (201, 201)
    assert member.json()["resolved"] is True
    error_log.refresh_from_db()
    assert (error_log.resolved, error_log.resolved_at, error_log.resolved_by, error_log.count) == (
        True,
        NOW,
        staff_user,
        3,
    )
    assert (error_log.url, error_log.context, error_log.user) == ("https://app.example/first", {}, None)


def test_a_staff_users_report_reopens_a_resolved_group(client_for, staff_user, no_rate_limits):
    error_log = make_error("boom")
    ErrorLog.objects.filter(pk=error_log.pk).update(resolved=True, resolved_at=NOW, resolved_by=staff_user)

    response = client_for(staff_user).post(LOG, {"message": "boom"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["resolved"] is False
    error_log.refresh_from_db()
    assert (error_log.resolved, error_log.resolved_at, error_log.resolved_by, error_log.count) == (False, None, None, 2)
    assert error_log.user is None  # still the first report's


# POST errors/log: scrubbing


def test_credentials_are_scrubbed_before_storing(api_client, no_rate_limits):
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
    body = {
        "message": "Request failed with Authorization: Bearer abc.def-123 and password=hunter2",
        "stack": f"Error: bad token {jwt}\n    at send (https://app.example/app.js:1:2)",
        "url": "https://app.example/reset?token=s3cr3t&page=2",
        "context": {
            "Password": "hunter2",
            "headers": {"authorization": "Bearer xyz", "X-CSRFToken": "c", "accept": "json"},
            "attempts": [{"refresh_token": "r"}, {"note": f"sent {jwt}"}],
            "apiKey": "k",
            "count": 3,
        },
    }

    response = api_client.post(LOG, body, format="json")

    assert response.status_code == 201, response.content
    saved = ErrorLog.objects.get()
    assert saved.message == "Request failed with Authorization: Bearer [scrubbed] and password=[scrubbed]"
    assert jwt not in saved.stack
    assert saved.stack.startswith("Error: bad token [scrubbed]")
    assert saved.url == "https://app.example/reset?token=[scrubbed]&page=2"
    assert saved.context == {
        "Password": "[scrubbed]",
        "headers": {"authorization": "[scrubbed]", "X-CSRFToken": "[scrubbed]", "accept": "json"},
        "attempts": [{"refresh_token": "[scrubbed]"}, {"note": "sent [scrubbed]"}],
        "apiKey": "[scrubbed]",
        "count": 3,
    }
    stored = repr(ErrorLog.objects.values().get())
    for secret in ("hunter2", "abc.def-123", "s3cr3t", "xyz", jwt):
        assert secret not in stored


# POST errors/log: bad input


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"message": None}, "message"),
        ({"message": {"text": "x"}}, "message"),
        ({"message": "x", "level": "fatal"}, "level"),
        ({"message": "x", "context": ["a", "b"]}, "context"),
        ({"message": "x", "context": "user=1"}, "context"),
        ({"message": "x", "context": 3}, "context"),
        ({"message": "x", "context": {"blob": "x" * 9000}}, "context"),
        ({"message": "x", "context": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}}, "context"),
        ({"message": "x", "stack": ["at a", "at b"]}, "stack"),
        # PostgreSQL stores neither a NUL nor a lone surrogate: refused, wherever they are.
        ({"message": "x", "context": {"note": "a\u0000b"}}, "context"),
        ({"message": "x", "context": {"a\u0000": 1}}, "context"),
        ({"message": "x", "context": {"a": [{"b": ["\ud800"]}]}}, "context"),
        ({"message": "x", "context": {"\udfff": None}}, "context"),
        ({"message": "x\u0000"}, "message"),
        ({"message": "x\ud800"}, "message"),
        ({"message": "x", "stack": "at a\u0000"}, "stack"),
        ({"message": "x", "url": "https://a.example/\ud800"}, "url"),
        ({"message": "x", "user_agent": "Agent\u0000"}, "user_agent"),
    ],
)
def test_bad_reports_are_400s_naming_the_field(api_client, no_rate_limits, body, field):
    api_client.raise_request_exception = False  # a crash must show as a 500 here, not as the exception

    # json.dumps escapes what the test client's UTF-8 encoder cannot (lone surrogates).
    response = api_client.generic("POST", LOG, json.dumps(body), content_type="application/json")

    assert_problem(response, 400, field)
    assert not ErrorLog.objects.exists()


def test_a_context_of_eight_levels_and_under_8_kb_is_accepted(api_client, no_rate_limits):
    context = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": "x" * 7000}}}}}}}}

    assert api_client.post(LOG, {"message": "x", "context": context}, format="json").status_code == 201
    assert ErrorLog.objects.get().context == context


# POST errors/log: rate limit


@pytest.fixture
def tight_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "error_log": "2/m"}


def test_reports_are_limited_per_ip_when_anonymous(api_client, tight_limit):
    with time_machine.travel(NOW, tick=False):
        statuses = [
            api_client.post(LOG, {"message": "x"}, format="json", REMOTE_ADDR="203.0.113.5").status_code
            for _ in range(3)
        ]
        refused = api_client.post(LOG, {"message": "x"}, format="json", REMOTE_ADDR="203.0.113.5")
        elsewhere = api_client.post(LOG, {"message": "x"}, format="json", REMOTE_ADDR="203.0.113.6")

    assert statuses == [201, 201, 429]
    assert_problem(refused, 429)
    assert refused["Retry-After"] == "60"
    assert refused["X-RateLimit-Limit"] == "2"
    assert elsewhere.status_code == 201
    assert ErrorLog.objects.get().count == 3


def test_reports_are_limited_per_user_when_signed_in(client_for, tight_limit):
    alice, bob = UserFactory(), UserFactory()

    with time_machine.travel(NOW, tick=False):
        alice_client, bob_client = client_for(alice), client_for(bob)  # tokens issued in the frozen time
        alice_statuses = [alice_client.post(LOG, {"message": "x"}).status_code for _ in range(3)]
        bob_status = bob_client.post(LOG, {"message": "x"}).status_code

    assert alice_statuses == [201, 201, 429]
    assert bob_status == 201


@pytest.fixture
def two_new_groups_an_hour(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "error_log": "1000/m"}
    settings.ERROR_LOG_ANONYMOUS_NEW_GROUPS = "2/h"


def test_anonymous_reports_open_a_bounded_number_of_new_groups(api_client, client_for, user, two_new_groups_an_hour):
    def report(message, client=api_client, level="error"):
        return client.post(LOG, {"message": message, "level": level, "context": {"m": message}}, format="json")

    with time_machine.travel(NOW, tick=False):
        opened = [report(f"random {chr(97 + index)}") for index in range(2)]
        overflowed = [report(f"random {chr(99 + index)}") for index in range(3)]
        overflowed.append(report("random z", level="warning"))
        known = report("random a")  # an existing group still counts on itself
        signed_in = report("from a member", client=client_for(user))  # attributable, limited per user
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        next_hour = report("random n")

    assert {response.status_code for response in [*opened, *overflowed, known, signed_in, next_hour]} == {201}
    groups = {(row.message, row.level): row for row in ErrorLog.objects.all()}
    assert set(groups) == {
        ("random a", "error"),
        ("random b", "error"),
        (OVERFLOW_MESSAGE, "error"),
        (OVERFLOW_MESSAGE, "warning"),
        ("from a member", "error"),
        ("random n", "error"),
    }
    assert groups["random a", "error"].count == 2
    overflow = groups[OVERFLOW_MESSAGE, "error"]
    assert (overflow.count, overflow.context, overflow.stack, overflow.url) == (3, {}, "", "")
    assert overflowed[0].json()["id"] == str(overflow.pk)


# GET errors


def test_error_list_is_for_staff_only(api_client, auth_client):
    make_error()

    assert_problem(api_client.get(LIST), 401)
    assert_problem(auth_client.get(LIST), 403)


def test_staff_see_groups_most_recently_seen_first(client_for, staff_user, no_rate_limits):
    old = make_error("old", at=NOW - timedelta(days=2), url="https://app.example/x", context={"k": "v"})
    new = make_error("new", at=NOW - timedelta(hours=1))
    make_error("old", at=NOW, url="https://app.example/x", context={"k": "v"})  # seen again: now the newest

    response = client_for(staff_user).get(LIST)

    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["results"]] == [str(old.pk), str(new.pk)]
    old.refresh_from_db()
    assert body["results"][0] == {
        "id": str(old.pk),
        "fingerprint": old.fingerprint,
        "source": "frontend",
        "level": "error",
        "message": "old",
        "stack": "",
        "url": "https://app.example/x",
        "path": "/x",
        "user_agent": "",
        "context": {"k": "v"},
        "request_id": "",
        "user_id": None,
        "count": 2,
        "first_seen": iso(NOW - timedelta(days=2)),
        "last_seen": iso(NOW),
        "resolved": False,
        "resolved_at": None,
        "resolved_by_id": None,
    }
    assert (body["next"], body["previous"]) == (None, None)


def test_error_list_pages_with_a_cursor(client_for, staff_user):
    ids = [make_error(f"error {chr(97 + i)}", at=NOW + timedelta(minutes=i)).pk for i in range(5)]
    client = client_for(staff_user)

    first = client.get(LIST, {"limit": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[row["id"] for row in page["results"]] for page in (first, second, third)]
    assert pages == [[str(ids[4]), str(ids[3])], [str(ids[2]), str(ids[1])], [str(ids[0])]]
    assert third["next"] is None


def test_error_list_filters_by_resolved_level_and_source(client_for, staff_user):
    open_error = make_error("open")
    resolved = make_error("resolved")
    ErrorLog.objects.filter(pk=resolved.pk).update(resolved=True)
    warning = make_error("careful", level="warning")
    client = client_for(staff_user)

    def ids(**query):
        return {int(row["id"]) for row in client.get(LIST, query).json()["results"]}

    assert ids(resolved="false") == {open_error.pk, warning.pk}
    assert ids(resolved="true") == {resolved.pk}
    assert ids(level="warning") == {warning.pk}
    assert ids(level="error", resolved="false") == {open_error.pk}
    assert ids(source="backend") == set()
    assert ids() == {open_error.pk, resolved.pk, warning.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"resolved": "maybe"}, "resolved"),
        ({"resolved": "1"}, "resolved"),
        ({"level": "fatal"}, "level"),
        ({"source": "mobile"}, "source"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_error_list_refuses_bad_filters(client_for, staff_user, query, field):
    assert_problem(client_for(staff_user).get(LIST, query), 400, field)


@pytest.mark.parametrize("size", [1, 50])
def test_error_list_query_count_is_the_same_for_one_and_fifty(
    client_for, staff_user, size, django_assert_max_num_queries
):
    for index in range(size):
        make_error(f"error {chr(97 + index % 26)}{chr(97 + index // 26)}", user=UserFactory(), context={"i": index})
    client = client_for(staff_user)

    # The staff user (authentication); the page of groups.
    with django_assert_max_num_queries(2):
        response = client.get(LIST, {"limit": 100, "resolved": "false"})

    assert len(response.json()["results"]) == size


# PATCH errors/{id}/resolve


def test_resolving_is_for_staff_only(api_client, auth_client):
    error_log = make_error()

    assert_problem(api_client.patch(resolve_url(error_log)), 401)
    assert_problem(auth_client.patch(resolve_url(error_log)), 403)
    error_log.refresh_from_db()
    assert (error_log.resolved, error_log.resolved_at, error_log.resolved_by) == (False, None, None)


def test_staff_resolve_an_error_group(client_for, staff_user):
    error_log = make_error()
    moment = NOW + timedelta(minutes=5)

    with time_machine.travel(moment, tick=False):
        response = client_for(staff_user).patch(resolve_url(error_log))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["resolved"], body["resolved_at"], body["resolved_by_id"]) == (
        str(error_log.pk),
        True,
        iso(moment),
        str(staff_user.pk),
    )
    error_log.refresh_from_db()
    assert (error_log.resolved, error_log.resolved_at, error_log.resolved_by) == (True, moment, staff_user)


@pytest.mark.parametrize("query", ["?resolved=true", "?level=bogus"])
def test_the_list_filters_do_not_apply_to_resolving(client_for, staff_user, query):
    error_log = make_error()

    response = client_for(staff_user).patch(resolve_url(error_log) + query)

    assert response.status_code == 200, response.content
    assert response.json()["resolved"] is True
    error_log.refresh_from_db()
    assert error_log.resolved_by == staff_user


def test_resolving_twice_keeps_the_first_resolution(client_for, staff_user):
    error_log = make_error()
    other_staff = UserFactory(is_staff=True)
    first = client_for(staff_user).patch(resolve_url(error_log)).json()

    again = client_for(other_staff).patch(resolve_url(error_log))

    assert again.status_code == 200, again.content
    assert again.json() == first
    error_log.refresh_from_db()
    assert error_log.resolved_by == staff_user


def test_resolving_an_unknown_error_is_a_404(client_for, staff_user):
    body = assert_problem(client_for(staff_user).patch("/api/v1/errors/999999/resolve"), 404)

    assert body["detail"] == "No such error log."


@pytest.mark.parametrize("error_id", ["0", "0042", str(2**63), "99999999999999999999"])
def test_an_id_no_row_can_have_is_a_404_before_any_query(client_for, staff_user, error_id, django_assert_num_queries):
    client = client_for(staff_user)

    with django_assert_num_queries(0):
        response = client.patch(f"/api/v1/errors/{error_id}/resolve")

    assert assert_problem(response, 404)["detail"] == "No such resource."


# Admin


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_error_admin_refuses_non_staff(client):
    changelist = reverse("admin:metrics_errorlog_changelist")
    anonymous = client.get(changelist)
    client.force_login(UserFactory())
    member = client.get(changelist)

    for response in (anonymous, member):
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_admin_actions_resolve_and_reopen_through_the_services(client, superuser):
    first, second, untouched = make_error("a"), make_error("b"), make_error("c")
    changelist = reverse("admin:metrics_errorlog_changelist")
    client.force_login(superuser)
    assert client.get(changelist).status_code == 200

    response = client.post(changelist, {"action": "mark_resolved", "_selected_action": [first.pk, second.pk]})

    assert response.status_code == 302
    resolved = ErrorLog.objects.filter(resolved=True)
    assert set(resolved.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert all(row.resolved_by == superuser and row.resolved_at is not None for row in resolved)

    client.post(changelist, {"action": "reopen", "_selected_action": [first.pk, untouched.pk]})

    assert list(ErrorLog.objects.filter(resolved=True).values_list("pk", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert (first.resolved_at, first.resolved_by) == (None, None)


def test_the_admin_change_page_edits_nothing(client, superuser):
    error_log = make_error("a")
    client.force_login(superuser)
    url = reverse("admin:metrics_errorlog_change", args=[error_log.pk])

    client.post(url, {"resolved": "on", "message": "changed"})

    error_log.refresh_from_db()
    assert (error_log.resolved, error_log.message) == (False, "a")
