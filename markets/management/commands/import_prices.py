from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from core.errors import Invalid
from markets.importer import prices_import


class Command(ServiceCommand):
    help = (
        "Import daily price bars from CSV files with the header symbol,date,open,high,low,close,adj_close,volume "
        "(adj_close and volume may be empty). A bar replaces the stored bar of its symbol and date; an unchanged "
        "bar is left as it was. Each file is imported all or nothing: a bad row is reported by file and line and "
        "nothing from that file is written, while the other files still load. Exits non-zero if any file failed. "
        "Idempotent: importing a file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="The CSV files to import.")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        failed = 0
        for path in files:
            started = time.monotonic()
            try:
                result = prices_import(path=path)
            except Invalid as error:
                failed += 1
                for message in error.messages():
                    self.stderr.write(message)
                self.stderr.write(f"{path.name}: not imported, nothing from it was written.")
                continue
            counts = result.counts
            self.stdout.write(
                f"{path.name}: {result.rows:,} rows read, {counts.new:,} bars new, {counts.changed:,} changed, "
                f"{counts.unchanged:,} unchanged ({result.symbols:,} symbols) in {time.monotonic() - started:.1f}s."
            )
        if failed:
            raise CommandError(f"{failed} of {len(files)} files not imported (see above).")
