"""Uploaded images: validate, normalise and re-encode them before they reach storage.

One pipeline for profile pictures and post media alike:

1. Size: more than ``settings.IMAGE_MAX_BYTES`` is refused before any byte is decoded.
2. Format: sniffed by Pillow from the bytes (the file name and the declared
   content type are never trusted); only JPEG, PNG and WebP are opened at all.
3. Pixels: ``width * height`` read from the header must not exceed
   ``settings.IMAGE_MAX_PIXELS``; Pillow's own decompression-bomb warning is an
   error too. Both are checked before the pixels are decoded. The work is then
   known from the headers alone (``OpenedImage.pixels``: what the decoder will
   produce, a JPEG at reduced scale when that still covers the output), so a
   caller handling several files can refuse the lot against
   ``settings.IMAGE_UPLOAD_MAX_PIXELS`` before decoding any (``pixel_budget_check``).
4. Decoding: truncated or corrupt files are refused, and so are animated
   images (APNG, animated WebP): silently keeping the first frame would post
   something other than what the user chose. A multi-picture JPEG (MPO, as
   phones write for HDR gain maps) is not animated: its primary image is used.
5. Output: the EXIF orientation is applied, colours are converted to sRGB when
   the file carries an ICC profile, and the image is re-encoded from its pixels
   alone, so no EXIF (GPS), XMP, ICC profile or text chunk survives. Images
   with a transparent pixel stay PNG; everything else becomes a JPEG at quality
   85, which every browser, mail client and link preview shows.
6. Size in pixels: profile pictures are centre-cropped to a square of at most
   ``settings.PROFILE_PICTURE_SIZE`` px; post images fit within
   ``POST_IMAGE_MAX_SIDE`` px. Images are never upscaled: the client scales up
   for display, the server does not store invented pixels.

``InvalidImageError`` carries a message fit for the user and a machine code; the
API layer turns it into a 400 naming the upload field.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, cast

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
POST_IMAGE_MAX_SIDE = 2048
JPEG_QUALITY = 85

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SIXTEEN_BIT_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}


class InvalidImageError(ValueError):
    """The upload is not an image we accept; ``str(exc)`` is a message for the user."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded image, ready for storage."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.content)

    def as_file(self, name: str = "") -> SimpleUploadedFile:
        """A Django file whose ``content_type`` storages such as S3 send as the object's type."""
        return SimpleUploadedFile(name or f"image.{self.extension}", self.content, content_type=self.content_type)


@dataclass(frozen=True)
class OpenedImage:
    """An upload whose header passed every check; its pixels are not decoded yet."""

    image: Image.Image
    max_side: int
    square: bool

    @property
    def pixels(self) -> int:
        """How many pixels decoding will produce (a JPEG's reduced scale already applied)."""
        return self.image.width * self.image.height

    def process(self) -> ProcessedImage:
        """Decode, orient, convert and re-encode; raises ``InvalidImageError`` for a corrupt body."""
        try:
            image = _load(self.image)
            _apply_orientation(image)
            image, transparent = _to_rgb(image)
            if image is not self.image:
                self.image.close()  # the converted copy is all we need from here
            image = _square_crop(image, self.max_side) if self.square else _fit(image, self.max_side)
            return _encode(image, transparent=transparent)
        finally:
            # Free the decoded pixels now: a caller holding several opened images
            # would otherwise keep every one of them in memory until it is done.
            self.image.close()


def process_profile_picture(upload: File | IO[bytes]) -> ProcessedImage:
    """A square centre crop of at most ``PROFILE_PICTURE_SIZE`` px."""
    return open_profile_picture(upload).process()


def process_post_image(upload: File | IO[bytes]) -> ProcessedImage:
    """The whole image, its long side at most ``POST_IMAGE_MAX_SIDE`` px."""
    return open_post_image(upload).process()


def process_image(upload: File | IO[bytes], *, max_side: int, square: bool = False) -> ProcessedImage:
    """Validate ``upload`` and re-encode it; raises ``InvalidImageError`` for anything we refuse."""
    return open_image(upload, max_side=max_side, square=square).process()


def open_profile_picture(upload: File | IO[bytes]) -> OpenedImage:
    return open_image(upload, max_side=settings.PROFILE_PICTURE_SIZE, square=True)


def open_post_image(upload: File | IO[bytes]) -> OpenedImage:
    return open_image(upload, max_side=POST_IMAGE_MAX_SIDE)


def open_image(upload: File | IO[bytes], *, max_side: int, square: bool = False) -> OpenedImage:
    """Read ``upload`` and check everything its header tells; raises ``InvalidImageError``. Decodes nothing."""
    data = _read_limited(upload, settings.IMAGE_MAX_BYTES)
    image = _open(data, max_pixels=settings.IMAGE_MAX_PIXELS)
    # JPEG only (a no-op for the others): decode at 1/2, 1/4 or 1/8 scale when the
    # result still covers the output size on both sides.
    image.draft(None, _output_size(image.size, max_side=max_side, square=square))
    return OpenedImage(image=image, max_side=max_side, square=square)


def pixel_budget_check(images: Sequence[OpenedImage]) -> None:
    """Refuse files that together would decode to more than ``IMAGE_UPLOAD_MAX_PIXELS``: one request's work."""
    budget = settings.IMAGE_UPLOAD_MAX_PIXELS
    if sum(image.pixels for image in images) > budget:
        raise InvalidImageError(
            f"The images together have too many pixels (at most {budget:,} in one upload).",
            code="too_many_pixels",
        )


def _output_size(size: tuple[int, int], *, max_side: int, square: bool) -> tuple[int, int]:
    """The size ``_square_crop`` or ``_fit`` will make of an image of ``size`` (orientation aside)."""
    width, height = size
    scale = min(1.0, max_side / (min(size) if square else max(size)))
    if square:
        side = max(1, round(min(size) * scale))
        return side, side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _read_limited(upload: File | IO[bytes], limit: int) -> bytes:
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    upload.seek(0)
    # Read one byte past the limit: a size that lied (or was unknown) is caught here.
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise _too_large(limit)
    if not data:
        raise InvalidImageError("The file is empty.", code="empty")
    return data


def _too_large(limit: int) -> InvalidImageError:
    megabytes = limit / (1024 * 1024)
    shown = f"{megabytes:g} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return InvalidImageError(f"The file is larger than {shown}.", code="too_large")


def _too_many_pixels(max_pixels: int) -> InvalidImageError:
    return InvalidImageError(f"The image has too many pixels (at most {max_pixels:,} allowed).", code="too_many_pixels")


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    """The image with only its header read, once it passed the format, pixel and animation checks."""
    # Pillow warns above Image.MAX_IMAGE_PIXELS and only raises above twice that.
    # (The filter is process-wide until Python 3.14; it only ever makes Pillow stricter.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except UnidentifiedImageError:
            raise InvalidImageError("The file is not a JPEG, PNG or WebP image.", code="unsupported_format") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(max_pixels) from None
        except Exception:  # decoders raise a zoo of types on hostile input
            raise _corrupt() from None
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    # A multi-picture JPEG (MPO: phones' HDR gain maps, depth maps) is a still
    # photo with extras; its first frame is the photo.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise InvalidImageError("Animated images are not supported.", code="animated")
    return image


def _load(image: Image.Image) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(settings.IMAGE_MAX_PIXELS) from None
        except Exception:  # includes "image file is truncated"
            raise _corrupt() from None
    return image


def _apply_orientation(image: Image.Image) -> None:
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # a malformed EXIF block: show the pixels as stored rather than refuse the photo
        return


def _corrupt() -> InvalidImageError:
    return InvalidImageError("The image is truncated or corrupt.", code="corrupt")


def _to_rgb(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image as sRGB ``RGB``, or ``RGBA`` when at least one pixel is transparent."""
    if image.mode in _SIXTEEN_BIT_MODES:
        # Pillow clips 16-bit greys when converting; scale them to 8 bits instead.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    target = "RGBA" if image.has_transparency_data else "RGB"
    image = _to_srgb(image, target)
    if image.mode != target:
        image = image.convert(target)
    if target == "RGBA" and _opaque(image):
        # An alpha channel nobody uses: a JPEG is far smaller.
        return image.convert("RGB"), False
    return image, target == "RGBA"


def _opaque(image: Image.Image) -> bool:
    """No pixel of an ``RGBA`` image is transparent; per-band extrema, without copying the alpha channel."""
    extrema = cast("tuple[tuple[int, int], ...]", image.getextrema())
    return extrema[3][0] == 255


def _to_srgb(image: Image.Image, target: str) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    if target == "RGBA" and output_mode != "RGBA":
        return image  # transparency kept in `info`; a plain conversion handles it
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unreadable profile: use the numbers as they are
    assert converted is not None  # not in place
    return converted


def _square_crop(image: Image.Image, max_side: int) -> Image.Image:
    if image.width == image.height <= max_side:
        return image
    side = min(image.size)
    left = (image.width - side) // 2
    top = (image.height - side) // 2
    out = min(side, max_side)
    box = (left, top, left + side, top + side)
    return image.resize((out, out), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def _fit(image: Image.Image, max_side: int) -> Image.Image:
    # Box-reduce by the largest whole factor first, then LANCZOS for the rest: a
    # 24 MP PNG costs a third of a full LANCZOS pass (bench/images_bench.py), and a
    # box filter over whole blocks is a fair downscale. Photos a little over the
    # size (phones' 4032 px) are not reduced at all.
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=1.0)
    return image


def _encode(image: Image.Image, *, transparent: bool) -> ProcessedImage:
    # Encoders copy some metadata from `info` (PNG keeps the ICC profile); start clean.
    image.info = {}
    buffer = io.BytesIO()
    if transparent:
        image.save(buffer, "PNG")
        content_type, extension = "image/png", "png"
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
    return ProcessedImage(
        content=buffer.getvalue(),
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
    )
