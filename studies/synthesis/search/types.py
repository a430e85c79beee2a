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
# A photo's tag names come back from the backends in one text, separated by this character
# (the indexed names never contain it either), so each tag can be shown with its matches.
TAG_SEPARATOR = "\x1f"


class SearchKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    QUOTE = "quote", _("Quote")
    INSIGHT = "insight", _("Insight")
    PHOTO = "photo", _("Photo")


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
    title_marked: str  # an insight's statement with its matches marked; "" for other kinds
    # An observation's text, an insight's description or a photo's caption, matches marked.
    body_marked: str
    # A photo's tag names, matches marked, separated by TAG_SEPARATOR; "" for other kinds.
    tags_marked: str = ""


@dataclass(frozen=True)
class RankedPage:
    hits: list[RankedHit]
    total: int
