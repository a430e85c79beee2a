"""What is already in the database, and clearing it: the command refuses to mix a dataset
into data it did not make, unless told to delete that data first."""

import time

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from studies.common.models import User
from studies.demo.dataset.builder import USERNAME_PREFIX, Log
from studies.fieldwork.models import (
    Observation,
    ObservationTag,
    Photo,
    PhotoTag,
    PhotoUpload,
    SyncConflict,
    SyncOperation,
    Tag,
)
from studies.scheduling.models import (
    Availability,
    CalendarFeed,
    Consent,
    Enrolment,
    GuideQuestion,
    Household,
    HouseholdContact,
    ResearchQuestion,
    Round,
    Study,
    StudyMembership,
    Visit,
    VisitChange,
)
from studies.synthesis.models import (
    BoardCard,
    CardEvent,
    Comment,
    Evidence,
    Insight,
    InsightTag,
    QuoteUse,
    RoutingRule,
    Webhook,
)


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
    SyncOperation, PhotoUpload, PhotoTag, Photo, ObservationTag, Observation, Tag, VisitChange,
    Visit, GuideQuestion, Round, Enrolment, Consent, HouseholdContact, Household,
    ResearchQuestion, StudyMembership, Study,
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
