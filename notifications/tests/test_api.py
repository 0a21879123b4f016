"""The notifications API: the list of groups, filters, unread count, marking read, preferences, unsubscribe."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from content.services.interactions import comment_create, post_reaction_toggle, repost_create
from content.tests.factories import PostFactory
from notifications.api.rendering import group_payload
from notifications.models import NotificationGroup
from notifications.unsubscribe import unsubscribe_token
from social.models import Mute
from social.services import follow_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


@pytest.fixture
def likes(user, committed):
    """Three users like the user's post; one comments."""
    post = PostFactory(author=user)
    fans = UserFactory.create_batch(3)
    with committed():
        for fan in fans:
            post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)
        comment_create(author=fans[0], post_id=post.pk, content="nice")
    return post, fans


def test_the_list_shows_groups_newest_first_with_accounts_and_post(auth_client, user, likes):
    post, fans = likes
    response = auth_client.get(URL)
    assert response.status_code == 200
    comment_group, like_group = response.json()["results"]
    assert comment_group["type"] == "comment"
    assert like_group["type"] == "reaction"
    assert like_group["group_key"] == f"reaction:post:{post.pk}"
    assert like_group["count"] == 3
    assert [account["id"] for account in like_group["accounts"]] == [str(fan.pk) for fan in reversed(fans)]
    assert like_group["post"]["id"] == str(post.pk)
    assert like_group["post"]["viewer"] == {"reacted": False, "reposted": False, "bookmarked": False}
    assert like_group["comment"] is None
    assert like_group["read"] is False
    assert comment_group["accounts"][0]["viewer"]["following"] is False


def test_the_list_is_yours_only_and_needs_a_token(api_client, client_for, likes):
    assert api_client.get(URL).status_code == 401
    assert client_for(UserFactory()).get(URL).json()["results"] == []


def test_type_filters_and_unread(auth_client, user, likes):
    assert [g["type"] for g in auth_client.get(URL, {"types": "reaction"}).json()["results"]] == ["reaction"]
    assert [g["type"] for g in auth_client.get(URL, {"exclude_types": "reaction,follow"}).json()["results"]] == [
        "comment"
    ]
    group = NotificationGroup.objects.get(recipient=user, type="comment")
    group.read = True
    group.save()
    assert [g["type"] for g in auth_client.get(URL, {"unread": "true"}).json()["results"]] == ["reaction"]


@pytest.mark.parametrize("param", ["types", "exclude_types"])
def test_an_unknown_type_is_a_400_naming_the_parameter(auth_client, param):
    response = auth_client.get(URL, {param: "reaction,likes"})
    assert response.status_code == 400
    assert param in response.json()["errors"]


def test_unread_count_and_mark_read_by_ids_up_to_and_all(auth_client, user, likes, client_for):
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 2}
    comment_group = NotificationGroup.objects.get(recipient=user, type="comment")
    like_group = NotificationGroup.objects.get(recipient=user, type="reaction")

    # Another user's ids are ignored; an anonymous caller is refused.
    assert client_for(UserFactory()).post(f"{URL}/read", {"ids": [str(comment_group.pk)]}).status_code == 204
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 2}
    assert auth_client.__class__().post(f"{URL}/read", {}).status_code == 401

    assert auth_client.post(f"{URL}/read", {"ids": [str(comment_group.pk)]}).status_code == 204
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}

    comment_group.read = False
    comment_group.save()
    # up_to_id: that group and the older ones (the like group is older than the comment group).
    assert auth_client.post(f"{URL}/read", {"up_to_id": str(like_group.pk)}).status_code == 204
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}

    assert auth_client.post(f"{URL}/read").status_code == 204
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 0}


def test_mark_read_refuses_bad_bodies(auth_client):
    assert "ids" in auth_client.post(f"{URL}/read", {"ids": ["x"]}).json()["errors"]
    assert "ids" in auth_client.post(f"{URL}/read", {"ids": ["1"], "up_to_id": "1"}).json()["errors"]
    assert "all" in auth_client.post(f"{URL}/read", {"all": True}).json()["errors"]


def test_a_new_act_makes_a_read_group_unread_again(auth_client, user, likes, committed):
    post, _ = likes
    auth_client.post(f"{URL}/read")
    with committed():
        post_reaction_toggle(user=UserFactory(), post_id=post.pk, reacted=True)
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}


def test_a_mute_made_during_the_fan_out_still_hides_the_actor(auth_client, user, likes):
    # The mute's own task removes the acts; a mute committed after the task ran is caught at read time.
    _, fans = likes
    Mute.objects.create(user=user, target=fans[0])
    groups = auth_client.get(URL).json()["results"]
    assert [g["type"] for g in groups] == ["reaction"]
    assert str(fans[0].pk) not in [account["id"] for account in groups[0]["accounts"]]
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}


def test_preferences_default_and_patch(auth_client, user, likes, api_client):
    response = auth_client.get(f"{URL}/preferences")
    assert response.status_code == 200
    body = response.json()
    assert body["email_digest"] == "off"
    assert body["types"]["reaction"] == {"in_app": True, "email": False}
    assert set(body["types"]) == {
        "follow", "reaction", "comment", "reply", "mention", "repost", "quote", "poll_ended", "call_scored"
    }  # fmt: skip

    response = auth_client.patch(
        f"{URL}/preferences", {"types": {"reaction": {"in_app": False}}, "email_digest": "daily"}
    )
    assert response.status_code == 200
    assert response.json()["types"]["reaction"] == {"in_app": False, "email": False}
    assert response.json()["email_digest"] == "daily"
    # in_app off: still recorded, neither listed nor counted.
    assert [g["type"] for g in auth_client.get(URL).json()["results"]] == ["comment"]
    assert auth_client.get(f"{URL}/unread-count").json() == {"count": 1}
    hidden = NotificationGroup.objects.get(recipient=user, type="reaction")
    assert group_payload(hidden.pk, user) is None  # nor pushed to the streams

    assert api_client.patch(f"{URL}/preferences", {"email_digest": "off"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"types": {"likes": {"in_app": False}}}, "types"),
        ({"types": {"reaction": {"push": True}}}, "types"),
        ({"types": {"reaction": {"email": "maybe"}}}, "types"),
        ({"email_digest": "hourly"}, "email_digest"),
        ({"sound": True}, "sound"),
    ],
)
def test_preferences_refuse_unknown_keys_naming_the_field(auth_client, body, field):
    response = auth_client.patch(f"{URL}/preferences", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_unsubscribe_turns_the_digest_off_for_anyone_with_the_token(auth_client, user, api_client):
    auth_client.patch(f"{URL}/preferences", {"email_digest": "weekly"})
    response = api_client.get(f"{URL}/unsubscribe", {"token": unsubscribe_token(user.pk)})
    assert response.status_code == 200
    assert response.json()["email_digest"] == "off"

    auth_client.patch(f"{URL}/preferences", {"email_digest": "daily"})
    one_click = api_client.post(
        f"{URL}/unsubscribe?token={unsubscribe_token(user.pk)}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert auth_client.get(f"{URL}/preferences").json()["email_digest"] == "off"


@pytest.mark.parametrize("token", ["", "garbage", None])
def test_a_bad_unsubscribe_token_is_a_400(api_client, user, token):
    from django.core import signing

    if token is None:  # signed by us, but for something else
        token = signing.dumps({"u": user.pk}, salt="another.purpose")
    response = api_client.get(f"{URL}/unsubscribe", {"token": token})
    assert response.status_code == 400
    assert "token" in response.json()["errors"]


def test_group_payload_is_the_list_item(auth_client, user, likes):
    [first, *_] = auth_client.get(URL).json()["results"]
    payload = group_payload(int(first["id"]), user)
    assert payload is not None
    assert {**payload, "post": {**payload["post"], "author": None}} == {
        **first,
        "post": {**first["post"], "author": None},
    }
    assert group_payload(int(first["id"]), UserFactory()) is None


def _crowd(user, committed, *, groups, size):
    """``groups`` like groups and repost groups of ``size`` actors each, plus follows."""
    fans = UserFactory.create_batch(size)
    with committed():
        for _ in range(groups):
            post = PostFactory(author=user, quoted_post=PostFactory())
            for fan in fans:
                post_reaction_toggle(user=fan, post_id=post.pk, reacted=True)
            repost_create(user=fans[0], post_id=post.pk)
        for fan in fans:
            follow_create(follower=fan, target=user)
    comment = comment_create(author=user, post_id=PostFactory().pk, content="mine")
    with committed():
        from content.services.interactions import comment_reaction_toggle

        comment_reaction_toggle(user=fans[1], comment_id=comment.pk, reacted=True)


def test_the_list_query_budget_is_fixed_whatever_the_page_and_group_sizes(
    auth_client, user, committed, django_assert_max_num_queries
):
    _crowd(user, committed, groups=2, size=2)
    with CaptureQueriesContext(connection) as small:
        assert len(auth_client.get(URL, {"limit": 4}).json()["results"]) == 4
    NotificationGroup.objects.filter(recipient=user).delete()
    _crowd(user, committed, groups=6, size=8)
    # auth (token user), preferences, the page, its newest actors, their relationship flags, the posts with
    # their tickers, media, poll, quoted posts (and theirs), the posts' flags, the comments and their flags.
    assert len(small) <= 16
    with django_assert_max_num_queries(len(small)):
        body = auth_client.get(URL, {"limit": 20}).json()
    assert len(body["results"]) == 14
    assert max(len(group["accounts"]) for group in body["results"]) == 5
    assert max(group["count"] for group in body["results"]) == 8
