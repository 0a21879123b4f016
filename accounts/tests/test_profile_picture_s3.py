"""Profile pictures on S3: real boto3 HTTP calls against moto's server on 127.0.0.1."""

import io
import json
import re
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from PIL import Image
from storages.backends.s3 import S3Storage

from accounts.models import User

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/me/profile-picture"
BUCKET = "pageshare-test-media"
REGION = "us-east-1"
DUMMY_KEY = "testing"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
    ],
}


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[tuple[str, object]]:
    """``(endpoint_url, boto3 client)`` for a moto S3 server holding an empty ``BUCKET``."""
    with pytest.MonkeyPatch.context() as patch:
        # Dummies, so neither boto3 nor storages ever looks for real credentials.
        patch.setenv("AWS_ACCESS_KEY_ID", DUMMY_KEY)
        patch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_KEY)
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # port 0: a free one
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            client = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name=REGION,
                aws_access_key_id=DUMMY_KEY,
                aws_secret_access_key=DUMMY_KEY,
            )
            client.create_bucket(Bucket=BUCKET)
            # How a deploy with unsigned URLs (AWS_QUERYSTRING_AUTH=false) publishes media.
            client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
            yield endpoint, client
        finally:
            server.stop()


@pytest.fixture
def s3(moto_s3, settings):
    """The default storage switched to S3Storage on the moto server, as settings.py would build it."""
    endpoint, client = moto_s3
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "access_key": DUMMY_KEY,
                "secret_key": DUMMY_KEY,
                "region_name": REGION,
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    # The setting_changed signal emptied Django's storage cache; the FileField's
    # storage is the lazy `default_storage` proxy, bound at import, so it follows.
    assert isinstance(storages["default"], S3Storage)
    assert isinstance(User._meta.get_field("profile_picture").storage, S3Storage)
    yield endpoint, client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def post_picture(client, fmt="JPEG", mode="RGB", color=(30, 60, 200)):
    buffer = io.BytesIO()
    Image.new(mode, (900, 600), color).save(buffer, fmt)
    # A content type that says nothing: the stored object's type comes from the bytes.
    upload = SimpleUploadedFile(f"me.{fmt.lower()}", buffer.getvalue(), content_type="application/octet-stream")
    return client.post(URL, {"file": upload}, format="multipart")


def test_upload_stores_the_object_in_the_bucket(s3, auth_client, user, settings):
    _, client = s3

    response = post_picture(auth_client)

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    key = user.profile_picture.name
    assert re.fullmatch(rf"profile-pictures/{user.id}/[0-9a-f]{{32}}\.jpg", key)
    assert keys(client) == [key]
    head = client.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "image/jpeg"
    stored = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert Image.open(io.BytesIO(stored)).size == (512, 512)
    assert head["ContentLength"] == len(stored)
    # Nothing went to the local media folder.
    assert not settings.MEDIA_ROOT.exists()


def test_returned_url_points_at_the_s3_endpoint_and_serves_the_file(s3, auth_client, user):
    endpoint, client = s3

    url = post_picture(auth_client).json()["profile_picture_url"]

    user.refresh_from_db()
    assert url == f"{endpoint}/{BUCKET}/{user.profile_picture.name}"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read() == client.get_object(Bucket=BUCKET, Key=user.profile_picture.name)["Body"].read()


def test_transparent_png_is_stored_as_image_png(s3, auth_client, user):
    _, client = s3

    response = post_picture(auth_client, "PNG", mode="RGBA", color=(0, 0, 0, 0))

    assert response.status_code == 200
    [key] = keys(client)
    assert key.endswith(".png")
    assert client.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "image/png"


def test_a_second_upload_deletes_the_first_object(s3, auth_client, user, django_capture_on_commit_callbacks):
    _, client = s3
    post_picture(auth_client)
    [first] = keys(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_picture(auth_client)

    assert response.status_code == 200
    user.refresh_from_db()
    assert keys(client) == [user.profile_picture.name]
    assert user.profile_picture.name != first


def test_delete_removes_the_object(s3, auth_client, user, django_capture_on_commit_callbacks):
    _, client = s3
    post_picture(auth_client)
    assert len(keys(client)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete(URL)

    assert response.status_code == 204
    assert keys(client) == []
    user.refresh_from_db()
    assert not user.profile_picture


def test_a_refused_upload_writes_nothing_to_the_bucket(s3, auth_client, user):
    _, client = s3

    response = post_picture(auth_client, "GIF")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]
    assert keys(client) == []
