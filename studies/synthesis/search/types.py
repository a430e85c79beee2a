"""What the search service and its backends pass between them."""

import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from studies.scheduling.models import Study

# Backends mark each match between these two characters. The indexed text never contains
# them (the migration and the backends strip them), so after the rest is HTML-escaped they
# can be turned into <mark> tags safely.
MARK_START = "\x02"
MARK_END = "\x03"


class SearchKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    QUOTE = "quote", _("Quote")
    INSIGHT = "insight", _("Insight")


OBSERVATION_KINDS = frozenset({SearchKind.OBSERVATION, SearchKind.QUOTE})


@dataclass(frozen=True)
class Scope:
    """Where to search: the studies the user may view, narrowed by the caller's filters."""

    studies: QuerySet[Study]
    kinds: frozenset[str]
    round_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    # Studies where the searcher may use quotes only for marketing: there a quote is found
    # only while its household's marketing consent is in force, as in the quote bank.
    consented_quotes_only: QuerySet[Study] | None = None


@dataclass(frozen=True)
class RankedHit:
    kind: str
    id: uuid.UUID
    rank: float
    title_marked: str  # an insight's statement with its matches marked; "" for observations
    body_marked: str  # an observation's text or an insight's description, matches marked


@dataclass(frozen=True)
class RankedPage:
    hits: list[RankedHit]
    total: int
