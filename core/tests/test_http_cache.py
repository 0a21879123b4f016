"""core.http_cache: one policy for Cache-Control, Vary and ETag."""

import pytest
from django.core.cache import cache

from accounts.tests.factories import UserFactory
from content.tests.factories import PostFactory, TickerFactory
from core.http_cache import public_cache_seconds

pytestmark = pytest.mark.django_db


def vary(response):
    return {value.strip().lower() for value in response.get("Vary", "").split(",")}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickers/AAPL",
        "/api/v1/tickers/AAPL/posts",
        "/api/v1/tickers/trending",
        "/api/v1/users/{user}",
        "/api/v1/users/by-username/{username}",
    ],
)
def test_anonymous_public_pages_are_publicly_cacheable(api_client, path):
    TickerFactory(symbol="AAPL")
    author = UserFactory()

    response = api_client.get(path.format(user=author.pk, username=author.username))

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert "authorization" in vary(response)
    assert response["ETag"].startswith('"')


def test_the_same_page_with_a_token_is_private_and_not_stored(auth_client):
    TickerFactory(symbol="AAPL")

    response = auth_client.get("/api/v1/tickers/AAPL/posts")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "authorization" in vary(response)
    assert "ETag" not in response


def test_a_viewset_declares_public_caching_per_action(api_client):
    author = UserFactory()
    assert api_client.get(f"/api/v1/users/{author.pk}")["Cache-Control"] == "public, max-age=60"
    # Another action of the same viewset (UserViewSet.followers) declared nothing.
    followers = api_client.get(f"/api/v1/users/{author.pk}/followers")
    assert (followers.status_code, followers["Cache-Control"]) == (200, "no-cache")


def test_the_max_age_is_capped_by_the_setting(api_client, settings):
    TickerFactory(symbol="AAPL")
    settings.HTTP_CACHE_MAX_AGE = 30
    assert api_client.get("/api/v1/tickers/AAPL")["Cache-Control"] == "public, max-age=30"

    settings.HTTP_CACHE_MAX_AGE = 0  # public caching off: revalidate like any other read
    assert api_client.get("/api/v1/tickers/AAPL")["Cache-Control"] == "no-cache"


def test_a_single_posts_etag_answers_304_when_unchanged(api_client):
    post = PostFactory()
    first = api_client.get(f"/api/v1/posts/{post.pk}")
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-cache"  # not declared public: kept, but revalidated

    again = api_client.get(f"/api/v1/posts/{post.pk}", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (first["ETag"], "no-cache")
    assert "authorization" in vary(again)
    # A change gives another ETag, and the old one a full answer.
    post.content = "Changed my mind."
    post.save()
    changed = api_client.get(f"/api/v1/posts/{post.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["content"] == "Changed my mind."
    assert changed["ETag"] != first["ETag"]


def test_errors_and_writes_are_never_public(api_client, auth_client):
    missing = api_client.get("/api/v1/tickers/NOPE1")
    assert missing.status_code == 404
    assert missing["Cache-Control"] == "no-cache"
    assert "ETag" not in missing

    written = auth_client.post("/api/v1/posts", {"content": "Hello $AAPL"}, format="json")
    assert written.status_code == 201
    assert written["Cache-Control"] == "private, no-store"


def test_personal_reads_are_private(auth_client, api_client):
    assert auth_client.get("/api/v1/users/me")["Cache-Control"] == "private, no-store"
    # Anonymous, it is a 401 problem, which no cache keeps past revalidation either.
    assert api_client.get("/api/v1/users/me")["Cache-Control"] == "no-cache"


def test_a_view_that_chose_its_own_policy_keeps_it(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]  # never_cache's, not ours


def test_the_index_is_public(client):
    response = client.get("/")
    assert response["Cache-Control"] == "public, max-age=60"  # 300 declared, capped at 60


def test_a_viewset_may_declare_per_action():
    def view():
        pass

    view.cls = type("PostViewSet", (), {"public_cache_seconds": {"retrieve": 30}})
    view.actions = {"get": "retrieve"}
    assert public_cache_seconds(view, "GET") == 30
    view.actions = {"get": "list"}
    assert public_cache_seconds(view, "GET") == 0
    assert public_cache_seconds(lambda: None, "GET") == 0
