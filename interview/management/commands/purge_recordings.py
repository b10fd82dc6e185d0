"""Delete recorded audio older than RECORDING_RETENTION_DAYS (also run hourly by Celery beat)."""

from django.core.management.base import BaseCommand

from interview.services import recordings_purge


class Command(BaseCommand):
    help = "Delete recorded audio older than RECORDING_RETENTION_DAYS."

    def handle(self, *args, **options):
        count = recordings_purge()
        self.stdout.write(f"Deleted {count} audio chunk(s).")
