"""One run of generate_dataset: the stages in order, in one transaction."""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studies.demo.dataset.builder import Builder, Log, count_of
from studies.demo.dataset.fieldwork import make_observations, make_photos, make_rounds_and_visits
from studies.demo.dataset.households import make_households
from studies.demo.dataset.size import DatasetSize, DatasetSummary
from studies.demo.dataset.synthesis import make_insights, route_and_decide
from studies.demo.dataset.team import make_team_and_studies


def dataset_generate(
    *, size: DatasetSize, seed: int, log: Log, now: dt.datetime | None = None
) -> DatasetSummary:
    """Build the dataset in one transaction: all of it, or nothing."""
    builder = Builder(size=size, seed=seed, log=log, now=now or timezone.now())
    with transaction.atomic():
        _build(builder)
    # Freshly loaded tables have no statistics until autovacuum comes round; meanwhile the
    # planner takes each for a row or two and picks nested loops that run for seconds.
    # Every bulk load ends with ANALYZE.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    builder.progress(_("Database statistics brought up to date for the query planner."))
    return builder.summary()


def _build(builder: Builder) -> None:
    """Every stage in turn, each drawing on what the ones before it made."""
    builder.progress(
        _(
            "Generating %(households)s households, %(studies)s × %(rounds)s, "
            "%(observations)s observations, %(insights)s insights and %(photos)s photos."
        )
        % {
            "households": f"{builder.size.households:,}",
            "studies": count_of("study", builder.size.studies),
            "rounds": count_of("round", builder.size.rounds_per_study),
            "observations": f"{builder.size.observations:,}",
            "insights": f"{builder.size.insights:,}",
            "photos": f"{builder.size.photos:,}",
        }
    )
    make_team_and_studies(builder)
    make_households(builder)
    make_rounds_and_visits(builder)
    make_observations(builder)
    make_photos(builder)
    make_insights(builder)
    route_and_decide(builder)
