"""A large, realistic dataset for benchmarks and load tests: `manage.py generate_dataset`.

Unlike the demo workspace (seed.py), which goes through the services one row at a time,
this builds tens of thousands of rows with bulk inserts, so the full size (2,000
households, 100,000 observations, 10,000 insights, 20,000 photos) takes minutes, not hours.
It writes what the services would have written, and nothing they would refuse: consent
before photos, one visit per household per round, evidence from the insight's own study,
denormalised insight counts that match a recount. Routing goes through the real service.

Everything is drawn from one seeded random generator, ids included (but for the cards and
events routing makes), so the same seed gives the same rows on the same day. Dates are
anchored on the current quarter: rounds are the quarters before it, so on another day the
dates move with the calendar.
"""

import datetime as dt
import hashlib
import math
import random
import time
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.models import User
from studies.common.roles import Role
from studies.demo import content
from studies.demo.photos import render_jpeg
from studies.fieldwork import images
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoUpload,
    SyncConflict,
    SyncOperation,
    Tag,
)
from studies.fieldwork.services.photos import OUTPUT_FIELDS, put_exactly
from studies.scheduling.models import (
    Availability,
    Cadence,
    CalendarFeed,
    Consent,
    ConsentKind,
    Enrolment,
    GuideQuestion,
    Household,
    HouseholdContact,
    ResearchQuestion,
    Round,
    Study,
    StudyMembership,
    StudyStatus,
    Visit,
    VisitChange,
    VisitStatus,
)
from studies.scheduling.periods import period_containing
from studies.scheduling.planner import working_days
from studies.synthesis.models import (
    Board,
    BoardCard,
    BoardKind,
    CardEvent,
    Column,
    Comment,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
    RoutingRule,
    Webhook,
)
from studies.synthesis.services.routing import insights_route

Log = Callable[[str], None]

USERNAME_PREFIX = "dataset-"
# Rows per INSERT statement, and rows between two progress lines.
BATCH_SIZE = 2000
PROGRESS_EVERY = 20_000
TIME_ZONE = "Europe/London"
PHOTO_FOLDER = "dataset-photos"


@dataclass(frozen=True)
class DatasetSize:
    households: int = 2000
    studies: int = 10
    rounds_per_study: int = 4
    observations: int = 100_000
    insights: int = 10_000
    photos: int = 20_000

    def scaled(self, factor: float) -> "DatasetSize":
        """Households, observations, insights and photos times `factor`; studies and
        rounds stay, so a smaller dataset has the same shape with less in it."""
        return replace(
            self,
            households=max(1, round(self.households * factor)),
            observations=round(self.observations * factor),
            insights=round(self.insights * factor),
            photos=round(self.photos * factor),
        )

    def problems(self) -> list[str]:
        """What makes this size impossible to build, in words; empty when it is fine."""
        problems = []
        if self.studies < 1 or self.rounds_per_study < 1:
            problems.append(_("A dataset needs at least one study with at least one round."))
        if min(self.households, self.observations, self.insights, self.photos) < 0:
            problems.append(_("Counts cannot be negative."))
        if self.households < self.studies:
            problems.append(
                _("Each study needs a household: ask for at least %(count)d households.")
                % {"count": self.studies}
            )
        if self.insights and self.observations < 2 * self.studies:
            problems.append(
                _("Insights need two observations each in every study: ask for at least %(count)d.")
                % {"count": 2 * self.studies}
            )
        return problems


@dataclass
class DatasetSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: list[str] = field(default_factory=list)


# --- Who lives in the households --------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    size: int
    children: int
    life_stage: str
    phrase: str  # how quotes are attributed, before the region
    speakers: tuple[str, ...]
    weight: int


PROFILES = [
    _Profile(5, 3, "", "parent of three", ("mother, 40s", "father, 40s", "son, 16"), 12),
    _Profile(4, 2, "", "parent of two", ("mother, 30s", "father, 30s", "daughter, 9"), 20),
    _Profile(3, 1, "new parents", "new parent", ("mother, 30s", "father, 30s"), 8),
    _Profile(3, 2, "single parent", "single parent of two", ("mother, 40s", "son, 14"), 8),
    _Profile(2, 0, "retired", "retired couple", ("wife, 70s", "husband, 70s"), 12),
    _Profile(2, 0, "empty nest", "empty-nester", ("wife, 50s", "husband, 60s"), 8),
    _Profile(1, 0, "", "lives alone", ("resident, 30s", "resident, 60s"), 12),
    _Profile(4, 0, "flatshare", "flatsharer", ("flatmate, 20s", "flatmate, 30s"), 8),
    _Profile(
        6,
        2,
        "multigenerational",
        "multigenerational household",
        ("grandmother, 70s", "mother, 40s", "daughter, 20s"),
        6,
    ),
    _Profile(2, 0, "young couple", "young couple", ("partner, 20s", "partner, 30s"), 6),
]
REGIONS = ["urban", "suburban", "rural"]
FIRST_NAMES = [
    "Joanna", "Maureen", "Sunita", "Tom", "Claire", "Harpreet", "Ellie", "Marcus", "Gemma",
    "Carys", "Hilary", "Nadia", "Owen", "Priya", "Declan", "Ruth", "Kwame", "Isla", "Tariq",
    "Bethan", "Graham", "Aisha", "Lewis", "Fiona", "Mehmet", "Rosa", "Callum", "Yasmin",
]  # fmt: skip
LAST_NAMES = [
    "Pike", "Hollis", "Rao", "Achterberg", "Whitlow", "Kaur", "Marsh", "Bell", "Lloyd",
    "Price", "Ashdown", "Qureshi", "Doyle", "Mensah", "Patel", "Kowalski", "Evans", "Byrne",
    "Okoro", "Fraser", "Hughes", "Nguyen", "Walsh", "Demir", "Sutton", "Ferreira",
]  # fmt: skip
STREETS = [
    "Larch Avenue", "Canal Street", "Beech Close", "Station Road", "Quayside", "Mill Lane",
    "Hill Road", "The Crescent", "Foxglove Way", "Weaver's Row", "Orchard Rise", "Tannery Court",
]  # fmt: skip
TOWNS = ["Millbrook", "Easthaven", "Westley", "Lower Fenby", "Upper Fenby", "Ashcombe"]

# --- The studies and what researchers saw -----------------------------------------------------

STUDY_TOPICS = [
    (content.STUDY_TITLE, "how families store, track and use up food at home"),
    ("Leftovers after the evening meal", "what happens to food left over after dinner"),
    ("What lives in the freezer", "how households fill, search and empty their freezers"),
    ("Packed lunches and school mornings", "how lunches are packed, stored and eaten"),
    ("The weekly shop, from trolley to shelf", "where a week's shopping goes when it gets home"),
    ("Shared kitchens in flatshares", "how people who share a fridge share its food"),
    ("Cooking for one", "how people who live alone buy, cook and store food"),
    ("Batch cooking and meal prep", "how households cook once to eat several times"),
    ("Growing, preserving and gluts", "what households do with more food than they can eat"),
    ("Older households and the kitchen", "how retired households keep food as routines change"),
]

# (text, tags); the tags are the names of content.GROUP_TAGS and content.STUDY_TAGS.
Fragment = tuple[str, tuple[str, ...]]

# Who a note is about, from the role in a speaker ("mother, 40s" → "The mother").
NOTE_SUBJECTS = {
    "mother": "The mother", "father": "The father", "son": "The son",
    "daughter": "The daughter", "wife": "The wife", "husband": "The husband",
    "grandmother": "The grandmother", "flatmate": "One flatmate", "resident": "The resident",
    "partner": "One partner",
}  # fmt: skip
NOTE_HABITS: list[Fragment] = [
    ("keeps leftover curry in reused takeaway tubs on the middle shelf",
     ("Takeaway tubs", "Workaround")),
    ("freezes bread in slices so single pieces go straight into the toaster", ("Workaround",)),
    ("stacks batch-cooked chilli in foil trays at the bottom of the chest freezer",
     ("Batch cooking", "Freezer blind spot")),
    ("writes the date on every freezer bag with a marker kept in the cutlery drawer",
     ("Labels and dates",)),
    ("leaves opened jars of pesto and curry paste on the door shelf with no date on them",
     ("Food waste", "Labels and dates")),
    ("moves anything close to its date into a basket at eye level",
     ("Use-it-first", "Delight")),
    ("rolls over the top of open crisp packets and clips them with clothes pegs",
     ("Eating from the packet", "Workaround")),
    ("keeps a shelf of the fridge marked with masking tape for each flatmate",
     ("Shared fridge rules", "Labels and dates")),
    ("portions a family pack of mince into four bags the evening it is bought",
     ("Batch cooking",)),
    ("puts cooked rice into whatever bowl is clean and covers it with a plate",
     ("Workaround", "Pain point")),
    ("keeps salad bags in the bottom drawer, where they are usually forgotten",
     ("Food waste", "Pain point")),
    ("saves ice-cream tubs for soup, which then looks like ice cream in the freezer",
     ("Freezer blind spot", "Takeaway tubs")),
    ("keeps a list of the freezer's contents on the fridge door and crosses items off",
     ("Freezer blind spot", "Workaround")),
    ("eats cereal straight from the box, standing at the counter",
     ("Eating from the packet",)),
    ("cooks double on Sundays and writes the weekday on each lunch box",
     ("Batch cooking", "Labels and dates", "Delight")),
    ("buys yoghurt multipacks that end up at the back, behind the milk",
     ("Food waste", "Use-it-first")),
    ("keeps half-used tins in the fridge with foil pressed over the top",
     ("Workaround", "Pain point")),
    ("hides the good cheese in the salad drawer so nobody else finds it",
     ("Shared fridge rules", "Workaround")),
    ("decants rice and pasta into tall jars with flip lids",
     ("Delight", "Workaround")),
    ("freezes purée in ice-cube trays and pops the cubes into a dated bag",
     ("Batch cooking", "Labels and dates")),
    ("keeps a second fridge in the garage for drinks and overflow",
     ("Workaround", "Freezer blind spot")),
    ("photographs the fridge before leaving for the supermarket",
     ("Workaround", "Feature idea")),
]  # fmt: skip
NOTE_OUTCOMES: list[Fragment] = [
    ("nobody else in the house knows how the system works", ("Unmet need",)),
    ("the lids rarely match the bases", ("Takeaway tubs", "Pain point")),
    ("it works only as long as one person keeps it up", ("Pain point",)),
    ("about half of it is thrown away by the end of the week", ("Food waste",)),
    ("the children now look there first", ("Delight", "Use-it-first")),
    ("they asked whether a container could show how old its contents are",
     ("Feature idea",)),
    ("it has been that way for years", ()),
    ("the bottom layer has not been seen for months", ("Freezer blind spot",)),
    ("they said they would pay for something that did it for them",
     ("Feature idea", "Unmet need")),
    ("they laughed about it, but it costs them every week", ("Pain point",)),
    ("it is the one part of the kitchen everyone agrees on", ("Delight",)),
    ("nothing on that shelf carries a date", ("Labels and dates", "Unmet need")),
    ("two of the tubs held the same soup, frozen a month apart", ("Freezer blind spot",)),
    ("the rest of the household ignores it", ("Shared fridge rules", "Pain point")),
]  # fmt: skip
_GROUP_NAMES = {tag.name for tag in content.GROUP_TAGS}
# An outcome follows a habit when it is about the same topic, or about none in particular.
_OUTCOMES_FOR = {
    habit: [
        outcome
        for outcome in NOTE_OUTCOMES
        if not (topics := set(outcome[1]) - _GROUP_NAMES) or topics & set(habit_tags)
    ]
    for habit, habit_tags in NOTE_HABITS
}
QUOTE_CORES: list[Fragment] = [
    ("I never know what's in the freezer until I've defrosted it.",
     ("Freezer blind spot", "Quote-worthy")),
    ("If I can't see it, it doesn't get eaten.", ("Use-it-first", "Quote-worthy")),
    ("We've got thirty tubs and four lids.", ("Takeaway tubs", "Pain point", "Quote-worthy")),
    ("The back of the fridge is where food goes to die.", ("Food waste", "Quote-worthy")),
    ("Sunday cooking saves my whole week.", ("Batch cooking", "Delight", "Quote-worthy")),
    ("I'd love a fridge that told me what's about to go off.",
     ("Feature idea", "Unmet need", "Quote-worthy")),
    ("Everyone says they'll eat the leftovers, and then nobody does.",
     ("Food waste", "Pain point")),
    ("I write the date on everything now. The kids think I've gone mad.",
     ("Labels and dates", "Delight", "Quote-worthy")),
    ("Whoever finishes the milk never buys the milk.",
     ("Shared fridge rules", "Quote-worthy")),
    ("It's quicker to eat it from the bag than to find a clean bowl.",
     ("Eating from the packet", "Quote-worthy")),
    ("Buying big only saves money if you remember you bought it.",
     ("Food waste", "Quote-worthy")),
    ("I need one hand for the lid; the other one is holding the baby.",
     ("Feature idea", "Quote-worthy")),
    ("Friday is fridge forage night: whatever's left, we eat.",
     ("Use-it-first", "Delight", "Quote-worthy")),
    ("My mum knows where everything is. When she's away, we're lost.",
     ("Unmet need", "Quote-worthy")),
    ("The freezer is a time capsule.", ("Freezer blind spot", "Quote-worthy")),
    ("I'd buy more fresh food if it came in portions for one.",
     ("Unmet need", "Quote-worthy")),
    ("Clear tubs get eaten. Foil ones get forgotten.",
     ("Takeaway tubs", "Use-it-first", "Quote-worthy")),
    ("The apps want me to type in every tin of tomatoes. I'm not doing that.",
     ("Pain point", "Feature idea")),
    ("There's a cold war over the oat milk.", ("Shared fridge rules", "Quote-worthy")),
    ("Half a bag of spinach goes in the bin every single week.", ("Food waste", "Pain point")),
    ("The jars with dates on get used. The others just sit there.",
     ("Labels and dates", "Use-it-first")),
    ("Cooking once and eating three times is the only way I manage.",
     ("Batch cooking", "Delight")),
    ("If the lid clicked shut with one hand I'd buy a whole set.",
     ("Feature idea", "Takeaway tubs", "Quote-worthy")),
    ("Nobody closes the cereal, so it all goes soft.", ("Eating from the packet", "Pain point")),
]  # fmt: skip
QUOTE_OPENERS = ["", "", "", "Honestly? ", "To be fair, ", "Look, ", "Every week it's the same. "]
QUOTE_CLOSERS = [
    "",
    "",
    "",
    " It drives me mad.",
    " We laugh about it now.",
    " Don't write that down.",
]
ANSWERS: list[Fragment] = [
    ("Nobody knows for sure; they open the drawer and guess from the shape of the bags.",
     ("Freezer blind spot",)),
    ("Last night's pasta went into two tubs, one labelled with masking tape, one not at all.",
     ("Labels and dates", "Takeaway tubs")),
    ("Whoever cooks decides; leftovers go to whoever gets home first.",
     ("Shared fridge rules",)),
    ("A bag of spinach and half a cucumber went in the bin on Monday, as most weeks.",
     ("Food waste", "Pain point")),
    ("The glass boxes with clip lids: they go from fridge to microwave to dishwasher.",
     ("Delight",)),
    ("A drawer that shows which bag is oldest, without reading labels at night.",
     ("Feature idea", "Unmet need")),
    ("A note on the phone lists what is in the freezer, but it is months out of date.",
     ("Freezer blind spot", "Workaround")),
    ("The whiteboard on the fridge plans four dinners; Friday uses up the rest.",
     ("Use-it-first", "Delight")),
    ("They now cook once on Sunday and freeze portions flat in zip bags.",
     ("Batch cooking", "Workaround")),
    ("Open packets live in a basket on top of the fridge, each held with a peg.",
     ("Eating from the packet", "Workaround")),
    ("Yoghurts past their date at the back; the children ate the ones at the front.",
     ("Food waste", "Use-it-first")),
    ("Takeaway tubs, because losing one does not matter.", ("Takeaway tubs", "Workaround")),
    ("A second freezer would help, or a way to see into the one they have.",
     ("Unmet need", "Feature idea")),
    ("Each person has a shelf; the door is shared and always full of sauces.",
     ("Shared fridge rules", "Pain point")),
]  # fmt: skip
KINDS = [ObservationKind.NOTE] * 40 + [ObservationKind.QUOTE] * 34 + [ObservationKind.ANSWER] * 26

INSIGHT_WHO = [
    "Families with young children", "Retired couples", "Flatsharers", "People who live alone",
    "Multigenerational households", "Households that batch cook", "Parents of teenagers",
    "Most households we visited", "Rural households", "Households in small urban flats",
]  # fmt: skip
# What an insight says, by the study tag it is about.
INSIGHT_FINDINGS = {
    "Freezer blind spot": [
        "lose track of what is in the freezer within weeks of filling it",
        "recognise frozen food by the shape of the bag, not by a label",
        "defrost the wrong thing at least once a week",
    ],
    "Takeaway tubs": [
        "reuse takeaway tubs for leftovers because they stack and cost nothing",
        "own far more tub bases than matching lids",
    ],
    "Labels and dates": [
        "date food only when one person in the house insists on it",
        "invent their own labels with masking tape and marker pens",
    ],
    "Food waste": [
        "throw away fresh food bought for a single recipe",
        "find food past its date hidden at the back of the fridge",
    ],
    "Eating from the packet": [
        "leave packets open rather than decant them",
        "eat snacks from the bag when no clean bowl is to hand",
    ],
    "Batch cooking": [
        "cook in bulk once a week and rely on the freezer to spread it out",
        "portion family packs on the day they are bought",
    ],
    "Use-it-first": [
        "make the oldest food the most visible so it gets eaten",
        "keep an 'eat me first' shelf or box that everyone checks",
    ],
    "Shared fridge rules": [
        "argue over shelves and shared staples like milk",
        "want to know who finished something without asking",
    ],
}
INSIGHT_QUALIFIERS = [
    "", "", ", round after round", ", even after buying matching containers",
    ", especially after a big shop", " and say so unprompted",
    " when one person does all the planning",
]  # fmt: skip
INSIGHT_NEXT = [
    "Worth testing a lid that closes with one hand.",
    "Marketing could use their own words for the storage range.",
    "Check in the next round whether the new labels changed anything.",
    "A freezer inventory that needs no typing keeps coming up.",
    "Compare with the households that stopped doing this.",
    "",
]
CAMPAIGNS = [
    "Spring storage range launch", "Freezer drawer e-mail", "Lunchbox social series",
    "In-store leaflet: less waste", "Website: real kitchens", "Autumn catalogue",
]  # fmt: skip
# How often each column is where a card ends up, beyond "new", by board kind.
MOVES = {
    BoardKind.PRODUCT: [
        (Column.EXPLORING, 0.15), (Column.PLANNED, 0.10), (Column.SHIPPED, 0.05),
        (Column.PARKED, 0.08),
    ],
    BoardKind.MARKETING: [(Column.SHORTLISTED, 0.15), (Column.USED, 0.10), (Column.PARKED, 0.05)],
}  # fmt: skip


# --- Safety: what is already there, and clearing it --------------------------------------------


def database_has_data() -> bool:
    """Whether anything generate_dataset would add or clear is already in the database."""
    return (
        Study.objects.exists()
        or Household.objects.exists()
        or User.objects.filter(username__startswith=USERNAME_PREFIX).exists()
    )


def webhooks_listening() -> int:
    """Active webhooks, which would each be sent an event for every generated card."""
    return Webhook.objects.filter(active=True).count()


# Leaf first, so every delete finds nothing left pointing at what it removes.
_RESET_ORDER: list[type[models.Model]] = [
    QuoteUse, Comment, CardEvent, BoardCard, Evidence, InsightTag, Insight, SyncConflict,
    SyncOperation, PhotoUpload, Photo, ObservationTag, Observation, Tag, VisitChange, Visit,
    GuideQuestion, Round, Enrolment, Consent, HouseholdContact, Household, ResearchQuestion,
    StudyMembership, Study,
]  # fmt: skip


def dataset_reset(*, log: Log) -> None:
    """Delete every study, household and everything hanging off them, in every study (not
    only generated ones), and the generated users. Boards, rules of no particular study,
    webhooks and other users stay."""
    started = time.monotonic()
    with transaction.atomic():
        RoutingRule.objects.filter(Q(tag__isnull=False) | Q(study__isnull=False)).delete()
        for model in _RESET_ORDER:
            model.objects.all().delete()
        users = User.objects.filter(username__startswith=USERNAME_PREFIX)
        Availability.objects.filter(researcher__in=users).delete()
        CalendarFeed.objects.filter(researcher__in=users).delete()
        users.delete()
    log(
        _("Deleted the studies, households and generated users that were there (%(seconds).1f s).")
        % {"seconds": time.monotonic() - started}
    )


# --- Generation ----------------------------------------------------------------------------------


def dataset_generate(
    *, size: DatasetSize, seed: int, log: Log, now: dt.datetime | None = None
) -> DatasetSummary:
    """Build the dataset in one transaction: all of it, or nothing."""
    builder = _Builder(size=size, seed=seed, log=log, now=now or timezone.now())
    with transaction.atomic():
        builder.build()
    # Freshly loaded tables have no statistics until autovacuum comes round; meanwhile the
    # planner takes each for a row or two and picks nested loops that run for seconds.
    # Every bulk load ends with ANALYZE.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    builder.progress(_("Database statistics brought up to date for the query planner."))
    return builder.summary()


@dataclass(frozen=True)
class _Member:
    """A household on a study's panel, with what it consented to."""

    id: uuid.UUID
    profile: _Profile
    photos: bool
    marketing_now: bool  # marketing consent still in force today
    leaves: bool  # withdraws everything after the second round
    anchor: bool  # the first of its panel: consents to everything, never misses a visit


@dataclass
class _Visit:
    id: uuid.UUID
    study: int
    round: Round
    member: _Member
    researcher_id: int
    start: dt.datetime
    completed: bool


@dataclass
class _Observation:
    id: uuid.UUID
    visit: _Visit
    kind: str
    captured_at: dt.datetime
    tags: tuple[str, ...]
    drawing: str | None  # the demo drawing that fits a note taken from the demo


@dataclass
class _Photo:
    id: uuid.UUID
    visit: _Visit
    captured_at: dt.datetime


@dataclass(frozen=True)
class _Rendition:
    files: dict[str, str]  # Photo field → stored file name
    width: int
    height: int
    sha256: str


def _update_rows(
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


def _count_of(noun: str, count: int) -> str:
    """“1 study”, “10 studies”: the few nouns progress lines count that may be one."""
    forms = {
        "study": ngettext("%(count)d study", "%(count)d studies", count),
        "round": ngettext("%(count)d round", "%(count)d rounds", count),
        "panel": ngettext("%(count)d panel", "%(count)d panels", count),
    }
    return forms[noun] % {"count": count}


def _english_count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _split(total: int, parts: int) -> list[int]:
    """`total` shared out as evenly as whole numbers allow, the larger shares first."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


class _Builder:
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
        self.panels: list[list[_Member]] = []  # per study
        self.guides: dict[uuid.UUID, list[uuid.UUID]] = {}  # guide question ids, by round
        self.visits: list[_Visit] = []
        self.observations: list[_Observation] = []
        self.photos: list[_Photo] = []
        self.photos_of: dict[uuid.UUID, list[_Photo]] = defaultdict(list)  # by observation
        self.insights: list[Insight] = []
        self.quotes_of: dict[uuid.UUID, list[_Observation]] = {}  # quote evidence, by insight
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

    def build(self) -> None:
        self.progress(
            _(
                "Generating %(households)s households, %(studies)s × %(rounds)s, "
                "%(observations)s observations, %(insights)s insights and %(photos)s photos."
            )
            % {
                "households": f"{self.size.households:,}",
                "studies": _count_of("study", self.size.studies),
                "rounds": _count_of("round", self.size.rounds_per_study),
                "observations": f"{self.size.observations:,}",
                "insights": f"{self.size.insights:,}",
                "photos": f"{self.size.photos:,}",
            }
        )
        self.make_team_and_studies()
        self.make_households()
        self.make_rounds_and_visits()
        self.make_observations()
        self.make_photos()
        self.make_insights()
        self.route_and_decide()

    def summary(self) -> DatasetSummary:
        return DatasetSummary(
            counts=dict(self.counts),
            seconds=time.monotonic() - self.started,
            logins=[
                user.username for role in ("product", "marketing") for user in self.users[role]
            ],
        )

    # --- Team, studies and tags --------------------------------------------------------------

    def make_team_and_studies(self) -> None:
        studies = self.size.studies
        sizes = {
            "lead": math.ceil(studies / 3),
            "researcher": max(3, 2 * studies),
            "product": 3,
            "marketing": 2,
        }
        # Hashing is slow on purpose; every generated account shares the demo's password.
        password = make_password(content.PASSWORD)
        names = [(first, last) for last in LAST_NAMES for first in FIRST_NAMES]
        self.rng.shuffle(names)
        users: list[User] = []
        for role, count in sizes.items():
            self.users[role] = []
            for number in range(1, count + 1):
                first, last = names[len(users) % len(names)]
                user = User(
                    username=f"{USERNAME_PREFIX}{role}-{number:02d}",
                    email=f"{first}.{last}.{len(users) + 1}@example.org".lower(),
                    first_name=first,
                    last_name=last,
                    password=password,
                    time_zone=TIME_ZONE,
                )
                self.users[role].append(user)
                users.append(user)
        # bulk_create gives each user its database id back, which memberships need.
        self.insert(User, users, "users")

        rows, questions, memberships, tags = [], [], [], []
        for index in range(studies):
            title, topic = STUDY_TOPICS[index % len(STUDY_TOPICS)]
            if index >= len(STUDY_TOPICS):
                title = f"{title} ({index // len(STUDY_TOPICS) + 1})"
            study = Study(
                id=self.uuid(),
                title=title,
                why=(
                    "We keep designing for the tidy kitchen in a catalogue. This study watches "
                    f"{topic}, every quarter, so product and marketing build on what really "
                    "happens in homes."
                ),
                cadence=Cadence.QUARTERLY,
                time_zone=TIME_ZONE,
                status=StudyStatus.ACTIVE,
            )
            rows.append(study)
            study_questions = [
                ResearchQuestion(id=self.uuid(), study=study, text=text, position=position)
                for position, text in enumerate(content.RESEARCH_QUESTIONS)
            ]
            questions += study_questions
            self.questions.append([question.pk for question in study_questions])
            team = [(self.users["lead"][index % sizes["lead"]], Role.RESEARCH_LEAD)]
            team += [(user, Role.RESEARCHER) for user in self.study_researchers(index)]
            team += [(user, Role.PRODUCT) for user in self.users["product"]]
            team += [(user, Role.MARKETING) for user in self.users["marketing"]]
            memberships += [
                StudyMembership(id=self.uuid(), study=study, user=user, role=role)
                for user, role in team
            ]
            study_tags = {
                demo.name: Tag(
                    id=self.uuid(),
                    study=study,
                    name=demo.name,
                    group=demo.group,
                    colour=demo.colour,
                    description=demo.description,
                )
                for demo in [*content.GROUP_TAGS, *content.STUDY_TAGS]
            }
            self.tags.append(study_tags)
            tags += study_tags.values()
        self.studies = rows
        self.insert(Study, rows, "studies")
        self.insert(ResearchQuestion, questions, "research questions")
        self.insert(StudyMembership, memberships, "memberships")
        self.insert(Tag, tags, "tags")
        self.progress(
            _("Team: %(users)d users; %(studies)s with their questions and tags.")
            % {"users": len(users), "studies": _count_of("study", studies)}
        )

    def study_researchers(self, index: int) -> list[User]:
        """Three researchers per study, each shared with the neighbouring studies."""
        researchers = self.users["researcher"]
        return [researchers[(2 * index + offset) % len(researchers)] for offset in range(3)]

    def study_synthesisers(self, index: int) -> list[User]:
        return [self.users["lead"][index % len(self.users["lead"])], *self.study_researchers(index)]

    # --- Households ----------------------------------------------------------------------------

    def make_households(self) -> None:
        """Each household on one study's panel, recruited six weeks before the first round."""
        recruited = dt.datetime.combine(
            self.periods[0].start - dt.timedelta(days=42), dt.time(11), tzinfo=self.zone
        )
        # Those who leave write in the evening the second round closes.
        withdrawn_at = dt.datetime.combine(
            self.periods[min(1, len(self.periods) - 1)].end, dt.time(20), tzinfo=self.zone
        )
        weights = [profile.weight for profile in PROFILES]
        width = max(4, len(str(self.size.households)))
        households, contacts, consents, enrolments = [], [], [], []
        self.panels = [[] for _study in self.studies]
        for number in range(self.size.households):
            study_index = number % len(self.studies)
            lead = self.users["lead"][study_index % len(self.users["lead"])]
            profile = self.rng.choices(PROFILES, weights)[0]
            region = self.rng.choice(REGIONS)
            segment = {
                "household size": str(profile.size),
                "children": str(profile.children),
                "region": region,
            }
            if profile.life_stage:
                segment["life stage"] = profile.life_stage
            household = Household(
                id=self.uuid(),
                code=f"H-{number + 1:0{width}d}",
                segment=segment,
                segment_phrase=f"{profile.phrase}, {region}",
            )
            households.append(household)
            contacts.append(self.contact(household, number))
            # The first household of each panel consents to everything and stays, so even
            # a tiny dataset has photos and quotes to show.
            anchor = not self.panels[study_index]
            photos = anchor or self.rng.random() < 0.8
            marketing = anchor or self.rng.random() < 0.5
            leaves = not anchor and self.rng.random() < 0.04
            # Some take back marketing use of their words and stay on the panel.
            marketing_withdrawn = leaves or (marketing and not anchor and self.rng.random() < 0.08)
            given = {
                ConsentKind.PARTICIPATION: True,
                ConsentKind.PHOTOS: photos,
                ConsentKind.MARKETING: marketing,
            }
            for kind in [kind for kind, yes in given.items() if yes]:
                withdraws = leaves or (kind == ConsentKind.MARKETING and marketing_withdrawn)
                consents.append(
                    Consent(
                        id=self.uuid(),
                        household=household,
                        kind=kind,
                        version=content.CONSENT_VERSION,
                        given_at=recruited + dt.timedelta(days=number % 5),
                        withdrawn_at=withdrawn_at if withdraws else None,
                        recorded_by=lead,
                    )
                )
            enrolments.append(
                Enrolment(
                    id=self.uuid(),
                    study=self.studies[study_index],
                    household=household,
                    left_at=withdrawn_at if leaves else None,
                )
            )
            self.panels[study_index].append(
                _Member(
                    id=household.pk,
                    profile=profile,
                    photos=photos,
                    marketing_now=marketing and not marketing_withdrawn,
                    leaves=leaves,
                    anchor=anchor,
                )
            )
        self.insert(Household, households, "households")
        self.insert(HouseholdContact, contacts, "household contacts")
        self.insert(Consent, consents, "consents")
        self.insert(Enrolment, enrolments, "enrolments")
        members = [member for panel in self.panels for member in panel]
        self.progress(
            _(
                "Households: %(count)s on %(panels)s, %(consents)s consent records "
                "(%(marketing)s let marketing quote them); %(left)d withdrew after round two."
            )
            % {
                "count": f"{len(households):,}",
                "panels": _count_of("panel", len(self.studies)),
                "consents": f"{len(consents):,}",
                "marketing": f"{sum(member.marketing_now for member in members):,}",
                "left": sum(member.leaves for member in members),
            }
        )

    def contact(self, household: Household, number: int) -> HouseholdContact:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        letters = "ABDEFGHJLNPQRSTUWXY"
        return HouseholdContact(
            id=self.uuid(),
            household=household,
            name=f"{first} {last}",
            address=(
                f"{self.rng.randint(1, 180)} {self.rng.choice(STREETS)}, "
                f"{self.rng.choice(TOWNS)} ZZ{self.rng.randint(1, 9)} "
                f"{self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
            ),
            # The range kept for drama: these numbers ring nobody.
            phone=f"+44 20 7946 0{self.rng.randint(0, 999):03d}",
            email=f"{first}.{last}.{number + 1}@example.com".lower(),
        )

    # --- Rounds and visits ---------------------------------------------------------------------

    def make_rounds_and_visits(self) -> None:
        """One round a quarter, each household visited once a round, no researcher booked
        twice at once; a few visits are no-shows."""
        slots = [dt.time(9, 30), dt.time(11, 30), dt.time(14, 0), dt.time(16, 0)]
        rounds, guide, visits = [], [], []
        for study_index, study in enumerate(self.studies):
            researchers = self.study_researchers(study_index)
            for round_index, period in enumerate(self.periods):
                round_ = Round(
                    id=self.uuid(),
                    study=study,
                    label=period.label,
                    window_start=period.start,
                    window_end=period.end,
                    planned_automatically=True,
                )
                rounds.append(round_)
                questions = [
                    GuideQuestion(id=self.uuid(), round=round_, position=position, text=text)
                    for position, text in enumerate(
                        content.GUIDES[round_index % len(content.GUIDES)]
                    )
                ]
                guide += questions
                self.guides[round_.pk] = [question.pk for question in questions]
                days = working_days(period.start, period.end)
                panel = [
                    member
                    for member in self.panels[study_index]
                    if not (member.leaves and round_index >= 2)
                ]
                self.rng.shuffle(panel)
                for slot, member in enumerate(panel):
                    day = days[(slot // (len(researchers) * len(slots))) % len(days)]
                    at = slots[(slot // len(researchers)) % len(slots)]
                    start = dt.datetime.combine(day, at, tzinfo=self.zone)
                    no_show = not member.anchor and self.rng.random() < 0.03
                    visit = _Visit(
                        id=self.uuid(),
                        study=study_index,
                        round=round_,
                        member=member,
                        researcher_id=researchers[slot % len(researchers)].pk,
                        start=start,
                        completed=not no_show,
                    )
                    self.visits.append(visit)
                    end = start + dt.timedelta(minutes=study.visit_minutes)
                    visits.append(
                        Visit(
                            id=visit.id,
                            round=round_,
                            household_id=member.id,
                            researcher_id=visit.researcher_id,
                            scheduled_start=start,
                            scheduled_end=end,
                            status=VisitStatus.COMPLETED
                            if visit.completed
                            else VisitStatus.NO_SHOW,
                            started_at=start if visit.completed else None,
                            finished_at=end
                            if visit.completed
                            else start + dt.timedelta(minutes=20),
                        )
                    )
        self.insert(Round, rounds, "rounds")
        self.insert(GuideQuestion, guide, "guide questions")
        self.insert(Visit, visits, "visits")
        self.progress(
            _("Rounds and visits: %(rounds)s (%(first)s to %(last)s), %(visits)s visits.")
            % {
                "rounds": _count_of("round", len(rounds)),
                "first": self.periods[0].label,
                "last": self.periods[-1].label,
                "visits": f"{len(visits):,}",
            }
        )

    # --- Observations --------------------------------------------------------------------------

    def make_observations(self) -> None:
        """Each study's share spread at random over its completed visits, in visit order."""
        demo_items = [item for items in content.OBSERVATIONS.values() for item in items]
        completed: dict[int, list[_Visit]] = defaultdict(list)
        for visit in self.visits:
            if visit.completed:
                completed[visit.study].append(visit)
        rows, links = [], []
        for study_index, share in enumerate(_split(self.size.observations, len(self.studies))):
            visits = completed[study_index]
            per_visit = [0] * len(visits)
            for _observation in range(share):
                per_visit[self.rng.randrange(len(visits))] += 1
            for visit, count in zip(visits, per_visit, strict=True):
                minutes = sorted(self.rng.randint(3, 85) for _minute in range(count))
                for minute in minutes:
                    kind, text, speaker, tags, position, drawing = self.observation_text(
                        visit, demo_items
                    )
                    # Microseconds from the running count keep every capture time distinct,
                    # so "the earliest" is never a tie.
                    captured_at = visit.start + dt.timedelta(
                        minutes=minute, microseconds=len(self.observations)
                    )
                    observation = _Observation(
                        id=self.uuid(),
                        visit=visit,
                        kind=kind,
                        captured_at=captured_at,
                        tags=tags,
                        drawing=drawing,
                    )
                    self.observations.append(observation)
                    guide = self.guides[visit.round.pk]
                    rows.append(
                        Observation(
                            id=observation.id,
                            visit_id=visit.id,
                            author_id=visit.researcher_id,
                            kind=kind,
                            text=text,
                            speaker=speaker,
                            guide_question_id=(
                                guide[min(position, len(guide) - 1)]
                                if position is not None
                                else None
                            ),
                            device_id=self.uuid(),
                            captured_at=captured_at,
                        )
                    )
                    links += [
                        ObservationTag(
                            observation_id=observation.id,
                            tag_id=self.tags[study_index][name].pk,
                        )
                        for name in tags
                    ]
        self.insert(Observation, rows, "observations")
        self.insert(ObservationTag, links, "observation tags")
        kinds = Counter(observation.kind for observation in self.observations)
        self.progress(
            _(
                "Observations: %(count)s (%(notes)s notes, %(quotes)s quotes, %(answers)s "
                "answers) with %(tags)s tags."
            )
            % {
                "count": f"{len(rows):,}",
                "notes": f"{kinds[ObservationKind.NOTE]:,}",
                "quotes": f"{kinds[ObservationKind.QUOTE]:,}",
                "answers": f"{kinds[ObservationKind.ANSWER]:,}",
                "tags": f"{len(links):,}",
            }
        )

    def observation_text(
        self, visit: _Visit, demo_items: list[content.DemoObservation]
    ) -> tuple[str, str, str, tuple[str, ...], int | None, str | None]:
        """(kind, text, speaker, tag names, guide position, drawing) of one observation."""
        rng = self.rng
        speaker = rng.choice(visit.member.profile.speakers)
        if rng.random() < 0.1:
            # The demo's hand-written observations, said by someone of this household.
            item = rng.choice(demo_items)
            return (
                item.kind,
                item.text,
                speaker if item.speaker else "",
                item.tags,
                item.guide_position,
                item.photo,
            )
        kind = rng.choice(KINDS)
        if kind == ObservationKind.QUOTE:
            core, tags = rng.choice(QUOTE_CORES)
            opener = rng.choice(QUOTE_OPENERS)
            if opener.endswith(", ") and not core.startswith(("I ", "I'")):
                core = core[0].lower() + core[1:]
            return kind, f"{opener}{core}{rng.choice(QUOTE_CLOSERS)}", speaker, tags, None, None
        if kind == ObservationKind.ANSWER:
            text, tags = rng.choice(ANSWERS)
            position = rng.randrange(len(self.guides[visit.round.pk]))
            return kind, text, speaker if rng.random() < 0.6 else "", tags, position, None
        habit, habit_tags = rng.choice(NOTE_HABITS)
        outcome, outcome_tags = rng.choice(_OUTCOMES_FOR[habit])
        subject = NOTE_SUBJECTS[speaker.split(",")[0]]
        text = f"{subject} {habit}; {outcome}."
        if visit.round.label != self.periods[0].label and rng.random() < 0.15:
            text = f"Since our last visit, {subject[0].lower()}{subject[1:]} {habit}; {outcome}."
        return kind, text, "", tuple(dict.fromkeys(habit_tags + outcome_tags)), None, None

    # --- Photos ----------------------------------------------------------------------------------

    def make_photos(self) -> None:
        """Ready photos at visits of households that allow them, half of them attached to a
        note. Their files are a few real renditions shared by every photo of the same drawing."""
        if not self.size.photos:
            return
        captions = {
            item.photo: item.caption
            for items in content.OBSERVATIONS.values()
            for item in items
            if item.photo
        }
        renditions = self.write_image_files(sorted(captions))
        self.progress(
            _("Image files: %(count)d drawings rendered once, each shared by many photos.")
            % {"count": len(renditions)}
        )
        allowed = [visit for visit in self.visits if visit.completed and visit.member.photos]
        notes: dict[uuid.UUID, list[_Observation]] = defaultdict(list)
        for observation in self.observations:
            if observation.kind == ObservationKind.NOTE:
                notes[observation.visit.id].append(observation)
        drawings = sorted(renditions)
        rows = []
        for number in range(self.size.photos):
            visit = self.rng.choice(allowed)
            candidates = notes[visit.id]
            observation = (
                self.rng.choice(candidates) if candidates and self.rng.random() < 0.5 else None
            )
            drawing = (observation.drawing if observation else None) or self.rng.choice(drawings)
            moment = (
                observation.captured_at.replace(microsecond=0) + dt.timedelta(seconds=40)
                if observation
                else visit.start + dt.timedelta(minutes=self.rng.randint(3, 85))
            )
            # As for observations: distinct times, so the cover photo is never a tie.
            photo = _Photo(
                id=self.uuid(), visit=visit, captured_at=moment + dt.timedelta(microseconds=number)
            )
            self.photos.append(photo)
            if observation:
                self.photos_of[observation.id].append(photo)
            rendition = renditions[drawing]
            rows.append(
                Photo(
                    id=photo.id,
                    visit_id=visit.id,
                    observation_id=observation.id if observation else None,
                    author_id=visit.researcher_id,
                    device_id=self.uuid(),
                    caption=captions[drawing],
                    captured_at=photo.captured_at,
                    status=PhotoStatus.READY,
                    sha256=rendition.sha256,
                    width=rendition.width,
                    height=rendition.height,
                    **rendition.files,
                )
            )
        self.insert(Photo, rows, "photos")
        self.progress(
            _("Photos: %(count)s ready, %(attached)s of them attached to a note.")
            % {
                "count": f"{len(rows):,}",
                "attached": f"{sum(len(photos) for photos in self.photos_of.values()):,}",
            }
        )

    def write_image_files(self, drawings: list[str]) -> dict[str, _Rendition]:
        """Each drawing through the real pipeline once, its outputs written to media storage."""
        renditions = {}
        for drawing in drawings:
            upload = render_jpeg(drawing)
            rendered = images.render(upload, max_pixels=settings.RESEARCHHUB_MAX_PHOTO_PIXELS)
            renditions[drawing] = _Rendition(
                files={
                    OUTPUT_FIELDS[name]: put_exactly(f"{PHOTO_FOLDER}/{drawing}/{name}", data)
                    for name, data in rendered.files.items()
                },
                width=rendered.width,
                height=rendered.height,
                sha256=hashlib.sha256(upload).hexdigest(),
            )
        return renditions

    # --- Insights --------------------------------------------------------------------------------

    def make_insights(self) -> None:
        """Insights of 2–8 observations each, drawn from the study's observations on one
        topic; about a third built on quotes. Their counts are worked out here, as
        insight_stats_refresh would, so no second pass over the evidence is needed."""
        observations: dict[tuple[int, str], list[_Observation]] = defaultdict(list)
        for observation in self.observations:
            study = observation.visit.study
            observations[study, "*"].append(observation)
            if observation.kind == ObservationKind.QUOTE:
                observations[study, "quotes"].append(observation)
            for name in observation.tags:
                observations[study, name].append(observation)
                if observation.kind == ObservationKind.QUOTE:
                    observations[study, f"quotes:{name}"].append(observation)
        photos: dict[int, list[_Photo]] = defaultdict(list)
        for photo in self.photos:
            photos[photo.visit.study].append(photo)
        themes = list(INSIGHT_FINDINGS)
        rows, evidence, links = [], [], []
        for study_index, share in enumerate(_split(self.size.insights, len(self.studies))):
            for _insight in range(share):
                theme = self.rng.choice(themes)
                quoted = self.rng.random() < 0.35
                keys = [f"quotes:{theme}", "quotes", theme, "*"] if quoted else [theme, "*"]
                pool = next(
                    found
                    for key in keys
                    if len(found := observations[study_index, key]) >= 2 or key == "*"
                )
                chosen = self.rng.sample(pool, min(self.rng.randint(2, 8), len(pool)))
                chosen_photos = (
                    self.rng.sample(photos[study_index], min(2, len(photos[study_index])))
                    if photos[study_index] and self.rng.random() < 0.15
                    else []
                )
                insight, tag_names = self.insight(study_index, theme, chosen, chosen_photos)
                if quoted and "Quote-worthy" not in tag_names:
                    tag_names.append("Quote-worthy")
                rows.append(insight)
                self.quotes_of[insight.pk] = [o for o in chosen if o.kind == ObservationKind.QUOTE]
                evidence += [
                    Evidence(
                        id=self.uuid(),
                        insight=insight,
                        observation_id=observation.id,
                        added_by=insight.created_by,
                    )
                    for observation in chosen
                ] + [
                    Evidence(
                        id=self.uuid(),
                        insight=insight,
                        photo_id=photo.id,
                        added_by=insight.created_by,
                    )
                    for photo in chosen_photos
                ]
                links += [
                    InsightTag(insight=insight, tag=self.tags[study_index][name])
                    for name in tag_names
                ]
        self.insert(Insight, rows, "insights")
        self.insert(Evidence, evidence, "evidence")
        self.insert(InsightTag, links, "insight tags")
        # bulk_create stamps created_at with the clock; an insight is made after its evidence.
        for insight in rows:
            insight.updated_at = insight.created_at = self.made_at[insight.pk]
        _update_rows(
            Insight,
            ["created_at", "updated_at"],
            {insight.pk: (insight.created_at, insight.updated_at) for insight in rows},
        )
        self.insights = rows
        self.progress(
            _("Insights: %(count)s with %(evidence)s pieces of evidence and %(tags)s tags.")
            % {
                "count": f"{len(rows):,}",
                "evidence": f"{len(evidence):,}",
                "tags": f"{len(links):,}",
            }
        )

    def insight(
        self,
        study_index: int,
        theme: str,
        observations: list[_Observation],
        photos: list[_Photo],
    ) -> tuple[Insight, list[str]]:
        """The insight (not saved) and the names of its tags: its topic and the tags its
        evidence carries most."""
        visits = [observation.visit for observation in observations] + [
            photo.visit for photo in photos
        ]
        households = {visit.member.id for visit in visits}
        rounds = {visit.round.pk: visit.round for visit in visits}
        covers = photos + [
            photo for observation in observations for photo in self.photos_of[observation.id]
        ]
        common = Counter(name for observation in observations for name in observation.tags)
        common.pop(theme, None)
        tag_names = [theme] + [name for name, _count in common.most_common(2)]
        statement = (
            f"{self.rng.choice(INSIGHT_WHO)} {self.rng.choice(INSIGHT_FINDINGS[theme])}"
            f"{self.rng.choice(INSIGHT_QUALIFIERS)}."
        )
        # Written as a researcher would, in the data's language (English), not the UI's.
        description = (
            f"Seen in {_english_count(len(households), 'household')} over "
            f"{_english_count(len(rounds), 'round')}. {self.rng.choice(INSIGHT_NEXT)}"
        ).strip()
        synthesisers = self.study_synthesisers(study_index)
        sightings = [observation.captured_at for observation in observations] + [
            photo.captured_at for photo in photos
        ]
        insight = Insight(
            id=self.uuid(),
            study=self.studies[study_index],
            statement=statement,
            description=description,
            research_question_id=(
                self.rng.choice(self.questions[study_index]) if self.rng.random() < 0.7 else None
            ),
            created_by=self.rng.choice(synthesisers),
            evidence_count=len(observations) + len(photos),
            household_count=len(households),
            latest_round=max(rounds.values(), key=lambda round_: round_.window_start),
            cover_photo_id=min(covers, key=lambda photo: photo.captured_at).id if covers else None,
            first_observed_at=min(sightings),
        )
        # Made a few days to three weeks after the last sighting, never in the future.
        self.made_at[insight.pk] = min(
            max(sightings) + dt.timedelta(days=self.rng.randint(2, 21)),
            self.now - dt.timedelta(hours=1),
        )
        return insight, tag_names

    # --- Routing and decisions -------------------------------------------------------------------

    def route_and_decide(self) -> None:
        """Route every insight with the real service, then move some cards on as product and
        marketing would, and record where some of the used quotes went."""
        outcome = insights_route(insight_ids=None)
        self.counts["cards"] = len(outcome.placed)
        self.progress(
            _("Routing: %(count)s cards placed on the boards by the rules.")
            % {"count": f"{len(outcome.placed):,}"}
        )
        kinds = dict(Board.objects.values_list("pk", "kind"))
        created = {insight.pk: insight.created_at for insight in self.insights}
        cards = sorted(
            BoardCard.objects.filter(removed_at__isnull=True),
            key=lambda card: (card.insight_id, kinds[card.board_id]),
        )
        movers = {
            BoardKind.PRODUCT: self.users["product"],
            BoardKind.MARKETING: self.users["marketing"],
        }
        events, uses = [], []
        for card in cards:
            kind = kinds[card.board_id]
            card.moved_at = created[card.insight_id]
            column = self.destination(kind)
            if column == Column.NEW:
                continue
            card.column = column
            card.moved_at = min(
                card.moved_at
                + dt.timedelta(days=self.rng.randint(1, 40), hours=self.rng.randint(0, 8)),
                self.now - dt.timedelta(minutes=10),
            )
            card.moved_by = self.rng.choice(movers[kind])
            events.append(
                CardEvent(
                    id=self.uuid(),
                    card=card,
                    kind=CardEvent.Kind.MOVED,
                    from_column=Column.NEW,
                    to_column=column,
                    actor=card.moved_by,
                )
            )
            quotes = [
                quote
                for quote in self.quotes_of[card.insight_id]
                if quote.visit.member.marketing_now
            ]
            if column == Column.USED and quotes:
                campaign = self.rng.choice(CAMPAIGNS)
                page = campaign.split(":")[0].lower().replace(" ", "-")
                uses.append(
                    QuoteUse(
                        id=self.uuid(),
                        observation_id=self.rng.choice(quotes).id,
                        campaign=campaign,
                        link=f"https://www.example.com/{page}",
                        used_on=card.moved_at.astimezone(self.zone).date(),
                        recorded_by=card.moved_by,
                    )
                )
        _update_rows(
            BoardCard,
            ["moved_at"],
            {card.pk: (card.moved_at,) for card in cards if card.column == Column.NEW},
        )
        _update_rows(
            BoardCard,
            ["column", "moved_at", "moved_by"],
            {
                card.pk: (card.column, card.moved_at, card.moved_by_id)
                for card in cards
                if card.column != Column.NEW
            },
        )
        self.insert(CardEvent, events, "card moves")
        self.insert(QuoteUse, uses, "quote uses")
        # Every event happened when its card got where it is: placed when the insight was
        # made, moved when it was moved (each card moves once here).
        CardEvent.objects.filter(kind=CardEvent.Kind.PLACED).update(
            created_at=Subquery(
                BoardCard.objects.filter(pk=OuterRef("card_id")).values("insight__created_at")[:1]
            )
        )
        CardEvent.objects.filter(kind=CardEvent.Kind.MOVED).update(
            created_at=Subquery(
                BoardCard.objects.filter(pk=OuterRef("card_id")).values("moved_at")[:1]
            )
        )
        self.progress(
            _("Decisions: %(moved)s cards moved on from “new”, %(uses)s quote uses recorded.")
            % {"moved": f"{len(events):,}", "uses": f"{len(uses):,}"}
        )

    def destination(self, kind: str) -> str:
        draw = self.rng.random()
        for column, share in MOVES[kind]:
            if draw < share:
                return column
            draw -= share
        return Column.NEW
