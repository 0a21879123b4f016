"""POST polls/{id}/votes and GET polls/{id}/results (polls.api; whether a poll may be seen comes from its post)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory
from content.tests.helpers_posts import POLL_FIELDS, assert_problem
from polls.models import PollVote
from polls.services import poll_create
from polls.tests.factories import PollFactory
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def votes_url(poll_id) -> str:
    return f"/api/v1/polls/{poll_id}/votes"


def results_url(poll_id) -> str:
    return f"/api/v1/polls/{poll_id}/results"


@pytest.fixture
def poll(other_user):
    poll = PollFactory(options=["Up", "Down", "Flat"])
    PostFactory(author=other_user, poll=poll)
    return poll


def options(poll):
    return list(poll.options.order_by("position"))


def test_vote_is_recorded_and_results_returned(auth_client, user, poll):
    up, down, _ = options(poll)
    PollVote.objects.create(poll=poll, option=up, user=UserFactory())

    response = auth_client.post(votes_url(poll.pk), {"option_id": str(down.pk)})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == POLL_FIELDS
    assert body["id"] == str(poll.pk)
    assert [(o["id"], o["text"], o["votes"]) for o in body["options"]] == [
        (str(up.pk), "Up", 1),
        (str(down.pk), "Down", 1),
        (str(options(poll)[2].pk), "Flat", 0),
    ]
    assert body["total_votes"] == 2
    assert body["viewer_vote"] == str(down.pk)
    assert body["expired"] is False
    vote = PollVote.objects.get(user=user)
    assert vote.option == down
    assert vote.poll == poll


def test_second_vote_is_a_409(auth_client, user, poll):
    up, down, _ = options(poll)
    auth_client.post(votes_url(poll.pk), {"option_id": up.pk})

    response = auth_client.post(votes_url(poll.pk), {"option_id": down.pk})

    body = assert_problem(response, 409)
    assert body["code"] == "already_voted"
    assert list(PollVote.objects.filter(user=user).values_list("option_id", flat=True)) == [up.pk]


def test_vote_in_an_expired_poll_is_a_409(auth_client, user, other_user):
    poll = PollFactory(created_at=timezone.now() - timedelta(hours=3), expires_at=timezone.now() - timedelta(hours=1))
    PostFactory(author=other_user, poll=poll)

    response = auth_client.post(votes_url(poll.pk), {"option_id": options(poll)[0].pk})

    body = assert_problem(response, 409)
    assert body["code"] == "poll_expired"
    assert not PollVote.objects.exists()
    assert auth_client.get(results_url(poll.pk)).json()["expired"] is True


@pytest.mark.parametrize("option", ["other_poll", "missing", "garbage", "absent"])
def test_vote_for_an_option_not_of_this_poll_is_a_400(auth_client, poll, option):
    payload = {
        "other_poll": {"option_id": options(PollFactory())[0].pk},
        "missing": {"option_id": 10**12},
        "garbage": {"option_id": "one"},
        "absent": {},
    }[option]

    assert_problem(auth_client.post(votes_url(poll.pk), payload), 400, "option_id")
    assert not PollVote.objects.exists()


def test_vote_needs_sign_in(api_client, poll):
    assert_problem(api_client.post(votes_url(poll.pk), {"option_id": options(poll)[0].pk}), 401)
    assert not PollVote.objects.exists()


@pytest.mark.parametrize("state", ["blocked_by_author", "blocked_author", "deleted", "hidden", "no_post", "missing"])
def test_vote_in_a_poll_the_voter_cannot_see_is_a_404(auth_client, user, other_user, poll, state):
    poll_id = poll.pk
    post = poll.post
    if state == "blocked_by_author":
        BlockFactory(user=other_user, target=user)
    elif state == "blocked_author":
        BlockFactory(user=user, target=other_user)
    elif state == "deleted":
        post.deleted_at = timezone.now()
        post.save()
    elif state == "hidden":
        post.is_hidden = True
        post.save()
    elif state == "no_post":
        poll_id = PollFactory().pk
    else:
        poll_id = 10**12

    assert_problem(auth_client.post(votes_url(poll_id), {"option_id": options(poll)[0].pk}), 404)
    assert_problem(auth_client.get(results_url(poll_id)), 404)
    assert not PollVote.objects.exists()


def test_results_for_anyone(api_client, client_for, user, poll):
    up = options(poll)[0]
    PollVote.objects.create(poll=poll, option=up, user=user)

    anonymous = api_client.get(results_url(poll.pk))
    voter = client_for(user).get(results_url(poll.pk))

    assert anonymous.status_code == 200
    assert anonymous.json()["viewer_vote"] is None
    assert anonymous.json()["total_votes"] == 1
    assert voter.json()["viewer_vote"] == str(up.pk)


def test_results_query_count(api_client, poll, django_assert_num_queries):
    # visibility of the post + the poll (its options with their counts in the row)
    with django_assert_num_queries(2):
        assert api_client.get(results_url(poll.pk)).status_code == 200


def test_poll_create_service_trims_and_orders():
    poll = poll_create(options=[" Up ", "Down"], duration_hours=2)

    assert [option.text for option in options(poll)] == ["Up", "Down"]
    assert poll.expires_at - poll.created_at == timedelta(hours=2)
