from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from content.reference import SHIPPED, read_tickers_csv
from content.services.tickers import tickers_load
from core.commands import ServiceCommand


class Command(ServiceCommand):
    help = (
        "Load a reference list of listed symbols (UTF-8 CSV files with a `symbol,name` header; default: "
        "the list shipped in content/data/): each symbol gets a ticker row, marked listed, with "
        "the file's company name. Listed tickers show in search and trending at once; any other symbol only "
        "once TICKER_MIN_AUTHORS distinct members mention it. Symbols not in the file are left alone. "
        "Idempotent: run it again after the file changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="The CSV files to load.")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        files = files or list(SHIPPED)
        names: dict[str, str] = {}
        for file in files:
            try:
                names.update(read_tickers_csv(file))
            except (OSError, ValueError, UnicodeError) as exc:
                raise CommandError(str(exc)) from exc
        result = tickers_load(names=names)
        self.stdout.write(
            f"Loaded {result.symbols} symbols from {', '.join(file.name for file in files)}: {result.created} created, "
            f"{result.listed} newly listed, {result.renamed} renamed."
        )
