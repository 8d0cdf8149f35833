from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from plans.importer import import_plan
from programmes.models import Programme


class Command(BaseCommand):
    help = (
        "Import a plan workbook (.xlsx, in the format of the template) into a programme, all or "
        "nothing. With --dry-run, show what would be added and changed and write nothing. "
        "Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--programme", required=True, help="the programme's reference")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--create-people",
            action="store_true",
            help="add people the file names who are not known in the council yet",
        )
        parser.add_argument(
            "--rebaseline-reason",
            default="",
            help="the reason recorded for milestones whose due date (baseline) the file moves",
        )
        parser.add_argument(
            "--user", default="", help="username recorded in the history as making the changes"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file {path}")
        try:
            programme = Programme.objects.get(reference=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(f"There is no programme {options['programme']}") from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['user']}")
        result = import_plan(
            programme,
            path.read_bytes(),
            by=user,
            check_permission=False,  # an operator at the command line
            dry_run=options["dry_run"],
            create_people=options["create_people"],
            rebaseline_reason=options["rebaseline_reason"],
        )
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        if not result.is_ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result.problems)} problems: nothing was imported")
        heading = (
            "Dry run: nothing written. The import would make" if result.dry_run else "Imported"
        )
        self.stdout.write(f"{heading}: {result.created} added, {result.changed} changed.")
        for sheet in result.sheets:
            self.stdout.write(
                f"  {sheet.title}: {len(sheet.created)} added, {len(sheet.changed)} changed, "
                f"{sheet.unchanged} unchanged, {sheet.not_in_file} not in the file (left as they are)"
            )
            for label, columns in sheet.changed:
                self.stdout.write(f"    changed {label}: {', '.join(columns)}")
        if result.new_people:
            verb = "would add" if result.dry_run else "added"
            self.stdout.write(f"People {verb}: {'; '.join(result.new_people)}")
            if result.dry_run:
                self.stdout.write("  (run again with --create-people to add them)")
        if result.rebaselined:
            self.stdout.write(f"Re-baselined milestones: {len(result.rebaselined)}")
