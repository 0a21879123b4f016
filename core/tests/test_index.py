import pytest

from core.testing import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_the_root_is_a_json_index_in_every_mode(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "name": "PageShare API",
        "api": "http://testserver/api/v1/",
        "schema": "http://testserver/api/schema",
        "docs": "http://testserver/api/docs",
        "health": "http://testserver/health",
        "ready": "http://testserver/health/ready",
    }
    for name in ("schema", "docs", "health", "ready"):
        assert client.get(response.json()[name]).status_code == 200


def test_the_root_only_reads(client):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        ("/api/v1/posts/", "/api/v1/posts"),
        ("/api/v1/posts/?limit=5", "/api/v1/posts?limit=5"),
        ("/api/v1/users/me/", "/api/v1/users/me"),
        ("/api/v1/posts/42/comments/", "/api/v1/posts/42/comments"),
    ],
)
def test_a_trailing_slash_404_says_which_url_was_meant(api_client, path, meant):
    response = api_client.get(path, HTTP_X_REQUEST_ID="slash-1")

    body = assert_problem(response, 404)
    assert body["did_you_mean"] == meant
    assert body["code"] == "not_found"
    assert body["request_id"] == "slash-1"
    assert meant in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/no-such-thing", "/api/v1/posts/abc/"])
def test_other_404s_suggest_nothing(api_client, path):
    body = assert_problem(api_client.get(path), 404)
    assert "did_you_mean" not in body
    assert body["detail"] == "No such resource."
