"""POST/DELETE users/me/profile-picture on the default (local) storage."""

import io
import logging
import re

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageFile

from accounts.services.pictures import profile_picture_delete, profile_picture_set
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/me/profile-picture"


def image_file(fmt="JPEG", size=(800, 600), name="me.jpg", mode="RGB", color=(200, 30, 30), **options):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def post_picture(client, file):
    return client.post(URL, {"file": file}, format="multipart")


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_sets_a_square_picture_and_answers_me(auth_client, user, settings):
    response = post_picture(auth_client, image_file(size=(800, 600)))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(user.id)
    assert body["email"] == user.email  # the "me" shape
    user.refresh_from_db()
    name = user.profile_picture.name
    assert re.fullmatch(rf"profile-pictures/{user.id}/[0-9a-f]{{32}}\.jpg", name)
    assert body["profile_picture_url"] == f"http://testserver{settings.MEDIA_URL}{name}"
    assert stored_files(settings) == [name]
    with default_storage.open(name) as stored:
        picture = Image.open(stored)
        assert (picture.format, picture.size) == ("JPEG", (512, 512))


def test_upload_of_a_transparent_png_keeps_it_png(auth_client, user):
    response = post_picture(auth_client, image_file("PNG", mode="RGBA", color=(0, 0, 0, 0), name="x.png"))

    assert response.status_code == 200
    assert response.json()["profile_picture_url"].endswith(".png")
    user.refresh_from_db()
    assert user.profile_picture.name.endswith(".png")


def test_upload_strips_gps_from_the_stored_file(auth_client, user):
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)

    response = post_picture(auth_client, image_file(exif=exif))

    assert response.status_code == 200
    user.refresh_from_db()
    with default_storage.open(user.profile_picture.name) as stored:
        data = stored.read()
    assert b"Exif" not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_replacing_deletes_the_old_file_only_after_commit(
    auth_client, user, settings, django_capture_on_commit_callbacks
):
    first = post_picture(auth_client, image_file()).json()["profile_picture_url"]
    user.refresh_from_db()
    old_name = user.profile_picture.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_picture(auth_client, image_file("PNG", name="new.png"))
        assert response.status_code == 200
        user.refresh_from_db()
        new_name = user.profile_picture.name
        # Not committed yet: the old file must still be there for a rollback.
        assert stored_files(settings) == sorted([old_name, new_name])

    assert len(callbacks) == 1
    callbacks[0]()
    assert new_name != old_name
    assert response.json()["profile_picture_url"] != first
    assert stored_files(settings) == [new_name]


def test_failing_to_delete_the_old_file_is_logged_not_raised(
    auth_client, user, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    post_picture(auth_client, image_file())
    user.refresh_from_db()
    old_name = user.profile_picture.name

    def broken_delete(self, name):
        raise OSError("storage is down")

    monkeypatch.setattr(FileSystemStorage, "delete", broken_delete)
    with (
        caplog.at_level(logging.ERROR, logger="accounts.services.pictures"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_picture(auth_client, image_file())

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.profile_picture.name != old_name
    assert [r.getMessage() for r in caplog.records] == [f"Could not delete the profile picture {old_name} from storage"]


def test_delete_removes_the_picture_and_its_file(auth_client, user, settings, django_capture_on_commit_callbacks):
    post_picture(auth_client, image_file())
    assert len(stored_files(settings)) == 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client.delete(URL)

    assert response.status_code == 204
    assert response.content == b""
    assert len(callbacks) == 1
    user.refresh_from_db()
    assert not user.profile_picture
    assert stored_files(settings) == []


def test_delete_without_a_picture_is_a_204(auth_client, user, django_capture_on_commit_callbacks):
    auth_client.get("/api/v1/users/me")  # records this window's activity first (its own commit callback)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client.delete(URL)

    assert response.status_code == 204
    assert callbacks == []


@pytest.mark.parametrize("method", ["post", "delete"])
def test_anonymous_gets_401(api_client, method):
    response = getattr(api_client, method)(URL, {"file": image_file()}, format="multipart")

    body = assert_problem(response, 401)
    assert body["status"] == 401


def test_missing_file_is_a_400_naming_file(auth_client, user, settings):
    body = assert_problem(auth_client.post(URL, {}, format="multipart"), 400)

    assert list(body["errors"]) == ["file"]
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("me.jpg", b"hello, not an image", content_type="image/jpeg"), "not a JPEG, PNG or WebP"),
        (SimpleUploadedFile("me.jpg", b"<html><body>hi</body></html>", content_type="image/jpeg"), "not a JPEG"),
        (image_file("GIF", name="me.jpg"), "not a JPEG, PNG or WebP image"),
        (SimpleUploadedFile("me.jpg", b"", content_type="image/jpeg"), "empty"),
    ],
    ids=["text", "html", "gif", "empty"],
)
def test_a_file_that_is_not_an_accepted_image_is_a_400_naming_file(auth_client, user, settings, file, message):
    body = assert_problem(post_picture(auth_client, file), 400)

    assert list(body["errors"]) == ["file"]
    assert message in body["errors"]["file"][0]
    user.refresh_from_db()
    assert not user.profile_picture
    assert stored_files(settings) == []


def test_a_file_over_the_byte_limit_is_a_400_naming_file(auth_client, user, settings):
    big = SimpleUploadedFile("me.jpg", b"\xff\xd8\xff" + b"\0" * (5 * 1024 * 1024), content_type="image/jpeg")

    body = assert_problem(post_picture(auth_client, big), 400)

    assert body["errors"] == {"file": ["The file is larger than 5 MB."]}
    assert stored_files(settings) == []


def test_a_picture_over_the_pixel_limit_is_a_400_naming_file_without_decoding(auth_client, user, settings, monkeypatch):
    # 4900 x 4900 = 24,010,000 black one-bit pixels: a few KB of PNG.
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded the pixels"))
    bomb = image_file("PNG", size=(4900, 4900), name="me.png", mode="1", color=0)

    body = assert_problem(post_picture(auth_client, bomb), 400)

    assert body["errors"] == {"file": ["The image has too many pixels (at most 24,000,000 allowed)."]}
    user.refresh_from_db()
    assert not user.profile_picture
    assert stored_files(settings) == []


def test_a_failed_upload_keeps_the_current_picture(auth_client, user, settings):
    post_picture(auth_client, image_file())
    user.refresh_from_db()
    current = user.profile_picture.name

    assert_problem(post_picture(auth_client, image_file("BMP")), 400)

    user.refresh_from_db()
    assert user.profile_picture.name == current
    assert stored_files(settings) == [current]


def test_json_body_is_a_415(auth_client):
    response = auth_client.post(URL, {"file": "aGVsbG8="}, format="json")

    assert_problem(response, 415)


def test_the_schema_documents_a_binary_file_field(api_client):
    schema = api_client.get("/api/schema?format=json").json()
    operation = schema["paths"][URL]["post"]

    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    assert component["properties"]["file"] == {**component["properties"]["file"], "format": "binary"}
    assert component["required"] == ["file"]
    assert {"200", "400", "401"} <= set(operation["responses"])
    assert {"204", "401"} <= set(schema["paths"][URL]["delete"]["responses"])


def test_services_keep_the_passed_user_in_step(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        returned = profile_picture_set(user=user, upload=image_file())
    assert returned is user
    assert user.profile_picture.name.startswith(f"profile-pictures/{user.id}/")

    with django_capture_on_commit_callbacks(execute=True):
        profile_picture_delete(user=user)
    assert not user.profile_picture
