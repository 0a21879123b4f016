"""DELETE users/me: the account is anonymised and deactivated, its sessions end, and the apps
above accounts remove what belongs to it through ``accounts.account_hooks``."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import account_hooks
from accounts.models import User, UserInterest, UserSession
from accounts.services.account import DELETED_EMAIL_DOMAIN
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, UserInterestFactory
from content.models import Bookmark, Comment, CommentReaction, Media, Post, PostReaction, Repost, Ticker, WatchlistItem
from content.tests.factories import PostFactory, TickerFactory, WatchlistItemFactory
from content.tests.factories_interactions import (
    BookmarkFactory,
    CommentFactory,
    CommentReactionFactory,
    PostReactionFactory,
    RepostFactory,
)
from core.testing import assert_problem
from social.models import Block, Follow, Mute
from social.services import follow_create
from social.tests.factories import BlockFactory, MuteFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
REGISTER = "/api/v1/auth/register"


def sign_in(user: User) -> dict[str, str]:
    response = APIClient().post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    return response.json()


def as_bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def delete_account(client: APIClient, password: str = DEFAULT_PASSWORD):
    return client.delete(ME, {"password": password}, format="json")


def png(name: str = "x.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_deleting_the_account_anonymises_and_deactivates_it(
    user, auth_client, settings, django_capture_on_commit_callbacks, no_rate_limits
):
    old_email, old_username = user.email, user.username
    user.settings, user.country, user.signup_ip_hash, user.external_subject = {"theme": "dark"}, "DE", "abc", "sub-1"
    user.save()
    UserInterestFactory(user=user)
    UserSession.objects.create(user=user, user_agent="Firefox", ip_hash="hash")
    assert auth_client.post(f"{ME}/profile-picture", {"file": png()}, format="multipart").status_code == 200
    assert len(stored_files(settings)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = delete_account(auth_client)

    assert response.status_code == 204
    assert response.content == b""
    user.refresh_from_db()
    assert user.email.endswith(f"@{DELETED_EMAIL_DOMAIN}")
    assert user.username.startswith("deleted_")
    assert (user.display_name, user.bio, user.profile_picture.name, user.country, user.signup_ip_hash) == ("",) * 5
    assert (user.settings, user.external_subject, user.timezone) == ({}, None, "UTC")
    assert not user.is_active
    assert not user.has_usable_password()
    assert not UserInterest.objects.filter(user=user).exists()
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", "ip_hash")) == [("", "")]
    assert stored_files(settings) == []  # the picture's file is gone from storage
    # The old email and username are free at once.
    registration = {"email": old_email, "username": old_username, "password": "a-long-enough-passphrase"}
    assert APIClient().post(REGISTER, registration).status_code == 201


def test_deleting_the_account_ends_every_session(user, no_rate_limits):
    this, other = sign_in(user), sign_in(user)

    assert delete_account(as_bearer(this["access"])).status_code == 204

    for session in (this, other):
        assert_problem(as_bearer(session["access"]).get(ME), 401)
        assert_problem(APIClient().post(REFRESH, {"refresh": session["refresh"]}), 401)
    assert not OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).exists()
    assert_problem(APIClient().post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}), 401)


@pytest.mark.parametrize("body", [{"password": "not-my-password"}, {}, {"password": ""}])
def test_deleting_the_account_needs_the_right_password(user, auth_client, body, no_rate_limits):
    response = auth_client.delete(ME, body, format="json")

    assert_problem(response, 400, "password")
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(DEFAULT_PASSWORD)
    assert auth_client.get(ME).status_code == 200


def test_deleting_the_account_refuses_the_anonymous(api_client, user):
    response = api_client.delete(ME, {"password": DEFAULT_PASSWORD}, format="json")

    assert_problem(response, 401)
    user.refresh_from_db()
    assert user.is_active


def test_deleting_an_account_leaves_other_accounts_alone(user, other_user, auth_client, client_for, no_rate_limits):
    theirs = PostFactory(author=other_user)

    assert delete_account(auth_client).status_code == 204

    other_user.refresh_from_db()
    assert other_user.is_active
    assert Post.objects.get(pk=theirs.pk).deleted_at is None
    assert client_for(other_user).get(ME).json()["username"] == other_user.username


def test_wrong_passwords_share_the_password_guess_budget(user, auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_change_failures": "2/h"}
    for _ in range(2):
        assert_problem(delete_account(auth_client, "not-my-password"), 400, "password")

    response = delete_account(auth_client)  # the right password, too late

    assert_problem(response, 429)
    user.refresh_from_db()
    assert user.is_active


def test_deleting_the_account_removes_its_relationships_both_ways(user, auth_client, no_rate_limits):
    followed, follower, muter, blocker = UserFactory.create_batch(4)
    follow_create(follower=user, target=followed)
    follow_create(follower=follower, target=user)
    MuteFactory(user=user, target=muter)
    MuteFactory(user=muter, target=user)
    BlockFactory(user=blocker, target=user)
    BlockFactory(user=user, target=blocker)

    assert delete_account(auth_client).status_code == 204

    assert not Follow.objects.exists()
    assert not Mute.objects.exists()
    assert not Block.objects.exists()
    followed.refresh_from_db()
    follower.refresh_from_db()
    user.refresh_from_db()
    assert (followed.followers_count, follower.following_count) == (0, 0)
    assert (user.followers_count, user.following_count) == (0, 0)


def test_deleting_the_account_removes_its_content(
    user, other_user, auth_client, client_for, settings, django_capture_on_commit_callbacks, no_rate_limits
):
    uploaded = auth_client.post("/api/v1/media/upload", {"files": [png()]}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    [media] = uploaded.json()["media"]
    created = auth_client.post("/api/v1/posts", {"content": "Long $ZZZQ", "media_ids": [media["id"]]}, format="json")
    assert created.status_code == 201, created.content
    mine = Post.objects.get(pk=created.json()["id"])
    theirs = PostFactory(author=other_user)
    their_comment = CommentFactory(post=theirs, author=other_user)
    my_comment = CommentFactory(post=theirs, author=user)
    reply = CommentFactory(post=theirs, author=other_user, parent=my_comment)
    PostReactionFactory(post=theirs, user=user)
    CommentReactionFactory(comment=their_comment, user=user)
    RepostFactory(post=theirs, user=user)
    BookmarkFactory(post=theirs, user=user)
    WatchlistItemFactory(user=user, ticker=TickerFactory())
    PostReactionFactory(post=theirs, user=other_user)
    assert Ticker.objects.get(symbol="ZZZQ").post_count == 1
    assert len(stored_files(settings)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_account(auth_client).status_code == 204

    mine.refresh_from_db()
    my_comment.refresh_from_db()
    assert mine.deleted_at is not None
    assert my_comment.deleted_at is not None
    assert Comment.objects.get(pk=reply.pk).deleted_at is None
    assert Comment.objects.get(pk=their_comment.pk).deleted_at is None
    assert Post.objects.get(pk=theirs.pk).deleted_at is None
    for model in (PostReaction, CommentReaction, Repost, Bookmark, WatchlistItem):
        assert not model.objects.filter(user=user).exists(), model
    assert PostReaction.objects.filter(user=other_user).count() == 1
    assert not Media.objects.filter(owner=user).exists()
    assert stored_files(settings) == []
    assert User.objects.get(pk=user.pk).posts_count == 0
    assert Ticker.objects.get(symbol="ZZZQ").post_count == 0
    other = client_for(other_user)
    assert other.get(f"/api/v1/posts/{mine.pk}").status_code == 404
    assert other.get(f"/api/v1/posts/{theirs.pk}").status_code == 200


def test_a_failing_hook_rolls_the_whole_deletion_back(user, auth_client, no_rate_limits):
    post = PostFactory(author=user)

    def failing(*, user: User) -> None:
        raise RuntimeError("storage is down")

    account_hooks.account_deletion_hook_register("zz-test", failing)
    try:
        with pytest.raises(RuntimeError):
            delete_account(auth_client)
    finally:
        account_hooks.account_deletion_hook_register("zz-test", None)

    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(DEFAULT_PASSWORD)
    assert Post.objects.get(pk=post.pk).deleted_at is None


def test_the_social_content_and_notifications_hooks_are_registered_in_app_order():
    assert list(account_hooks._hooks) == ["social", "content", "notifications"]
