"""Helpers of the synthesis API tests: a client signed in as anyone, photos, insights."""

import datetime as dt
from collections.abc import Iterable

import pytest
from django.utils import timezone

from studies.common.models import User
from studies.fieldwork.models import Observation, Photo, PhotoStatus, Tag
from studies.scheduling.models import Visit
from studies.synthesis.models import Insight
from studies.synthesis.services import insights
from tests.factories import UserFactory
from tests.synthesis.conftest import Field


def iso(moment: dt.datetime | None) -> str | None:
    """A time as the API writes it: UTC for users in UTC, `Z` for +00:00."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def admin(db) -> User:
    return UserFactory(username="admin", is_staff=True)


def ready_photo(
    visit: Visit, *, observation: Observation | None = None, caption: str = ""
) -> Photo:
    return Photo.objects.create(
        visit=visit,
        observation=observation,
        author=visit.researcher,
        caption=caption,
        captured_at=timezone.now(),
        status=PhotoStatus.READY,
    )


def photo_urls(photo: Photo) -> dict[str, str]:
    base = f"/photos/{photo.pk}"
    return {
        "thumb": f"{base}/thumb.webp",
        "thumb_jpeg": f"{base}/thumb.jpg",
        "web": f"{base}/web.webp",
        "web_jpeg": f"{base}/web.jpg",
        "original": f"{base}/original.jpg",
    }


def make_insight(
    field: Field,
    *tags: Tag,
    evidence: Iterable[Observation] | None = None,
    statement: str = "People lose track of what is in the freezer.",
) -> Insight:
    return insights.insight_create(
        study=field.team.study,
        actor=field.team.researcher,
        statement=statement,
        observation_ids=[o.pk for o in (field.quotes if evidence is None else evidence)],
        tag_ids=[tag.pk for tag in tags],
    )


def tag_chip(tag: Tag) -> dict[str, str]:
    return {"id": str(tag.pk), "name": tag.name, "group": tag.group, "colour": tag.colour}
