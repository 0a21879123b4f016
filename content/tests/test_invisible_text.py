"""Posts, quotes, comments and poll options: invisible characters neither pass for text nor spoof it."""

from __future__ import annotations

import pytest

from content.models import Comment, Post, PostTicker
from content.tests.factories import PostFactory
from core.testing import assert_problem
from polls.models import PollOption

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts"
# Zero-width space/joiner, word joiner, BOM, a direction override and isolate, Hangul filler, braille blank.
INVISIBLE = "\u200b\u200d\u2060\ufeff\u202e\u2066\u3164\u2800"


@pytest.mark.parametrize("content", [INVISIBLE, f" \u00a0{INVISIBLE}\u3000 ", "\u115f\u1160"])
def test_a_post_of_only_invisible_characters_is_refused(auth_client, user, content):
    assert_problem(auth_client.post(POSTS, {"content": content}, format="json"), 400, "content")

    assert not Post.objects.exists()
    user.refresh_from_db()
    assert user.posts_count == 0


def test_a_post_is_stored_normalised_and_its_cashtags_still_found(auth_client):
    response = auth_client.post(
        POSTS, {"content": "\u200b\u202e$\u200bNVDA\u202c to the moon 👩\u200d🚀 e\u0301\u2069"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    # NFC, no direction controls or zero-width spaces; the joiner inside the emoji stays.
    assert body["content"] == "$NVDA to the moon 👩\u200d🚀 é"
    assert body["tickers"] == ["NVDA"]
    assert Post.objects.get().content == body["content"]
    assert list(PostTicker.objects.values_list("ticker_id", flat=True)) == ["NVDA"]


def test_invisible_characters_do_not_count_towards_the_length(auth_client):
    response = auth_client.post(POSTS, {"content": "x" * 990 + "\u200b" * 10}, format="json")

    assert response.status_code == 201, response.content
    assert Post.objects.get().content == "x" * 990


def test_a_quote_of_only_invisible_characters_is_refused(auth_client, user):
    quoted = PostFactory()

    response = auth_client.post(f"{POSTS}/{quoted.pk}/reposts", {"content": INVISIBLE}, format="json")

    assert_problem(response, 400, "content")
    assert Post.objects.count() == 1


def test_a_comment_of_only_invisible_characters_is_refused(auth_client):
    post = PostFactory()

    response = auth_client.post(f"{POSTS}/{post.pk}/comments", {"content": INVISIBLE}, format="json")

    assert_problem(response, 400, "content")
    assert not Comment.objects.exists()


def test_a_comment_is_stored_normalised(auth_client):
    post = PostFactory()

    response = auth_client.post(f"{POSTS}/{post.pk}/comments", {"content": "\u202eagreed\u200b"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["content"] == "agreed"
    assert Comment.objects.get().content == "agreed"


def test_a_poll_option_of_only_invisible_characters_is_refused(auth_client):
    poll = {"options": ["Up", INVISIBLE], "duration_hours": 24}

    response = auth_client.post(POSTS, {"content": "Where next?", "poll": poll}, format="json")

    assert_problem(response, 400, "poll")
    assert not Post.objects.exists()


def test_poll_options_that_differ_only_by_invisible_characters_are_duplicates(auth_client):
    poll = {"options": ["Up", "U\u200bp"], "duration_hours": 24}

    response = auth_client.post(POSTS, {"content": "Where next?", "poll": poll}, format="json")

    assert_problem(response, 400, "poll")


def test_poll_options_are_stored_normalised(auth_client):
    poll = {"options": ["\u202eUp", "Down\u200b"], "duration_hours": 24}

    response = auth_client.post(POSTS, {"content": "Where next?", "poll": poll}, format="json")

    assert response.status_code == 201, response.content
    assert list(PollOption.objects.order_by("position").values_list("text", flat=True)) == ["Up", "Down"]
