from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser

from content.services.media import UNATTACHED_MEDIA_MAX_AGE, media_purge_unattached
from core.commands import ServiceCommand


class Command(ServiceCommand):
    help = (
        "Delete uploaded media (rows and stored files) never attached to a post within --hours of upload. "
        "Idempotent and safe to run from cron at any frequency, also while another run is still going."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=UNATTACHED_MEDIA_MAX_AGE // timedelta(hours=1),
            help="Age in hours after which an unattached upload is deleted (default %(default)s, at least 1).",
        )

    def handle(self, *args: Any, hours: int, **options: Any) -> None:
        if hours < 1:
            raise CommandError("--hours must be at least 1: a younger upload may belong to a post being written.")
        purged = media_purge_unattached(older_than=timedelta(hours=hours))
        self.stdout.write(f"Purged {purged} unattached media older than {hours} hours.")
