from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from content.services.purge import deleted_content_purge
from core.commands import ServiceCommand

MAX_DAYS = 36500


class Command(ServiceCommand):
    help = (
        "Delete for good the posts and comments soft-deleted more than --days ago, with what hangs on them "
        "(comments, likes, reposts, bookmarks, polls, reports, media rows and files). A deleted comment that "
        "still has replies is kept, its text erased, until they go. Idempotent and safe to run from cron at "
        "any frequency, also while another run is still going."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days: content deleted longer ago than this goes "
            "(default: the CONTENT_RETENTION_DAYS setting, 30 unless set; at least 1).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would go; delete nothing.")

    def handle(self, *args: Any, days: int | None, dry_run: bool, **options: Any) -> None:
        if days is None:
            days = settings.CONTENT_RETENTION_DAYS
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}: a deletion is final once purged.")
        cutoff = timezone.now() - timedelta(days=days)
        result = deleted_content_purge(older_than=cutoff, dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        kept = f"; {result.comments_kept} deleted comments kept for their replies" if result.comments_kept else ""
        self.stdout.write(
            f"{verb} {result.posts} posts, {result.comments} comments, {result.media_files} media files "
            f"(older than {days} days: deleted before {cutoff:%Y-%m-%d %H:%M} UTC){kept}."
        )
