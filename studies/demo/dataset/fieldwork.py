"""The fieldwork stages: rounds and visits, what researchers noted at the visits, and the
photos they took."""

import datetime as dt
import hashlib
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from studies.demo import content
from studies.demo.dataset.builder import (
    Builder,
    ObservationRecord,
    PhotoRecord,
    VisitRecord,
    count_of,
    split_evenly,
)
from studies.demo.dataset.texts import observation_text
from studies.demo.photos import render_jpeg
from studies.fieldwork import images
from studies.fieldwork.models import (
    Observation,
    ObservationKind,
    ObservationTag,
    Photo,
    PhotoStatus,
    PhotoTag,
)
from studies.fieldwork.services.photos import OUTPUT_FIELDS, put_exactly
from studies.scheduling.models import GuideQuestion, Round, Visit, VisitStatus
from studies.scheduling.planner import working_days

PHOTO_FOLDER = "dataset-photos"


@dataclass(frozen=True)
class _Rendition:
    files: dict[str, str]  # Photo field → stored file name
    width: int
    height: int
    sha256: str


def make_rounds_and_visits(builder: Builder) -> None:
    """One round a quarter, each household visited once a round, no researcher booked
    twice at once; a few visits are no-shows."""
    slots = [dt.time(9, 30), dt.time(11, 30), dt.time(14, 0), dt.time(16, 0)]
    rounds, guide, visits = [], [], []
    for study_index, study in enumerate(builder.studies):
        researchers = builder.study_researchers(study_index)
        # A question asked again in a later round, in the same words or reworded, is the
        # same question: the same key, as planning carries it.
        keys: dict[str, uuid.UUID] = {}
        for round_index, period in enumerate(builder.periods):
            round_ = Round(
                id=builder.uuid(),
                study=study,
                label=period.label,
                window_start=period.start,
                window_end=period.end,
                planned_automatically=True,
            )
            rounds.append(round_)
            questions = [
                GuideQuestion(
                    id=builder.uuid(),
                    round=round_,
                    key=keys.setdefault(content.REWORDED.get(text, text), builder.uuid()),
                    position=position,
                    text=text,
                )
                for position, text in enumerate(content.GUIDES[round_index % len(content.GUIDES)])
            ]
            guide += questions
            builder.guides[round_.pk] = [question.pk for question in questions]
            builder.wording.update({question.pk: question.text for question in questions})
            days = working_days(period.start, period.end)
            panel = [
                member
                for member in builder.panels[study_index]
                if not (member.leaves and round_index >= 2)
            ]
            builder.rng.shuffle(panel)
            for slot, member in enumerate(panel):
                day = days[(slot // (len(researchers) * len(slots))) % len(days)]
                at = slots[(slot // len(researchers)) % len(slots)]
                start = dt.datetime.combine(day, at, tzinfo=builder.zone)
                no_show = not member.anchor and builder.rng.random() < 0.03
                visit = VisitRecord(
                    id=builder.uuid(),
                    study=study_index,
                    round=round_,
                    member=member,
                    researcher_id=researchers[slot % len(researchers)].pk,
                    start=start,
                    completed=not no_show,
                )
                builder.visits.append(visit)
                end = start + dt.timedelta(minutes=study.visit_minutes)
                visits.append(
                    Visit(
                        id=visit.id,
                        round=round_,
                        household_id=member.id,
                        researcher_id=visit.researcher_id,
                        scheduled_start=start,
                        scheduled_end=end,
                        status=VisitStatus.COMPLETED if visit.completed else VisitStatus.NO_SHOW,
                        started_at=start if visit.completed else None,
                        finished_at=end if visit.completed else start + dt.timedelta(minutes=20),
                    )
                )
    builder.insert(Round, rounds, "rounds")
    builder.insert(GuideQuestion, guide, "guide questions")
    builder.insert(Visit, visits, "visits")
    builder.progress(
        _("Rounds and visits: %(rounds)s (%(first)s to %(last)s), %(visits)s visits.")
        % {
            "rounds": count_of("round", len(rounds)),
            "first": builder.periods[0].label,
            "last": builder.periods[-1].label,
            "visits": f"{len(visits):,}",
        }
    )


def make_observations(builder: Builder) -> None:
    """Each study's share spread at random over its completed visits, in visit order."""
    demo_items = [item for items in content.OBSERVATIONS.values() for item in items]
    completed: dict[int, list[VisitRecord]] = defaultdict(list)
    for visit in builder.visits:
        if visit.completed:
            completed[visit.study].append(visit)
    rows, links = [], []
    for study_index, share in enumerate(
        split_evenly(builder.size.observations, len(builder.studies))
    ):
        visits = completed[study_index]
        per_visit = [0] * len(visits)
        for _observation in range(share):
            per_visit[builder.rng.randrange(len(visits))] += 1
        for visit, count in zip(visits, per_visit, strict=True):
            minutes = sorted(builder.rng.randint(3, 85) for _minute in range(count))
            for minute in minutes:
                kind, text, speaker, tags, position, drawing = observation_text(
                    builder.rng,
                    speakers=visit.member.profile.speakers,
                    guide_length=len(builder.guides[visit.round.pk]),
                    revisit=visit.round.label != builder.periods[0].label,
                    demo_items=demo_items,
                )
                # Microseconds from the running count keep every capture time distinct,
                # so "the earliest" is never a tie.
                captured_at = visit.start + dt.timedelta(
                    minutes=minute, microseconds=len(builder.observations)
                )
                observation = ObservationRecord(
                    id=builder.uuid(),
                    visit=visit,
                    kind=kind,
                    captured_at=captured_at,
                    tags=tags,
                    drawing=drawing,
                )
                builder.observations.append(observation)
                guide = builder.guides[visit.round.pk]
                question = guide[min(position, len(guide) - 1)] if position is not None else None
                rows.append(
                    Observation(
                        id=observation.id,
                        visit_id=visit.id,
                        author_id=visit.researcher_id,
                        kind=kind,
                        text=text,
                        speaker=speaker,
                        guide_question_id=question,
                        question_text=builder.wording[question] if question else None,
                        device_id=builder.uuid(),
                        captured_at=captured_at,
                    )
                )
                links += [
                    ObservationTag(
                        observation_id=observation.id,
                        tag_id=builder.tags[study_index][name].pk,
                    )
                    for name in tags
                ]
    builder.insert(Observation, rows, "observations")
    builder.insert(ObservationTag, links, "observation tags")
    kinds = Counter(observation.kind for observation in builder.observations)
    builder.progress(
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


def make_photos(builder: Builder) -> None:
    """Ready photos at visits of households that allow them, half of them attached to a
    note. Their files are a few real renditions shared by every photo of the same drawing."""
    if not builder.size.photos:
        return
    captions = {
        item.photo: item.caption
        for items in content.OBSERVATIONS.values()
        for item in items
        if item.photo
    }
    # A photo taken on its own is tagged at capture with what its drawing shows.
    drawn_tags = {
        item.photo: item.tags
        for items in content.OBSERVATIONS.values()
        for item in items
        if item.photo
    }
    renditions = _write_image_files(sorted(captions))
    builder.progress(
        _("Image files: %(count)d drawings rendered once, each shared by many photos.")
        % {"count": len(renditions)}
    )
    allowed = [visit for visit in builder.visits if visit.completed and visit.member.photos]
    notes: dict[uuid.UUID, list[ObservationRecord]] = defaultdict(list)
    for observation in builder.observations:
        if observation.kind == ObservationKind.NOTE:
            notes[observation.visit.id].append(observation)
    drawings = sorted(renditions)
    rows, links = [], []
    for number in range(builder.size.photos):
        visit = builder.rng.choice(allowed)
        candidates = notes[visit.id]
        observation = (
            builder.rng.choice(candidates) if candidates and builder.rng.random() < 0.5 else None
        )
        drawing = (observation.drawing if observation else None) or builder.rng.choice(drawings)
        moment = (
            observation.captured_at.replace(microsecond=0) + dt.timedelta(seconds=40)
            if observation
            else visit.start + dt.timedelta(minutes=builder.rng.randint(3, 85))
        )
        # As for observations: distinct times, so the cover photo is never a tie.
        photo = PhotoRecord(
            id=builder.uuid(), visit=visit, captured_at=moment + dt.timedelta(microseconds=number)
        )
        builder.photos.append(photo)
        if observation:
            builder.photos_of[observation.id].append(photo)
        rendition = renditions[drawing]
        rows.append(
            Photo(
                id=photo.id,
                visit_id=visit.id,
                observation_id=observation.id if observation else None,
                author_id=visit.researcher_id,
                device_id=builder.uuid(),
                caption=captions[drawing],
                captured_at=photo.captured_at,
                status=PhotoStatus.READY,
                sha256=rendition.sha256,
                width=rendition.width,
                height=rendition.height,
                **rendition.files,
            )
        )
        if observation is None:
            study_tags = builder.tags[visit.study]
            links += [
                PhotoTag(photo_id=photo.id, tag_id=study_tags[name].pk)
                for name in drawn_tags[drawing]
                if name in study_tags
            ]
    builder.insert(Photo, rows, "photos")
    builder.insert(PhotoTag, links, "photo tags")
    builder.progress(
        _("Photos: %(count)s ready, %(attached)s of them attached to a note, %(tags)s tags.")
        % {
            "count": f"{len(rows):,}",
            "attached": f"{sum(len(photos) for photos in builder.photos_of.values()):,}",
            "tags": f"{len(links):,}",
        }
    )


def _write_image_files(drawings: list[str]) -> dict[str, _Rendition]:
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
