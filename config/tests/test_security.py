import pytest

pytestmark = pytest.mark.django_db


def test_security_headers_on_api_answers(api_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = api_client.get("/health", secure=True)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.schema_exempt(
    reason="the redirect to HTTPS answers plain HTTP before any API view runs: no operation declares it"
)
def test_http_is_redirected_to_https_except_health_probes(api_client, settings):
    settings.SECURE_SSL_REDIRECT = True
    redirected = api_client.get("/api/v1/users/me")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert api_client.get("/health").status_code == 200
    assert api_client.get("/health/ready").status_code == 200


def test_cors_allows_configured_origins_on_the_api(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.pageshare.example"]
    response = api_client.options(
        "/api/v1/users/me",
        HTTP_ORIGIN="https://app.pageshare.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    assert response["Access-Control-Allow-Origin"] == "https://app.pageshare.example"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    exposed = api_client.get("/api/v1/users/me", HTTP_ORIGIN="https://app.pageshare.example")
    assert "X-RateLimit-Remaining" in exposed["Access-Control-Expose-Headers"]


def test_cors_refuses_other_origins(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.pageshare.example"]
    response = api_client.get("/api/v1/users/me", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_allows_a_local_frontend_dev_server(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = settings.DEV_CORS_ALLOWED_ORIGINS
    for origin in ("http://localhost:3000", "http://127.0.0.1:3000"):
        response = api_client.options(
            "/api/v1/posts",
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
        )
        assert response["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Origin" not in api_client.get("/api/v1/posts", HTTP_ORIGIN="http://localhost:8080")
