"""Profile pictures on S3: real boto3 HTTP calls against moto's server on 127.0.0.1."""

import io
import re
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from storages.backends.s3 import S3Storage

from accounts.models import User
from core.testing import S3_BUCKET as BUCKET
from core.testing import s3_keys as keys

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/me/profile-picture"


def post_picture(client, fmt="JPEG", mode="RGB", color=(30, 60, 200)):
    buffer = io.BytesIO()
    Image.new(mode, (900, 600), color).save(buffer, fmt)
    # A content type that says nothing: the stored object's type comes from the bytes.
    upload = SimpleUploadedFile(f"me.{fmt.lower()}", buffer.getvalue(), content_type="application/octet-stream")
    return client.post(URL, {"file": upload}, format="multipart")


def test_upload_stores_the_object_in_the_bucket(s3, auth_client, user, settings):
    _, client = s3
    assert isinstance(User._meta.get_field("profile_picture").storage, S3Storage)

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
