"""`manage.py load_content`: load the rubric and the problem bank from rubrics/content/."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from rubrics.services.content import content_load


class Command(BaseCommand):
    help = "Load the rubric and the problem bank from rubrics/content/. Existing rows are kept unless --replace."

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="Overwrite rows edited in the admin.")

    def handle(self, *args, replace=False, **options):
        try:
            result = content_load(replace=replace)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} Nothing was loaded.") from exc
        self.stdout.write(
            f"Rubric: {result['rubric']} ({'created' if result['rubric_created'] else 'already there'}); "
            f"problems: {result['problems_created']} created, {result['problems_updated']} updated."
        )
