"""`manage.py rubric_export`: write one rubric version as YAML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rubrics.models import Rubric
from rubrics.selectors.content import rubric_as_data, rubric_get, rubric_versions
from rubrics.services.content import yaml_dump


class Command(BaseCommand):
    help = (
        "Write one rubric version as YAML, in the schema of rubrics/content/rubric.yaml. "
        "Without --slug: the active rubric; with --slug but no --version: its newest version."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the rubric version here, not Django's (which `manage.py version` prints).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--slug", help="The rubric's slug, e.g. mle-system-design.")
        parser.add_argument("--version", type=int, help="The version number (default: the newest).")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slug=None, version=None, output=None, **options):
        try:
            rubric = rubric_get(slug=slug, version=version)
        except Rubric.DoesNotExist as exc:
            raise CommandError(self._not_found(slug, version)) from exc
        text = yaml_dump(rubric_as_data(rubric=rubric))
        if output is None:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {rubric} ({rubric.slug} version {rubric.version}) to {output}.")

    @staticmethod
    def _not_found(slug, version) -> str:
        if slug is None:
            slugs = sorted(set(Rubric.objects.values_list("slug", flat=True)))
            if not slugs:
                return "There are no rubrics yet: run `manage.py load_content` or `manage.py rubric_import FILE`."
            return f"No rubric is active; name one with --slug ({', '.join(slugs)})."
        versions = rubric_versions(slug=slug)
        if not versions:
            return f"There is no rubric '{slug}'."
        return f"Rubric '{slug}' has no version {version} (versions: {', '.join(map(str, versions))})."
