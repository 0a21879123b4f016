import pytest

from core.testing import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

PROBLEM = "application/problem+json"


def test_validation_error_names_each_bad_field(api_client):
    response = api_client.post("/api/test/echo", {"name": "too long", "count": -1}, format="json")
    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"name", "count"}
    assert body["title"] == "Bad Request"
    assert "name" in body["detail"]


def test_malformed_json_is_a_400_problem(api_client):
    response = api_client.generic("POST", "/api/test/echo", '{"name": "x",', content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


@pytest.mark.parametrize("path", ["/api/test/echo", "/api/v1/auth/login", "/api/v1/errors/log"])
def test_json_nested_too_deeply_is_a_400_problem_not_a_500(api_client, path):
    body = "[" * 100_000 + "]" * 100_000

    response = api_client.generic("POST", path, body, content_type="application/json")

    assert "nested too deeply" in assert_problem(response, 400)["detail"]


def test_unsupported_media_type_is_a_415_problem(api_client):
    response = api_client.generic("POST", "/api/test/echo", "name=x", content_type="text/csv")
    assert_problem(response, 415)


def test_unknown_api_route_is_a_404_problem(api_client):
    body = assert_problem(api_client.get("/api/v1/no-such-thing"), 404)
    assert body["code"] == "not_found"


def test_unknown_route_outside_the_api_stays_html(api_client):
    response = api_client.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith(PROBLEM)


def test_unhandled_exception_is_a_500_problem_without_internals(api_client):
    api_client.raise_request_exception = False
    response = api_client.get("/api/test/boom", HTTP_X_REQUEST_ID="trace-123")
    body = assert_problem(response, 500)
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert body["request_id"] == "trace-123"


def test_conflict_is_a_409_problem(api_client):
    body = assert_problem(api_client.get("/api/test/conflict"), 409)
    assert body["detail"] == "Already there."
    assert body["code"] == "conflict"


def test_method_not_allowed_is_a_problem(api_client):
    assert_problem(api_client.delete("/api/test/echo"), 405)


def test_every_response_carries_a_request_id(api_client):
    generated = api_client.get("/api/test/users")
    assert len(generated["X-Request-ID"]) == 32
    echoed = api_client.get("/api/test/users", HTTP_X_REQUEST_ID="abc-123")
    assert echoed["X-Request-ID"] == "abc-123"
    # A header that could inject into logs is replaced, not echoed.
    forged = api_client.get("/api/test/users", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert forged["X-Request-ID"] != "bad id\nwith newline"
