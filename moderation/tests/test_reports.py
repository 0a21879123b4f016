"""POST reports: users flag posts, comments and other users; one open report per reporter and target."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory
from core.testing import assert_problem
from moderation.models import Reason, Report, ReportStatus, TargetType
from moderation.services import report_create
from moderation.tests.factories import CommentFactory, ReportFactory
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports"
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
KINDS = ["post", "comment", "user"]


def make_target(kind: str, author=None):
    """A visible post, comment or user, written by (or being) ``author``."""
    author = author or UserFactory()
    if kind == "post":
        return PostFactory(author=author)
    if kind == "comment":
        return CommentFactory(author=author)
    return author


def author_of(target):
    return getattr(target, "author", target)


def report(client, target_type, target_id, reason="spam", **extra):
    return client.post(
        URL, {"target_type": target_type, "target_id": str(target_id), "reason": reason, **extra}, format="json"
    )


# Success


@pytest.mark.parametrize("kind", KINDS)
def test_report_is_filed_for_each_target_type(auth_client, user, kind):
    target = make_target(kind)
    # Frozen after the client's token was issued: a token from the future is refused.
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        response = report(auth_client, kind, target.pk, "harassment", details="  Keeps insulting people.  ")

    assert response.status_code == 201, response.content
    saved = Report.objects.get()
    assert saved.created_at == moment
    assert response.json() == {
        "id": str(saved.pk),
        "target_type": kind,
        "target_id": str(target.pk),
        "reason": "harassment",
        "details": "Keeps insulting people.",
        "status": "open",
        "created_at": saved.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert (saved.reporter, saved.target_type, saved.status) == (user, kind, ReportStatus.OPEN)
    targets = {"post": saved.post, "comment": saved.comment, "user": saved.user}
    assert targets == {name: (target if name == kind else None) for name in KINDS}
    assert saved.resolved_at is None
    assert saved.resolved_by is None


def test_details_are_optional_and_null_means_none(auth_client, client_for, other_user):
    post = PostFactory()

    first = report(auth_client, "post", post.pk)
    second = client_for(other_user).post(
        URL, {"target_type": "post", "target_id": post.pk, "reason": "other", "details": None}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["details"] == second.json()["details"] == ""
    assert second.json()["target_id"] == str(post.pk)  # a JSON number is accepted too
    assert Report.objects.filter(post=post).count() == 2


def test_each_reason_is_accepted(auth_client):
    for reason in Reason.values:
        assert report(auth_client, "post", PostFactory().pk, reason).status_code == 201
    assert sorted(Report.objects.values_list("reason", flat=True)) == sorted(Reason.values)


def test_several_users_may_report_the_same_target(client_for):
    post = PostFactory()

    answers = [report(client_for(UserFactory()), "post", post.pk).status_code for _ in range(3)]

    assert answers == [201, 201, 201]
    assert Report.objects.filter(post=post, status=ReportStatus.OPEN).count() == 3


def test_a_user_who_blocked_you_can_still_be_reported(auth_client, user, other_user):
    # Blocks do not hide profiles, and being blocked is no reason to lose the right to report.
    BlockFactory(user=other_user, target=user)

    assert report(auth_client, "user", other_user.pk).status_code == 201


# One open report per reporter and target


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_open_report_on_the_same_target_is_a_409(auth_client, user, kind):
    target = make_target(kind)
    assert report(auth_client, kind, target.pk, "spam").status_code == 201

    body = assert_problem(report(auth_client, kind, target.pk, "harassment", details="again"), 409)

    assert body["detail"] == f"You already have an open report on this {kind}; moderators will review it."
    assert Report.objects.filter(reporter=user).count() == 1
    assert Report.objects.get().reason == "spam"


@pytest.mark.parametrize("status", [ReportStatus.RESOLVED, ReportStatus.DISMISSED])
def test_a_closed_report_does_not_block_a_new_one(auth_client, user, staff_user, status):
    post = PostFactory()
    closed = ReportFactory(reporter=user, post=post, status=status, resolved_at=timezone.now(), resolved_by=staff_user)

    response = report(auth_client, "post", post.pk)

    assert response.status_code == 201, response.content
    assert Report.objects.filter(reporter=user, post=post).count() == 2
    assert Report.objects.get(status=ReportStatus.OPEN).pk == int(response.json()["id"]) != closed.pk


def test_an_open_report_on_one_target_does_not_block_another(auth_client, user):
    post = PostFactory()
    comment = CommentFactory(post=post, author=post.author)
    assert report(auth_client, "post", post.pk).status_code == 201

    assert report(auth_client, "comment", comment.pk).status_code == 201
    assert report(auth_client, "user", post.author.pk).status_code == 201
    assert Report.objects.filter(reporter=user).count() == 3


# Self-reports


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("post", "You cannot report your own post."),
        ("comment", "You cannot report your own comment."),
        ("user", "You cannot report yourself."),
    ],
)
def test_reporting_yourself_or_your_own_content_is_a_400_naming_target_id(auth_client, user, kind, message):
    target = make_target(kind, author=user)

    body = assert_problem(report(auth_client, kind, target.pk), 400, "target_id")

    assert body["errors"]["target_id"] == [message]
    assert not Report.objects.exists()


def test_reporting_a_comment_on_your_own_post_is_allowed(auth_client, user):
    comment = CommentFactory(post=PostFactory(author=user))

    assert report(auth_client, "comment", comment.pk).status_code == 201


# Targets the reporter cannot see: 404


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_target_is_a_404(auth_client, kind):
    target = make_target(kind)
    missing = target.pk + 1000

    body = assert_problem(report(auth_client, kind, missing), 404)

    assert body["detail"] == f"No such {kind}."
    assert not Report.objects.exists()


def test_the_target_type_decides_where_the_id_is_looked_up(auth_client):
    post = PostFactory()

    assert_problem(report(auth_client, "comment", post.pk), 404)
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"deleted_at": NOW},
        {"is_hidden": True},
    ],
    ids=["deleted", "hidden"],
)
@pytest.mark.parametrize("kind", ["post", "comment"])
def test_a_deleted_or_hidden_target_is_a_404(auth_client, kind, change):
    target = make_target(kind)
    type(target).objects.filter(pk=target.pk).update(**change)

    assert_problem(report(auth_client, kind, target.pk), 404)
    assert not Report.objects.exists()


@pytest.mark.parametrize("change", [{"deleted_at": NOW}, {"is_hidden": True}], ids=["deleted", "hidden"])
def test_a_comment_on_a_deleted_or_hidden_post_is_a_404(auth_client, change):
    comment = CommentFactory()
    type(comment.post).objects.filter(pk=comment.post_id).update(**change)

    assert_problem(report(auth_client, "comment", comment.pk), 404)


@pytest.mark.parametrize("direction", ["reporter_blocked_author", "author_blocked_reporter"])
@pytest.mark.parametrize("kind", ["post", "comment"])
def test_content_across_a_block_is_a_404(auth_client, user, other_user, kind, direction):
    target = make_target(kind, author=other_user)
    if direction == "reporter_blocked_author":
        BlockFactory(user=user, target=other_user)
    else:
        BlockFactory(user=other_user, target=user)

    assert_problem(report(auth_client, kind, target.pk), 404)
    assert not Report.objects.exists()


def test_a_comment_under_a_post_by_someone_who_blocked_you_is_a_404(auth_client, user, other_user):
    comment = CommentFactory(post=PostFactory(author=other_user))
    BlockFactory(user=other_user, target=user)

    assert_problem(report(auth_client, "comment", comment.pk), 404)


@pytest.mark.parametrize("change", [{"is_active": False}, {"suspended_at": NOW}], ids=["deactivated", "suspended"])
def test_a_deactivated_or_suspended_user_is_a_404(auth_client, other_user, change):
    type(other_user).objects.filter(pk=other_user.pk).update(**change)

    assert_problem(report(auth_client, "user", other_user.pk), 404)


# Bad input: 400 naming the field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "video", "target_id": "1", "reason": "spam"}, "target_type"),
        ({"target_type": "", "target_id": "1", "reason": "spam"}, "target_type"),
        ({"target_id": "1", "reason": "spam"}, "target_type"),
        ({"target_type": "post", "target_id": "1", "reason": "rude"}, "reason"),
        ({"target_type": "post", "target_id": "1"}, "reason"),
        ({"target_type": "post", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "abc", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "0", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "-1", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "007", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "1.5", "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": 1.5, "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": True, "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": ["1"], "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": str(2**63), "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "9" * 40, "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": 2**70, "reason": "spam"}, "target_id"),
        ({"target_type": "post", "target_id": "1", "reason": "spam", "details": "x" * 1001}, "details"),
    ],
    ids=[
        "unknown-type",
        "empty-type",
        "missing-type",
        "unknown-reason",
        "missing-reason",
        "missing-id",
        "non-numeric-id",
        "empty-id",
        "zero-id",
        "negative-id",
        "zero-padded-id",
        "decimal-id",
        "float-id",
        "boolean-id",
        "list-id",
        "id-past-bigint",
        "huge-id",
        "huge-number-id",
        "long-details",
    ],
)
def test_bad_input_is_a_400_naming_the_field(auth_client, body, field):
    PostFactory(pk=1)

    problem = assert_problem(auth_client.post(URL, body, format="json"), 400, field)

    assert problem["errors"][field]
    assert not Report.objects.exists()


def test_the_largest_id_is_a_404_not_an_error(auth_client):
    assert_problem(report(auth_client, "post", 2**63 - 1), 404)


def test_details_of_1000_characters_are_accepted(auth_client):
    response = report(auth_client, "post", PostFactory().pk, details="x" * 1000)

    assert response.status_code == 201
    assert len(Report.objects.get().details) == 1000


# Who may report


def test_anonymous_gets_401(api_client):
    post = PostFactory()

    body = assert_problem(report(api_client, "post", post.pk), 401)

    assert body["status"] == 401
    assert not Report.objects.exists()


def test_reports_are_rate_limited_per_user(auth_client, client_for, other_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "reports": "2/h"}
    posts = [PostFactory() for _ in range(3)]

    answers = [report(auth_client, "post", post.pk) for post in posts]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[0]["X-RateLimit-Limit"] == "2"
    assert int(answers[2]["Retry-After"]) > 0
    assert Report.objects.count() == 2
    assert report(client_for(other_user), "post", posts[2].pk).status_code == 201


# The service and the schema


def test_the_service_files_the_report_it_is_given(user):
    comment = CommentFactory()

    saved = report_create(
        reporter=user, target_type=TargetType.COMMENT, target_id=comment.pk, reason=Reason.OTHER, details="why"
    )

    assert Report.objects.get() == saved
    assert (saved.comment, saved.post, saved.user, saved.details) == (comment, None, None, "why")


def test_the_schema_documents_the_endpoint(api_client):
    schema = api_client.get("/api/schema?format=json").json()
    operation = schema["paths"][URL]["post"]

    assert operation["summary"] == "Report a post, comment or user"
    assert {"201", "400", "401", "404", "409", "429"} <= set(operation["responses"])
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    request = schema["components"]["schemas"][ref]
    assert set(request["required"]) == {"target_type", "target_id", "reason"}
    answer = operation["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][answer]["properties"]) == {
        "id",
        "target_type",
        "target_id",
        "reason",
        "details",
        "status",
        "created_at",
    }
