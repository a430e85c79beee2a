"""`manage.py generate_dataset`: a large, realistic, seeded dataset for benchmarks."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from studies.demo.content import PASSWORD
from studies.demo.dataset import (
    DatasetSize,
    database_has_data,
    dataset_generate,
    dataset_reset,
    webhooks_listening,
)

DEFAULT = DatasetSize()


class Command(BaseCommand):
    help = _(
        "Generate a large, realistic dataset with bulk inserts: households with consents, "
        "studies with rounds and visits, observations with tags, photos, insights with "
        "evidence, routed to the boards. The same seed gives the same data. Refuses a "
        "database that already holds studies or households unless --reset is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        counts = [
            ("households", DEFAULT.households, _("households, shared out over the studies")),
            ("studies", DEFAULT.studies, _("studies")),
            ("rounds-per-study", DEFAULT.rounds_per_study, _("quarterly rounds in each study")),
            ("observations", DEFAULT.observations, _("observations")),
            ("insights", DEFAULT.insights, _("insights")),
            ("photos", DEFAULT.photos, _("photos")),
        ]
        for name, default, what in counts:
            parser.add_argument(
                f"--{name}",
                type=int,
                default=default,
                help=_("How many %(what)s (default %(default)s).")
                % {"what": what, "default": default},
            )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_(
                "Multiply households, observations, insights and photos by this factor, "
                "e.g. 0.1 for a tenth of the data in the same studies and rounds."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=_("Random seed: the same seed, the same data.")
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "First delete EVERY study, household, observation, photo record and insight "
                "in the database, not only generated ones, and the generated users."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError(_("--scale must be a positive number."))
        size = DatasetSize(
            households=options["households"],
            studies=options["studies"],
            rounds_per_study=options["rounds_per_study"],
            observations=options["observations"],
            insights=options["insights"],
            photos=options["photos"],
        ).scaled(options["scale"])
        if problems := size.problems():
            raise CommandError(" ".join(problems))
        if hooks := webhooks_listening():
            raise CommandError(
                _(
                    "%(count)d active webhooks would be sent an event for every generated "
                    "card. Deactivate them first."
                )
                % {"count": hooks}
            )
        log = self._progress if options["verbosity"] > 0 else _quiet
        if database_has_data():
            if not options["reset"]:
                raise CommandError(
                    _(
                        "This database already holds studies or households. Use an empty "
                        "database, or add --reset to delete all of them first."
                    )
                )
            dataset_reset(log=log)
        summary = dataset_generate(size=size, seed=options["seed"], log=log)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Dataset generated in %(seconds).1f s.") % {"seconds": summary.seconds}
            )
        )
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label:<20} {count:>9,}")
        self.stdout.write(
            _("Sign in as %(users)s (password %(password)s) to see every study.")
            % {"users": ", ".join(summary.logins), "password": PASSWORD}
        )

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()


def _quiet(line: str) -> None:
    """Progress goes nowhere at --verbosity 0."""
