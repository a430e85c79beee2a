"""What every stage of a build shares: the seeded generator, what earlier stages made (for
later ones to draw on without reading it back), and the bulk writes."""

import datetime as dt
import random
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.utils.translation import ngettext

from studies.common.models import User
from studies.demo.dataset.people import Profile
from studies.demo.dataset.size import DatasetSize, DatasetSummary
from studies.fieldwork.models import Tag
from studies.scheduling.models import Cadence, Round, Study
from studies.scheduling.periods import period_containing
from studies.synthesis.models import Insight

Log = Callable[[str], None]

USERNAME_PREFIX = "dataset-"
# Rows per INSERT statement, and rows between two progress lines.
BATCH_SIZE = 2000
PROGRESS_EVERY = 20_000
TIME_ZONE = "Europe/London"


@dataclass(frozen=True)
class Member:
    """A household on a study's panel, with what it consented to."""

    id: uuid.UUID
    profile: Profile
    photos: bool
    marketing_now: bool  # marketing consent still in force today
    leaves: bool  # withdraws everything after the second round
    anchor: bool  # the first of its panel: consents to everything, never misses a visit


@dataclass
class VisitRecord:
    id: uuid.UUID
    study: int
    round: Round
    member: Member
    researcher_id: int
    start: dt.datetime
    completed: bool


@dataclass
class ObservationRecord:
    id: uuid.UUID
    visit: VisitRecord
    kind: str
    captured_at: dt.datetime
    tags: tuple[str, ...]
    drawing: str | None  # the demo drawing that fits a note taken from the demo


@dataclass
class PhotoRecord:
    id: uuid.UUID
    visit: VisitRecord
    captured_at: dt.datetime


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: dict[object, Sequence[object]]
) -> None:
    """Set `fields` of each row (by primary key) to its values, a thousand rows a statement.

    bulk_update writes a CASE branch per row and field, which Django takes longer to build
    and the database longer to run than the inserts themselves; UPDATE … FROM (VALUES …)
    is one join. Both PostgreSQL and SQLite name the VALUES columns column1, column2, ….
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(
        f"{quote(column.column)} = v.column{index + 2}" for index, column in enumerate(columns)
    )
    row_placeholder = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    items = list(rows.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), 1000):
            chunk = items[start : start + 1000]
            params = [
                prepared
                for key, values in chunk
                for prepared in (
                    pk.get_db_prep_value(key, connection),
                    *(
                        column.get_db_prep_value(value, connection)
                        for column, value in zip(columns, values, strict=True)
                    ),
                )
            ]
            # Identifiers come from the model's meta, every value is a parameter.
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row_placeholder] * len(chunk))}) AS v "
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )


def count_of(noun: str, count: int) -> str:
    """“1 study”, “10 studies”: the few nouns progress lines count that may be one."""
    forms = {
        "study": ngettext("%(count)d study", "%(count)d studies", count),
        "round": ngettext("%(count)d round", "%(count)d rounds", count),
        "panel": ngettext("%(count)d panel", "%(count)d panels", count),
    }
    return forms[noun] % {"count": count}


def split_evenly(total: int, parts: int) -> list[int]:
    """`total` shared out as evenly as whole numbers allow, the larger shares first."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


class Builder:
    def __init__(self, *, size: DatasetSize, seed: int, log: Log, now: dt.datetime) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.log = log
        self.now = now
        self.zone = zoneinfo.ZoneInfo(TIME_ZONE)
        self.started = time.monotonic()
        self.counts: Counter[str] = Counter()
        self.periods = self._periods()
        self.users: dict[str, list[User]] = {}
        self.studies: list[Study] = []
        self.questions: list[list[uuid.UUID]] = []  # per study
        self.tags: list[dict[str, Tag]] = []  # per study, by name
        self.panels: list[list[Member]] = []  # per study
        self.guides: dict[uuid.UUID, list[uuid.UUID]] = {}  # guide question ids, by round
        self.wording: dict[uuid.UUID, str] = {}  # each guide question's text, by id
        self.visits: list[VisitRecord] = []
        self.observations: list[ObservationRecord] = []
        self.photos: list[PhotoRecord] = []
        self.photos_of: dict[uuid.UUID, list[PhotoRecord]] = defaultdict(list)  # by observation
        self.insights: list[Insight] = []
        self.quotes_of: dict[uuid.UUID, list[ObservationRecord]] = {}  # quote evidence, by insight
        self.made_at: dict[uuid.UUID, dt.datetime] = {}  # when each insight was made

    def uuid(self) -> uuid.UUID:
        # From the seeded generator too, so a rerun makes the same rows with the same ids.
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def progress(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:6.1f} s] {message}")

    def insert(self, model: type[models.Model], rows: Sequence[models.Model], label: str) -> None:
        for start in range(0, len(rows), PROGRESS_EVERY):
            model.objects.bulk_create(rows[start : start + PROGRESS_EVERY], batch_size=BATCH_SIZE)
            if len(rows) > PROGRESS_EVERY:
                done = min(start + PROGRESS_EVERY, len(rows))
                self.progress(f"  {label}: {done:,} / {len(rows):,}")
        self.counts[label] += len(rows)

    def _periods(self) -> list:
        """The quarters before the current one, oldest first: one per round."""
        periods = [period_containing(Cadence.QUARTERLY, self.now.astimezone(self.zone).date())]
        for _round in range(self.size.rounds_per_study):
            previous = periods[0].start - dt.timedelta(days=1)
            periods.insert(0, period_containing(Cadence.QUARTERLY, previous))
        return periods[:-1]

    def summary(self) -> DatasetSummary:
        return DatasetSummary(
            counts=dict(self.counts),
            seconds=time.monotonic() - self.started,
            logins=[
                user.username for role in ("product", "marketing") for user in self.users[role]
            ],
        )

    def study_researchers(self, index: int) -> list[User]:
        """Three researchers per study, each shared with the neighbouring studies."""
        researchers = self.users["researcher"]
        return [researchers[(2 * index + offset) % len(researchers)] for offset in range(3)]

    def study_synthesisers(self, index: int) -> list[User]:
        return [self.users["lead"][index % len(self.users["lead"])], *self.study_researchers(index)]
