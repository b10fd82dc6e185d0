"""`manage.py rubric_import`: import a rubric version from YAML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from rubrics.selectors import rubric_active
from rubrics.services.content import ContentError, rubric_import, yaml_read


class Command(BaseCommand):
    help = (
        "Import a rubric version from YAML (the schema of rubrics/content/rubric.yaml). A version never "
        "changes once imported: the same content again is a no-op, different content needs a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The YAML file, e.g. one written by `manage.py rubric_export`.")
        parser.add_argument("--activate", action="store_true", help="Use this version for new interviews from now on.")

    def handle(self, *args, file, activate=False, **options):
        path = Path(file)
        try:
            rubric, created = rubric_import(data=yaml_read(path), activate=activate)
        except ContentError as exc:
            raise CommandError(f"{path}: {exc.message}. Nothing was imported.") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message if str(path) in exc.message else f"{path}: {exc.message}") from exc
        label = f"{rubric} ({rubric.slug} version {rubric.version})"
        if created:
            self.stdout.write(f"Imported {label} from {path}.")
        else:
            self.stdout.write(f"{label} is already there with the same content; nothing was imported.")
        if activate:
            self.stdout.write("It is now the active rubric: new interviews use it; earlier ones keep theirs.")
        elif created:
            active = rubric_active()
            using = f"new interviews still use {active}" if active else "no rubric is active"
            self.stdout.write(f"It is not active ({using}); run again with --activate to switch.")
