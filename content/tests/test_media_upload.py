"""POST media/upload: 1-4 images re-encoded and stored as the caller's unattached media, all or nothing."""

import io
import re
import urllib.request

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageFile, PngImagePlugin
from rest_framework.parsers import MultiPartParser

from content.models import Media
from content.services import media as media_services
from content.services.media import media_upload
from core.errors import Invalid
from core.testing import S3_BUCKET, assert_problem, s3_keys

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/upload"
MB = 1024 * 1024
STORED_NAME = re.compile(r"post-media/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)")


def image_bytes(fmt="JPEG", size=(800, 600), mode="RGB", color=(200, 30, 30), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **options)
    return buffer.getvalue()


def image_file(fmt="JPEG", name=None, **kwargs) -> SimpleUploadedFile:
    # The declared content type says nothing: the format is read from the bytes.
    name = name or f"chart.{fmt.lower()}"
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type="application/octet-stream")


def upload(client, *files):
    return client.post(URL, {"files": list(files)}, format="multipart")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def assert_nothing_kept(settings) -> None:
    assert not Media.objects.exists()
    assert stored_files(settings) == []


# Success


@pytest.mark.parametrize(
    ("fmt", "options", "content_type"),
    [
        ("JPEG", {}, "image/jpeg"),
        ("PNG", {}, "image/jpeg"),  # opaque: a JPEG is far smaller
        ("PNG", {"mode": "RGBA", "color": (0, 0, 0, 0)}, "image/png"),  # transparency stays PNG
        ("WEBP", {}, "image/jpeg"),
    ],
    ids=["jpeg", "opaque-png", "transparent-png", "webp"],
)
def test_upload_stores_each_accepted_format(auth_client, user, settings, fmt, options, content_type):
    response = upload(auth_client, image_file(fmt, size=(640, 480), **options))

    assert response.status_code == 201, response.content
    [item] = response.json()["media"]
    media = Media.objects.get()
    assert item == {
        "id": str(media.pk),
        "url": f"http://testserver{settings.MEDIA_URL}{media.file.name}",
        "content_type": content_type,
        "width": 640,
        "height": 480,
        "size": media.size,
    }
    assert (media.owner, media.post, media.content_type) == (user, None, content_type)
    assert STORED_NAME.fullmatch(media.file.name)
    assert media.file.name.startswith(timezone.now().strftime("post-media/%Y/%m/"))
    assert stored_files(settings) == [media.file.name]
    with default_storage.open(media.file.name) as stored:
        data = stored.read()
    assert media.size == len(data)
    picture = Image.open(io.BytesIO(data))
    assert (picture.format, picture.size) == (content_type.split("/")[1].upper(), (640, 480))


def test_four_images_are_stored_in_upload_order_with_fresh_names(auth_client, user, settings):
    sizes = [(400, 300), (300, 400), (500, 500), (640, 360)]

    response = upload(auth_client, *(image_file(size=size) for size in sizes))

    assert response.status_code == 201, response.content
    items = response.json()["media"]
    assert [(item["width"], item["height"]) for item in items] == sizes
    rows = list(Media.objects.order_by("position"))
    assert [str(row.pk) for row in rows] == [item["id"] for item in items]
    assert [row.position for row in rows] == [0, 1, 2, 3]
    assert len({row.file.name for row in rows}) == 4
    assert stored_files(settings) == sorted(row.file.name for row in rows)


def test_uploading_the_same_file_twice_stores_two_files(auth_client, settings):
    data = image_bytes()

    first = upload(auth_client, SimpleUploadedFile("a.jpg", data))
    second = upload(auth_client, SimpleUploadedFile("a.jpg", data))

    assert first.json()["media"][0]["url"] != second.json()["media"][0]["url"]
    assert len(stored_files(settings)) == 2


def test_upload_strips_metadata(auth_client):
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    exif[ExifTags.Base.Make] = "PhoneCo"
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "home address")

    response = upload(
        auth_client,
        image_file("JPEG", exif=exif),
        image_file("PNG", mode="RGBA", color=(10, 20, 30, 128), pnginfo=text),
    )

    assert response.status_code == 201, response.content
    for media in Media.objects.all():
        with default_storage.open(media.file.name) as stored:
            data = stored.read()
        for marker in (b"Exif", b"PhoneCo", b"home address", b"tEXt"):
            assert marker not in data
        assert not Image.open(io.BytesIO(data)).getexif()


def test_upload_applies_exif_orientation_and_fits_large_images(auth_client):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotated 90° clockwise: shown portrait

    response = upload(auth_client, image_file("JPEG", size=(4000, 1000), exif=exif))

    assert response.status_code == 201, response.content
    [item] = response.json()["media"]
    assert (item["width"], item["height"]) == (512, 2048)


# Refusals: nothing is kept


def test_no_files_is_a_400_naming_files(auth_client, settings):
    body = assert_problem(auth_client.post(URL, {}, format="multipart"), 400, "files")

    assert body["errors"]["files"] == ["This field is required."]
    assert_nothing_kept(settings)


def test_five_files_are_a_400_naming_files(auth_client, settings, monkeypatch):
    monkeypatch.setattr(media_services, "open_post_image", _must_not_decode)

    body = assert_problem(upload(auth_client, *(image_file() for _ in range(5))), 400, "files")

    assert body["errors"]["files"] == ["Ensure this field has no more than 4 elements."]
    assert_nothing_kept(settings)


def test_a_form_field_instead_of_a_file_is_a_400_naming_files(auth_client, settings):
    response = auth_client.post(URL, {"files": ["not a file"]}, format="multipart")

    body = assert_problem(response, 400, "files")
    assert body["errors"]["files"][0].startswith("File 1: ")
    assert_nothing_kept(settings)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (SimpleUploadedFile("c.jpg", b"hello, not an image"), "File 3: The file is not a JPEG, PNG or WebP image."),
        (image_file("GIF", name="c.jpg"), "File 3: The file is not a JPEG, PNG or WebP image."),
        (SimpleUploadedFile("c.jpg", image_bytes()[:400]), "File 3: The image is truncated or corrupt."),
        (SimpleUploadedFile("c.jpg", b""), "File 3: The file is empty."),
    ],
    ids=["text", "gif", "truncated", "empty"],
)
def test_a_bad_file_among_good_ones_keeps_nothing(auth_client, settings, bad, message):
    response = upload(auth_client, image_file(), image_file("PNG"), bad, image_file("WEBP"))

    body = assert_problem(response, 400, "files")
    assert body["errors"]["files"] == [message]
    assert_nothing_kept(settings)


def test_every_bad_file_is_named(auth_client, settings):
    response = upload(auth_client, SimpleUploadedFile("a.jpg", b"nope"), image_file(), image_file("BMP"))

    body = assert_problem(response, 400, "files")
    assert body["errors"]["files"] == [
        "File 1: The file is not a JPEG, PNG or WebP image.",
        "File 3: The file is not a JPEG, PNG or WebP image.",
    ]
    assert_nothing_kept(settings)


def test_a_file_over_5_mb_is_a_400_naming_files(auth_client, settings):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (5 * MB))

    body = assert_problem(upload(auth_client, image_file(), big), 400, "files")

    assert body["errors"]["files"] == ["File 2: The file is larger than 5 MB."]
    assert_nothing_kept(settings)


def test_a_body_over_20_mb_is_refused_from_its_length_before_it_is_parsed(auth_client, settings, monkeypatch):
    monkeypatch.setattr(MultiPartParser, "parse", _must_not_parse)
    monkeypatch.setattr(media_services, "open_post_image", _must_not_decode)
    files = [SimpleUploadedFile(f"{n}.jpg", b"\xff\xd8\xff" + b"\0" * (5 * MB + 100 * 1024)) for n in range(4)]

    body = assert_problem(upload(auth_client, *files), 400, "files")

    assert body["errors"]["files"] == ["The images together are larger than 20 MB."]
    assert_nothing_kept(settings)


def test_the_combined_limit_is_checked_from_declared_sizes_before_decoding(user, monkeypatch):
    monkeypatch.setattr(media_services, "open_post_image", _must_not_decode)
    files = [image_file() for _ in range(3)]
    for file in files:
        file.size = 7 * MB  # what the upload handler declared; the bytes are never read

    with pytest.raises(Invalid) as caught:
        media_upload(owner=user, files=files)

    assert caught.value.errors == {"files": ["The images together are larger than 20 MB."]}
    assert not Media.objects.exists()


def one_bit_png(name, size) -> SimpleUploadedFile:
    """Black one-bit pixels: a few KB of PNG for tens of millions of pixels, as an attacker sends."""
    return SimpleUploadedFile(name, image_bytes("PNG", size=size, mode="1", color=0))


def test_a_png_just_over_the_pixel_limit_is_refused_before_any_file_is_decoded(auth_client, settings, monkeypatch):
    decoded = _count_decodes(monkeypatch)

    response = upload(auth_client, image_file("PNG"), one_bit_png("big.png", (4900, 4900)), image_file())

    body = assert_problem(response, 400, "files")
    assert body["errors"]["files"] == ["File 2: The image has too many pixels (at most 24,000,000 allowed)."]
    assert decoded == []
    assert_nothing_kept(settings)


def test_files_over_the_pixel_budget_together_are_refused_before_any_is_decoded(auth_client, settings, monkeypatch):
    # Four 4000 x 4000 PNGs: each under the per-image limit, 64 million pixels together.
    decoded = _count_decodes(monkeypatch)

    response = upload(auth_client, *(one_bit_png(f"{n}.png", (4000, 4000)) for n in range(4)))

    body = assert_problem(response, 400, "files")
    assert body["errors"]["files"] == ["The images together have too many pixels (at most 50,000,000 in one upload)."]
    assert decoded == []
    assert_nothing_kept(settings)


def test_the_pixel_budget_counts_a_jpeg_at_the_scale_it_is_decoded_at(auth_client, settings):
    # 3 x 6000 x 4000 = 72 MP in the headers, but each JPEG is decoded at half scale: 18 MP in all.
    response = upload(auth_client, *(image_file(size=(6000, 4000)) for _ in range(3)))

    assert response.status_code == 201, response.content
    assert [(item["width"], item["height"]) for item in response.json()["media"]] == [(2048, 1365)] * 3


def _count_decodes(monkeypatch) -> list[Image.Image]:
    decoded: list[Image.Image] = []
    real_load = ImageFile.ImageFile.load

    def load(self):
        decoded.append(self)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return decoded


def test_a_storage_failure_midway_deletes_the_files_already_written(user, settings, monkeypatch):
    real_save = FileSystemStorage.save
    saves = []

    def flaky_save(self, name, content, max_length=None):
        if len(saves) == 2:
            raise OSError("disk full")
        saves.append(name)
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", flaky_save)

    with pytest.raises(OSError, match="disk full"):
        media_upload(owner=user, files=[image_file(), image_file(), image_file()])

    assert len(saves) == 2
    assert_nothing_kept(settings)


def test_a_database_failure_deletes_every_stored_file(user, settings, monkeypatch):
    real_create = Media.objects.create
    created = []

    def failing_create(**fields):
        if len(created) == 2:
            raise RuntimeError("database went away")
        created.append(real_create(**fields))
        return created[-1]

    monkeypatch.setattr(Media.objects, "create", failing_create)

    with pytest.raises(RuntimeError):
        media_upload(owner=user, files=[image_file(), image_file(), image_file()])

    assert len(created) == 2  # rolled back with the transaction
    assert_nothing_kept(settings)


def test_anonymous_gets_401_and_nothing_is_stored(api_client, settings):
    body = assert_problem(upload(api_client, image_file()), 401)

    assert body["status"] == 401
    assert_nothing_kept(settings)


def test_json_body_is_a_415(auth_client):
    assert_problem(auth_client.post(URL, {"files": ["aGVsbG8="]}, format="json"), 415)


def test_uploads_are_rate_limited_per_user(auth_client, client_for, other_user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "media_upload": "2/h"}

    answers = [upload(auth_client, image_file()) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[0]["X-RateLimit-Limit"] == "2"
    assert answers[1]["X-RateLimit-Remaining"] == "0"
    assert int(answers[2]["Retry-After"]) > 0
    assert Media.objects.count() == 2
    # Per user: someone else still may.
    assert upload(client_for(other_user), image_file()).status_code == 201


def test_the_schema_documents_an_array_of_binary_files(api_client):
    schema = api_client.get("/api/schema?format=json").json()
    operation = schema["paths"][URL]["post"]

    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    files = schema["components"]["schemas"][ref]["properties"]["files"]
    assert files["type"] == "array"
    assert files["items"] == {**files["items"], "type": "string", "format": "binary"}
    assert (files["minItems"], files["maxItems"]) == (1, 4)
    assert {"201", "400", "401", "429"} <= set(operation["responses"])


def _must_not_decode(upload):
    raise AssertionError("decoded although the request was refused from its declared sizes")


def _must_not_parse(*args, **kwargs):
    raise AssertionError("parsed (and spooled to disk) although the request was refused from its length")


# S3: real boto3 HTTP calls against moto's server on loopback


def test_s3_upload_stores_objects_with_their_content_type(s3, auth_client, user, settings):
    endpoint, client = s3

    response = upload(auth_client, image_file("JPEG"), image_file("PNG", mode="RGBA", color=(0, 0, 0, 0)))

    assert response.status_code == 201, response.content
    rows = list(Media.objects.order_by("position"))
    assert s3_keys(client) == sorted(row.file.name for row in rows)
    for row, item, content_type in zip(rows, response.json()["media"], ["image/jpeg", "image/png"], strict=True):
        head = client.head_object(Bucket=S3_BUCKET, Key=row.file.name)
        assert (head["ContentType"], head["ContentLength"]) == (content_type, row.size)
        assert item["url"] == f"{endpoint}/{S3_BUCKET}/{row.file.name}"
        with urllib.request.urlopen(item["url"], timeout=10) as answer:
            assert answer.headers["Content-Type"] == content_type
    assert not settings.MEDIA_ROOT.exists()


def test_s3_a_refused_upload_leaves_the_bucket_empty(s3, auth_client):
    _, client = s3

    response = upload(auth_client, image_file(), image_file(), SimpleUploadedFile("x.jpg", b"nope"))

    assert response.status_code == 400
    assert s3_keys(client) == []
    assert not Media.objects.exists()


def test_s3_a_database_failure_deletes_the_objects_written(s3, user, monkeypatch):
    _, client = s3

    def failing_create(**fields):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Media.objects, "create", failing_create)

    with pytest.raises(RuntimeError):
        media_upload(owner=user, files=[image_file(), image_file()])

    assert s3_keys(client) == []
