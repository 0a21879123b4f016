"""POST/GET posts and GET/DELETE posts/{id}: writes, visibility, stats and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content import moderation_hooks
from content.models import Media, Post, PostMention, PostTicker, Ticker
from content.services.posts import post_create
from content.tests.factories import PostFactory
from content.tests.factories_interactions import (
    BookmarkFactory,
    CommentFactory,
    PostReactionFactory,
    RepostFactory,
)
from content.tests.helpers_posts import (
    POLL_FIELDS,
    POST_FIELDS,
    MediaFactory,
    assert_problem,
    ids,
    minutes_ago,
    tag,
)
from moderation.models import ModerationAction
from polls.models import Poll, PollVote
from polls.tests.factories import PollFactory
from social.tests.factories import BlockFactory, MuteFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts"


def post_url(post_id) -> str:
    return f"/api/v1/posts/{post_id}"


# POST posts


def test_post_is_created_with_tickers_in_order_and_counted(auth_client, user):
    response = auth_client.post(
        POSTS, {"content": "  Long $aapl and #TSLA, hedged with $AAPL puts and $ZZZQ.  ", "sentiment": "bullish"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == POST_FIELDS
    post = Post.objects.get()
    assert body["id"] == str(post.pk)
    assert body["content"] == "Long $aapl and #TSLA, hedged with $AAPL puts and $ZZZQ."
    assert body["tickers"] == ["AAPL", "TSLA", "ZZZQ"]
    assert body["sentiment"] == "bullish"
    assert body["author"] == {
        "id": str(user.pk),
        "username": user.username,
        "display_name": user.display_name,
        "profile_picture_url": None,
    }
    assert body["media"] == []
    assert body["poll"] is None
    assert body["quoted_post"] is None
    assert body["reposted_by"] is None
    assert body["stats"] == {"reactions": 0, "comments": 0, "reposts": 0, "quotes": 0, "bookmarks": 0}
    assert body["viewer"] == {"reacted": False, "reposted": False, "bookmarked": False}
    links = list(PostTicker.objects.filter(post=post).order_by("position").values_list("ticker_id", "position"))
    assert links == [("AAPL", 0), ("TSLA", 1), ("ZZZQ", 2)]
    assert set(PostTicker.objects.values_list("created_at", flat=True)) == {post.created_at}
    assert set(PostTicker.objects.values_list("sentiment", flat=True)) == {"bullish"}
    # Made on first mention, named from the reference list when it knows the symbol.
    assert Ticker.objects.get(pk="AAPL").name == "Apple Inc."
    assert Ticker.objects.get(pk="ZZZQ").name == ""
    user.refresh_from_db()
    assert user.posts_count == 1


def test_post_keeps_an_existing_tickers_name(auth_client):
    Ticker.objects.create(symbol="AAPL", name="Apple (custom)")

    response = auth_client.post(POSTS, {"content": "$AAPL"})

    assert response.status_code == 201
    assert Ticker.objects.get(pk="AAPL").name == "Apple (custom)"


def test_post_attaches_own_uploads_in_the_given_order(auth_client, user):
    first, second = MediaFactory(owner=user), MediaFactory(owner=user)

    response = auth_client.post(POSTS, {"content": "Charts", "media_ids": [str(second.pk), first.pk]})

    assert response.status_code == 201, response.content
    media = response.json()["media"]
    assert [item["url"] for item in media] == [
        f"http://testserver/media/{second.file.name}",
        f"http://testserver/media/{first.file.name}",
    ]
    assert media[0] == {"url": media[0]["url"], "content_type": "image/webp", "width": 640, "height": 480}
    post = Post.objects.get()
    assert list(Media.objects.filter(post=post).order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


@pytest.mark.parametrize(
    "case",
    ["someone_elses", "already_attached", "missing", "duplicate", "too_many", "not_an_id"],
)
def test_post_refuses_media_it_cannot_take(auth_client, user, other_user, case):
    mine = [MediaFactory(owner=user) for _ in range(5)]
    media_ids = {
        "someone_elses": [MediaFactory(owner=other_user).pk],
        "already_attached": [MediaFactory(owner=user, post=PostFactory(content="Already attached")).pk],
        "missing": [mine[0].pk, 10**12],
        "duplicate": [mine[0].pk, mine[0].pk],
        "too_many": [media.pk for media in mine],
        "not_an_id": ["abc"],
    }[case]

    response = auth_client.post(POSTS, {"content": "Charts", "media_ids": media_ids})

    assert_problem(response, 400, "media_ids")
    assert not Post.objects.filter(content="Charts").exists()
    assert set(Media.objects.filter(post__isnull=False).values_list("post__content", flat=True)) <= {"Already attached"}
    user.refresh_from_db()
    assert user.posts_count == 0


def test_post_with_a_poll(auth_client, user):
    before = timezone.now()

    response = auth_client.post(
        POSTS, {"content": "Where next?", "poll": {"options": [" Up ", "Down", "Sideways"], "duration_hours": 24}}
    )

    assert response.status_code == 201, response.content
    poll_body = response.json()["poll"]
    assert set(poll_body) == POLL_FIELDS
    poll = Poll.objects.get()
    assert poll_body["id"] == str(poll.pk)
    assert [option["text"] for option in poll_body["options"]] == ["Up", "Down", "Sideways"]
    assert [option["votes"] for option in poll_body["options"]] == [0, 0, 0]
    assert poll_body["total_votes"] == 0
    assert poll_body["expired"] is False
    assert poll_body["viewer_vote"] is None
    assert before + timedelta(hours=24) <= poll.expires_at <= timezone.now() + timedelta(hours=24)
    assert Post.objects.get().poll == poll


@pytest.mark.parametrize(
    ("poll", "fields"),
    [
        ({"options": ["Only one"], "duration_hours": 24}, {"options"}),
        ({"options": ["a", "b", "c", "d", "e"], "duration_hours": 24}, {"options"}),
        ({"options": ["Same", " same "], "duration_hours": 24}, {"options"}),
        ({"options": ["Up", "   "], "duration_hours": 24}, {"options"}),
        ({"options": ["Up", "x" * 81], "duration_hours": 24}, {"options"}),
        ({"options": ["Up", "Down"], "duration_hours": 0}, {"duration_hours"}),
        ({"options": ["Up", "Down"], "duration_hours": 169}, {"duration_hours"}),
        ({"options": ["Up", "Down"]}, {"duration_hours"}),
    ],
)
def test_post_refuses_a_bad_poll_naming_the_field(auth_client, poll, fields):
    response = auth_client.post(POSTS, {"content": "Where next?", "poll": poll})

    body = assert_problem(response, 400, "poll")
    assert set(body["errors"]["poll"]) == fields
    assert not Post.objects.exists()
    assert not Poll.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"content": "   "}, "content"),
        ({"content": ""}, "content"),
        ({}, "content"),
        ({"content": "x" * 1001}, "content"),
        ({"content": "ok", "sentiment": "neutral"}, "sentiment"),
        ({"content": "ok", "quoted_post_id": "-3"}, "quoted_post_id"),
        ({"content": "ok", "quoted_post_id": True}, "quoted_post_id"),
    ],
)
def test_post_refuses_bad_input_naming_the_field(auth_client, user, payload, field):
    response = auth_client.post(POSTS, payload)

    assert_problem(response, 400, field)
    assert not Post.objects.exists()
    user.refresh_from_db()
    assert user.posts_count == 0


def test_post_content_of_exactly_the_limit_after_trimming_is_accepted(auth_client):
    response = auth_client.post(POSTS, {"content": "  " + "x" * 1000 + "  "})

    assert response.status_code == 201
    assert len(Post.objects.get().content) == 1000


def test_post_needs_sign_in(api_client):
    response = api_client.post(POSTS, {"content": "Hello"})

    assert_problem(response, 401)
    assert not Post.objects.exists()


def test_quote_shows_the_quoted_post_one_level_deep(auth_client, user, other_user):
    original = tag(PostFactory(author=other_user, content="$MSFT looks cheap"), "MSFT")
    quote_of_original = PostFactory(author=other_user, quoted_post=original)

    response = auth_client.post(POSTS, {"content": "Agreed", "quoted_post_id": str(quote_of_original.pk)})

    assert response.status_code == 201, response.content
    quoted = response.json()["quoted_post"]
    assert quoted["id"] == str(quote_of_original.pk)
    assert "quoted_post" not in quoted
    assert quoted["author"]["id"] == str(other_user.pk)
    post = Post.objects.get(content="Agreed")
    assert post.quoted_post == quote_of_original
    # The quoted post counts the quote.
    detail = auth_client.get(post_url(quote_of_original.pk)).json()
    assert detail["stats"]["quotes"] == 1
    assert detail["quoted_post"]["id"] == str(original.pk)
    assert detail["quoted_post"]["tickers"] == ["MSFT"]


@pytest.mark.parametrize("state", ["missing", "deleted", "hidden"])
def test_quote_of_a_post_that_is_not_there_is_a_400(auth_client, user, other_user, state):
    quoted_id = {
        "missing": 10**12,
        "deleted": PostFactory(author=other_user, deleted_at=timezone.now()).pk,
        "hidden": PostFactory(author=other_user, is_hidden=True).pk,
    }[state]

    response = auth_client.post(POSTS, {"content": "Agreed", "quoted_post_id": quoted_id})

    assert_problem(response, 400, "quoted_post_id")
    assert Post.objects.filter(author=user).count() == 0


@pytest.mark.parametrize("direction", ["blocked_by_author", "blocked_author"])
def test_quote_across_a_block_is_refused_as_missing(auth_client, user, other_user, direction):
    quoted = PostFactory(author=other_user)
    if direction == "blocked_by_author":
        BlockFactory(user=other_user, target=user)
    else:
        BlockFactory(user=user, target=other_user)

    response = auth_client.post(POSTS, {"content": "Agreed", "quoted_post_id": quoted.pk})

    # Behind a block the post is invisible (the contract's 404 rule), so it is
    # reported exactly like a missing quoted post.
    body = assert_problem(response, 400)
    assert "quoted_post_id" in body["errors"]
    assert Post.objects.filter(author=user).count() == 0
    user.refresh_from_db()
    assert user.posts_count == 0


# GET posts and posts/{id}


def test_posts_list_newest_first_with_filters(api_client, user, other_user):
    old = tag(PostFactory(author=user, created_at=minutes_ago(30)), "AAPL")
    middle = tag(PostFactory(author=other_user, created_at=minutes_ago(20)), "AAPL", "TSLA")
    new = PostFactory(author=user, created_at=minutes_ago(10))

    assert ids(api_client.get(POSTS)) == [str(new.pk), str(middle.pk), str(old.pk)]
    assert ids(api_client.get(POSTS, {"author": user.pk})) == [str(new.pk), str(old.pk)]
    assert ids(api_client.get(POSTS, {"ticker": "$aapl"})) == [str(middle.pk), str(old.pk)]
    assert ids(api_client.get(POSTS, {"ticker": "#tsla"})) == [str(middle.pk)]
    assert ids(api_client.get(POSTS, {"ticker": "AAPL", "author": user.pk})) == [str(old.pk)]
    assert ids(api_client.get(POSTS, {"ticker": "NOPE"})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"author": "abc"}, "author"),
        ({"author": "1.5"}, "author"),
        ({"author": str(2**64)}, "author"),
        ({"author": str(2**63)}, "author"),
        ({"author": "203.0"}, "author"),  # what a client reading `author` as a number would send
        ({"author": "0"}, "author"),
        ({"author": "-5"}, "author"),
        ({"ticker": "$$$"}, "ticker"),
        ({"ticker": "TOOLONGX"}, "ticker"),
    ],
)
def test_posts_list_refuses_bad_filters(api_client, params, field):
    assert_problem(api_client.get(POSTS, params), 400, field)


def test_posts_schema_declares_ids_as_strings(api_client):
    schema = api_client.get("/api/schema?format=json").json()
    list_parameters = {p["name"]: p for p in schema["paths"]["/api/v1/posts"]["get"]["parameters"]}
    detail = schema["paths"]["/api/v1/posts/{post_id}"]

    assert list_parameters["author"]["schema"] == {"type": "string", "pattern": "^[1-9][0-9]{0,18}$", "example": "42"}
    assert list_parameters["author"]["description"] == "Only this user's posts (a user id)."
    for method in ("get", "delete"):
        (post_id,) = [p for p in detail[method]["parameters"] if p["in"] == "path"]
        assert (post_id["name"], post_id["schema"]["type"]) == ("post_id", "string")


def test_posts_list_pages_with_cursor(api_client, user):
    posts = [PostFactory(author=user, created_at=minutes_ago(60 - index)) for index in range(5)]

    first = api_client.get(POSTS, {"limit": 2}).json()
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()

    seen = [post["id"] for page in (first, second, third) for post in page["results"]]
    assert seen == [str(post.pk) for post in reversed(posts)]
    assert third["next"] is None


def hidden_from_everyone(author):
    """Posts nobody may see: deleted, hidden by a moderator, by a suspended or deactivated author."""
    suspended = UserFactory(suspended_at=timezone.now())
    inactive = UserFactory(is_active=False)
    return [
        PostFactory(author=author, deleted_at=timezone.now()),
        PostFactory(author=author, is_hidden=True),
        PostFactory(author=suspended),
        PostFactory(author=inactive),
    ]


def test_invisible_posts_are_404_and_not_listed(api_client, auth_client, other_user):
    visible = PostFactory(author=other_user)
    gone = hidden_from_everyone(other_user)

    for client in (api_client, auth_client):
        assert ids(client.get(POSTS)) == [str(visible.pk)]
        for post in gone:
            assert_problem(client.get(post_url(post.pk)), 404)


@pytest.mark.parametrize("direction", ["viewer_blocked_author", "author_blocked_viewer"])
def test_blocked_either_way_posts_are_404_and_not_listed(auth_client, api_client, user, other_user, direction):
    post = PostFactory(author=other_user)
    if direction == "viewer_blocked_author":
        BlockFactory(user=user, target=other_user)
    else:
        BlockFactory(user=other_user, target=user)

    assert_problem(auth_client.get(post_url(post.pk)), 404)
    assert ids(auth_client.get(POSTS)) == []
    # Anonymous readers and other users are not affected.
    assert api_client.get(post_url(post.pk)).status_code == 200


def test_muted_authors_still_show_in_posts_and_by_link(auth_client, user, other_user):
    post = PostFactory(author=other_user)
    MuteFactory(user=user, target=other_user)

    assert auth_client.get(post_url(post.pk)).status_code == 200
    assert ids(auth_client.get(POSTS)) == [str(post.pk)]


@pytest.mark.parametrize("post_id", ["0", "99999999999", str(2**63), str(2**70)])
def test_unknown_post_is_404(api_client, post_id):
    assert_problem(api_client.get(post_url(post_id)), 404)


@pytest.mark.parametrize("state", ["deleted", "hidden", "blocked"])
def test_quoted_post_is_null_when_gone(auth_client, user, other_user, state):
    quoted = PostFactory(author=other_user)
    quote = PostFactory(author=UserFactory(), quoted_post=quoted)
    if state == "deleted":
        Post.objects.filter(pk=quoted.pk).update(deleted_at=timezone.now())
    elif state == "hidden":
        Post.objects.filter(pk=quoted.pk).update(is_hidden=True)
    else:
        BlockFactory(user=other_user, target=user)

    body = auth_client.get(post_url(quote.pk)).json()

    assert body["quoted_post"] is None
    assert auth_client.get(POSTS).json()["results"][0]["quoted_post"] is None


def test_stats_and_viewer_flags(auth_client, api_client, user, other_user):
    post = PostFactory(author=other_user)
    PostReactionFactory(post=post, user=user)
    PostReactionFactory(post=post)
    CommentFactory(post=post)
    CommentFactory(post=post)
    CommentFactory(post=post, deleted_at=timezone.now())
    CommentFactory(post=post, is_hidden=True)
    RepostFactory(post=post, user=user)
    PostFactory(quoted_post=post)
    PostFactory(quoted_post=post, deleted_at=timezone.now())
    BookmarkFactory(post=post, user=user)
    BookmarkFactory(post=post)
    BookmarkFactory(post=post)

    body = auth_client.get(post_url(post.pk)).json()

    assert body["stats"] == {"reactions": 2, "comments": 2, "reposts": 1, "quotes": 1, "bookmarks": 3}
    assert body["viewer"] == {"reacted": True, "reposted": True, "bookmarked": True}
    listed = next(item for item in auth_client.get(POSTS).json()["results"] if item["id"] == str(post.pk))
    assert listed["stats"] == body["stats"]
    assert listed["viewer"] == body["viewer"]
    anonymous = api_client.get(post_url(post.pk)).json()
    assert anonymous["viewer"] == {"reacted": False, "reposted": False, "bookmarked": False}


def test_poll_results_and_viewer_vote_on_a_post(auth_client, user):
    poll = PollFactory(options=["Up", "Down"])
    up, down = poll.options.order_by("position")
    PostFactory(author=user, poll=poll)
    PollVote.objects.create(poll=poll, option=down, user=user)
    PollVote.objects.create(poll=poll, option=down, user=UserFactory())
    PollVote.objects.create(poll=poll, option=up, user=UserFactory())

    body = auth_client.get(POSTS).json()["results"][0]["poll"]

    assert [(o["id"], o["text"], o["votes"]) for o in body["options"]] == [
        (str(up.pk), "Up", 1),
        (str(down.pk), "Down", 2),
    ]
    assert body["total_votes"] == 3
    assert body["viewer_vote"] == str(down.pk)


# DELETE posts/{id}


def test_author_deletes_a_post(auth_client, api_client, user):
    response = auth_client.post(POSTS, {"content": "Oops $AAPL"})
    post_id = response.json()["id"]
    user.refresh_from_db()
    assert user.posts_count == 1

    response = auth_client.delete(post_url(post_id))

    assert response.status_code == 204
    post = Post.objects.get(pk=post_id)
    assert post.deleted_at is not None
    user.refresh_from_db()
    assert user.posts_count == 0
    assert_problem(auth_client.get(post_url(post_id)), 404)
    assert_problem(auth_client.delete(post_url(post_id)), 404)
    assert ids(api_client.get(POSTS)) == []
    assert ids(api_client.get(POSTS, {"ticker": "AAPL"})) == []
    assert ids(auth_client.get("/api/v1/feed")) == []
    assert ids(api_client.get("/api/v1/tickers/AAPL/posts")) == []
    user.refresh_from_db()
    assert user.posts_count == 0


def test_staff_without_the_moderation_permission_cannot_delete_someone_elses_post(client_for, staff_user, user):
    post = PostFactory(author=user)
    user.posts_count = 1
    user.save(update_fields=["posts_count"])

    response = client_for(staff_user).delete(post_url(post.pk), {"reason": "I say so."}, format="json")

    assert_problem(response, 403)
    post.refresh_from_db()
    assert post.deleted_at is None
    user.refresh_from_db()
    assert user.posts_count == 1
    assert not ModerationAction.objects.exists()


def test_without_a_moderation_service_plugged_in_only_the_author_deletes(client_for, user, monkeypatch):
    monkeypatch.setattr(moderation_hooks, "_remover", None)
    superuser = UserFactory(is_staff=True, is_superuser=True, posts_count=1)
    post, own = PostFactory(author=user), PostFactory(author=superuser)

    assert_problem(client_for(superuser).delete(post_url(post.pk), {"reason": "Spam."}, format="json"), 403)
    assert client_for(superuser).delete(post_url(own.pk)).status_code == 204

    assert Post.objects.filter(deleted_at__isnull=True).get() == post
    assert not ModerationAction.objects.exists()


def test_another_user_cannot_delete_a_post(client_for, user, other_user):
    post = PostFactory(author=user)

    assert_problem(client_for(other_user).delete(post_url(post.pk), {"reason": "Spam."}, format="json"), 403)

    post.refresh_from_db()
    assert post.deleted_at is None
    assert not ModerationAction.objects.exists()


def test_delete_needs_sign_in(api_client, user):
    post = PostFactory(author=user)

    assert_problem(api_client.delete(post_url(post.pk)), 401)

    post.refresh_from_db()
    assert post.deleted_at is None


def test_delete_of_a_post_hidden_from_the_author_by_a_block_is_404(auth_client, user, other_user):
    post = PostFactory(author=other_user)
    BlockFactory(user=other_user, target=user)

    assert_problem(auth_client.delete(post_url(post.pk)), 404)


def test_deleting_spends_no_publishing_budget(auth_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "posts": "1/m"}
    published = auth_client.post(POSTS, {"content": "First"}, format="json")
    posts = [post_create(author=user, content=f"Older {n}") for n in range(2)]

    deletes = [auth_client.delete(post_url(post.pk)).status_code for post in posts]

    assert published.status_code == 201
    assert deletes == [204, 204]
    assert_problem(auth_client.post(POSTS, {"content": "Second"}, format="json"), 429)
    assert Post.objects.filter(deleted_at__isnull=True).count() == 1


# Query counts


def rich_posts(count, viewer):
    """``count`` posts with everything a post can show, so every prefetch runs."""
    quoted = tag(PostFactory(created_at=minutes_ago(600)), "AAPL")
    quoted.poll = PollFactory()
    quoted.save()
    MediaFactory(owner=quoted.author, post=quoted)
    PostMention.objects.create(post=quoted, user=viewer, position=0)
    for index in range(count):
        post = tag(PostFactory(quoted_post=quoted, poll=PollFactory(), created_at=minutes_ago(index)), "AAPL", "MSFT")
        PostMention.objects.create(post=post, user=viewer, position=0)
        PostMention.objects.create(post=post, user=quoted.author, position=1)
        MediaFactory(owner=post.author, post=post, position=0)
        MediaFactory(owner=post.author, post=post, position=1)
        PostReactionFactory(post=post, user=viewer)
        BookmarkFactory(post=post)


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("bodies", ["cached", "cold"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_posts_list_query_count_does_not_grow(
    api_client, client_for, user, size, bodies, signed_in, django_assert_num_queries
):
    rich_posts(size, user)
    client = client_for(user) if signed_in else api_client
    if bodies == "cached":
        assert client.get(POSTS, {"limit": 100}).status_code == 200

    # (auth: the user) + the page's ids + the states of its posts and the posts they quote
    # (counters, mentions, polls, viewer flags) [+ the bodies not cached]
    with django_assert_num_queries(2 + signed_in + (bodies == "cold")):
        response = client.get(POSTS, {"limit": 100})

    assert len(response.json()["results"]) == size + 1
    # Mentions come in the posts' own query (a subquery), the quoted post's in its prefetch.
    assert all(len(post["mentions"]) == 2 for post in response.json()["results"][:size])
    assert all(len(post["quoted_post"]["mentions"]) == 1 for post in response.json()["results"][:size])


@pytest.mark.parametrize("signed_in", [False, True])
def test_post_detail_query_count(api_client, client_for, user, signed_in, django_assert_num_queries):
    rich_posts(1, user)
    post = Post.objects.latest("created_at")
    client = client_for(user) if signed_in else api_client

    # (auth) + visibility check + the states of the post and the one it quotes + their bodies
    with django_assert_num_queries(3 + signed_in):
        response = client.get(post_url(post.pk))

    assert response.status_code == 200
