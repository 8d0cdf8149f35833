from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.export import export_plan
from programmes.models import Programme


class Command(BaseCommand):
    help = "Export a programme's plan to an Excel workbook in the format the import reads."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help="the programme's reference")
        parser.add_argument("file", help="where to write the .xlsx workbook")

    def handle(self, *args, **options):
        try:
            programme = Programme.objects.get(reference=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(f"There is no programme {options['programme']}") from None
        path = Path(options["file"])
        path.write_bytes(export_plan(programme))
        self.stdout.write(f"Wrote the plan of {programme.reference} to {path}")
