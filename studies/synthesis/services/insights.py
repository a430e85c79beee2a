"""Writes to insights: create, edit, tag, add and remove evidence, comment.

Every write that changes an insight's tags routes it again, in the same transaction, so
boards never disagree with the rules.
"""

import uuid
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studies.common.errors import ConflictError
from studies.common.models import User
from studies.fieldwork.models import Observation, Photo, PhotoStatus, Tag
from studies.scheduling.models import ResearchQuestion, Round, Study
from studies.synthesis.models import Comment, Evidence, Insight, InsightTag
from studies.synthesis.services.routing import insights_route

STATEMENT_MAX = Insight._meta.get_field("statement").max_length


def _missing(field: str, missing: Collection[uuid.UUID]) -> ValidationError:
    listed = ", ".join(sorted(str(pk) for pk in missing))
    return ValidationError(
        {
            field: ngettext(
                "%(ids)s is not part of this study.",
                "%(ids)s are not part of this study.",
                len(missing),
            )
            % {"ids": listed}
        }
    )


def _observations_of(study: Study, ids: Collection[uuid.UUID]) -> list[Observation]:
    found = list(
        Observation.objects.filter(
            pk__in=ids, visit__round__study=study, deleted_at__isnull=True
        ).only("pk")
    )
    if missing := set(ids) - {observation.pk for observation in found}:
        raise _missing("observations", missing)
    return found


def _photos_of(study: Study, ids: Collection[uuid.UUID]) -> list[Photo]:
    found = list(
        Photo.objects.shown()
        .filter(pk__in=ids, visit__round__study=study)
        .exclude(status=PhotoStatus.FAILED)
        .only("pk")
    )
    if missing := set(ids) - {photo.pk for photo in found}:
        raise _missing("photos", missing)
    return found


def _tags_of(study: Study, ids: Collection[uuid.UUID]) -> list[Tag]:
    found = list(Tag.objects.filter(pk__in=ids, study=study))
    if missing := set(ids) - {tag.pk for tag in found}:
        raise _missing("tags", missing)
    return found


def _question_of(study: Study, question_id: uuid.UUID | None) -> ResearchQuestion | None:
    if question_id is None:
        return None
    question = ResearchQuestion.objects.filter(pk=question_id, study=study).first()
    if question is None:
        raise _missing("research_question", [question_id])
    return question


def _clean_statement(statement: str) -> str:
    statement = " ".join(statement.split())
    if not statement:
        raise ValidationError({"statement": _("Say in one sentence what was learned.")})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(
            {
                "statement": _(
                    "Keep the statement to %(max)d characters; put the rest in the description."
                )
                % {"max": STATEMENT_MAX}
            }
        )
    return statement


def insight_stats_refresh(*, insight: Insight) -> None:
    """Recount what backs an insight: households, rounds, the cover photo, first sighting."""
    # Each piece of evidence reaches a visit through its observation or its photo.
    visits = list(
        Evidence.objects.filter(insight=insight).values_list(
            "observation__visit__household_id",
            "observation__visit__round_id",
            "photo__visit__household_id",
            "photo__visit__round_id",
            "observation__captured_at",
            "photo__captured_at",
        )
    )
    households = {row[0] or row[2] for row in visits}
    rounds = {row[1] or row[3] for row in visits}
    sightings = [moment for row in visits for moment in row[4:] if moment]
    insight.evidence_count = len(visits)
    insight.household_count = len(households)
    insight.round_count = len(rounds)
    insight.latest_round = Round.objects.filter(pk__in=rounds).order_by("-window_start").first()
    # A photo still being processed may be the cover: pages show it once it is ready.
    insight.cover_photo = (
        Photo.objects.shown()
        .exclude(status=PhotoStatus.FAILED)
        .filter(Q(evidence__insight=insight) | Q(observation__evidence__insight=insight))
        .order_by("captured_at")
        .first()
    )
    insight.first_observed_at = min(sightings, default=None)
    insight.save(
        update_fields=[
            "evidence_count",
            "household_count",
            "round_count",
            "latest_round",
            "cover_photo",
            "first_observed_at",
            "updated_at",
        ]
    )


@transaction.atomic
def insight_create(
    *,
    study: Study,
    actor: User,
    statement: str,
    description: str = "",
    observation_ids: Collection[uuid.UUID] = (),
    photo_ids: Collection[uuid.UUID] = (),
    tag_ids: Collection[uuid.UUID] = (),
    research_question_id: uuid.UUID | None = None,
) -> Insight:
    statement = _clean_statement(statement)
    if not observation_ids and not photo_ids:
        raise ValidationError(
            {"observations": _("An insight needs evidence: choose at least one observation.")}
        )
    observations = _observations_of(study, set(observation_ids))
    photos = _photos_of(study, set(photo_ids))
    tags = _tags_of(study, set(tag_ids))
    insight = Insight.objects.create(
        study=study,
        statement=statement,
        description=description.strip(),
        research_question=_question_of(study, research_question_id),
        created_by=actor,
    )
    InsightTag.objects.bulk_create([InsightTag(insight=insight, tag=tag) for tag in tags])
    Evidence.objects.bulk_create(
        [Evidence(insight=insight, observation=o, added_by=actor) for o in observations]
        + [Evidence(insight=insight, photo=p, added_by=actor) for p in photos]
    )
    insight_stats_refresh(insight=insight)
    insights_route(insight_ids=[insight.pk], actor=actor)
    return insight


_UNCHANGED = object()


@transaction.atomic
def insight_update(
    *,
    insight: Insight,
    actor: User,
    statement: str | None = None,
    description: str | None = None,
    tag_ids: Collection[uuid.UUID] | None = None,
    research_question_id: uuid.UUID | object | None = _UNCHANGED,
) -> Insight:
    """Change what is given; leave the rest. Changing tags routes the insight again."""
    fields = ["updated_at"]
    if statement is not None:
        insight.statement = _clean_statement(statement)
        fields.append("statement")
    if description is not None:
        insight.description = description.strip()
        fields.append("description")
    if research_question_id is not _UNCHANGED:
        insight.research_question = _question_of(insight.study, research_question_id)  # type: ignore[arg-type]
        fields.append("research_question")
    if tag_ids is not None:
        wanted = {tag.pk for tag in _tags_of(insight.study, set(tag_ids))}
        current = set(InsightTag.objects.filter(insight=insight).values_list("tag_id", flat=True))
        InsightTag.objects.filter(insight=insight, tag_id__in=current - wanted).delete()
        InsightTag.objects.bulk_create(
            [InsightTag(insight=insight, tag_id=pk) for pk in wanted - current]
        )
    insight.save(update_fields=fields)
    if tag_ids is not None:
        insights_route(insight_ids=[insight.pk], actor=actor)
    return insight


@transaction.atomic
def insight_evidence_add(
    *,
    insight: Insight,
    actor: User,
    observation_ids: Collection[uuid.UUID] = (),
    photo_ids: Collection[uuid.UUID] = (),
) -> int:
    """Add evidence; what is already there is left as it is. Returns how many were added."""
    Insight.objects.select_for_update().filter(pk=insight.pk).exists()
    observations = _observations_of(insight.study, set(observation_ids))
    photos = _photos_of(insight.study, set(photo_ids))
    # Observation and photo ids are UUIDs: one set holds both without a clash.
    present = {
        pk
        for pair in Evidence.objects.filter(insight=insight).values_list(
            "observation_id", "photo_id"
        )
        for pk in pair
        if pk
    }
    new = [
        Evidence(insight=insight, observation=o, added_by=actor)
        for o in observations
        if o.pk not in present
    ] + [Evidence(insight=insight, photo=p, added_by=actor) for p in photos if p.pk not in present]
    Evidence.objects.bulk_create(new)
    if new:
        insight_stats_refresh(insight=insight)
    return len(new)


@transaction.atomic
def insight_evidence_remove(
    *, insight: Insight, actor: User, evidence_ids: Collection[uuid.UUID]
) -> int:
    Insight.objects.select_for_update().filter(pk=insight.pk).exists()
    evidence = Evidence.objects.filter(insight=insight)
    chosen = evidence.filter(pk__in=set(evidence_ids))
    if missing := set(evidence_ids) - set(chosen.values_list("pk", flat=True)):
        raise ValidationError(
            {
                "evidence": _("%(ids)s is not evidence of this insight.")
                % {"ids": ", ".join(sorted(map(str, missing)))}
            }
        )
    if chosen.count() >= evidence.count():
        raise ConflictError(
            {"evidence": _("An insight keeps at least one piece of evidence; add another first.")}
        )
    removed, _counts = chosen.delete()
    insight_stats_refresh(insight=insight)
    return removed


def comment_create(*, insight: Insight, author: User, text: str) -> Comment:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write something to comment.")})
    comment = Comment.objects.create(insight=insight, author=author, text=text)
    Insight.objects.filter(pk=insight.pk).update(updated_at=comment.created_at)
    return comment
