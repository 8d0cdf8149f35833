from django.core.management.base import BaseCommand, CommandError

from plans.scale_data import DEFAULT_SIZE, ScaleDataExists, ScaleSize, generate_scale_data


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set at scale (programmes in flight today, with a year of "
        "history) for measuring pages and reports. See docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programmes", type=int, default=DEFAULT_SIZE.programmes)
        parser.add_argument(
            "--workstreams", type=int, default=DEFAULT_SIZE.workstreams, help="per programme"
        )
        parser.add_argument(
            "--milestones", type=int, default=DEFAULT_SIZE.milestones, help="per workstream"
        )
        parser.add_argument("--risks", type=int, default=DEFAULT_SIZE.risks, help="per programme")
        parser.add_argument(
            "--measures", type=int, default=DEFAULT_SIZE.measures, help="per programme"
        )
        parser.add_argument(
            "--months",
            type=int,
            default=DEFAULT_SIZE.months,
            help="each programme's length; it started two thirds of them ago",
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument(
            "--prefix", default="SCALE", help="programme references are <prefix>-<number>"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the data set with this prefix first, if it is there",
        )

    def handle(self, *args, **options):
        try:
            size = ScaleSize(
                programmes=options["programmes"],
                workstreams=options["workstreams"],
                milestones=options["milestones"],
                risks=options["risks"],
                measures=options["measures"],
                months=options["months"],
            )
            summary = generate_scale_data(
                size,
                seed=options["seed"],
                prefix=options["prefix"],
                replace=options["replace"],
                log=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except (ValueError, ScaleDataExists) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(summary.line())
