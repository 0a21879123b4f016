"""Concurrency: one vote per user, exact post counters, one post per upload (PostgreSQL only)."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from content.models import Post, Ticker
from content.services.posts import post_create, post_delete
from content.tests.factories import PostFactory
from content.tests.helpers_posts import MediaFactory
from core.errors import Conflict, Invalid
from core.testing import postgres_only, race
from polls.models import PollVote
from polls.services import poll_vote
from polls.tests.factories import PollFactory

pytestmark = postgres_only


def test_two_parallel_votes_one_201_one_409(client_for, no_rate_limits):
    voter = UserFactory()
    poll = PollFactory(options=["Up", "Down"])
    PostFactory(poll=poll)
    up, down = poll.options.order_by("position")
    client = client_for(voter)
    choices = iter([up.pk, down.pk])

    def vote():
        return client.post(f"/api/v1/polls/{poll.pk}/votes", {"option_id": next(choices)}).status_code

    statuses = race(vote)

    assert sorted(statuses) == [201, 409]
    assert PollVote.objects.filter(poll=poll, user=voter).count() == 1


def test_many_voters_in_parallel_are_all_counted(client_for, no_rate_limits):
    poll = PollFactory(options=["Up", "Down"])
    PostFactory(poll=poll)
    up = poll.options.order_by("position").first()
    voters = iter([client_for(UserFactory()) for _ in range(6)])

    def vote():
        return next(voters).post(f"/api/v1/polls/{poll.pk}/votes", {"option_id": up.pk}).status_code

    assert race(vote, threads=6) == [201] * 6
    assert PollVote.objects.filter(option=up).count() == 6


def test_same_vote_twice_in_parallel_through_the_service():
    voter = UserFactory()
    poll = PollFactory()
    up = poll.options.order_by("position").first()

    outcomes = race(lambda: poll_vote(poll=poll, option_id=up.pk, user=voter))

    assert sum(isinstance(outcome, PollVote) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 1
    assert PollVote.objects.count() == 1


def test_parallel_post_creates_keep_posts_count_exact(client_for, no_rate_limits):
    author = UserFactory()
    client = client_for(author)

    statuses = race(lambda: client.post("/api/v1/posts", {"content": "Racing $AAPL"}).status_code, threads=6)

    assert statuses == [201] * 6
    author.refresh_from_db()
    assert author.posts_count == Post.objects.filter(author=author).count() == 6


def test_parallel_creates_and_deletes_keep_posts_count_exact():
    author = UserFactory()
    posts = [post_create(author=author, content=f"Post {n}") for n in range(3)]
    author.refresh_from_db()
    assert author.posts_count == 3
    jobs = iter(
        [
            lambda: post_delete(post=posts[0], actor=author),
            lambda: post_delete(post=posts[0], actor=author),  # the same post twice: counted down once
            lambda: post_delete(post=posts[1], actor=author),
            lambda: post_create(author=author, content="New one"),
        ]
    )

    race(lambda: next(jobs)(), threads=4)

    author.refresh_from_db()
    assert author.posts_count == Post.objects.filter(author=author, deleted_at__isnull=True).count() == 2


def test_two_posts_cannot_take_one_upload():
    author = UserFactory()
    media = MediaFactory(owner=author)

    outcomes = race(lambda: post_create(author=author, content="Mine", media_ids=[media.pk]))

    assert sum(isinstance(outcome, Post) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Invalid) for outcome in outcomes) == 1
    media.refresh_from_db()
    assert media.post is not None
    author.refresh_from_db()
    assert author.posts_count == 1


def test_parallel_first_mentions_of_a_new_ticker_do_not_fail():
    authors = [UserFactory() for _ in range(4)]
    queue = iter(authors)

    outcomes = race(lambda: post_create(author=next(queue), content="First on $NEWT"), threads=4)

    assert all(isinstance(outcome, Post) for outcome in outcomes), outcomes
    assert Post.objects.filter(post_tickers__ticker_id="NEWT").count() == 4


def test_parallel_posts_sharing_tickers_in_any_order_count_exactly(client_for, no_rate_limits):
    # The counter rows are locked in symbol order, so opposite mention orders cannot deadlock.
    authors = iter(UserFactory.create_batch(6))
    contents = iter(["$AAPL then $TSLA", "$TSLA then $AAPL"] * 3)

    def publish():
        return client_for(next(authors)).post("/api/v1/posts", {"content": next(contents)}).status_code

    assert race(publish, threads=6) == [201] * 6
    assert dict(Ticker.objects.values_list("symbol", "post_count")) == {"AAPL": 6, "TSLA": 6}
