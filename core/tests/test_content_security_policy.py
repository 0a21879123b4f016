"""Content-Security-Policy on every answer: a page policy for the admin and the API docs, nothing for the rest."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGE_DIRECTIVES = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]{20,})'")


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize("url", ["/admin/login/", "/api/docs"])
def test_pages_get_the_page_policy(client, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = directives(response)
    assert {key: policy[key] for key in PAGE_DIRECTIVES} == PAGE_DIRECTIVES
    assert policy["style-src"].startswith("'self'")
    assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"]


def test_the_api_docs_have_no_inline_script_and_their_style_carries_the_nonce(client):
    response = client.get("/api/docs")

    html = response.content.decode()
    [nonce] = NONCE.findall(directives(response)["style-src"])
    assert f'<style nonce="{nonce}">' in html
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">',
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js">',
        '<script src="/api/docs?script=">',
    ]
    script = client.get("/api/docs?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_fresh_nonce_on_every_page(client):
    first, second = (NONCE.findall(directives(client.get("/api/docs"))["style-src"]) for _ in range(2))

    assert first != second


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/v1/posts", 200), ("/api/v1/no-such-thing", 404), ("/api/schema", 200)],
)
def test_everything_else_loads_nothing_and_is_framed_by_no_one(client, url, status):
    response = client.get(url)

    assert response.status_code == status
    assert directives(response) == {"default-src": "'none'", "frame-ancestors": "'none'"}
