"""`manage.py problems_export`: write problems as YAML."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rubrics.models import Problem
from rubrics.selectors.content import problems_as_data
from rubrics.services.content import yaml_dump


class Command(BaseCommand):
    help = "Write the problem bank (or some problems of it) as YAML, in the schema of rubrics/content/problems.yaml."

    def add_arguments(self, parser):
        parser.add_argument("--slug", action="append", dest="slugs", help="Only this problem (repeatable).")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slugs=None, output=None, **options):
        problems = Problem.objects.all()
        if slugs:
            problems = problems.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - set(problems.values_list("slug", flat=True)))
            if unknown:
                raise CommandError(f"There is no problem '{unknown[0]}'.")
        data = problems_as_data(problems=problems)
        text = yaml_dump(data)
        if output is None:
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {len(data['problems'])} problems to {output}.")
