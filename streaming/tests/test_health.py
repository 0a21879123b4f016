from django.test import Client


def test_streaming_health_is_plain_ok(client: Client) -> None:
    response = client.get("/api/v1/streaming/health")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"OK"
