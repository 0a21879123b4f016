"""Polls ask content whether a poll may be seen (``polls.visibility``): the hook, and what it decides."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory
from content.tests.helpers_posts import assert_problem
from polls import visibility
from polls.models import PollVote
from polls.tests.factories import PollFactory
from polls.visibility import poll_visibility_register, poll_visible
from social.tests.factories import BlockFactory

pytestmark = pytest.mark.django_db


def votes_url(poll_id) -> str:
    return f"/api/v1/polls/{poll_id}/votes"


def results_url(poll_id) -> str:
    return f"/api/v1/polls/{poll_id}/results"


@pytest.fixture
def unplugged():
    """No visibility rule, as if content had not registered one; the real one is put back after."""
    rule = visibility._rule
    poll_visibility_register(None)
    yield
    poll_visibility_register(rule)


def test_content_plugs_in_the_post_visibility_rule(user, other_user):
    shown, gone = PollFactory(), PollFactory()
    PostFactory(author=other_user, poll=shown)
    PostFactory(author=other_user, poll=gone, deleted_at=timezone.now())

    assert poll_visible(viewer=user, poll_id=shown.pk) is True
    assert poll_visible(viewer=user, poll_id=gone.pk) is False
    assert poll_visible(viewer=user, poll_id=PollFactory().pk) is False  # on no post at all


def test_without_a_rule_asking_fails_loudly(unplugged, user):
    poll = PollFactory()
    PostFactory(poll=poll)

    with pytest.raises(ImproperlyConfigured):
        poll_visible(viewer=user, poll_id=poll.pk)


def test_without_a_rule_the_endpoints_fail_rather_than_show_the_poll(unplugged, auth_client):
    poll = PollFactory()
    PostFactory(poll=poll)
    option = poll.options.first()

    with pytest.raises(ImproperlyConfigured):
        auth_client.get(results_url(poll.pk))
    with pytest.raises(ImproperlyConfigured):
        auth_client.post(votes_url(poll.pk), {"option_id": str(option.pk)})
    assert not PollVote.objects.exists()


@pytest.mark.parametrize("state", ["hidden", "deleted", "author_blocked_viewer", "viewer_blocked_author", "suspended"])
def test_a_poll_whose_post_is_not_visible_stays_a_404(client_for, user, state):
    author = UserFactory(suspended_at=timezone.now()) if state == "suspended" else UserFactory()
    poll = PollFactory()
    PostFactory(
        author=author,
        poll=poll,
        is_hidden=state == "hidden",
        deleted_at=timezone.now() if state == "deleted" else None,
    )
    if state == "author_blocked_viewer":
        BlockFactory(user=author, target=user)
    elif state == "viewer_blocked_author":
        BlockFactory(user=user, target=author)
    client = client_for(user)

    assert_problem(client.get(results_url(poll.pk)), 404)
    assert_problem(client.post(votes_url(poll.pk), {"option_id": str(poll.options.first().pk)}), 404)
    assert not PollVote.objects.exists()


def test_an_id_beyond_a_bigint_is_a_404(auth_client):
    assert_problem(auth_client.get(results_url(2**63)), 404)
    assert_problem(auth_client.post(votes_url(2**63), {"option_id": "1"}), 404)
