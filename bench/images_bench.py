#!/usr/bin/env python
"""Time and peak memory of ``media_upload`` (the POST media/upload service) for hostile and legitimate images.

    DATABASE_URL=sqlite:////tmp/images_bench.sqlite3 .venv/bin/python bench/images_bench.py [--runs 3]

The database must be migrated (``manage.py migrate``); nothing is left in it (each call
runs in a transaction that is rolled back) and files go to a temporary folder.
Each scenario runs in a fresh child process, so scenarios do not inherit each other's
memory: wall and CPU time of ``media_upload`` (medians of ``--runs``; CPU time is the
steadier on a shared machine), its peak RSS above the process's own before the call
(``ru_maxrss``), and that base. The images are made once, before any timing.

Scenarios: the attack reported in issue 10 (four palette PNGs with a transparent colour,
6324 x 6324 = 40 MP each, a few KB apiece), the same at the new per-image limit (4898 x 4898),
the worst upload the budget still accepts (two of those), and what people really post:
phone photos (4032 x 3024), camera photos (6000 x 4000) and a large transparent PNG.
Run it on the old code too (``git stash``) for the before figures.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django_setup import django_setup
from PIL import Image

CACHE = Path(tempfile.gettempdir()) / "pageshare-images-bench"


def _palette_png(side: int) -> bytes:
    image = Image.new("P", (side, side))
    image.putpalette([0, 0, 0, 255, 0, 0] * 128)
    return _encode(image, "PNG", transparency=0)


def _photo(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB") -> bytes:
    """Smooth gradients in every channel: realistic file sizes, unlike noise or a flat colour."""
    bands = [Image.linear_gradient("L").rotate(angle).resize((width, height)) for angle in (0, 90, 45, 135)]
    return _encode(Image.merge(mode, bands[: len(mode)]), fmt, quality=90)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


SCENARIOS = {
    "attack: 4 palette PNGs 6324x6324 (40 MP each)": lambda: [_palette_png(6324)] * 4,
    "attack at the new limit: 4 palette PNGs 4898x4898": lambda: [_palette_png(4898)] * 4,
    "worst accepted: 2 palette PNGs 4898x4898": lambda: [_palette_png(4898)] * 2,
    "legit: 4 phone JPEGs 4032x3024": lambda: [_photo(4032, 3024)] * 4,
    "legit: 4 camera JPEGs 6000x4000": lambda: [_photo(6000, 4000)] * 4,
    "legit: 1 transparent PNG 4898x4898": lambda: [_photo(4898, 4898, "PNG", "RGBA")],
}


def _make_files() -> None:
    for index, make in enumerate(SCENARIOS.values()):
        folder = CACHE / str(index)
        if not folder.exists():
            folder.mkdir(parents=True)
            for number, data in enumerate(make()):
                (folder / f"{number}.img").write_bytes(data)


def _files(index: int) -> list[Path]:
    return sorted((CACHE / str(index)).iterdir())


def _child(index: int) -> None:
    """One upload of scenario ``index``; prints seconds, peak RSS growth in MB, and the outcome."""
    django_setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from accounts.models import User
    from content.services.media import media_upload
    from core.errors import Invalid

    settings.STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="images-bench-")},
    }
    files = [SimpleUploadedFile(path.name, path.read_bytes()) for path in _files(index)]
    with transaction.atomic():
        owner = User.objects.create_user(email="bench@images.invalid", username="images_bench")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        started = time.perf_counter()
        try:
            media = media_upload(owner=owner, files=files)
            outcome = f"201, {len(media)} stored"
        except Invalid as exc:
            outcome = f"400 {str(exc)[:60]}"
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu
        transaction.set_rollback(True)
    print(f"{elapsed:.3f}\t{cpu:.3f}\t{(peak - before) / 1024:.0f}\t{before / 1024:.0f}\t{outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Child processes per scenario (default 3).")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        _make_files()
        return
    if args.child is not None:
        _child(args.child)
        return
    # Made in a child too: Linux hands a process's peak RSS down to the children it starts.
    subprocess.run([sys.executable, __file__, "--make"], check=True)
    print(f"{'scenario':<52} {'bytes':>9} {'wall s':>6} {'cpu s':>6} {'peak MB':>7} {'base MB':>7}  outcome")
    for index, name in enumerate(SCENARIOS):
        size = sum(path.stat().st_size for path in _files(index))
        runs = [
            subprocess.run(
                [sys.executable, __file__, "--child", str(index)], check=True, capture_output=True, text=True
            ).stdout.strip()
            for _ in range(args.runs)
        ]
        columns = [run.split("\t") for run in runs]
        seconds = statistics.median(float(column[0]) for column in columns)
        cpu = statistics.median(float(column[1]) for column in columns)
        peak = max(int(column[2]) for column in columns)
        base = max(int(column[3]) for column in columns)
        outcome = columns[0][4][:60]
        print(f"{name:<52} {size:>9,} {seconds:>6.2f} {cpu:>6.2f} {peak:>7} {base:>7}  {outcome}")


if __name__ == "__main__":
    main()
