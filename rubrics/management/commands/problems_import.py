"""`manage.py problems_import`: add problems from YAML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from rubrics.services.content import ContentError, problems_import, yaml_read


class Command(BaseCommand):
    help = (
        "Import problems from YAML (the schema of rubrics/content/problems.yaml). New slugs are added; "
        "existing problems are kept unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The YAML file, e.g. one written by `manage.py problems_export`.")
        parser.add_argument("--replace", action="store_true", help="Bring existing problems in line with the file.")

    def handle(self, *args, file, replace=False, **options):
        path = Path(file)
        try:
            created, updated = problems_import(data=yaml_read(path), replace=replace)
        except ContentError as exc:
            raise CommandError(f"{path}: {exc.message}. Nothing was imported.") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Problems from {path}: {created} created, {updated} updated.")
