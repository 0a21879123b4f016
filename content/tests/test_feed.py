"""GET feed: scope=all and scope=following (posts, plain reposts, keyset paging)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content.models import HomeTimeline, Post, Repost
from content.tests.factories import PostFactory
from content.tests.factories_interactions import RepostFactory
from content.tests.helpers_posts import assert_problem, ids, minutes_ago, tag
from content.tests.test_posts import rich_posts
from content.timelines import timeline_build
from social.tests.factories import BlockFactory, FollowFactory, MuteFactory

pytestmark = pytest.mark.django_db

FEED = "/api/v1/feed"


def following(client, **params):
    return client.get(FEED, {"scope": "following", **params})


def test_feed_needs_sign_in(api_client):
    assert_problem(api_client.get(FEED), 401)
    assert_problem(api_client.get(FEED, {"scope": "following"}), 401)


def test_feed_refuses_an_unknown_scope(auth_client):
    assert_problem(auth_client.get(FEED, {"scope": "friends"}), 400, "scope")


def test_feed_all_is_every_visible_post_minus_muted_and_blocked(auth_client, user, other_user):
    muted, blocker, blocked = UserFactory(), UserFactory(), UserFactory()
    MuteFactory(user=user, target=muted)
    BlockFactory(user=blocker, target=user)
    BlockFactory(user=user, target=blocked)
    mine = PostFactory(author=user, created_at=minutes_ago(5))
    theirs = PostFactory(author=other_user, created_at=minutes_ago(4))
    for author in (muted, blocker, blocked):
        PostFactory(author=author)
    PostFactory(author=other_user, deleted_at=timezone.now())
    PostFactory(author=other_user, is_hidden=True)
    PostFactory(author=UserFactory(suspended_at=timezone.now()))

    assert ids(auth_client.get(FEED)) == [str(theirs.pk), str(mine.pk)]
    assert ids(auth_client.get(FEED, {"scope": "all"})) == [str(theirs.pk), str(mine.pk)]


def test_feed_following_has_own_followed_and_reposted_posts(auth_client, user, other_user):
    stranger, reposter = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=other_user)
    FollowFactory(follower=user, following=reposter)
    mine = PostFactory(author=user, created_at=minutes_ago(50))
    followed = PostFactory(author=other_user, created_at=minutes_ago(40))
    strangers = PostFactory(author=stranger, created_at=minutes_ago(60))
    PostFactory(author=stranger, created_at=minutes_ago(1))  # not followed, not reposted
    RepostFactory(post=strangers, user=reposter, created_at=minutes_ago(30))
    RepostFactory(post=strangers, user=stranger, created_at=minutes_ago(20))  # reposter not followed

    response = following(auth_client)

    results = response.json()["results"]
    assert [item["id"] for item in results] == [str(strangers.pk), str(followed.pk), str(mine.pk)]
    assert results[0]["reposted_by"]["id"] == str(reposter.pk)
    assert results[0]["author"]["id"] == str(stranger.pk)
    assert results[1]["reposted_by"] is None
    assert results[2]["reposted_by"] is None


def test_feed_following_shows_a_post_once_per_repost(auth_client, user, other_user):
    first, second = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=first)
    FollowFactory(follower=user, following=second)
    post = PostFactory(author=other_user, created_at=minutes_ago(60))
    RepostFactory(post=post, user=first, created_at=minutes_ago(20))
    RepostFactory(post=post, user=second, created_at=minutes_ago(10))

    results = following(auth_client).json()["results"]

    assert [(item["id"], item["reposted_by"]["id"]) for item in results] == [
        (str(post.pk), str(second.pk)),
        (str(post.pk), str(first.pk)),
    ]


@pytest.mark.parametrize("rule", ["muted_author", "muted_reposter", "blocked_author", "blocked_by_author", "deleted"])
def test_feed_following_hides_reposts_the_viewer_may_not_see(auth_client, user, rule):
    author, reposter = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=reposter)
    post = PostFactory(author=author, created_at=minutes_ago(60))
    RepostFactory(post=post, user=reposter)
    if rule == "muted_author":
        MuteFactory(user=user, target=author)
    elif rule == "muted_reposter":
        MuteFactory(user=user, target=reposter)
    elif rule == "blocked_author":
        BlockFactory(user=user, target=author)
    elif rule == "blocked_by_author":
        BlockFactory(user=author, target=user)
    else:
        Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())

    assert ids(following(auth_client)) == []


def test_feed_following_reads_past_a_full_batch_of_hidden_reposts(auth_client, user):
    reposter, muted = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=reposter)
    MuteFactory(user=user, target=muted)
    visible = RepostFactory(post=PostFactory(created_at=minutes_ago(999)), user=reposter, created_at=minutes_ago(500))
    # More hidden reposts (of a muted author's posts) than one batch, all newer than the visible one.
    for index in range(65):
        RepostFactory(post=PostFactory(author=muted), user=reposter, created_at=minutes_ago(index))

    results = following(auth_client, limit=1).json()["results"]

    assert [(item["id"], item["reposted_by"]["id"]) for item in results] == [(str(visible.post_id), str(reposter.pk))]


def test_feed_following_hides_muted_followees_but_the_link_works(auth_client, user, other_user):
    FollowFactory(follower=user, following=other_user)
    MuteFactory(user=user, target=other_user)
    post = PostFactory(author=other_user)

    assert ids(following(auth_client)) == []
    assert ids(auth_client.get(FEED)) == []
    assert auth_client.get(f"/api/v1/posts/{post.pk}").status_code == 200


def test_feed_following_pages_never_repeat_or_skip_while_posts_and_reposts_arrive(auth_client, user, other_user):
    reposter, stranger = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=other_user)
    FollowFactory(follower=user, following=reposter)
    same_time = minutes_ago(500)
    expected = []
    for index in range(12):
        # Pairs share a timestamp so the tie-breakers are exercised.
        created = same_time if index < 4 else minutes_ago(400 - index)
        post = PostFactory(author=(user, other_user)[index % 2], created_at=created)
        expected.append(("post", post.pk))
        if index % 3 == 0:
            repost = RepostFactory(post=PostFactory(author=stranger, created_at=minutes_ago(900)), user=reposter)
            Repost.objects.filter(pk=repost.pk).update(created_at=created)
            expected.append(("repost", repost.pk))

    seen: list[tuple[str, str | None]] = []
    response = following(auth_client, limit=3)
    pages = 0
    while True:
        body = response.json()
        seen += [(item["id"], (item["reposted_by"] or {}).get("id")) for item in body["results"]]
        # Newer activity arrives between page loads: it must not shift what comes next.
        PostFactory(author=other_user)
        RepostFactory(post=PostFactory(author=stranger, created_at=minutes_ago(1000)), user=reposter)
        pages += 1
        if not body["next"]:
            break
        response = auth_client.get(body["next"])

    assert pages == 6
    assert len(seen) == len(expected) == 16
    assert len(set(seen)) == 16
    # Items are in (time, kind, id) order: for a shared time, posts before reposts, higher id first.
    times = [Post.objects.get(pk=item_id).created_at if reposted_by is None else None for item_id, reposted_by in seen]
    assert [time for time in times if time is not None] == sorted(
        (time for time in times if time is not None), reverse=True
    )


def test_feed_following_previous_pages_back(auth_client, user):
    posts = [PostFactory(author=user, created_at=minutes_ago(60 - index)) for index in range(5)]
    first = following(auth_client, limit=2).json()
    second = auth_client.get(first["next"]).json()

    back = auth_client.get(second["previous"]).json()

    assert [item["id"] for item in back["results"]] == [str(posts[4].pk), str(posts[3].pk)]
    assert back["previous"] is None


def test_feed_all_pages_never_repeat_or_skip_while_posts_arrive(auth_client, user):
    posts = [PostFactory(created_at=minutes_ago(100 - index // 2)) for index in range(9)]
    seen = []
    response = auth_client.get(FEED, {"limit": 4})
    while True:
        body = response.json()
        seen += [item["id"] for item in body["results"]]
        PostFactory()
        if not body["next"]:
            break
        response = auth_client.get(body["next"])

    assert sorted(seen) == sorted(str(post.pk) for post in posts)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("scope", ["all", "following"])
@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJkIjoibiIsInYiOlsxLDIsM119",  # {"d":"n","v":[1,2,3]}
        "eyJkIjoibiIsInYiOlsxLDJdfQ",  # {"d":"n","v":[1,2]}
        "eyJkIjoibiIsInYiOlsiYSIsMl19",  # {"d":"n","v":["a",2]}
    ],
)
def test_feed_refuses_a_bad_cursor(auth_client, scope, cursor):
    assert_problem(auth_client.get(FEED, {"scope": scope, "cursor": cursor}), 400, "cursor")


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("bodies", ["cached", "cold"])
@pytest.mark.parametrize(
    ("scope", "source", "budget"),
    [
        # auth + the page's ids + the states of its posts and the posts they quote (counters,
        # mentions, polls, viewer flags: content.querysets.post_states) [+ the bodies not cached]
        ("all", "posts", 3),
        # the same, with the page's ids from the home timeline's entries (with its floor)
        ("following", "timeline", 3),
        # the timeline made on this first read: + no entries, no timeline, its row inserted and
        # set building, old entries out, 3 sources, the entries in (one INSERT per 1,000), the
        # floor saved, in a savepoint (2), the entries read again
        ("following", "cold timeline", 15),
        # merged on read: own and followed posts (one walk), reposts, and the probe that tells a
        # short repost page from the end
        ("following", "merge", 5),
    ],
)
def test_feed_query_count_does_not_grow(
    client_for, user, size, bodies, scope, source, budget, settings, django_assert_num_queries
):
    rich_posts(size, user)
    for post in Post.objects.exclude(author=user).filter(quoted_post__isnull=False):
        FollowFactory(follower=user, following=post.author)
        RepostFactory(post=tag(PostFactory(), "AAPL"), user=post.author)
    client = client_for(user)
    settings.HOME_TIMELINES = source != "merge"
    if source == "timeline":
        timeline_build(user.pk)
    if bodies == "cached":
        assert client.get(FEED, {"scope": scope, "limit": 100}).status_code == 200
        if source == "cold timeline":
            HomeTimeline.objects.filter(user=user).delete()

    with django_assert_num_queries(budget + (bodies == "cold")):
        response = client.get(FEED, {"scope": scope, "limit": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) >= size


def test_feed_following_walks_back_over_interleaved_reposts(auth_client, user, other_user):
    reposter, stranger = UserFactory(), UserFactory()
    FollowFactory(follower=user, following=other_user)
    FollowFactory(follower=user, following=reposter)
    for index in range(10):
        created = minutes_ago(300 - 10 * index)
        PostFactory(author=other_user, created_at=created)
        if index % 2:
            repost = RepostFactory(post=PostFactory(author=stranger, created_at=minutes_ago(900)), user=reposter)
            # Between two followed posts, so pages full of posts must still let it in.
            Repost.objects.filter(pk=repost.pk).update(created_at=minutes_ago(300 - 10 * index - 5))

    forward_pages, response = [], following(auth_client, limit=3)
    while True:
        body = response.json()
        forward_pages.append([(item["id"], item["reposted_by"] is not None) for item in body["results"]])
        if not body["next"]:
            break
        response = auth_client.get(body["next"])
    backward_pages = [forward_pages[-1]]
    while body["previous"]:
        body = auth_client.get(body["previous"]).json()
        backward_pages.append([(item["id"], item["reposted_by"] is not None) for item in body["results"]])

    forward = [item for page in forward_pages for item in page]
    assert len(forward) == 15
    assert sum(reposted for _, reposted in forward) == 5
    assert [item for page in reversed(backward_pages) for item in page] == forward
