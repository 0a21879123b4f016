"""Post media: uploading images before the post that shows them, and purging the ones never used.

An upload is all-or-nothing. Every image is validated and re-encoded by
``core.images`` first (no storage or database work until all of them pass):
first every header is checked, each against the per-image pixel limit and all
together against ``IMAGE_UPLOAD_MAX_PIXELS``, so a hostile set is refused
before a single pixel is decoded; only then is each decoded and re-encoded,
then the files are written to storage outside any transaction (no row locks
held across slow writes), then the rows are created in one transaction. If
anything fails after the first file is written, every file written so far is
deleted again, so neither rows nor files are left behind.

An upload is unattached (``post`` is null) until its owner's post claims it;
``media_purge_unattached`` removes rows and files of uploads left unattached
for too long.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FileField
from django.utils import timezone

from accounts.models import User
from content.models import MAX_MEDIA_PER_POST, Media
from core.errors import Invalid
from core.images import InvalidImageError, OpenedImage, ProcessedImage, open_post_image, pixel_budget_check

logger = logging.getLogger(__name__)

MEDIA_UPLOAD_MAX_FILES = MAX_MEDIA_PER_POST
MEDIA_UPLOAD_MAX_TOTAL_BYTES = 20 * 1024 * 1024
PURGE_BATCH_SIZE = 500

Item = TypeVar("Item")
Result = TypeVar("Result")


def media_upload(*, owner: User, files: Sequence[UploadedFile]) -> list[Media]:
    """Validate, re-encode and store 1-4 images as ``owner``'s unattached media, in upload order.

    Raises ``Invalid`` naming ``files`` (each message says which file,
    counting from 1) and then nothing has been stored.
    """
    _check_counts_and_sizes(files)
    images = _process_all(files)
    names: list[str] = []
    try:
        field = _file_field()
        for image in images:
            name = field.generate_filename(Media(owner=owner), f"{uuid.uuid4().hex}.{image.extension}")
            names.append(field.storage.save(name, image.as_file(name), max_length=field.max_length))
        with transaction.atomic():
            return [
                Media.objects.create(
                    owner=owner,
                    position=position,
                    file=name,
                    content_type=image.content_type,
                    width=image.width,
                    height=image.height,
                    size=image.size,
                )
                for position, (name, image) in enumerate(zip(names, images, strict=True))
            ]
    except BaseException:
        for name in names:
            _delete_stored_file(name)
        raise


# An upload not attached to a post within this long is deleted (purge_unattached_media).
UNATTACHED_MEDIA_MAX_AGE = timedelta(hours=24)


def media_purge_unattached(*, older_than: timedelta) -> int:
    """Delete uploads never attached to a post and created more than ``older_than`` ago; returns how many.

    Rows go first, in batches, each in its own transaction; their files are
    deleted once that transaction commits, so a file is never missing under a
    row that still exists. Safe to run concurrently with itself and with posts
    claiming media: on PostgreSQL each batch is locked with ``SKIP LOCKED``, so
    rows another transaction holds (a post claiming them, another purge) are
    left for the next run, and a post that tries to claim a locked row waits
    and then finds it gone. SQLite runs write transactions one at a time.
    """
    cutoff = timezone.now() - older_than
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                Media.objects.filter(post__isnull=True, created_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .order_by("created_at", "pk")
                .values_list("pk", "file")[:PURGE_BATCH_SIZE]
            )
            if not batch:
                break
            # These rows are ours until commit (locked on PostgreSQL; SQLite runs one writer at a time),
            # so no post can claim one between the select and the delete.
            deleted, _ = Media.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
            transaction.on_commit(partial(stored_files_delete, [name for _, name in batch if name]))
        purged += deleted
        if len(batch) < PURGE_BATCH_SIZE:
            break
    return purged


def _check_counts_and_sizes(files: Sequence[UploadedFile]) -> None:
    """The cheap checks, from the declared sizes, before a single byte is decoded."""
    if not files:
        raise Invalid({"files": ["Upload at least one image."]}, code="required")
    if len(files) > MEDIA_UPLOAD_MAX_FILES:
        raise Invalid({"files": [f"Upload at most {MEDIA_UPLOAD_MAX_FILES} images at once."]}, code="max_length")
    if sum(file.size or 0 for file in files) > MEDIA_UPLOAD_MAX_TOTAL_BYTES:
        raise Invalid({"files": [total_too_large_message()]}, code="too_large")


def total_too_large_message() -> str:
    return f"The images together are larger than {MEDIA_UPLOAD_MAX_TOTAL_BYTES // (1024 * 1024)} MB."


def _process_all(files: Sequence[UploadedFile]) -> list[ProcessedImage]:
    """Every file re-encoded; an ``Invalid`` listing every bad one otherwise.

    The headers of all files are checked before any is decoded: the work a
    request may cause is bounded up front, not discovered one decode at a time.
    """
    opened = _each_or_errors(files, open_post_image)
    try:
        pixel_budget_check(opened)
    except InvalidImageError as exc:
        raise Invalid({"files": [exc.message]}, code=exc.code) from exc
    return _each_or_errors(opened, OpenedImage.process)


def _each_or_errors(items: Sequence[Item], step: Callable[[Item], Result]) -> list[Result]:
    results: list[Result] = []
    errors: list[str] = []
    for number, item in enumerate(items, start=1):
        try:
            results.append(step(item))
        except InvalidImageError as exc:
            errors.append(f"File {number}: {exc.message}")
    if errors:
        raise Invalid({"files": errors}, code="invalid_image")
    return results


def _file_field() -> FileField:
    field = Media._meta.get_field("file")
    assert isinstance(field, FileField)
    return field


def stored_files_delete(names: Sequence[str]) -> None:
    for name in names:
        _delete_stored_file(name)


def _delete_stored_file(name: str) -> None:
    # No row points at it any more; a file left behind costs a few KB, an error here would cost the request.
    try:
        _file_field().storage.delete(name)
    except Exception:
        logger.exception("Could not delete the media file %s from storage", name)
