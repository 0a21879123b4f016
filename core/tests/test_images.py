"""core.images: every image here is made by Pillow (or by hand) inside the test."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, ImageFile

from core import images
from core.images import InvalidImageError, process_image, process_post_image, process_profile_picture

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GREEN = (20, 200, 20)
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(image, fmt="JPEG", **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def picture(fmt="JPEG", size=(64, 48), mode="RGB", color=RED, **options):
    return encode(Image.new(mode, size, color), fmt, **options)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def decoded(result):
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def refused(data, **kwargs):
    with pytest.raises(InvalidImageError) as caught:
        process_post_image(upload(data, **kwargs))
    return caught.value


def png_header_only(width, height):
    """A PNG whose IHDR claims ``width`` x ``height``: a few dozen bytes, no pixel data to speak of."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def dominant(pixel):
    red, green, blue = pixel[:3]
    return {red: "red", green: "green", blue: "blue"}[max(red, green, blue)]


# Formats


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepts_each_format_and_answers_a_jpeg(fmt):
    result = process_post_image(upload(picture(fmt, size=(64, 48))))

    assert (result.content_type, result.extension) == ("image/jpeg", "jpg")
    assert (result.width, result.height) == (64, 48)
    assert result.size == len(result.content)
    out = decoded(result)
    assert out.format == "JPEG"
    assert out.size == (64, 48)
    assert dominant(out.getpixel((32, 24))) == "red"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(picture("GIF"), id="gif"),
        pytest.param(picture("BMP"), id="bmp"),
        pytest.param(picture("TIFF"), id="tiff"),
        pytest.param(b"just some text, not an image\n" * 10, id="text"),
        pytest.param(b"<!doctype html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"%PDF-1.7\n" + b"\0" * 100, id="pdf"),
    ],
)
def test_refuses_anything_but_jpeg_png_webp_whatever_its_name(data):
    error = refused(data, name="innocent.jpg", content_type="image/jpeg")

    assert error.code == "unsupported_format"
    assert "not a JPEG, PNG or WebP image" in str(error)


def test_ignores_the_declared_name_and_content_type():
    result = process_post_image(upload(picture("PNG"), name="notes.txt", content_type="text/plain"))

    assert result.content_type == "image/jpeg"
    assert decoded(result).format == "JPEG"


def test_refuses_an_empty_file():
    assert refused(b"").code == "empty"


# Broken files


def test_refuses_a_truncated_jpeg():
    data = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG", quality=90)

    error = refused(data[: len(data) // 2])

    assert error.code == "corrupt"
    assert "truncated or corrupt" in str(error)


def test_refuses_a_truncated_png():
    data = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "PNG")

    assert refused(data[: len(data) // 2]).code == "corrupt"


def test_refuses_a_png_with_a_corrupt_body():
    data = bytearray(encode(Image.effect_noise((128, 128), 64).convert("RGB"), "PNG"))
    data[200:260] = b"\xff" * 60

    assert refused(bytes(data)).code == "corrupt"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_refuses_animated_images(fmt):
    frames = [Image.new("RGB", (32, 32), color) for color in (RED, GREEN, BLUE)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)

    error = refused(data)

    assert error.code == "animated"
    assert "Animated" in str(error)


def test_a_multi_picture_jpeg_is_a_still_photo():
    # Phones add a gain map or depth map as a second picture (MPO); the first one is the photo.
    data = encode(Image.new("RGB", (64, 48), RED), "MPO", save_all=True, append_images=[Image.new("RGB", (32, 24))])
    source = Image.open(io.BytesIO(data))
    assert (source.format, source.n_frames) == ("MPO", 2)

    result = process_post_image(upload(data))

    assert (result.width, result.height) == (64, 48)
    assert dominant(decoded(result).getpixel((32, 24))) == "red"


# Size in bytes


def test_refuses_a_file_over_the_byte_limit_without_decoding_it(settings, monkeypatch):
    opened = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args))
    data = picture("JPEG") + b"\0" * settings.IMAGE_MAX_BYTES

    error = refused(data)

    assert error.code == "too_large"
    assert "larger than 5 MB" in str(error)
    assert opened == []


def test_a_declared_size_over_the_limit_is_refused_without_reading(settings):
    class HugeUpload(io.BytesIO):
        size = settings.IMAGE_MAX_BYTES + 1

        def read(self, *args):
            pytest.fail("read the upload")

    with pytest.raises(InvalidImageError) as caught:
        process_post_image(HugeUpload())

    assert caught.value.code == "too_large"


def test_the_byte_limit_is_inclusive(settings):
    data = picture("JPEG")
    settings.IMAGE_MAX_BYTES = len(data)
    assert process_post_image(upload(data)).width == 64

    settings.IMAGE_MAX_BYTES = len(data) - 1
    assert refused(data).code == "too_large"


def test_a_stream_without_a_size_is_still_cut_at_the_limit(settings):
    data = picture("JPEG")
    settings.IMAGE_MAX_BYTES = len(data) - 1

    with pytest.raises(InvalidImageError) as caught:
        process_post_image(io.BytesIO(data))  # no `.size` to trust

    assert caught.value.code == "too_large"


# Pixels


def test_refuses_a_png_header_claiming_fifty_thousand_squared():
    data = png_header_only(50_000, 50_000)
    assert len(data) < 100

    error = refused(data)

    assert error.code == "too_many_pixels"
    assert "too many pixels" in str(error)


def test_refuses_more_pixels_than_the_setting_before_decoding(settings, monkeypatch):
    data = picture("PNG", size=(64, 48))
    settings.IMAGE_MAX_PIXELS = 64 * 48 - 1
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded the pixels"))

    assert refused(data).code == "too_many_pixels"


def test_the_pixel_limit_is_inclusive(settings):
    settings.IMAGE_MAX_PIXELS = 64 * 48

    assert process_post_image(upload(picture("PNG", size=(64, 48)))).width == 64


def test_refuses_a_small_file_that_decompresses_to_a_huge_image(settings):
    # 7000 x 7000 black pixels deflate to a few dozen KB; the limit is set below that many.
    settings.IMAGE_MAX_PIXELS = 40_000_000
    data = encode(Image.new("1", (7000, 7000)), "PNG")
    assert len(data) < 100_000

    assert refused(data).code == "too_many_pixels"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pillows_decompression_bomb_warning_is_an_error_too(settings):
    # Our own limit is out of the way, and the test run ignores the warning:
    # only the pipeline's own filter can turn it into a refusal.
    settings.IMAGE_MAX_PIXELS = 10**12
    side = int((Image.MAX_IMAGE_PIXELS * 1.5) ** 0.5)

    assert refused(png_header_only(side, side)).code == "too_many_pixels"


def test_the_default_limit_refuses_a_png_just_over_24_megapixels_from_its_header(monkeypatch):
    # 4900 x 4900 = 24,010,000: one-bit black pixels deflate to a few KB.
    data = encode(Image.new("1", (4900, 4900)), "PNG")
    assert len(data) < 10_000
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded the pixels"))

    error = refused(data)

    assert error.code == "too_many_pixels"
    assert str(error) == "The image has too many pixels (at most 24,000,000 allowed)."


def test_a_24_megapixel_photo_is_accepted():
    result = process_post_image(upload(picture("JPEG", size=(6000, 4000))))

    assert (result.width, result.height) == (2048, 1365)


@pytest.mark.parametrize(
    ("size", "decoded"),
    [
        ((6000, 4000), (3000, 2000)),  # half scale still covers 2048 x 1365
        ((4032, 3024), (4032, 3024)),  # half scale would not cover 2048 x 1536
        ((16000, 1000), (4000, 250)),  # quarter scale covers 2048 x 128
    ],
)
def test_opening_a_jpeg_plans_its_decode_at_the_smallest_scale_that_covers_the_output(size, decoded, monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded the pixels"))

    opened = images.open_post_image(upload(picture("JPEG", size=size)))

    assert opened.image.size == decoded
    assert opened.pixels == decoded[0] * decoded[1]


def test_a_png_is_decoded_at_full_size():
    opened = images.open_post_image(upload(picture("PNG", size=(3000, 2000))))

    assert opened.pixels == 3000 * 2000


def test_the_pixel_budget_is_the_sum_over_the_files_and_inclusive(settings):
    opened = [images.open_post_image(upload(picture("PNG", size=size))) for size in [(60, 50), (40, 25)]]
    settings.IMAGE_UPLOAD_MAX_PIXELS = 60 * 50 + 40 * 25
    images.pixel_budget_check(opened)

    settings.IMAGE_UPLOAD_MAX_PIXELS -= 1
    with pytest.raises(InvalidImageError) as caught:
        images.pixel_budget_check(opened)

    assert caught.value.code == "too_many_pixels"
    assert str(caught.value) == "The images together have too many pixels (at most 3,999 in one upload)."


def test_four_phone_photos_fit_the_default_budget():
    opened = [images.open_post_image(upload(picture("JPEG", size=(4032, 3024)))) for _ in range(4)]

    images.pixel_budget_check(opened)  # 48,771,072 pixels


# Metadata


def jpeg_with_gps_xmp_and_icc(size=(80, 60)):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Model] = "Phone 15"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="52,31N"/></x:xmpmeta>'
    return encode(Image.new("RGB", size, RED), "JPEG", exif=exif, xmp=xmp, icc_profile=SRGB_ICC)


def test_strips_exif_gps_xmp_and_icc_from_a_jpeg():
    data = jpeg_with_gps_xmp_and_icc()
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert {"exif", "xmp", "icc_profile"} <= set(source.info)

    result = process_profile_picture(upload(data))

    out = decoded(result)
    assert not out.getexif()
    assert not out.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "xmp", "icc_profile"} & set(out.info)
    for marker in (b"Exif\0\0", b"PhoneCo", b"http://ns.adobe.com/xap", b"xmpmeta", b"ICC_PROFILE"):
        assert marker not in result.content


def test_strips_metadata_chunks_from_a_transparent_png():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "shot at home")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    image = Image.new("RGBA", (40, 40), (*RED, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    data = encode(image, "PNG", pnginfo=text, exif=exif, icc_profile=SRGB_ICC)

    result = process_post_image(upload(data, name="a.png", content_type="image/png"))

    assert result.content_type == "image/png"
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP", b"PhoneCo", b"shot at home"):
        assert chunk not in result.content


def test_applies_the_exif_orientation():
    # Stored landscape, left half red, right half blue; orientation 6 = "rotate 90 degrees clockwise to show".
    image = Image.new("RGB", (60, 40), RED)
    image.paste(BLUE, (30, 0, 60, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    data = encode(image, "JPEG", exif=exif, quality=95)

    result = process_post_image(upload(data))

    assert (result.width, result.height) == (40, 60)
    out = decoded(result)
    assert dominant(out.getpixel((20, 5))) == "red"
    assert dominant(out.getpixel((20, 55))) == "blue"
    assert not out.getexif()


# Sizes


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1200, 800), (512, 512)),
        ((800, 1200), (512, 512)),
        ((512, 512), (512, 512)),
        ((300, 200), (200, 200)),  # never upscaled
        ((4000, 3000), (512, 512)),  # JPEG decoded at reduced scale first
    ],
)
def test_profile_picture_is_a_square_of_at_most_the_setting(size, expected):
    result = process_profile_picture(upload(picture("JPEG", size=size)))

    assert (result.width, result.height) == expected
    assert decoded(result).size == expected


def test_profile_picture_size_follows_the_setting(settings):
    settings.PROFILE_PICTURE_SIZE = 128

    result = process_profile_picture(upload(picture("PNG", size=(400, 300))))

    assert (result.width, result.height) == (128, 128)


def test_profile_picture_is_the_centre_of_the_image():
    # Green 200 px bands left and right of an 800 px red square: the crop keeps only red.
    image = Image.new("RGB", (1200, 800), GREEN)
    image.paste(RED, (200, 0, 1000, 800))

    out = decoded(process_profile_picture(upload(encode(image, "PNG"))))

    for xy in [(2, 2), (509, 2), (2, 509), (509, 509), (256, 256)]:
        assert dominant(out.getpixel(xy)) == "red", xy


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((4096, 1024), (2048, 512)),
        ((1024, 4096), (512, 2048)),
        ((3000, 3000), (2048, 2048)),
        ((1000, 500), (1000, 500)),  # never upscaled
    ],
)
def test_post_image_fits_within_the_long_side(size, expected):
    result = process_post_image(upload(picture("JPEG", size=size)))

    assert (result.width, result.height) == expected


def test_process_image_takes_any_box():
    result = process_image(upload(picture("PNG", size=(300, 100))), max_side=150)

    assert (result.width, result.height) == (150, 50)


# Transparency and colour


def test_transparent_png_stays_png_with_its_alpha():
    image = Image.new("RGBA", (64, 64), (*RED, 255))
    image.paste((0, 0, 0, 0), (0, 0, 32, 64))

    result = process_post_image(upload(encode(image, "PNG"), name="a.png"))

    assert (result.content_type, result.extension) == ("image/png", "png")
    out = decoded(result)
    assert (out.format, out.mode) == ("PNG", "RGBA")
    assert out.getpixel((10, 10))[3] == 0
    assert out.getpixel((50, 10)) == (*RED, 255)


def test_transparent_webp_becomes_png():
    image = Image.new("RGBA", (64, 64), (*BLUE, 128))

    result = process_post_image(upload(encode(image, "WEBP", lossless=True)))

    assert result.content_type == "image/png"
    assert decoded(result).getpixel((5, 5))[3] == 128


def test_palette_png_with_a_transparent_colour_stays_png():
    image = Image.new("P", (32, 32), 1)
    image.putpalette([0, 0, 0, *RED] + [0, 0, 0] * 254)
    image.paste(0, (0, 0, 16, 32))

    result = process_post_image(upload(encode(image, "PNG", transparency=0)))

    assert result.content_type == "image/png"
    out = decoded(result)
    assert out.getpixel((4, 4))[3] == 0
    assert out.getpixel((24, 4))[3] == 255


def test_an_alpha_channel_nobody_uses_becomes_a_jpeg():
    result = process_post_image(upload(picture("PNG", mode="RGBA", color=(*RED, 255))))

    assert result.content_type == "image/jpeg"


def test_cmyk_jpeg_becomes_rgb():
    result = process_post_image(upload(picture("JPEG", mode="CMYK", color=(0, 255, 255, 0))))

    out = decoded(result)
    assert out.mode == "RGB"
    assert dominant(out.getpixel((10, 10))) == "red"


def test_sixteen_bit_grey_png_is_scaled_not_clipped():
    data = encode(Image.new("I;16", (32, 32), 30000), "PNG")

    out = decoded(process_post_image(upload(data)))

    assert 100 < out.getpixel((5, 5))[0] < 135  # 30000 / 256 = 117; clipping would give 255


def test_as_file_carries_the_content_type():
    result = process_post_image(upload(picture("PNG")))

    file = result.as_file("x.jpg")

    assert file.content_type == "image/jpeg"
    assert file.read() == result.content
    assert images.ACCEPTED_FORMATS == ("JPEG", "PNG", "WEBP")
