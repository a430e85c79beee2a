"""The synthesis screen's reads: a study's live observations and its photos as one list of
items to pick evidence from, filtered; the guide's questions by key; the items of a
selection by id.

A photo is evidence in its own right. One attached to a note the list shows is shown under
that note; one with no note (or whose note the list does not show) is an item of its own;
with the kind filter "photo" every photo is an item of its own.
"""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from studies.fieldwork.models import (
    Observation,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
)
from studies.scheduling.models import GuideQuestion, Study, Visit
from studies.synthesis.selectors.common import TAGS_IN_ORDER, segment_filter

# The kind filter's value for photos, beside the observation kinds.
PHOTO_KIND = "photo"

ItemKind = Literal["observation", "photo"]


@dataclass(frozen=True)
class ObservationFilters:
    round_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    segment: str = ""  # "key=value", matched against the household's segment
    tag_id: uuid.UUID | None = None
    kind: str = ""  # an observation kind, PHOTO_KIND, or "" for all
    text: str = ""  # in an observation's text or a photo's caption
    question_key: uuid.UUID | None = None  # answers to this guide question, in any round


@dataclass
class BrowsedItem:
    """One item of the list: an observation (with `shown_photos`, the photos shown under
    it) or a photo of its own (with `photo.tags` prefetched)."""

    kind: ItemKind
    observation: Observation | None = None
    photo: Photo | None = None

    @property
    def pk(self) -> uuid.UUID:
        return self._source.pk

    @property
    def visit(self) -> Visit:
        """Loaded with its household and round."""
        return self._source.visit

    @property
    def _source(self) -> Observation | Photo:
        source = self.observation if self.kind == "observation" else self.photo
        assert source is not None
        return source


@dataclass(frozen=True)
class GuideQuestionKey:
    """A question of the study's guides, the same question in every round it was asked."""

    key: uuid.UUID
    text: str  # the latest wording


def _observations(study: Study, filters: ObservationFilters) -> QuerySet[Observation]:
    """Live observations of the study matching every filter but the kind."""
    observations = Observation.objects.filter(visit__round__study=study, deleted_at__isnull=True)
    if filters.round_id:
        observations = observations.filter(visit__round_id=filters.round_id)
    if filters.household_id:
        observations = observations.filter(visit__household_id=filters.household_id)
    if filters.segment:
        observations = observations.filter(segment_filter("visit__household__", filters.segment))
    if filters.tag_id:
        observations = observations.filter(
            Exists(ObservationTag.objects.filter(observation=OuterRef("pk"), tag_id=filters.tag_id))
        )
    if filters.text:
        observations = observations.filter(text__icontains=filters.text)
    if filters.question_key:
        observations = observations.filter(guide_question__key=filters.question_key)
    return observations


def _shown_photos() -> QuerySet[Photo]:
    """Photos anyone may see and pick: consented, not deleted, not failed (one still being
    processed is listed, and shows once it is ready)."""
    return Photo.objects.shown().exclude(status=PhotoStatus.FAILED)


def _photos(study: Study, filters: ObservationFilters) -> QuerySet[Photo]:
    """Photos of the study matching every filter but the kind, judged by their own tags and
    caption; a question matches the photos attached to its answers."""
    photos = _shown_photos().filter(visit__round__study=study)
    if filters.round_id:
        photos = photos.filter(visit__round_id=filters.round_id)
    if filters.household_id:
        photos = photos.filter(visit__household_id=filters.household_id)
    if filters.segment:
        photos = photos.filter(segment_filter("visit__household__", filters.segment))
    if filters.tag_id:
        photos = photos.filter(
            Exists(PhotoTag.objects.filter(photo=OuterRef("pk"), tag_id=filters.tag_id))
        )
    if filters.text:
        photos = photos.filter(caption__icontains=filters.text)
    if filters.question_key:
        photos = photos.filter(
            observation__deleted_at__isnull=True,
            observation__guide_question__key=filters.question_key,
        )
    return photos


def observation_browse(*, study: Study, filters: ObservationFilters) -> QuerySet[Observation]:
    """A study's live observations, newest first (the API's list: observations only)."""
    observations = _observations(study, filters)
    if filters.kind:
        observations = observations.filter(kind=filters.kind)
    return (
        observations.select_related("visit__household", "visit__round", "author", "guide_question")
        .prefetch_related(
            TAGS_IN_ORDER,
            Prefetch("photos", queryset=Photo.objects.shown().filter(status=PhotoStatus.READY)),
        )
        .order_by("-captured_at", "pk")
    )


class BrowsedItems:
    """The matching items, newest first, read a page at a time: a Paginator takes it as its
    object list (`count()` and slicing), and each page costs the same few queries however
    large the study is:

    1. the count of items (observations and photos in one query),
    2. the page's item ids (the two lists merged, ordered and cut in the database),
    3. the page's observations with visit, household, round and guide question,
    4. their tags,
    5. the page's photos, those of their own and those under the page's observations,
       with visit, household and round,
    6. those photos' tags.
    A page with no observations (or no photos) skips the queries it does not need.
    """

    def __init__(self, *, observations: QuerySet | None, photos: QuerySet | None) -> None:
        # Each as (captured_at, id, kind) rows; None when the filters leave that kind out.
        rows = [
            # No ordering of their own (the models' default): the merged list is ordered.
            queryset.order_by()
            .annotate(item=Value(kind, output_field=CharField()))
            .values_list("captured_at", "id", "item")
            for queryset, kind in ((observations, "observation"), (photos, "photo"))
            if queryset is not None
        ]
        if not rows:
            self._rows = Observation.objects.none().values_list("captured_at", "id")
        elif len(rows) == 1:
            self._rows = rows[0].order_by("-captured_at", "-id")
        else:
            self._rows = rows[0].union(rows[1], all=True).order_by("-captured_at", "-id")

    def count(self) -> int:
        return self._rows.count()

    def __getitem__(self, page: slice) -> list[BrowsedItem]:
        """The items of one page (`items[start:stop]`), loaded with what the page shows."""
        return _items_loaded([(kind, pk) for _at, pk, kind in self._rows[page]])


def _items_loaded(keys: list[tuple[str, uuid.UUID]]) -> list[BrowsedItem]:
    """The items named by (kind, id), in that order, each loaded with what the page shows."""
    observation_ids = [pk for kind, pk in keys if kind == "observation"]
    photo_ids = [pk for kind, pk in keys if kind == "photo"]
    observations: dict[uuid.UUID, Observation] = {}
    if observation_ids:
        observations = {
            observation.pk: observation
            for observation in Observation.objects.filter(pk__in=observation_ids)
            .select_related("visit__household", "visit__round", "guide_question")
            .prefetch_related(TAGS_IN_ORDER)
            .order_by()
        }
    for observation in observations.values():
        observation.shown_photos = []  # type: ignore[attr-defined]
    photos: dict[uuid.UUID, Photo] = {}
    wanted = Q(pk__in=photo_ids) if photo_ids else Q()
    if observation_ids:
        under = Q(observation_id__in=observation_ids)
        wanted = wanted | under if photo_ids else under
    if photo_ids or observation_ids:
        for photo in (
            _shown_photos()
            .filter(wanted)
            .select_related("visit__household", "visit__round")
            .prefetch_related(TAGS_IN_ORDER)
            .order_by("captured_at", "pk")
        ):
            photos[photo.pk] = photo
            if photo.observation_id in observations:
                observations[photo.observation_id].shown_photos.append(photo)  # type: ignore[attr-defined]
    items = []
    for kind, pk in keys:
        if kind == "observation" and pk in observations:
            items.append(BrowsedItem(kind="observation", observation=observations[pk]))
        elif kind == "photo" and pk in photos:
            items.append(BrowsedItem(kind="photo", photo=photos[pk]))
    return items


def evidence_browse(*, study: Study, filters: ObservationFilters) -> BrowsedItems:
    """The study's live observations and photos that match the filters, newest first.

    With no kind, the list holds the observations and the photos not shown under one of
    them; with an observation kind (or a question) observations only; with PHOTO_KIND
    every matching photo, attached or not.
    """
    observations = _observations(study, filters)
    if filters.kind == PHOTO_KIND:
        return BrowsedItems(observations=None, photos=_photos(study, filters))
    if filters.kind or filters.question_key:
        if filters.kind:
            observations = observations.filter(kind=filters.kind)
        return BrowsedItems(observations=observations, photos=None)
    # A photo under a note the list shows is seen there; any other is an item of its own.
    photos = _photos(study, filters).filter(
        ~Exists(observations.filter(pk=OuterRef("observation_id")))
    )
    return BrowsedItems(observations=observations, photos=photos)


@dataclass
class PickedItems:
    """A selection read back by id: the items found, and the ids that are not (or no
    longer) evidence anyone may pick in this study."""

    items: list[BrowsedItem] = field(default_factory=list)
    missing: list[tuple[ItemKind, uuid.UUID]] = field(default_factory=list)


def evidence_picked(
    *,
    study: Study,
    observation_ids: Collection[uuid.UUID],
    photo_ids: Collection[uuid.UUID],
) -> PickedItems:
    """The items of a selection, newest first, loaded as a page of the list is: two queries
    for the ids (live observations and shown photos of this study), then a page's loads."""
    live = set(
        Observation.objects.filter(
            pk__in=observation_ids, visit__round__study=study, deleted_at__isnull=True
        ).values_list("captured_at", "id")
    )
    shown = set(
        _shown_photos()
        .filter(pk__in=photo_ids, visit__round__study=study)
        .values_list("captured_at", "id")
    )
    keyed = [(at, pk, "observation") for at, pk in live] + [(at, pk, "photo") for at, pk in shown]
    keyed.sort(key=lambda row: (row[0], row[1]), reverse=True)
    found = {pk for _at, pk, _kind in keyed}
    missing: list[tuple[ItemKind, uuid.UUID]] = [
        ("observation", pk) for pk in observation_ids if pk not in found
    ] + [("photo", pk) for pk in photo_ids if pk not in found]
    return PickedItems(
        items=_items_loaded([(kind, pk) for _at, pk, kind in keyed]), missing=missing
    )


def guide_question_keys(*, study: Study) -> list[GuideQuestionKey]:
    """The study's guide questions, one per key (the same question across rounds), in the
    words of the latest round that has it: those of the newest guides first, in guide
    order, then questions no longer asked. One query."""
    rows = (
        GuideQuestion.objects.filter(round__study=study)
        .order_by("-round__window_start", "-round__label", "position", "pk")
        .values_list("key", "text", "position", "round__window_start")
    )
    latest: dict[uuid.UUID, tuple[int, bool, int, str]] = {}
    for key, text, position, round_start in rows:
        # Sorts as: newest round first, then asked before taken off, in guide order.
        latest.setdefault(key, (-round_start.toordinal(), position is None, position or 0, text))
    ordered = sorted(latest.items(), key=lambda pair: (*pair[1][:3], pair[1][3].casefold()))
    return [GuideQuestionKey(key=key, text=order[3]) for key, order in ordered]
