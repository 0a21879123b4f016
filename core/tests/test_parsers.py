"""JSON endpoints take JSON only; the upload endpoints take multipart only. Anything else is a 415 problem."""

import pytest

from content.models import Post
from core.testing import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("format", ["multipart", "urlencoded"])
def test_a_form_body_to_a_json_endpoint_is_a_415(auth_client, user, format):
    if format == "multipart":
        response = auth_client.post("/api/v1/posts", {"content": "$AAPL up"}, format="multipart")
    else:
        response = auth_client.post(
            "/api/v1/posts", "content=%24AAPL+up", content_type="application/x-www-form-urlencoded"
        )

    body = assert_problem(response, 415)
    assert body["code"] == "unsupported_media_type"
    assert not Post.objects.exists()


def test_a_form_body_to_an_anonymous_json_endpoint_is_a_415(api_client, user):
    response = api_client.post("/api/v1/auth/login", {"email": user.email, "password": "x"}, format="multipart")

    assert_problem(response, 415)


def test_the_schema_declares_json_bodies_as_json_only(api_client):
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    bodies = {
        (path, method): list(operation["requestBody"]["content"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    }
    uploads = {("/api/v1/media/upload", "post"), ("/api/v1/users/me/profile-picture", "post")}
    assert {key: types for key, types in bodies.items() if key in uploads} == {
        key: ["multipart/form-data"] for key in uploads
    }
    assert {key: types for key, types in bodies.items() if key not in uploads} == {
        key: ["application/json"] for key in bodies if key not in uploads
    }
    assert len(bodies) > len(uploads)
