"""python manage.py generate_reports --period 2026-10 [--programme REF] [--kind highlight|exception]

Makes a period's reports as the monthly schedule does (the highlight report, and the
exception report where there are exceptions), for every active programme or one. Each report
is queued for the Celery worker (`make run` starts one); with CELERY_EAGER=true it is made at
once, in this process.
Running it twice makes nothing new unless --again is given.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programmes.choices import ProgrammeStatus
from programmes.models import Programme, ReportingPeriod
from reporting.models import ReportKind, ReportRun, RunTrigger
from reporting.services import create_run, make_reports_for


class Command(BaseCommand):
    help = "Make a period's highlight and exception reports, as the monthly schedule does."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM")
        parser.add_argument("--programme", help="One programme's reference (default: all active)")
        parser.add_argument("--kind", choices=ReportKind.values, help="Only this report")
        parser.add_argument("--again", action="store_true", help="Make new versions even if made")
        parser.add_argument("--reason", default="", help="Why, when the latest version is locked")

    def handle(self, *args, **options):
        try:
            month = date.fromisoformat(f"{options['period']}-01")
        except ValueError:
            raise CommandError(
                f"--period must be a month like 2026-10, not {options['period']!r}"
            ) from None
        programmes = Programme.objects.filter(status=ProgrammeStatus.ACTIVE)
        if options["programme"]:
            programmes = Programme.objects.filter(reference=options["programme"])
            if not programmes.exists():
                raise CommandError(f"No programme has the reference {options['programme']!r}")
        kinds = [options["kind"]] if options["kind"] else None
        made = []
        for programme in programmes.order_by("reference"):
            period = ReportingPeriod.objects.filter(programme=programme, month=month).first()
            if period is None:
                self.stdout.write(f"{programme.reference}: no reporting period for {month:%B %Y}")
                continue
            if options["again"]:
                for kind in kinds or [ReportKind.HIGHLIGHT, ReportKind.EXCEPTION]:
                    try:
                        made.append(
                            create_run(
                                programme,
                                period,
                                kind,
                                trigger=RunTrigger.COMMAND,
                                reason=options["reason"],
                            )
                        )
                    except ValidationError as error:
                        raise CommandError(" ".join(error.messages)) from None
            else:
                made.extend(
                    make_reports_for(programme, period, trigger=RunTrigger.COMMAND, kinds=kinds)
                )
        for run in ReportRun.objects.filter(pk__in=[run.pk for run in made]).select_related(
            "programme", "period"
        ):
            line = f"{run.programme.reference}: {run.get_kind_display()} for {run.period.label}, version {run.version}: {run.get_status_display()}"
            if run.error:
                line += f" ({run.error})"
            self.stdout.write(line)
        if not made:
            self.stdout.write("Nothing new to make.")
